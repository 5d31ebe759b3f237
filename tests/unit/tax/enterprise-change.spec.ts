import { checkEnterpriseEvent, particularChanges, taxTypesDiffer } from "../../../services/tax/rules/enterprise-change";
import { generateCreditCode } from "../../../services/identity/rules/credit-code";
import { expectInvalid } from "./expect-error";

const CODE = generateCreditCode({ authority: "9", entityType: "1", regionCode: "510104", random: () => 0.17 });
const EVENT_ID = "0add13f5-61cb-42e0-bc5a-3b896fe28fb6";

describe("checkEnterpriseEvent", () => {
  it("reads a change event as registration publishes it", () => {
    const e = checkEnterpriseEvent({
      eventId: EVENT_ID,
      event: "registration.enterpriseChanged",
      payload: { creditCode: CODE, caseId: "chg-1", licenceNumber: "BL-1", changes: { address: "四川省成都市锦江区春熙路8号", businessScopeCodes: ["F5191", "F5127"] } },
    });
    expect(e).toEqual({
      eventId: EVENT_ID,
      event: "registration.enterpriseChanged",
      creditCode: CODE,
      caseId: "chg-1",
      changes: { name: undefined, address: "四川省成都市锦江区春熙路8号", legalRepresentativeName: undefined, businessScopeCodes: ["F5191", "F5127"] },
    });
  });

  it("reads a deregistration, which carries no changes", () => {
    expect(checkEnterpriseEvent({ eventId: EVENT_ID, event: "registration.enterpriseDeregistered", payload: { creditCode: CODE } })).toMatchObject({
      creditCode: CODE,
      caseId: "",
      changes: {},
    });
  });

  it("refuses malformed deliveries, naming the field", () => {
    const ok = { eventId: EVENT_ID, event: "registration.enterpriseChanged", payload: { creditCode: CODE, changes: {} } };
    expectInvalid(() => checkEnterpriseEvent({ ...ok, eventId: "e1" }), "event_id");
    expectInvalid(() => checkEnterpriseEvent({ ...ok, event: "registration.enterpriseRegistered" }), "event");
    expectInvalid(() => checkEnterpriseEvent({ ...ok, payload: { creditCode: "x" } }), "credit_code");
    expectInvalid(() => checkEnterpriseEvent({ ...ok, payload: { creditCode: CODE, changes: { businessScopeCodes: "F5127" } } }), "changes.business_scope_codes");
    expectInvalid(() => checkEnterpriseEvent(undefined), "event_id");
  });
});

describe("particularChanges", () => {
  const current = { name: "成都星河科技有限公司", address: "四川省成都市锦江区人民南路1号", legalRepresentativeName: "黄彬豪", scopeCodes: ["I6510", "F5191"] };

  it("lists each field that differs with its old and new value", () => {
    expect(particularChanges(current, { address: "四川省成都市锦江区春熙路8号", legalRepresentativeName: "李子萍", businessScopeCodes: ["I6510", "F5127"] })).toEqual([
      { field: "address", oldValue: current.address, newValue: "四川省成都市锦江区春熙路8号" },
      { field: "legal_representative_name", oldValue: "黄彬豪", newValue: "李子萍" },
      { field: "business_scope_codes", oldValue: "I6510,F5191", newValue: "I6510,F5127" },
    ]);
  });

  it("ignores fields repeated unchanged and a reordered scope", () => {
    expect(particularChanges(current, { name: current.name, businessScopeCodes: ["F5191", "I6510"] })).toEqual([]);
    expect(particularChanges(current, {})).toEqual([]);
  });

  it("compares tax type lists in order", () => {
    expect(taxTypesDiffer(["增值税"], ["增值税"])).toBe(false);
    expect(taxTypesDiffer(["增值税"], ["增值税", "消费税"])).toBe(true);
  });
});
