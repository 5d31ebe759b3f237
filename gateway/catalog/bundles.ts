/**
 * The bundle catalogue (一件事一次办): declarative definitions, one JSON file per bundle in
 * gateway/bundles/. Each step names its department action, the steps it needs, the canonical
 * fields it takes (and nothing else reaches it), its materials, time limits, whether an officer
 * decides, and its compensation. Loading checks every definition; a new bundle is a new file.
 */
import fs from "node:fs";
import path from "node:path";
import { projectPath } from "../../services/common/paths";
import { findField } from "./fields";

export interface MaterialRequirement {
  type: string;
  /** 容缺: may be supplied after submission, by the supplement deadline. */
  deferrable?: boolean;
}

export interface Compensation {
  action: string;
  params: Record<string, string>;
}

export interface BundleStep {
  id: string;
  nameZh: string;
  nameEn: string;
  department: string;
  action: string;
  needs: string[];
  /** Canonical fields the step takes: the only form values it receives. */
  fields: string[];
  /** Action parameter -> source: field:<name>, applicant:idNumber, output:<step>.<key>, item:<key>, case:id, const:<json>. */
  params: Record<string, string>;
  /** Runs once per element of a list field (e.g. field:employees). */
  each?: string;
  /** Values kept from the result for later steps: name -> result key. */
  outputs?: Record<string, string>;
  materials?: MaterialRequirement[];
  /** 法定时限 and 承诺时限, in working days. */
  legalDays: number;
  committedDays: number;
  /** An officer of the department approves, rejects or asks for a supplement before the step runs. */
  officerDecision?: boolean;
  compensation?: Compensation;
  /**
   * What a refusal of this step means: "undo" (default) stops the application and compensates what
   * was done; "hold" keeps the rest going and holds the step for the applicant to correct its own
   * fields or drop it (a sub-item such as one employee's enrolment or the invoice grant). Only a
   * step no other step needs may hold.
   */
  onFailure?: "undo" | "hold";
}

export interface Bundle {
  code: string;
  nameZh: string;
  nameEn: string;
  descriptionZh: string;
  /** Days an applicant has to supply a deferred (容缺) material. */
  supplementDays: number;
  /** Fields the applicant may leave empty (all others of the steps are required). */
  optionalFields?: string[];
  /** Groups of optional fields of which at least one must be given. */
  oneOf?: string[][];
  steps: BundleStep[];
}

const SOURCE = /^(field:[a-z_.]+|applicant:idNumber|output:[a-z_-]+\.[A-Za-z]+|item:[A-Za-z]+|case:id|const:.+)$/;

