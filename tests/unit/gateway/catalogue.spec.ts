/**
 * For every bundle in the catalogue: each field and material is asked at most once, nothing the
 * government holds is asked, and each department step receives only the fields it declares.
 */
import { bundleFields, bundleMaterials, checkBundle, criticalPathDays, loadBundles, type Bundle } from "../../../gateway/catalog/bundles";
import { findField, FIELDS } from "../../../gateway/catalog/fields";
import { checkForm, mergedForm } from "../../../gateway/catalog/merged-form";
import { findMaterialType } from "../../../gateway/materials/catalogue";
import { buildParams } from "../../../gateway/orchestrator/params";
import { Gender, type Person } from "../../../proto/gen/tongban/identity/v1/identity";

const bundles = [...loadBundles(undefined, (t) => Boolean(findMaterialType(t))).values()];
const person: Person = {
  idNumber: "11010519491231002X", name: "王淑芬", gender: Gender.GENDER_FEMALE, birthDate: "1949-12-31",
  regionCode: "110105", address: "北京市朝阳区建国路88号", phone: "13800138000", ethnicity: "汉族",
};

describe("the bundle catalogue", () => {
  it("holds the four bundles, each definition sound", () => {
    expect(bundles.map((b) => b.code).sort()).toEqual(["CHANGE_REGISTRATION", "CLOSE_BUSINESS", "HIRE_EMPLOYEE", "START_BUSINESS"]);
    for (const b of bundles) expect(checkBundle(b, (t) => Boolean(findMaterialType(t)))).toEqual([]);
  });

  describe.each(bundles.map((b) => [b.code, b] as const))("%s", (_code, bundle: Bundle) => {
    const form = mergedForm(bundle, person, []);

    it("asks each field and each material once", () => {
      const names = form.fields.map((f) => f.name);
      expect(new Set(names).size).toBe(names.length);
      const types = form.materials.map((m) => m.type);
      expect(new Set(types).size).toBe(types.length);
    });

    it("asks nothing the government holds: such fields come prefilled and locked, such materials are never listed", () => {
      for (const f of form.fields) {
        const def = findField(f.name)!;
        if (def.source) expect(f).toMatchObject({ editable: false, source: expect.stringContaining("identity") });
      }
      for (const m of bundleMaterials(bundle)) expect(findMaterialType(m.type)?.governmentSource).toBeUndefined();
    });

    it("gives each step only the fields it declares", () => {
      const all = Object.fromEntries(FIELDS.map((f) => [f.name, `value of ${f.name}`]));
      for (const step of bundle.steps) {
        const params = buildParams(step.params, step, { form: all, applicant: person.idNumber, caseId: "c", outputs: {}, item: {} });
        const received = Object.values(params).filter((v) => typeof v === "string" && v.startsWith("value of "));
        expect(received.map((v) => (v as string).slice(9)).every((n) => step.fields.includes(n))).toBe(true);
      }
    });

    it("commits to no more than 60% of the legal time limit, and its critical path is shorter than the sum when steps run in parallel", () => {
      for (const s of bundle.steps) expect(s.committedDays).toBeLessThanOrEqual(s.legalDays * 0.6);
      const sum = bundle.steps.reduce((t, s) => t + s.committedDays, 0);
      expect(criticalPathDays(bundle)).toBeLessThanOrEqual(sum);
    });
  });

  it("refuses a field the government holds when a portal sends it, and a field the bundle does not take", () => {
    const start = bundles.find((b) => b.code === "START_BUSINESS")!;
    expect(bundleFields(start)).not.toContain("applicant.name");
    expect(() => checkForm(start, { "enterprise.credit_code": "91350100M000100Y43" }, person)).toThrow(/enterprise.credit_code: is not a field of bundle START_BUSINESS/);
  });

  it("would catch a step that reads a field it does not declare", () => {
    const bad = JSON.parse(JSON.stringify(bundles[0])) as Bundle;
    bad.steps[0].fields = [];
    expect(checkBundle(bad).join("\n")).toMatch(/reads field:[a-z_.]+ without declaring it/);
  });

  it("would catch a step that cannot be undone but is not the last thing that happens", () => {
    const close = JSON.parse(JSON.stringify(bundles.find((b) => b.code === "CLOSE_BUSINESS")!)) as Bundle;
    expect(checkBundle(close)).toEqual([]);
    // 清税 without its revocation: a refused social-insurance clearance or deregistration would leave it behind.
    delete close.steps.find((s) => s.id === "tax-clearance")!.compensation;
    expect(checkBundle(close)).toEqual([expect.stringMatching(/^step tax-clearance: without a compensation it must run last/)]);
    // A last step that runs per list item: one item failing after another succeeded.
    const hire = JSON.parse(JSON.stringify(bundles.find((b) => b.code === "HIRE_EMPLOYEE")!)) as Bundle;
    hire.steps = [hire.steps[0]];
    delete hire.steps[0].compensation;
    expect(checkBundle(hire).join("\n")).toMatch(/step enrolment: without a compensation/);
  });
});
