/** The e-licences tax issues (TAXREG, TAXCLR) and their revocation, as the tax department. */
import type { Context } from "moleculer";
import type { Database, Queryable, QueryResult, Statement } from "../common/db/database";
import type { CallerMeta } from "../common/caller";
import { clientsFor } from "../common/clients";
import { deriveKey } from "../common/idempotency";
import { contextLogger } from "../common/logger";
import type { Licence } from "../../proto/gen/tongban/licenses/v1/licenses";

type Ctx = Context<unknown, CallerMeta>;

const { licences, revokeIfLive } = clientsFor("tax");
const VOID_REASON = "办理未完成，证照作废 (the request it was issued for did not complete)";
// A request refused this many times after issuing is not retried further.
const MAX_CHAIN = 10;


/** A licence of a type tax issues, without its idempotency key (derived per request). */
export interface TaxLicenceRequest {
  typeCode: "TAXREG" | "TAXCLR";
  holderId: string;
  caseId: string;
  fields: Record<string, string>;
  /** Licence types the holder must hold valid (IssueLicenceRequest.prerequisite_type_codes). */
  prerequisiteTypeCodes?: string[];
}

/** A licence that was voided after an earlier refusal of the same request: the next in its chain is issued. */
class VoidedLicence extends Error {
  constructor(readonly number: string) {
    super(`licence ${number} was voided`);
  }
}

/**
 * Refuses, inside the transaction that records a request, a licence that was voided after an
 * earlier refusal of the same request: as that transaction's `read` (sent with its key claim, no
 * round trip of its own) with `check` on its result, or as a statement of the transaction
 * (`inTransaction`) when its `read` locks a row.
 */
export interface LiveLicenceCheck {
  read: Statement;
  check(result: QueryResult<Record<string, unknown>>): void;
  inTransaction(tx: Queryable): Promise<void>;
}

/**
 * Issues the licence of one request, idempotently, and records the request with it: `record` runs
 * the request's own transaction (its `once`), in which it refuses a voided licence with `live`
 * before writing. The downstream key is derived from the request's key and the issue date: the
 * licence fields carry the date, so a retry on a later day (a resumed application) must not meet the
 * earlier attempt's key in the licence service. A licence voided after an earlier refusal of the
 * same request is found inside that transaction (one commit for the request), which then rolls
 * back, and the next licence in its chain is issued for another try.
 */
export async function withTaxLicence<T>(
  ctx: Ctx,
  requestKey: string,
  date: string,
  request: TaxLicenceRequest,
  record: (licence: Licence, live: LiveLicenceCheck) => Promise<T>,
): Promise<T> {
  let step = `licence:${date}`;
  for (let i = 0; i < MAX_CHAIN; i++) {
    const licence = await licences.issue(ctx, { ...request, idempotencyKey: deriveKey(requestKey, step) });
    const read: Statement = { sql: "SELECT 1 FROM voided_licences WHERE number = $1", params: [licence.number] };
    const check = (result: QueryResult<Record<string, unknown>>) => {
      if (result.rows.length > 0) throw new VoidedLicence(licence.number);
    };
    try {
      return await record(licence, { read, check, inTransaction: async (tx) => check(await tx.query(read.sql, read.params)) });
    } catch (err) {
      if (!(err instanceof VoidedLicence)) throw err;
      step = `licence-after:${licence.number}`;
    }
  }
  throw new Error(`request ${requestKey} was refused ${MAX_CHAIN} times after issuing its licence; use a new idempotency key`);
}

/** Revokes a licence tax issued; one already revoked or superseded counts as done, so compensation can be repeated. */
export function revokeTaxLicence(ctx: Ctx, number: string, reason: string, idempotencyKey: string): Promise<void> {
  return revokeIfLive(ctx, number, reason, idempotencyKey);
}

/**
 * Voids a licence issued for a request that was then refused: recorded here first (so a retry never
 * reuses it), then revoked. A failed revocation is logged, not thrown: the caller reports the refusal.
 */
export async function voidTaxLicence(db: Database, ctx: Ctx, number: string): Promise<void> {
  await db.query("INSERT INTO voided_licences (number) VALUES ($1) ON CONFLICT DO NOTHING", [number]);
  await revokeTaxLicence(ctx, number, VOID_REASON, deriveKey(number, "void")).catch((err) =>
    contextLogger(ctx).error({ number, err: (err as Error).message }, "could not revoke a licence issued for a refused request"),
  );
}
