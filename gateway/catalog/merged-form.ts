/**
 * One merged form (一表申请) for a bundle and an applicant: the union of the steps' fields, each
 * exactly once; what the government holds prefilled with its source; materials the applicant
 * already uploaded offered for reuse; government-held materials never asked.
 */
import { invalidArgument } from "../../services/common/errors";
import type { Person } from "../../proto/gen/tongban/identity/v1/identity";
import { bundleFields, bundleMaterials, type Bundle } from "./bundles";
import { checkFieldValue, findField, rangeOf, type FieldSource } from "./fields";

export interface FormField {
  name: string;
  type: string;
  labelZh: string;
  labelEn: string;
  required: boolean;
  values?: string[];
  /** Prefilled value, with where it came from. */
  value?: unknown;
  source?: string;
  /** False when the value comes from government data and is not to be typed. */
  editable: boolean;
}

export interface FormMaterial {
  type: string;
  deferrable: boolean;
  steps: string[];
  /** An earlier upload of the applicant that this application can reuse. */
  reuse?: { materialId: string; fileName: string };
}

export interface HeldMaterial {
  materialId: string;
  typeCode: string;
  fileName: string;
}

const SOURCE_LABEL = "人口基础库 (identity: population registry)";

function fromApplicant(source: FieldSource, person: Person): unknown {
  return person[source.attribute];
}

/** The merged form of a bundle for an applicant. */
export function mergedForm(bundle: Bundle, person: Person, held: HeldMaterial[]): { fields: FormField[]; materials: FormMaterial[] } {
  const optional = new Set(bundle.optionalFields ?? []);
  const fields = bundleFields(bundle).map((name): FormField => {
    const def = findField(name)!;
    const base = { name, type: def.type, labelZh: def.labelZh, labelEn: def.labelEn, values: def.values, ...(def.amount ? { range: rangeOf(def) } : {}) };
    if (def.source) return { ...base, required: true, value: fromApplicant(def.source, person), source: SOURCE_LABEL, editable: false };
    if (def.suggested) return { ...base, required: false, value: fromApplicant(def.suggested, person), source: SOURCE_LABEL, editable: true };
    return { ...base, required: !optional.has(name), editable: true };
  });
  const materials = bundleMaterials(bundle).map((m): FormMaterial => {
    const earlier = held.find((h) => h.typeCode === m.type);
    return { ...m, ...(earlier ? { reuse: { materialId: earlier.materialId, fileName: earlier.fileName } } : {}) };
  });
  return { fields, materials };
}

/**
 * Checks submitted form values against the bundle, before anything of the applicant is read:
 * unknown fields and government-held ones are refused, each value is checked by the data
 * dictionary, required ones must be there (those prefilled from the applicant's record excepted).
 * Returns the given values in canonical form; completeForm adds the government's data.
 */
export function checkFormInput(bundle: Bundle, input: unknown, refused: ReadonlySet<string> = new Set()): Record<string, unknown> {
  if (!input || typeof input !== "object" || Array.isArray(input)) throw invalidArgument("form", "must be an object of field values");
  const names = bundleFields(bundle);
  const given = input as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!names.includes(key)) throw invalidArgument(key, `is not a field of bundle ${bundle.code}`);
    // A value the government holds is not asked, unless the applicant refused it (consent.ts): then they type it.
    if (findField(key)!.source && !refused.has(key)) throw invalidArgument(key, `is filled from ${SOURCE_LABEL}; it is not asked (refuse it in consent.refused to type your own)`);
  }
  const optional = new Set(bundle.optionalFields ?? []);
  const form: Record<string, unknown> = {};
  for (const name of names) {
    const def = findField(name)!;
    const value = given[name];
    if (def.source && !refused.has(name)) continue;
    if (value !== undefined && value !== null && value !== "") form[name] = checkFieldValue(def, value);
    else if (!def.suggested && !optional.has(name)) throw invalidArgument(name, "is required");
  }
  for (const group of bundle.oneOf ?? []) {
    if (!group.some((n) => form[n] !== undefined || findField(n)?.source || findField(n)?.suggested)) throw invalidArgument(group[0], `give at least one of ${group.join(", ")}`);
  }
  return form;
}

/** The complete canonical form: checked values (checkFormInput) with the applicant's government data filled in. */
export function completeForm(bundle: Bundle, checked: Record<string, unknown>, person: Person): Record<string, unknown> {
  const form: Record<string, unknown> = {};
  for (const name of bundleFields(bundle)) {
    const def = findField(name)!;
    if (checked[name] !== undefined) form[name] = checked[name];
    else if (def.source) form[name] = fromApplicant(def.source, person);
    else if (def.suggested) form[name] = fromApplicant(def.suggested, person);
  }
  return form;
}

/** checkFormInput and completeForm in one (INVALID_ARGUMENT naming the first field at fault). */
export function checkForm(bundle: Bundle, input: unknown, person: Person, refused: ReadonlySet<string> = new Set()): Record<string, unknown> {
  return completeForm(bundle, checkFormInput(bundle, input, refused), person);
}
