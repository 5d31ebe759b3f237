/**
 * Registry reads kept per (department, case, entity): a change of one entity drops that entity's
 * kept reads only. Dropping every kept read at each change (as once) made a busy centre, where an
 * establishment registers an entity every few milliseconds, re-read and re-record every entity at
 * every step.
 */
import type { Context } from "moleculer";
import { clientsFor } from "../../../services/common/clients";
import { EntityStatus } from "../../../proto/gen/tongban/identity/v1/identity";

/** A context whose bus answers identity's calls from a table, counting the reads by credit code. */
function fakeBus() {
  const reads = new Map<string, number>();
  const ctx = {
    meta: {},
    call: async (action: string, params: { creditCode?: string }) => {
      if (action === "identity.getEntity") {
        reads.set(params.creditCode!, (reads.get(params.creditCode!) ?? 0) + 1);
        return { creditCode: params.creditCode, name: `企业 ${params.creditCode}`, status: EntityStatus.ENTITY_STATUS_ACTIVE };
      }
      if (action === "identity.registerEntity") return { creditCode: "91110000NEWENTITY1", status: EntityStatus.ENTITY_STATUS_ACTIVE };
      if (action === "identity.updateEntity") return { creditCode: params.creditCode, status: EntityStatus.ENTITY_STATUS_ACTIVE };
      throw new Error(`unexpected call ${action}`);
    },
  } as unknown as Context;
  return { ctx, reads };
}

describe("registry reads kept per case", () => {
  const A = "91110000MEMOTESTA1";
  const B = "91110000MEMOTESTB1";

  it("reads an entity once per department and case, and again after that entity changes", async () => {
    const { ctx, reads } = fakeBus();
    const tax = clientsFor("tax-memo-test");
    await tax.requireActiveEntity(ctx, A, "case-1");
    await tax.requireActiveEntity(ctx, A, "case-1");
    await tax.requireActiveEntity(ctx, B, "case-1");
    expect(reads.get(A)).toBe(1);
    expect(reads.get(B)).toBe(1);

    // Another department's read is its own data use: read (and recorded) again.
    await clientsFor("hrss-memo-test").requireActiveEntity(ctx, A, "case-1");
    expect(reads.get(A)).toBe(2);

    // A new entity registered elsewhere leaves the kept reads of A and B alone.
    await clientsFor("samr-memo-test").identity.registerEntity(ctx, { idempotencyKey: "k-register-1", name: "新企业" });
    await tax.requireActiveEntity(ctx, A, "case-1");
    await tax.requireActiveEntity(ctx, B, "case-1");
    expect(reads.get(A)).toBe(2);
    expect(reads.get(B)).toBe(1);

    // A change of A drops A's kept reads (every department's), not B's.
    await clientsFor("samr-memo-test").identity.updateEntity(ctx, { idempotencyKey: "k-update-1", creditCode: A, address: "新地址" });
    await tax.requireActiveEntity(ctx, A, "case-1");
    await tax.requireActiveEntity(ctx, B, "case-1");
    expect(reads.get(A)).toBe(3);
    expect(reads.get(B)).toBe(1);
  });
});
