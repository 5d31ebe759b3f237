/**
 * The data-use chain's entry hash is a published recipe (README, "The data-use log"): SM3 over the
 * previous hash, a newline and the entry's canonical JSON. Pinned here, and recomputed with OpenSSL's
 * own SM3 (an independent implementation), so a change of the recipe cannot pass unnoticed.
 */
import { execFileSync } from "node:child_process";
import { canonicalJson } from "../../../services/common/canonical";
import { entryHash, GENESIS } from "../../../services/common/data-use-chain";

const entry = {
  id: "41",
  subject_id: "510104194503158918",
  reader: "tax",
  case_id: "SW-2026-0042",
  purpose: "开办企业：税务登记",
  action: "get",
  what: "person",
  item: "",
  kind: "read",
  at_text: "2026-11-30T08:15:02.123456Z",
};

describe("data-use chain entry hash", () => {
  it("is SM3 of the previous hash, a newline and the canonical entry, as OpenSSL computes it", () => {
    const hash = entryHash(GENESIS, "1", entry);
    const content = canonicalJson({ seq: "1", id: "41", subject: entry.subject_id, reader: "tax", case: "SW-2026-0042", purpose: entry.purpose, action: "get", what: "person", item: "", kind: "read", at: entry.at_text });
    const openssl = execFileSync("openssl", ["dgst", "-sm3", "-r"], { input: `${GENESIS}\n${content}` }).toString().split(" ")[0];
    expect(hash).toBe(openssl);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("changes with every field, the place and the entry before", () => {
    const base = entryHash(GENESIS, "1", entry);
    for (const k of Object.keys(entry) as Array<keyof typeof entry>) expect(entryHash(GENESIS, "1", { ...entry, [k]: `${entry[k]}x` })).not.toBe(base);
    expect(entryHash(GENESIS, "2", entry)).not.toBe(base);
    expect(entryHash("1".repeat(64), "1", entry)).not.toBe(base);
  });
});