/** Checks a bundle definition; returns the problems found (empty when it is sound). */
export function checkBundle(b: Bundle, materialExists: (type: string) => boolean = () => true): string[] {
  const problems: string[] = [];
  if (!/^[A-Z][A-Z_]{2,40}$/.test(b.code ?? "")) problems.push(`code "${b.code}" must be UPPER_SNAKE_CASE`);
  if (!Array.isArray(b.steps) || b.steps.length === 0) return [...problems, "a bundle needs steps"];
  const ids = new Set<string>();
  for (const s of b.steps) {
    const where = `step ${s.id}`;
    if (!/^[a-z][a-z-]{1,40}$/.test(s.id ?? "")) problems.push(`${where}: id must be lower-case`);
    if (ids.has(s.id)) problems.push(`${where}: id used twice`);
    for (const n of s.needs ?? []) if (!ids.has(n)) problems.push(`${where}: needs "${n}", which is not an earlier step`);
    ids.add(s.id);
    if (!/^[a-z-]+\.[a-zA-Z]+$/.test(s.action ?? "")) problems.push(`${where}: action "${s.action}" is not service.action`);
    for (const field of s.fields ?? []) if (!findField(field)) problems.push(`${where}: field "${field}" is not in the data dictionary`);
    const sources = [...Object.values(s.params ?? {}), ...Object.values(s.compensation?.params ?? {}), ...(s.each ? [s.each] : [])];
    for (const src of sources) {
      if (!SOURCE.test(src)) problems.push(`${where}: source "${src}" is not understood`);
      // Minimisation: a step reads only the fields it declares.
      if (src.startsWith("field:") && !(s.fields ?? []).includes(src.slice(6))) problems.push(`${where}: reads ${src} without declaring it`);
      if (src.startsWith("output:")) {
        const [step] = src.slice(7).split(".");
        if (step !== s.id && !(s.needs ?? []).some((n) => dependsOn(b, n, step))) problems.push(`${where}: reads ${src} from a step it does not need`);
      }
      if (src.startsWith("item:") && !s.each) problems.push(`${where}: reads ${src} but runs once`);
    }
    if (s.onFailure !== undefined && s.onFailure !== "undo" && s.onFailure !== "hold") problems.push(`${where}: onFailure must be "undo" or "hold"`);
    if (s.onFailure === "hold" && b.steps.some((o) => (o.needs ?? []).includes(s.id))) problems.push(`${where}: a step that others need cannot hold on failure`);
    for (const m of s.materials ?? []) if (!materialExists(m.type)) problems.push(`${where}: material "${m.type}" is not in the catalogue`);
    // No failed or withdrawn application may leave a change behind: a step that cannot be undone
    // must be the last thing that happens, once, after every other step succeeded.
    if (!s.compensation && (s.each || b.steps.some((o) => o.id !== s.id && !dependsOn(b, s.id, o.id)))) {
      problems.push(`${where}: without a compensation it must run last and once (needing every other step), or its change stays when another step fails or the application is withdrawn`);
    }
    if (s.compensation && !/^[a-z-]+\.[a-zA-Z]+$/.test(s.compensation.action)) problems.push(`${where}: compensation action "${s.compensation.action}" is not service.action`);
    if (!(s.legalDays > 0) || !(s.committedDays > 0)) problems.push(`${where}: legalDays and committedDays must be positive`);
    // 承诺时限 at most 60% of the legal limit (the service-centre rule the seeds describe).
    else if (s.committedDays > s.legalDays * 0.6 + 1e-9) problems.push(`${where}: committedDays ${s.committedDays} exceeds 60% of legalDays ${s.legalDays}`);
  }
  return problems;
}

/** Every canonical field the bundle's steps take, each once, in step order. */
export function bundleFields(b: Bundle): string[] {
  return [...new Set(b.steps.flatMap((s) => s.fields))];
}

/** Every material the bundle's steps require, each once, with whether it may come later (容缺). */
export function bundleMaterials(b: Bundle): Array<{ type: string; deferrable: boolean; steps: string[] }> {
  const out = new Map<string, { type: string; deferrable: boolean; steps: string[] }>();
  for (const s of b.steps) {
    for (const m of s.materials ?? []) {
      const seen = out.get(m.type);
      // Deferrable only when every step that needs it allows it later.
      if (seen) {
        seen.deferrable = seen.deferrable && Boolean(m.deferrable);
        seen.steps.push(s.id);
      } else out.set(m.type, { type: m.type, deferrable: Boolean(m.deferrable), steps: [s.id] });
    }
  }
  return [...out.values()];
}

/** Whether step `from` is `target` or needs it, directly or not. */
function dependsOn(b: Bundle, from: string, target: string): boolean {
  if (from === target) return true;
  const step = b.steps.find((s) => s.id === from);
  return (step?.needs ?? []).some((n) => dependsOn(b, n, target));
}

/** The bundles in a folder (default gateway/bundles), each checked; throws listing every problem. */
export function loadBundles(dir = projectPath("gateway", "bundles"), materialExists?: (type: string) => boolean): Map<string, Bundle> {
  const bundles = new Map<string, Bundle>();
  const problems: string[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const bundle = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as Bundle;
    problems.push(...checkBundle(bundle, materialExists).map((p) => `${file}: ${p}`));
    if (bundles.has(bundle.code)) problems.push(`${file}: bundle code ${bundle.code} used twice`);
    bundles.set(bundle.code, bundle);
  }
  if (problems.length > 0) throw new Error(`invalid bundle definitions:\n  - ${problems.join("\n  - ")}`);
  return bundles;
}

/** The length of the longest chain of committed days: what the bundle takes when steps run in parallel. */
export function criticalPathDays(b: Bundle): number {
  const finish = new Map<string, number>();
  for (const s of b.steps) finish.set(s.id, Math.max(0, ...s.needs.map((n) => finish.get(n)!)) + s.committedDays);
  return Math.max(...finish.values());
}
