/**
 * Authority over an enterprise (企业办事授权): a bundle about an existing enterprise may be filed
 * only by its legal representative (法定代表人) or by an agent (经办人) the legal representative
 * authorised for that enterprise, for named bundles, until an expiry date. The legal
 * representative grants, lists and revokes through the portal; every grant is a row that is
 * closed, never deleted, so the record shows who could act for an enterprise when.
 *
 * Who represents an entity is identity's (identity.isLegalRepresentative, one bit, no read
 * recorded); the authorisations are the one window's, in the gateway schema.
 */
import crypto from "node:crypto";
import type { Database } from "../../services/common/db/database";
import { invalidArgument, notFound, permissionDenied } from "../../services/common/errors";
import { optionalText, requireDate, todayInChina } from "../../services/common/validate";
import { endOfChinaDay } from "../../services/common/working-days";
import { requireCreditCode, requireIdNumber } from "../../services/identity/checks";
import { bundleFields, type Bundle } from "../catalog/bundles";

/** The form field that names the enterprise a bundle acts for. */
export const ENTERPRISE_FIELD = "enterprise.credit_code";

/** Longest authorisation, days from today (an authorisation letter is given for a task, not for ever). */
export const MAX_AUTHORISATION_DAYS = 366;

/** One agent's authorisation for one enterprise, as the portal shows it. */
export interface AgentAuthorisation {
  authorisationId: string;
  creditCode: string;
  agentIdNumber: string;
  bundleCodes: string[];
  /** Last day (China Standard Time) on which the agent may file, YYYY-MM-DD. */
  validThrough: string;
  grantedBy: string;
  portal: string;
  grantedAt: string;
  /** OPEN (in force), EXPIRED, or REVOKED (by the legal representative, or replaced by a new grant). */
  state: "OPEN" | "EXPIRED" | "REVOKED";
  revokedAt?: string;
  revokeReason?: string;
}

interface Row {
  authorisation_id: string;
  credit_code: string;
  agent_id_number: string;
  bundle_codes: string[];
  expires_at: Date | string;
  granted_by: string;
  portal: string;
  granted_at: Date | string;
  revoked_at: Date | string | null;
  revoke_reason: string | null;
}

/** Asks identity whether a person is the legal representative of an active entity. */
export type RepresentativeCheck = (creditCode: string, idNumber: string) => Promise<boolean>;

const DAY_MS = 24 * 3600_000;

/** The China date an authorisation holds through: the day its expiry (the next midnight, CST) ends. */
const dayInChina = (t: Date | string) => todayInChina(new Date(new Date(t).getTime() - 1));

function toView(r: Row, now: Date): AgentAuthorisation {
  const expired = new Date(r.expires_at).getTime() <= now.getTime();
  return {
    authorisationId: r.authorisation_id,
    creditCode: r.credit_code,
    agentIdNumber: r.agent_id_number,
    bundleCodes: r.bundle_codes,
    validThrough: dayInChina(r.expires_at),
    grantedBy: r.granted_by,
    portal: r.portal,
    grantedAt: new Date(r.granted_at).toISOString(),
    state: r.revoked_at ? "REVOKED" : expired ? "EXPIRED" : "OPEN",
    ...(r.revoked_at ? { revokedAt: new Date(r.revoked_at).toISOString(), revokeReason: r.revoke_reason ?? undefined } : {}),
  };
}

/** Whether a bundle acts for an existing enterprise (it asks for the enterprise's credit code). */
export function actsForEnterprise(bundle: Bundle): boolean {
  return bundleFields(bundle).includes(ENTERPRISE_FIELD);
}

/**
 * The credit code a submission acts for, checked (INVALID_ARGUMENT naming enterprise.credit_code);
 * undefined for a bundle that does not act for an existing enterprise (开办企业 creates one).
 */
export function enterpriseOf(bundle: Bundle, form: unknown): string | undefined {
  if (!actsForEnterprise(bundle)) return undefined;
  const value = form && typeof form === "object" && !Array.isArray(form) ? (form as Record<string, unknown>)[ENTERPRISE_FIELD] : undefined;
  if (value === undefined || value === null || value === "") throw invalidArgument(ENTERPRISE_FIELD, "is required");
  return requireCreditCode(value, ENTERPRISE_FIELD).creditCode;
}

