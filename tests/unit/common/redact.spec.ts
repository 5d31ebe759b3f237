import { maskValue, redactDeep, redactText } from "../../../services/common/redact";
import { validateCreditCode } from "../../../services/identity/rules/credit-code";
import { validateIdNumber } from "../../../services/identity/rules/id-number";

const ID = "11010519491231002X"; // valid MOD 11-2 check character
const ID_MASKED = "110**************X";
const ID_DIGIT_CHECK = "110105194912310029"; // same body, check 9 instead of X: invalid
const CREDIT_CODE_DIGITS = "914403001922038216"; // an all-digit unified social credit code
const PHONE = "13812345678";
const PHONE_MASKED = "138****5678";

describe("fixtures", () => {
  it("are what the tests assume", () => {
    expect(validateIdNumber(ID).ok).toBe(true);
    expect(validateIdNumber(ID_DIGIT_CHECK).ok).toBe(false);
    expect(validateCreditCode(CREDIT_CODE_DIGITS).ok).toBe(true);
    expect(validateIdNumber(CREDIT_CODE_DIGITS).ok).toBe(false);
  });
});

describe("maskValue", () => {
  it("keeps the first three and the check character of an ID number", () => {
    expect(maskValue(ID)).toBe(ID_MASKED);
    expect(maskValue(ID)).toHaveLength(18);
  });

  it("keeps the first three and last four digits of a mobile number", () => {
    expect(maskValue(PHONE)).toBe(PHONE_MASKED);
  });

  it("keeps only the first character of other text, counting code points", () => {
    expect(maskValue("张三")).toBe("张*");
    expect(maskValue("欧阳娜娜")).toBe("欧***");
    expect(maskValue("𠮷野家")).toBe("𠮷**");
    expect(maskValue("A")).toBe("A*");
  });

  it("leaves empty, null and undefined alone and hides other types", () => {
    expect(maskValue("")).toBe("");
    expect(maskValue(null)).toBeNull();
    expect(maskValue(undefined)).toBeUndefined();
    expect(maskValue(13812345678)).toBe("[redacted]");
    expect(maskValue({ first: "三", last: "张" })).toBe("[redacted]");
    expect(maskValue(["张三"])).toBe("[redacted]");
  });
});

describe("redactText", () => {
  it("masks a valid ID number and a mobile number inside free text", () => {
    expect(redactText(`person ${ID} called from ${PHONE}.`)).toBe(`person ${ID_MASKED} called from ${PHONE_MASKED}.`);
    expect(redactText(`身份证号${ID}，电话${PHONE}。`)).toBe(`身份证号${ID_MASKED}，电话${PHONE_MASKED}。`);
  });

  it("masks a lower-case x check character", () => {
    expect(redactText(`id=${ID.toLowerCase()}`)).toBe(`id=110**************x`);
  });

  it("masks every occurrence", () => {
    expect(redactText(`${ID},${ID};${PHONE} ${PHONE}`)).toBe(`${ID_MASKED},${ID_MASKED};${PHONE_MASKED} ${PHONE_MASKED}`);
  });

  it("only masks 18-character numbers whose MOD 11-2 check character is right", () => {
    expect(redactText(`code ${CREDIT_CODE_DIGITS} ok`)).toBe(`code ${CREDIT_CODE_DIGITS} ok`);
    expect(redactText(`bad ${ID_DIGIT_CHECK}`)).toBe(`bad ${ID_DIGIT_CHECK}`);
  });

  it("does not mask an ID number or mobile number embedded in a longer token", () => {
    expect(redactText(`${ID}9`)).toBe(`${ID}9`);
    expect(redactText(`9${ID}`)).toBe(`9${ID}`);
    expect(redactText(`${PHONE}0`)).toBe(`${PHONE}0`);
    expect(redactText(`0${PHONE}`)).toBe(`0${PHONE}`);
  });

  it("leaves numbers that are not mobile numbers", () => {
    expect(redactText("12812345678")).toBe("12812345678"); // second digit 2
    expect(redactText("1381234567")).toBe("1381234567"); // 10 digits
    expect(redactText("order 20261122 total 1500")).toBe("order 20261122 total 1500");
  });

  it("leaves text without personal data unchanged", () => {
    expect(redactText("")).toBe("");
    expect(redactText("licence BL-20261122-7K3M9Q2XWD-V issued")).toBe("licence BL-20261122-7K3M9Q2XWD-V issued");
  });
});

