/**
 * Preview and consent for government data (the EU Once-Only Technical System's "explicit request"
 * and "preview", and 一网通办's 告知-确认): before a bundle uses data the government holds instead of
 * asking the applicant, the merged form lists each such item with its source and value; the
 * submission carries the applicant's decision on every one — confirmed, or refused (then the
 * applicant types it); the receipt says which were confirmed and from where.
 *
 * An item is a form field filled from a government source (`source`), or suggested from one
 * (`suggested`) when the applicant did not type a value of their own.
 */
import crypto from "node:crypto";
import { canonicalJson } from "../../services/common/canonical";
import { failedPrecondition, invalidArgument } from "../../services/common/errors";
import type { Person } from "../../proto/gen/tongban/identity/v1/identity";
import { bundleFields, type Bundle } from "./bundles";
import { findField, type FieldDefinition } from "./fields";

/** The registry the applicant's items come from. */
export const POPULATION_REGISTRY = "人口基础库 (identity: population registry)";

/** An item of government data the bundle would use, as the preview shows it. */
export interface GovernmentItem {
  field: string;
  labelZh: string;
  labelEn: string;
  source: string;
  value: unknown;
}

/** The applicant's decision on each item, as a submission gives it. */
export interface ConsentInput {
  confirmed?: unknown;
  refused?: unknown;
  /** previewDigest of the form the applicant saw; when given, the data must be unchanged since. */
  previewDigest?: unknown;
}

/** What is kept with the application and signed into its receipt. */
export interface ConsentRecord {
  at: string;
  items: Array<{ field: string; source: string; decision: "CONFIRMED" | "REFUSED" }>;
}

const valueOf = (def: FieldDefinition, person: Person): unknown => {
  const from = def.source ?? def.suggested;
  return from ? person[from.attribute] : undefined;
};

/** The government items of a bundle's form for an applicant (`typed`: fields the applicant gave values for). */
export function governmentItems(bundle: Bundle, person: Person, typed: Record<string, unknown> = {}): GovernmentItem[] {
  const out: GovernmentItem[] = [];
  for (const name of bundleFields(bundle)) {
    const def = findField(name)!;
    if (!def.source && !def.suggested) continue;
    // A suggestion the applicant replaced with their own value takes nothing from the registry.
    if (def.suggested && typed[name] !== undefined) continue;
    out.push({ field: name, labelZh: def.labelZh, labelEn: def.labelEn, source: POPULATION_REGISTRY, value: valueOf(def, person) });
  }
  return out;
}

/** A digest of the preview (items with their values): the form gives it, a submission may echo it. */
export function previewDigest(items: GovernmentItem[]): string {
  return crypto.createHash("sha256").update(canonicalJson(items.map((i) => ({ field: i.field, source: i.source, value: i.value ?? null })))).digest("base64url");
}

function names(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > 50 || value.some((v) => typeof v !== "string")) throw invalidArgument(field, "must be a list of form field names");
  return value as string[];
}

/**
 * Checks the applicant's decisions before anything is read: names must be form fields that can come
 * from a government source, none twice. Returns the names confirmed and refused, each sorted (requireRefusedTyped
 * then checks the form against the refused ones).
 */
export function precheckConsent(bundle: Bundle, consent: unknown): { confirmed: string[]; refused: string[]; digest?: string } {
  if (consent !== undefined && (consent === null || typeof consent !== "object" || Array.isArray(consent))) throw invalidArgument("consent", "must be { confirmed: [...], refused: [...] }");
  const c = (consent ?? {}) as ConsentInput;
  const confirmed = names(c.confirmed, "consent.confirmed");
  const refused = names(c.refused, "consent.refused");
  const fields = bundleFields(bundle);
  const seen = new Set<string>();
  for (const [list, at] of [[confirmed, "consent.confirmed"], [refused, "consent.refused"]] as const) {
    for (const name of list) {
      const def = fields.includes(name) ? findField(name) : undefined;
      if (!def || (!def.source && !def.suggested)) throw invalidArgument(at, `${name} is not an item of this form taken from government data`);
      if (seen.has(name)) throw invalidArgument(at, `${name} is named twice: confirm or refuse it once`);
      seen.add(name);
    }
  }
  if (c.previewDigest !== undefined && (typeof c.previewDigest !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(c.previewDigest))) {
    throw invalidArgument("consent.preview_digest", "must be the preview_digest of the form");
  }
  // Sorted: the decisions are a set; a retry listing them in another order is the same request.
  return { confirmed: [...confirmed].sort(), refused: [...refused].sort(), ...(typeof c.previewDigest === "string" ? { digest: c.previewDigest } : {}) };
}

/** A refused item must be typed by the applicant instead (INVALID_ARGUMENT naming the field). */
export function requireRefusedTyped(refused: string[], typed: Record<string, unknown>): void {
  for (const name of refused) {
    if (typed[name] === undefined) throw invalidArgument(name, `you refused its value from ${POPULATION_REGISTRY}: type it yourself`);
  }
}

/**
 * The consent record of a submission, against the applicant's data now: every item the bundle would
 * take must be confirmed (a refused one was typed, so it is no longer an item); an item confirmed
 * that the applicant typed anyway is refused as a contradiction. A preview digest that no longer
 * matches (the data changed since the form was shown) is FAILED_PRECONDITION PREVIEW_CHANGED.
 */
export function consentRecord(bundle: Bundle, person: Person, typed: Record<string, unknown>, decided: { confirmed: string[]; refused: string[]; digest?: string }, now: Date): ConsentRecord {
  const items = governmentItems(bundle, person, typed);
  for (const name of decided.confirmed) {
    if (!items.some((i) => i.field === name)) throw invalidArgument("consent.confirmed", `${name}: you typed a value of your own; it is not taken from government data`);
  }
  for (const item of items) {
    if (!decided.confirmed.includes(item.field)) {
      throw invalidArgument("consent", `confirm or refuse ${item.field} (${item.labelZh}), taken from ${item.source}: see the form's government_data`);
    }
  }
  if (decided.digest !== undefined) {
    const shown = governmentItems(bundle, person, {});
    if (previewDigest(shown) !== decided.digest) {
      throw failedPrecondition("PREVIEW_CHANGED", "consent.preview_digest: the government data changed since the form was shown; look at the form again");
    }
  }
  return {
    at: now.toISOString(),
    items: [
      ...items.map((i) => ({ field: i.field, source: i.source, decision: "CONFIRMED" as const })),
      ...decided.refused.map((field) => ({ field, source: POPULATION_REGISTRY, decision: "REFUSED" as const })),
    ],
  };
}
