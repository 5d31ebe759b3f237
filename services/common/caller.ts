/**
 * Who is calling. The gRPC edge sets `meta.caller` from the department's verified token; services
 * calling each other on the bus set their own department. The bus is an internal network: only
 * the edges authenticate callers, services trust `meta.caller` (see README, "Security model").
 */
import type { Context } from "moleculer";
import { unauthenticated } from "./errors";

/** The department code the hub's one window acts as when it calls departments (一窗受理). */
export const ONE_WINDOW = "data";

export interface CallerMeta {
  caller?: { department: string };
  /** Why the data is used (data-use-log.ts purposeOf); inherited by nested calls. */
  purpose?: string;
}

/** What a department code can look like (samr, hrss, data...): it is written into data-use logs as the reader. */
const DEPARTMENT_CODE = /^[a-z][a-z0-9_-]{0,31}$/;

/** The calling department's code, or UNAUTHENTICATED when the call carries none or no code of a department's form. */
export function callerDepartment(ctx: Context<unknown, CallerMeta>): string {
  const dept: unknown = ctx.meta?.caller?.department;
  if (!dept) throw unauthenticated("the call names no calling department (meta.caller.department)");
  if (typeof dept !== "string" || !DEPARTMENT_CODE.test(dept)) throw unauthenticated("meta.caller.department is no department code (lower-case letters, digits, - and _)");
  return dept;
}

/** Call options for a service calling another as the given department, keeping the request id. */
export function asDepartment(department: string): { meta: CallerMeta } {
  return { meta: { caller: { department } } };
}
