/** 参保证明: the facts a contribution certificate states, and the record of those issued. */
import type { Queryable } from "../common/db/database";
import { failedPrecondition } from "../common/errors";
import { historyOf } from "./employments";
import { currentOrLast, monthsContributed } from "./rules/periods";

/** What a certificate states. */
export interface CertificateFacts {
  /** Current employer, or the last one. */
  employer: string;
  monthsContributed: number;
}

/** What a certificate for the person states today; NO_INSURED_EMPLOYMENT when never insured here. */
export async function certificateFacts(q: Queryable, idNumber: string, today: string): Promise<CertificateFacts> {
  const history = await historyOf(q, idNumber);
  const named = currentOrLast(history);
  if (!named) {
    throw failedPrecondition("NO_INSURED_EMPLOYMENT", "该人员没有参保记录 (the person has never had an insured employment)");
  }
  return { employer: named.employer, monthsContributed: monthsContributed(history, today) };
}

/** Records an issued certificate. */
export async function recordCertificate(
  tx: Queryable,
  c: { licenceNumber: string; idNumber: string; employer: string; monthsContributed: number; caseId: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO certificates (licence_number, id_number, employer, months_contributed, case_id)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (licence_number) DO NOTHING`,
    [c.licenceNumber, c.idNumber, c.employer, c.monthsContributed, c.caseId],
  );
}
