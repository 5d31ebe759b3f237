/**
 * Following business registration (变更/注销登记): an enterprise's new name, address or business
 * scope, or its deregistration, applied to its social insurance registration. Each applied change
 * is recorded with the event that carried it.
 */
import type { Queryable } from "../common/db/database";
import { EmployerStatus } from "../../proto/gen/tongban/social_insurance/v1/social_insurance";
import { validateCreditCode } from "../identity/rules/credit-code";
import { findEmployer } from "./employers";
import { closeEmployer } from "./lifecycle";
import { riskClassOfScope } from "./rules/risk-class";

/** The business registration events this service follows (services/common/subscriptions.ts). */
export const ENTERPRISE_CHANGED = "registration.enterpriseChanged";
/** See ENTERPRISE_CHANGED. */
export const ENTERPRISE_DEREGISTERED = "registration.enterpriseDeregistered";

/** A followed event, checked and typed. */
export type EnterpriseEvent =
  | { kind: "changed"; creditCode: string; name?: string; address?: string; businessScopeCodes?: string[] }
  | { kind: "deregistered"; creditCode: string };

/** What applying an event did. */
export interface ChangeOutcome {
  applied: boolean;
  /** The registration licence to revoke once the change is committed (deregistration). */
  revokeLicence?: string;
}

const text = (v: unknown, max: number) => (typeof v === "string" && v.trim() !== "" && [...v.trim()].length <= max ? v.trim() : undefined);

/** The event in typed form; undefined for an event this service does not follow or a malformed payload. */
export function parseEnterpriseEvent(event: string, payload: unknown): EnterpriseEvent | undefined {
  const p = (payload ?? {}) as Record<string, unknown>;
  const code = validateCreditCode(p.creditCode);
  if (!code.ok) return undefined;
  const creditCode = code.parsed.creditCode;
  if (event === ENTERPRISE_DEREGISTERED) return { kind: "deregistered", creditCode };
  if (event !== ENTERPRISE_CHANGED) return undefined;
  const changes = (p.changes ?? {}) as Record<string, unknown>;
  const codes = Array.isArray(changes.businessScopeCodes) ? changes.businessScopeCodes.filter((c): c is string => typeof c === "string") : undefined;
  return { kind: "changed", creditCode, name: text(changes.name, 100), address: text(changes.address, 200), businessScopeCodes: codes };
}

async function record(tx: Queryable, eventId: string, event: string, creditCode: string, field: string, from: string, to: string) {
  await tx.query(
    `INSERT INTO employer_changes (event_id, event, credit_code, field, old_value, new_value)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id, field) DO NOTHING`,
    [eventId, event, creditCode, field, from, to],
  );
}

/**
 * Applies an enterprise event to the employer inside the caller's transaction. An employer this
 * service never registered is not applied. A risk class chosen at registration is kept when the
 * scope changes; a derived one follows the new scope. Deregistration ends any remaining
 * employments, cancels an active registration and asks for its licence to be revoked.
 */
export async function applyEnterpriseEvent(tx: Queryable, eventId: string, event: string, e: EnterpriseEvent, today: string): Promise<ChangeOutcome> {
  const row = await findEmployer(tx, e.creditCode, "update");
  if (!row) return { applied: false };
  if (e.kind === "deregistered") {
    const closed = await closeEmployer(tx, e.creditCode, {
      from: [EmployerStatus.EMPLOYER_STATUS_ACTIVE],
      to: EmployerStatus.EMPLOYER_STATUS_CANCELLED,
      reason: "企业已注销 (the enterprise is deregistered)",
      today,
    });
    await record(tx, eventId, event, e.creditCode, "status", closed.previous, closed.employer.status);
    return { applied: true, revokeLicence: row.registration_licence_number };
  }
  const next = { name: row.name, address: row.address, riskClass: row.work_injury_risk_class };
  if (e.name && e.name !== row.name) {
    next.name = e.name;
    await record(tx, eventId, event, e.creditCode, "name", row.name, e.name);
  }
  if (e.address && e.address !== row.address) {
    next.address = e.address;
    await record(tx, eventId, event, e.creditCode, "address", row.address, e.address);
  }
  const derived = e.businessScopeCodes && row.risk_class_source === "derived" ? riskClassOfScope(e.businessScopeCodes) : undefined;
  if (derived !== undefined && derived !== row.work_injury_risk_class) {
    next.riskClass = derived;
    await record(tx, eventId, event, e.creditCode, "work_injury_risk_class", String(row.work_injury_risk_class), String(derived));
  }
  const changed = next.name !== row.name || next.address !== row.address || next.riskClass !== row.work_injury_risk_class;
  if (changed) {
    await tx.query("UPDATE employers SET name = $2, address = $3, work_injury_risk_class = $4, updated_at = now() WHERE credit_code = $1", [
      e.creditCode,
      next.name,
      next.address,
      next.riskClass,
    ]);
  }
  return { applied: true };
}