/** The authorisations of agents, and the check made at every submission for an enterprise. */
export class EnterpriseAgents {
  constructor(
    private readonly db: Database,
    private readonly isRepresentative: RepresentativeCheck,
    /** Bundles an agent may be authorised for (those acting for an existing enterprise), by code. */
    private readonly bundles: ReadonlyMap<string, Bundle>,
  ) {}

  /**
   * Refuses (PERMISSION_DENIED, 403, field enterprise.credit_code, reason NOT_AUTHORISED_FOR_ENTERPRISE)
   * unless `applicant` is the legal representative of the active enterprise or holds an open
   * authorisation of it naming `bundleCode`. A stranger, an unknown and a closed enterprise answer
   * alike, so the refusal tells nothing about the enterprise. Reads nothing of anybody's data.
   */
  async require(applicant: string, creditCode: string, bundleCode: string, now = new Date()): Promise<"representative" | "agent"> {
    if (await this.isRepresentative(creditCode, applicant)) return "representative";
    const { rows } = await this.db.query(
      `SELECT 1 FROM enterprise_agents
       WHERE credit_code = $1 AND agent_id_number = $2 AND revoked_at IS NULL AND expires_at > $3 AND $4 = ANY (bundle_codes)`,
      [creditCode, applicant, now.toISOString(), bundleCode],
    );
    if (rows.length === 1) return "agent";
    throw permissionDenied(
      `${ENTERPRISE_FIELD}: 您不是该企业的法定代表人，也未获其授权办理此事项 (only the legal representative, or an agent they authorised for ${bundleCode}, may file for ${creditCode})`,
      { field: ENTERPRISE_FIELD, reasonCode: "NOT_AUTHORISED_FOR_ENTERPRISE" },
    );
  }

  /** PERMISSION_DENIED unless `who` is the legal representative of the active enterprise. */
  private async requireRepresentative(who: string, creditCode: string): Promise<void> {
    if (!(await this.isRepresentative(creditCode, who))) {
      throw permissionDenied(`credit_code: 只有企业的法定代表人可以管理授权 (only the legal representative of ${creditCode} manages its agents)`, {
        field: "credit_code",
        reasonCode: "NOT_LEGAL_REPRESENTATIVE",
      });
    }
  }

