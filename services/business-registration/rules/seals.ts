/** Seal types of a filing (印章刻制备案) and the 13-digit seal code. */
import { invalidArgument } from "../../common/errors";

export const SEAL_TYPES = ["公章", "财务专用章", "发票专用章", "合同专用章", "法定代表人名章"] as const;
/** An enterprise's first filing must include its official seal. */
export const OFFICIAL_SEAL = "公章";

/** Checks the requested seal types: 1-5 distinct known types. */
export function checkSealTypes(types: unknown): string[] {
  if (!Array.isArray(types) || types.length === 0) throw invalidArgument("seal_types", `is required (some of ${SEAL_TYPES.join(", ")})`);
  const seen = new Set<string>();
  for (const [i, t] of types.entries()) {
    if (typeof t !== "string" || !(SEAL_TYPES as readonly string[]).includes(t)) {
      throw invalidArgument(`seal_types[${i}]`, `must be one of ${SEAL_TYPES.join(", ")}`);
    }
    if (seen.has(t)) throw invalidArgument(`seal_types[${i}]`, `"${t}" is listed twice`);
    seen.add(t);
  }
  return [...seen];
}

/** Digits of a seal code's serial (the seal_serial sequence's MAXVALUE is 10^7 - 1). */
export const SEAL_SERIAL_DIGITS = 7;

/** A seal code: the 6-digit region code and a 7-digit serial (drawn in SQL the same way: seal-filing.ts). */
export function sealCode(regionCode: string, serial: number): string {
  if (!Number.isInteger(serial) || serial < 1 || serial > 9_999_999) throw new RangeError(`seal serial ${serial} is outside 1-9999999`);
  return `${regionCode}${String(serial).padStart(SEAL_SERIAL_DIGITS, "0")}`;
}
