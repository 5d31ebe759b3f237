/** The material catalogue: codes, names, formats, limits and what the government already holds. */
import { LICENCE_TYPES } from "../../../../services/licenses/catalogue";
import {
  applicantSupplied,
  findMaterialType,
  largestAccepted,
  MATERIAL_TYPES,
  sizeLimit,
} from "../../../../gateway/materials/catalogue";

const MiB = 1024 * 1024;

describe("material catalogue", () => {
  it("has unique upper-snake codes with Chinese and English names", () => {
    const codes = MATERIAL_TYPES.map((t) => t.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const t of MATERIAL_TYPES) {
      expect(t.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(t.nameZh).toMatch(/[\u4e00-\u9fff]/);
      expect(t.nameEn.length).toBeGreaterThan(2);
      expect(t.contentTypes.length).toBeGreaterThan(0);
    }
  });

  it("lists the materials the one-stop bundles ask for", () => {
    for (const code of [
      "ID_CARD",
      "PREMISES_PROOF",
      "ARTICLES_OF_ASSOCIATION",
      "SHAREHOLDER_RESOLUTION",
      "LEASE_CONTRACT",
      "BUSINESS_LICENCE",
      "LABOUR_CONTRACT",
      "DEREGISTRATION_RESOLUTION",
      "LIQUIDATION_REPORT",
    ]) {
      expect(findMaterialType(code)?.code).toBe(code);
    }
    expect(findMaterialType("PREMISES_PROOF")?.nameZh).toBe("住所（经营场所）使用证明");
    expect(findMaterialType("NOPE")).toBeUndefined();
  });

  it("says where the government already holds a material, naming real licence types", () => {
    expect(findMaterialType("ID_CARD")?.governmentSource).toEqual({ kind: "identity" });
    expect(findMaterialType("BUSINESS_LICENCE")?.governmentSource).toEqual({ kind: "licence", typeCode: "BL" });
    expect(findMaterialType("LEASE_CONTRACT")?.governmentSource).toBeUndefined();
    const licenceCodes = new Set(LICENCE_TYPES.map((t) => t.code));
    for (const t of MATERIAL_TYPES) {
      if (t.governmentSource?.kind === "licence") expect(licenceCodes.has(t.governmentSource.typeCode)).toBe(true);
    }
  });

  it("never asks the applicant for what the government holds", () => {
    const asked = applicantSupplied(["ID_CARD", "BUSINESS_LICENCE", "LEASE_CONTRACT", "SHAREHOLDER_RESOLUTION"]);
    expect(asked.map((t) => t.code)).toEqual(["LEASE_CONTRACT", "SHAREHOLDER_RESOLUTION"]);
    expect(() => applicantSupplied(["LEASE_CONTRACT", "NOPE"])).toThrow(/NOPE/);
  });

  it("accepts only formats the store can recognise, with smaller limits for images", () => {
    const known = ["application/pdf", "application/ofd", "image/jpeg", "image/png"];
    for (const t of MATERIAL_TYPES) {
      for (const c of t.contentTypes) expect(known).toContain(c);
      expect(t.maxImageBytes).toBeLessThanOrEqual(t.maxBytes);
      expect(t.maxBytes).toBeLessThanOrEqual(20 * MiB);
    }
    const lease = findMaterialType("LEASE_CONTRACT")!;
    expect(sizeLimit(lease, "application/pdf")).toBe(10 * MiB);
    expect(sizeLimit(lease, "image/jpeg")).toBe(5 * MiB);
    expect(largestAccepted(lease)).toBe(10 * MiB);
    expect(findMaterialType("LIQUIDATION_REPORT")!.contentTypes).not.toContain("image/jpeg");
  });
});