describe("redactDeep", () => {
  it("masks values under sensitive keys whatever their case, underscores or dashes", () => {
    const out = redactDeep({
      idNumber: ID,
      id_number: ID,
      "id-number": ID,
      IDNUMBER: ID,
      name: "张三",
      personName: "李四",
      holder_name: "王五",
      holderId: ID,
      legalRepresentativeName: "赵六",
      legal_representative_id_number: ID,
      phone: PHONE,
      mobile: PHONE,
      address: "北京市西城区某街1号",
    });
    expect(out).toEqual({
      idNumber: ID_MASKED,
      id_number: ID_MASKED,
      "id-number": ID_MASKED,
      IDNUMBER: ID_MASKED,
      name: "张*",
      personName: "李*",
      holder_name: "王*",
      holderId: ID_MASKED,
      legalRepresentativeName: "赵*",
      legal_representative_id_number: ID_MASKED,
      phone: PHONE_MASKED,
      mobile: PHONE_MASKED,
      address: "北*********",
    });
  });

  it("masks a sensitive key even when its value is not a recognisable ID number", () => {
    expect(redactDeep({ idNumber: ID_DIGIT_CHECK })).toEqual({ idNumber: "110**************9" });
    expect(redactDeep({ idNumber: "not-an-id" })).toEqual({ idNumber: "n********" });
  });

  it("walks nested objects and arrays", () => {
    const input = {
      request: {
        holder: { name: "张三", idNumber: ID, region: "110105" },
        people: [{ name: "李四", phone: PHONE }, { name: "王五" }],
        notes: [`call ${PHONE}`, 42, null, true],
      },
    };
    expect(redactDeep(input)).toEqual({
      request: {
        holder: { name: "张*", idNumber: ID_MASKED, region: "110105" },
        people: [{ name: "李*", phone: PHONE_MASKED }, { name: "王*" }],
        notes: [`call ${PHONE_MASKED}`, 42, null, true],
      },
    });
  });

  it("scans free text under ordinary keys and in top-level strings", () => {
    expect(redactDeep({ msg: `lookup of ${ID} by psb` })).toEqual({ msg: `lookup of ${ID_MASKED} by psb` });
    expect(redactDeep(`phone ${PHONE}`)).toBe(`phone ${PHONE_MASKED}`);
    expect(redactDeep([ID, PHONE])).toEqual([ID_MASKED, PHONE_MASKED]);
  });

  it("leaves a credit code readable, under an ordinary key and in text", () => {
    expect(redactDeep({ creditCode: CREDIT_CODE_DIGITS, msg: `entity ${CREDIT_CODE_DIGITS}` })).toEqual({
      creditCode: CREDIT_CODE_DIGITS,
      msg: `entity ${CREDIT_CODE_DIGITS}`,
    });
  });

  it("passes numbers, booleans, null and undefined through", () => {
    expect(redactDeep(5)).toBe(5);
    expect(redactDeep(false)).toBe(false);
    expect(redactDeep(null)).toBeNull();
    expect(redactDeep(undefined)).toBeUndefined();
    expect(redactDeep({ name: null, phone: undefined })).toEqual({ name: null, phone: undefined });
  });

  it("does not mutate its input", () => {
    const input = { holder: { name: "张三", idNumber: ID }, list: [{ phone: PHONE }], msg: `id ${ID}` };
    const snapshot = JSON.parse(JSON.stringify(input));
    const out = redactDeep(input) as typeof input;
    expect(input).toEqual(snapshot);
    expect(out).not.toBe(input);
    expect(out.holder).not.toBe(input.holder);
    expect(out.list).not.toBe(input.list);
    expect(Object.isFrozen(input)).toBe(false);
  });

  it("works on frozen input", () => {
    const input = Object.freeze({ name: "张三", inner: Object.freeze({ phone: PHONE }) });
    expect(redactDeep(input)).toEqual({ name: "张*", inner: { phone: PHONE_MASKED } });
  });

  it("turns an Error into a plain object with its message and stack redacted", () => {
    const err = new TypeError(`no person ${ID} (phone ${PHONE})`);
    const out = redactDeep(err) as { type: string; message: string; stack?: string };
    expect(out.type).toBe("TypeError");
    expect(out.message).toBe(`no person ${ID_MASKED} (phone ${PHONE_MASKED})`);
    expect(out.stack).toBeDefined();
    expect(out.stack).toContain(ID_MASKED);
    expect(out.stack).not.toContain(ID);
    expect(out.stack).not.toContain(PHONE);
    // the Error itself is untouched
    expect(err.message).toBe(`no person ${ID} (phone ${PHONE})`);
  });

  it("redacts an Error nested in an object or array", () => {
    const out = redactDeep({ err: new Error(`bad ${ID}`), all: [new Error(PHONE)] }) as {
      err: { message: string };
      all: Array<{ message: string }>;
    };
    expect(out.err.message).toBe(`bad ${ID_MASKED}`);
    expect(out.all[0].message).toBe(PHONE_MASKED);
  });

  it("stops at a depth limit instead of recursing forever on cycles", () => {
    const a: Record<string, unknown> = { name: "张三" };
    a.self = a;
    const out = redactDeep(a) as Record<string, unknown>;
    expect(out.name).toBe("张*");
    let node = out;
    let depth = 0;
    while (typeof node.self === "object") {
      node = node.self as Record<string, unknown>;
      depth++;
    }
    expect(node.self).toBe("[deep]");
    expect(depth).toBeGreaterThan(3);
  });
});

describe("redaction of less common shapes", () => {
  it("masks a mobile number written with the +86 country code", () => {
    expect(redactText("call +8613812345678")).toBe("call +86138****5678");
    expect(redactText("serial 913812345678")).toBe("serial 913812345678");
  });
  it("keeps dates, sets and maps readable", () => {
    expect(redactDeep({ at: new Date("2026-11-22T00:00:00Z"), s: new Set(["a"]), m: new Map([["phone", "13812345678"]]) })).toEqual({
      at: "2026-11-22T00:00:00.000Z",
      s: ["a"],
      m: { phone: "138****5678" },
    });
  });
});