  /**
   * The legal representative `by` authorises `agent` for `bundleCodes` of the enterprise through
   * `validThrough` (YYYY-MM-DD, China time, today to MAX_AUTHORISATION_DAYS ahead). Safe to
   * retry: the same grant again answers the open one (`created` false); a different one replaces
   * it (the old row closed as replaced). Checked before anything is read or written.
   */
  async authorise(g: { by: string; creditCode: unknown; agent: unknown; bundleCodes: unknown; validThrough: unknown; portal: string }, now = new Date()): Promise<{ authorisation: AgentAuthorisation; created: boolean }> {
    const creditCode = requireCreditCode(g.creditCode, "credit_code").creditCode;
    const agent = requireIdNumber(g.agent, "agent_id_number").idNumber;
    if (agent === g.by) throw invalidArgument("agent_id_number", "is the legal representative, who needs no authorisation");
    const bundleCodes = this.checkBundleCodes(g.bundleCodes);
    const validThrough = requireDate(g.validThrough, "valid_through");
    const today = todayInChina(now);
    const latest = todayInChina(new Date(now.getTime() + MAX_AUTHORISATION_DAYS * DAY_MS));
    if (validThrough < today) throw invalidArgument("valid_through", `is in the past (today is ${today} in China Standard Time)`);
    if (validThrough > latest) throw invalidArgument("valid_through", `must be at most ${MAX_AUTHORISATION_DAYS} days ahead (${latest})`);
    await this.requireRepresentative(g.by, creditCode);
    const expiresAt = endOfChinaDay(validThrough);

    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction(async (tx) => {
          const { rows } = await tx.query<Row>(
            "SELECT * FROM enterprise_agents WHERE credit_code = $1 AND agent_id_number = $2 AND revoked_at IS NULL FOR UPDATE",
            [creditCode, agent],
          );
          const open = rows[0];
          if (open && new Date(open.expires_at).getTime() === expiresAt.getTime() && [...open.bundle_codes].sort().join() === bundleCodes.join()) {
            return { authorisation: toView(open, now), created: false };
          }
          if (open) {
            await tx.query("UPDATE enterprise_agents SET revoked_at = $2, revoked_by = $3, revoke_reason = $4 WHERE authorisation_id = $1", [
              open.authorisation_id, now.toISOString(), g.by, "由新的授权取代 (replaced by a new authorisation)",
            ]);
          }
          const inserted = await tx.query<Row>(
            `INSERT INTO enterprise_agents (authorisation_id, credit_code, agent_id_number, bundle_codes, expires_at, granted_by, portal, granted_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
            [`AUTH-${crypto.randomUUID()}`, creditCode, agent, bundleCodes, expiresAt.toISOString(), g.by, g.portal, now.toISOString()],
          );
          return { authorisation: toView(inserted.rows[0], now), created: true };
        });
      } catch (err) {
        // Two grants at once: the open-row index let one in; the other answers what is there now.
        if ((err as { code?: string }).code === "23505" && attempt === 0) continue;
        throw err;
      }
    }
  }

  /** Every authorisation of the enterprise, newest first (open, expired and revoked); for its legal representative only. */
  async list(by: string, creditCodeValue: unknown, now = new Date()): Promise<AgentAuthorisation[]> {
    const creditCode = requireCreditCode(creditCodeValue, "credit_code").creditCode;
    await this.requireRepresentative(by, creditCode);
    const { rows } = await this.db.query<Row>("SELECT * FROM enterprise_agents WHERE credit_code = $1 ORDER BY granted_at DESC, authorisation_id LIMIT 500", [creditCode]);
    return rows.map((r) => toView(r, now));
  }

  /** The open authorisations held by an agent (the enterprises they may file for). */
  async heldBy(agent: string, now = new Date()): Promise<AgentAuthorisation[]> {
    const { rows } = await this.db.query<Row>(
      "SELECT * FROM enterprise_agents WHERE agent_id_number = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY granted_at DESC LIMIT 500",
      [agent, now.toISOString()],
    );
    return rows.map((r) => toView(r, now));
  }

  /**
   * The legal representative revokes the agent's open authorisation. Safe to retry: revoking one
   * already revoked answers the revoked row; NOT_FOUND when the agent was never authorised.
   */
  async revoke(r: { by: string; creditCode: unknown; agent: unknown; reason: unknown }, now = new Date()): Promise<AgentAuthorisation> {
    const creditCode = requireCreditCode(r.creditCode, "credit_code").creditCode;
    const agent = requireIdNumber(r.agent, "agent_id_number").idNumber;
    const reason = optionalText(r.reason, "reason", 200) || "法定代表人撤销授权 (revoked by the legal representative)";
    await this.requireRepresentative(r.by, creditCode);
    const { rows } = await this.db.query<Row>(
      `UPDATE enterprise_agents SET revoked_at = $3, revoked_by = $4, revoke_reason = $5
       WHERE credit_code = $1 AND agent_id_number = $2 AND revoked_at IS NULL RETURNING *`,
      [creditCode, agent, now.toISOString(), r.by, reason],
    );
    if (rows.length === 1) return toView(rows[0], now);
    const last = await this.db.query<Row>(
      "SELECT * FROM enterprise_agents WHERE credit_code = $1 AND agent_id_number = $2 ORDER BY revoked_at DESC NULLS FIRST LIMIT 1",
      [creditCode, agent],
    );
    if (last.rows.length === 0) throw notFound("authorisation", `of ${agent} for ${creditCode}`);
    return toView(last.rows[0], now);
  }

  /** A non-empty list of distinct bundle codes, each a bundle acting for an existing enterprise; sorted. */
  private checkBundleCodes(value: unknown): string[] {
    const allowed = [...this.bundles.values()].filter(actsForEnterprise).map((b) => b.code);
    if (!Array.isArray(value) || value.length === 0 || value.length > allowed.length) {
      throw invalidArgument("bundle_codes", `must list 1 to ${allowed.length} of ${allowed.join(", ")}`);
    }
    value.forEach((code, i) => {
      if (typeof code !== "string" || !allowed.includes(code)) throw invalidArgument(`bundle_codes[${i}]`, `must be one of ${allowed.join(", ")}`);
    });
    const codes = [...new Set(value as string[])].sort();
    if (codes.length !== value.length) throw invalidArgument("bundle_codes", "lists a bundle twice");
    return codes;
  }
}
