/** Enterprise events from business registration, as tax follows them: checked payloads and what they change. */
import { invalidArgument, shown } from "../../common/errors";
import { checkIdempotencyKey } from "../../common/idempotency";
import { optionalCaseId, requireText } from "../../common/validate";
import { requireCreditCode } from "../../identity/checks";
import type { DeliveredEvent } from "../../common/subscriptions";

/** The enterprise events tax follows (services/common/subscriptions.ts). */
export const ENTERPRISE_CHANGED = "registration.enterpriseChanged";
export const ENTERPRISE_DEREGISTERED = "registration.enterpriseDeregistered";

/** The particulars a change registration altered, as registration publishes them. */
export interface EnterpriseChanges {
  name?: string;
  address?: string;
  legalRepresentativeName?: string;
  businessScopeCodes?: string[];
}

/** A checked enterprise event. */
export interface EnterpriseEvent {
  eventId: string;
  event: typeof ENTERPRISE_CHANGED | typeof ENTERPRISE_DEREGISTERED;
  creditCode: string;
  /** The case of the change registration that raised the event ("" when it names none). */
  caseId: string;
  changes: EnterpriseChanges;
}

const optional = (value: unknown, field: string, min: number, max: number) =>
  value === undefined || value === null || value === "" ? undefined : requireText(value, field, min, max);

/** Checks a delivered enterprise event; INVALID_ARGUMENT (the relay retries and reports it) when malformed. */
export function checkEnterpriseEvent(message: Partial<DeliveredEvent> | undefined): EnterpriseEvent {
  const eventId = checkIdempotencyKey(message?.eventId, "event_id");
  const event = message?.event;
  if (event !== ENTERPRISE_CHANGED && event !== ENTERPRISE_DEREGISTERED) {
    throw invalidArgument("event", `must be ${ENTERPRISE_CHANGED} or ${ENTERPRISE_DEREGISTERED} (got ${typeof event === "string" ? JSON.stringify(shown(event, 64)) : shown(event)})`);
  }
  const payload = (message?.payload ?? {}) as { creditCode?: unknown; caseId?: unknown; changes?: Record<string, unknown> };
  const creditCode = requireCreditCode(payload.creditCode, "credit_code").creditCode;
  const caseId = optionalCaseId(payload.caseId);
  if (event === ENTERPRISE_DEREGISTERED) return { eventId, event, creditCode, caseId, changes: {} };
  const raw = payload.changes ?? {};
  const changes: EnterpriseChanges = {
    name: optional(raw.name, "changes.name", 2, 100),
    address: optional(raw.address, "changes.address", 4, 200),
    legalRepresentativeName: optional(raw.legalRepresentativeName, "changes.legal_representative_name", 1, 50),
  };
  if (raw.businessScopeCodes !== undefined && raw.businessScopeCodes !== null) {
    if (!Array.isArray(raw.businessScopeCodes)) throw invalidArgument("changes.business_scope_codes", "must be a list of scope codes");
    changes.businessScopeCodes = raw.businessScopeCodes.map((c) => requireText(c, "changes.business_scope_codes", 1, 20));
  }
  return { eventId, event, creditCode, caseId, changes };
}

/** The particulars tax keeps of an enterprise. */
export interface Particulars {
  name: string;
  address: string;
  legalRepresentativeName: string;
  scopeCodes: string[];
}

/** One changed particular, as recorded in taxpayer_changes. */
export interface FieldChange {
  field: "name" | "address" | "legal_representative_name" | "business_scope_codes";
  oldValue: string;
  newValue: string;
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The particulars an enterprise change actually alters (a field repeated unchanged is not a change). */
export function particularChanges(current: Particulars, changes: EnterpriseChanges): FieldChange[] {
  const out: FieldChange[] = [];
  const text = (field: FieldChange["field"], before: string, after: string | undefined) => {
    if (after !== undefined && after !== before) out.push({ field, oldValue: before, newValue: after });
  };
  text("name", current.name, changes.name);
  text("address", current.address, changes.address);
  text("legal_representative_name", current.legalRepresentativeName, changes.legalRepresentativeName);
  const codes = changes.businessScopeCodes;
  if (codes && !sameList([...codes].sort(), [...current.scopeCodes].sort())) {
    out.push({ field: "business_scope_codes", oldValue: current.scopeCodes.join(","), newValue: codes.join(",") });
  }
  return out;
}

/** Whether two tax type lists differ. */
export function taxTypesDiffer(a: readonly string[], b: readonly string[]): boolean {
  return !sameList(a, b);
}
