/**
 * National e-licence identifiers (GB/T 36904): check characters against identifiers published by
 * provincial e-licence platforms and ISO/IEC 7064's own MOD 37,36 examples; tampering; versions.
 */
import crypto from "node:crypto";
import { iso7064Mod37x36CheckChar } from "../../../services/licenses/signing/licence-number";
import {
  formatLicenceId,
  isNationalLicenceId,
  licenceIdCheckCharacter,
  newSerial,
  nextVersion,
  parseLicenceId,
  typeCodeProblem,
} from "../../../services/licenses/signing/licence-id";
import { licenceAuthorities } from "../../../services/licenses/authorities";
import { LICENCE_TYPES } from "../../../services/licenses/catalogue";

/** Identifiers as published (interface specifications and examples of provincial platforms). */
const PUBLISHED = [
  // 建筑施工企业安全生产管理人员考核合格证书 (national standard's appendix A.2 example, two versions)
  "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
  "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.002.S",
  // 竣工验收备案 (Shandong) and 投资项目 documents (Zhejiang)
  "1.2.156.3005.2.11100000000013338W087.11370800MB28559184.37080001202411010001.001.3",
  "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0",
];

describe("GB/T 36904 identifiers", () => {
  it.each(PUBLISHED)("accepts the published identifier %s with its check character", (id) => {
    const parsed = parseLicenceId(id);
    expect(parsed).not.toHaveProperty("problem");
    expect(isNationalLicenceId(id)).toBe(true);
    // Rebuilt from its parts, it is the same text.
    expect(formatLicenceId(parsed as never)).toBe(id);
  });

  it("computes MOD 37,36 as ISO/IEC 7064's published examples", () => {
    for (const s of ["A12425GABC1234002M", "B159D8FA01240000K", "188166C7342000003"]) expect(iso7064Mod37x36CheckChar(s.slice(0, -1))).toBe(s.slice(-1));
  });

  it("catches every single-character change of a published identifier", () => {
    const id = PUBLISHED[2];
    const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const root = "1.2.156.3005.2.".length;
    let tried = 0;
    for (let i = root; i < id.length; i++) {
      if (id[i] === ".") continue;
      for (const c of alphabet) {
        if (c === id[i]) continue;
        tried++;
        expect(isNationalLicenceId(id.slice(0, i) + c + id.slice(i + 1))).toBe(false);
      }
    }
    expect(tried).toBeGreaterThan(2000);
  });

  it("catches random tampering: a changed character, a swap of neighbours, a dropped or added character", () => {
    const a = licenceAuthorities({});
    let caught = 0;
    let changes = 0;
    for (let t = 0; t < 2000; t++) {
      const id = formatLicenceId({ typeCode: a.typeCode("BL"), issuerCode: a.issuerCode("samr"), serial: newSerial(new Date()), version: 1 + crypto.randomInt(20) });
      const body = id.slice("1.2.156.3005.2.".length);
      const i = "1.2.156.3005.2.".length + crypto.randomInt(body.length - 1);
      const kinds = [
        () => id.slice(0, i) + (id[i] === "7" ? "8" : "7") + id.slice(i + 1),
        () => id.slice(0, i) + id[i + 1] + id[i] + id.slice(i + 2),
        () => id.slice(0, i) + id.slice(i + 1),
        () => id.slice(0, i) + "Q" + id.slice(i),
      ];
      const changed = kinds[t % kinds.length]();
      if (changed === id) continue; // a swap of equal neighbours changes nothing
      changes++;
      if (!isNationalLicenceId(changed)) caught++;
    }
    // MOD 37,36 catches every single substitution; of the other kinds it misses about 1 in 37 at
    // most, and the credit codes' own check characters catch more.
    expect(changes).toBeGreaterThan(1800);
    expect(caught / changes).toBeGreaterThan(0.98);
  });

  it("says what is wrong with a malformed identifier", () => {
    const cases: Array<[unknown, RegExp]> = [
      [42, /text/],
      ["2.2.156.3005.2.x", /start with 1\.2\.156\.3005\.2/],
      ["1.2.156.3005.2.11100000000013338W011.11430000006122244L.001.U", /five parts/],
      ["1.2.156.3005.2.11100000000013338W01.11430000006122244L.20230000403.001.U", /type code/],
      ["1.2.156.3005.2.11100000000013338X011.11430000006122244L.20230000403.001.U", /defining authority's credit code/],
      ["1.2.156.3005.2.11100000000013338W011.11430000006122244M.20230000403.001.U", /issuing body's credit code/],
      ["1.2.156.3005.2.11100000000013338W011.11430000006122244L.2023-0403.001.U", /serial/],
      ["1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.1.U", /version must be 3 digits/],
      ["1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.000.U", /001-999/],
      ["1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.V", /check character should be U/],
    ];
    for (const [id, reason] of cases) expect((parseLicenceId(id) as { problem: string }).problem).toMatch(reason);
  });

  it("numbers a reissue as the next version of the same serial", () => {
    const first = PUBLISHED[0];
    expect(nextVersion(first)).toBe(PUBLISHED[1]);
    expect(() => nextVersion("BL-20261122-7K3M9Q2XWD-V")).toThrow(/not a national licence identifier/);
  });

  it("draws serials as the China date and 10 random characters", () => {
    const serial = newSerial(new Date("2026-11-30T16:30:00Z"), () => Buffer.alloc(10, 0x21));
    expect(serial).toBe("202612011111111111");
    expect(licenceIdCheckCharacter({ typeCode: "11100000000013338W011", issuerCode: "11430000006122244L", serial: "20230000403", version: 2 })).toBe("S");
  });
});

describe("licence authorities", () => {
  it("has a valid type code for every licence type and a credit code for every issuer", () => {
    const a = licenceAuthorities({});
    for (const t of LICENCE_TYPES) {
      expect(typeCodeProblem(a.typeCode(t.code))).toBeUndefined();
      expect(a.issuerCode(t.issuer)).toMatch(/^[0-9A-Z]{18}$/);
    }
  });

  it("takes a centre's own codes, and refuses a bad one naming it", () => {
    const a = licenceAuthorities({ licenceIssuerCodes: JSON.stringify({ samr: "11370800MB28559184" }), licenceTypeCodes: JSON.stringify({ BL: "11100000000013338W123" }) });
    expect(a.issuerCode("samr")).toBe("11370800MB28559184");
    expect(a.typeCode("BL")).toBe("11100000000013338W123");
    expect(a.issuerCode("tax")).toBe(licenceAuthorities({}).issuerCode("tax"));
    expect(() => licenceAuthorities({ licenceIssuerCodes: JSON.stringify({ samr: "11370800MB28559185" }) })).toThrow(/LICENCE_ISSUER_CODES: samr: .*check character/);
    expect(() => licenceAuthorities({ licenceTypeCodes: JSON.stringify({ BL: "11100000000013338W12" }) })).toThrow(/LICENCE_TYPE_CODES: BL/);
    expect(() => licenceAuthorities({ licenceTypeCodes: "{not json" })).toThrow(/LICENCE_TYPE_CODES is not JSON/);
    expect(() => licenceAuthorities({ licenceTypeCodes: "[]" })).toThrow(/JSON object/);
    expect(() => licenceAuthorities({}).issuerCode("nobody")).toThrow(/LICENCE_ISSUER_CODES/);
  });
});
