/**
 * Following business registration: a change registration or a deregistration reaches tax as a
 * durable event (services/common/outbox.ts) and updates the taxpayer without anyone typing it
 * again. Each change is recorded in taxpayer_changes with the event that carried it.
 */
import type { Context } from "moleculer";
import type { Database, Queryable } from "../common/db/database";
import type { CallerMeta } from "../common/caller";
import { clientsFor } from "../common/clients";
import { deriveKey, once, answerOnce } from "../common/idempotency";
import { contextLogger } from "../common/logger";
import { todayInChina } from "../common/validate";
import type { DeliveredEvent } from "../common/subscriptions";
import { TaxpayerStatus } from "../../proto/gen/tongban/tax/v1/tax";
import { withdrawGrantsOf } from "./grants";
import { checkEnterpriseEvent, ENTERPRISE_DEREGISTERED, particularChanges, taxTypesDiffer, type EnterpriseEvent } from "./rules/enterprise-change";
import { joinTaxTypes } from "./rules/tax-types";
import { recomputedTaxTypes } from "./rules/taxpayer-profile";
import { taxpayerTypeName } from "./rules/taxpayer-type";
import { findTaxpayer, type TaxpayerRow } from "./taxpayers";
import { endWithholdingsOf } from "./withholdings";

type Ctx = Context<unknown, CallerMeta>;

const { licences } = clientsFor("tax");

interface Change {
  field: string;
  oldValue: string;
  newValue: string;
}

async function recordChanges(tx: Queryable, e: EnterpriseEvent, changes: Change[]): Promise<void> {
  for (const c of changes) {
    await tx.query("INSERT INTO taxpayer_changes (event_id, event, credit_code, field, old_value, new_value) VALUES ($1, $2, $3, $4, $5, $6)", [
      e.eventId,
      e.event,
      e.creditCode,
      c.field,
      c.oldValue,
      c.newValue,
    ]);
  }
}

/** The new tax types when the event's scope change alters them for an active taxpayer. */
function changedTaxTypes(e: EnterpriseEvent, row: TaxpayerRow): string[] | undefined {
  const codes = e.changes.businessScopeCodes;
  if (!codes || row.status !== TaxpayerStatus.TAXPAYER_STATUS_ACTIVE) return undefined;
  const types = recomputedTaxTypes(row.enterprise_type, codes);
  return taxTypesDiffer(types, row.tax_types) ? types : undefined;
}

/**
 * Reissues the TAXREG licence with the new tax types, superseding the current one. Keyed by the
 * event, with the original registration date, so a redelivery gets the same licence back.
 */
async function reissueRegistrationLicence(ctx: Ctx, e: EnterpriseEvent, row: TaxpayerRow, taxTypes: string[]): Promise<string> {
  const licence = await licences.issue(ctx, {
    idempotencyKey: deriveKey(e.eventId, "licence"),
    typeCode: "TAXREG",
    holderId: row.credit_code,
    // The change registration's case; an event naming none is its own case.
    caseId: e.caseId || `event:${e.eventId}`,
    supersedes: row.registration_licence_number,
    fields: {
      taxpayer_type: taxpayerTypeName(row.taxpayer_type),
      tax_authority: row.tax_authority,
      tax_types: joinTaxTypes(taxTypes),
      registered_on: todayInChina(new Date(row.registered_at)),
    },
  });
  return licence.number;
}

async function applyChange(tx: Queryable, e: EnterpriseEvent, row: TaxpayerRow, reissued?: { from: string; to: string }): Promise<Change[]> {
  const changes: Change[] = particularChanges(
    { name: row.name, address: row.address, legalRepresentativeName: row.legal_representative_name, scopeCodes: row.scope_codes },
    e.changes,
  );
  const taxTypes = changedTaxTypes(e, row);
  if (taxTypes) changes.push({ field: "tax_types", oldValue: joinTaxTypes(row.tax_types), newValue: joinTaxTypes(taxTypes) });
  // Only when the licence we superseded is still the taxpayer's (a concurrent event may have moved on).
  const licence = reissued && reissued.from === row.registration_licence_number ? reissued.to : row.registration_licence_number;
  if (licence !== row.registration_licence_number) changes.push({ field: "registration_licence_number", oldValue: row.registration_licence_number, newValue: licence });
  if (changes.length === 0) return changes;
  await tx.query(
    `UPDATE taxpayers SET name = $2, address = $3, legal_representative_name = $4, scope_codes = $5, tax_types = $6,
       registration_licence_number = $7, updated_at = now() WHERE credit_code = $1`,
    [
      row.credit_code,
      e.changes.name ?? row.name,
      e.changes.address ?? row.address,
      e.changes.legalRepresentativeName ?? row.legal_representative_name,
      JSON.stringify(e.changes.businessScopeCodes ?? row.scope_codes),
      JSON.stringify(taxTypes ?? row.tax_types),
      licence,
    ],
  );
  await recordChanges(tx, e, changes);
  return changes;
}

/** A deregistered enterprise may no longer invoice or withhold; its taxpayer status (normally CLEARED) stays. */
async function applyDeregistration(tx: Queryable, e: EnterpriseEvent, row: TaxpayerRow): Promise<Change[]> {
  const reason = "市场主体已注销 (the enterprise was deregistered)";
  const grants = await withdrawGrantsOf(tx, row.credit_code, reason);
  const withholdings = await endWithholdingsOf(tx, row.credit_code, reason);
  const changes = [{ field: "enterprise_status", oldValue: "", newValue: "DEREGISTERED" }];
  if (grants.length > 0) changes.push({ field: "invoice_grant", oldValue: "GRANT_STATUS_ACTIVE", newValue: "GRANT_STATUS_WITHDRAWN" });
  if (withholdings.length > 0) changes.push({ field: "withholding_registrations", oldValue: String(withholdings.length), newValue: "0" });
  await recordChanges(tx, e, changes);
  return changes;
}

/** Applies one delivered enterprise event once (by event id); an enterprise tax does not know is acknowledged unapplied. */
export async function followEnterpriseChange(db: Database, ctx: Ctx, message: DeliveredEvent): Promise<{ applied: boolean }> {
  const e = checkEnterpriseEvent(message);
  const scope = `event:${e.event}`;
  const payload = message.payload;
  return answerOnce<{ applied: boolean }>(db, scope, e.eventId, payload, async () => {

    // The licence service is called before the local transaction, never while it holds the row.
    const current = await findTaxpayer(db, e.creditCode);
    const newTypes = current && changedTaxTypes(e, current);
    const reissued = current && newTypes && { from: current.registration_licence_number, to: await reissueRegistrationLicence(ctx, e, current, newTypes) };

    return once(db, scope, e.eventId, payload, async (tx) => {
      const row = await findTaxpayer(tx, e.creditCode, true);
      if (!row) return { applied: false };
      const changes = e.event === ENTERPRISE_DEREGISTERED ? await applyDeregistration(tx, e, row) : await applyChange(tx, e, row, reissued);
      contextLogger(ctx).info({ creditCode: e.creditCode, event: e.event, fields: changes.map((c) => c.field) }, "enterprise change followed");
      return { applied: true };
    });
  });
}
