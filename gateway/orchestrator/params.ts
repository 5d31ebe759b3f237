/**
 * Builds a department call from a step definition: each parameter comes from the checked form (only
 * fields the step declares), the applicant, an earlier step's output, the list item the row runs
 * for, the case, or a constant. Pure: the engine supplies the values.
 */
import type { BundleStep } from "../catalog/bundles";

export interface ParamContext {
  form: Record<string, unknown>;
  applicant: string;
  caseId: string;
  /** Outputs of succeeded steps, by step id (first row). */
  outputs: Record<string, Record<string, unknown>>;
  /** This row's own output (for its compensation). */
  ownOutput?: Record<string, unknown>;
  item?: Record<string, unknown>;
}

/** The value a source expression names. */
export function resolveSource(source: string, step: BundleStep, ctx: ParamContext): unknown {
  if (source === "applicant:idNumber") return ctx.applicant;
  if (source === "case:id") return ctx.caseId;
  if (source.startsWith("const:")) return JSON.parse(source.slice(6));
  if (source.startsWith("field:")) {
    const name = source.slice(6);
    if (!step.fields.includes(name)) throw new Error(`step ${step.id} reads undeclared field ${name}`);
    return ctx.form[name];
  }
  if (source.startsWith("item:")) return ctx.item?.[source.slice(5)];
  if (source.startsWith("output:")) {
    const [stepId, key] = source.slice(7).split(".");
    const from = stepId === step.id ? ctx.ownOutput : ctx.outputs[stepId];
    return from?.[key];
  }
  throw new Error(`unknown source ${source}`);
}

/** The parameters of a call (action or compensation), leaving out values the form did not give. */
export function buildParams(params: Record<string, string>, step: BundleStep, ctx: ParamContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, source] of Object.entries(params)) {
    const value = resolveSource(source, step, ctx);
    if (value !== undefined && value !== null && value !== "") out[name] = value;
  }
  return out;
}

/** Keeps the declared outputs of a result. */
export function pickOutputs(step: BundleStep, result: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(step.outputs ?? {})) out[name] = result?.[key];
  return out;
}

/** The idempotency key of a row's department call (and of its compensation). */
export function stepKey(applicationId: string, rowKey: string, undo = false): string {
  return `${applicationId}:${rowKey}${undo ? ":undo" : ""}`;
}
