/**
 * social-insurance: human resources and social security (人社, department hrss). Employers'
 * registrations, insured employments, monthly contributions, certificates and clearances. Thin
 * actions; the rules live in rules/, the SQL in employers.ts, employments.ts and lifecycle.ts.
 * Enterprise and person data come from identity, licences and business registration over the
 * bus (naming the case), never from the request.
 */
import { emitEvent } from "../common/events";
import type { Context, ServiceSchema } from "moleculer";
import type { Database } from "../common/db/database";
import { callerDepartment, type CallerMeta } from "../common/caller";
import { dataUseActions } from "../common/data-use-actions";
import { notFound } from "../common/errors";
import { purposeOf } from "../common/data-use-log";
import { checkIdempotencyKey, deriveKey, once, answerOnce } from "../common/idempotency";
import { contextLogger } from "../common/logger";
import { openServiceDatabase, type Runtime } from "../common/runtime";
import type { DeliveredEvent } from "../common/subscriptions";
import { optionalText, requireCaseId, todayInChina } from "../common/validate";
import {
  CancelEmployerRegistrationRequest,
  ComputeContributionsRequest,
  EmployerStatus,
  EndEmploymentRequest,
  EnrolEmployeeRequest,
  GetContributionRatesRequest,
  GetEmployerClearanceRequest,
  GetEmployerRequest,
  IssueContributionCertificateRequest,
  RegisterEmployerRequest,
  RequestEmployerClearanceRequest,
  RevokeEmployerClearanceRequest,
  type ContributionCertificate,
  type ContributionRates,
  type ContributionStatement,
  type Employer,
  type EmployerClearance,
  type Employment,
} from "../../proto/gen/tongban/social_insurance/v1/social_insurance";
import { certificateFacts, recordCertificate } from "./certificates";
import { applyEnterpriseEvent, parseEnterpriseEvent } from "./employer-changes";
import { findEmployer, lockedEmployer, readEmployer, requireActiveEmployer, shareLockEmployer } from "./employers";
import { endEmployment, enrol, insuredDuring } from "./employments";
import { clearanceOf, closeEmployer, grantClearance, revokeClearance } from "./lifecycle";
import { registerEmployer } from "./register-employer";
import { hrss, HRSS } from "./remote";
import {
  checkCancelEmployer,
  checkComputeContributions,
  checkEndEmployment,
  checkEnrolEmployee,
  checkRegisterEmployer,
  creditCodeOf,
  idNumberOf,
  requirePoolingRegion,
} from "./requests";
import { contributionStatement } from "./rules/contributions";
import { contributionRatesOf, INSURANCE_TYPES_ZH, insuranceRates, regionRates } from "./rules/pooling-regions";

type Ctx<P> = Context<P, CallerMeta>;

const { EMPLOYER_STATUS_ACTIVE: ACTIVE, EMPLOYER_STATUS_CLEARED: CLEARED, EMPLOYER_STATUS_CANCELLED: CANCELLED } = EmployerStatus;

/** The social insurance service schema. */
export function socialInsuranceService(rt: Runtime): ServiceSchema {
  let db: Database;

  return {
    name: "social-insurance",
    actions: {
      ...dataUseActions(() => db),
      async registerEmployer(ctx: Ctx<RegisterEmployerRequest>): Promise<Employer> {
        const p = RegisterEmployerRequest.fromPartial(ctx.params ?? {});
        const caller = callerDepartment(ctx);
        const key = checkIdempotencyKey(p.idempotencyKey);
        return registerEmployer(ctx, db, `${caller}:registerEmployer`, key, checkRegisterEmployer(p));
      },

      // Compensation of RegisterEmployer: safe to repeat, under the same key or another.
      async cancelEmployerRegistration(ctx: Ctx<CancelEmployerRegistrationRequest>): Promise<Employer> {
        const p = CancelEmployerRegistrationRequest.fromPartial(ctx.params ?? {});
        const caller = callerDepartment(ctx);
        const key = checkIdempotencyKey(p.idempotencyKey);
        const request = checkCancelEmployer(p);
        let ended = -1;
        const employer = await once(db, `${caller}:cancelEmployerRegistration`, key, request, async (tx) => {
          const closed = await closeEmployer(tx, request.creditCode, { from: [ACTIVE, CLEARED], to: CANCELLED, reason: request.reason, today: todayInChina() });
          ended = closed.ended;
          return closed.employer;
        });
        // Every call (a retry too) makes sure the registration licence is revoked.
        await hrss.revokeIfLive(ctx, employer.registrationLicenceNumber, request.reason, deriveKey(key, "licence"));
        if (ended >= 0) {
          contextLogger(ctx).info({ creditCode: employer.creditCode, endedEmployments: ended }, "employer registration cancelled");
          emitEvent(ctx, "social-insurance.employerCancelled", { creditCode: employer.creditCode, endedEmployments: ended });
        }
        return employer;
      },

      async getEmployer(ctx: Ctx<GetEmployerRequest>): Promise<Employer> {
        const p = GetEmployerRequest.fromPartial(ctx.params ?? {});
        const reader = callerDepartment(ctx);
        const creditCode = creditCodeOf(p.creditCode);
        const caseId = requireCaseId(p.caseId);
        // Another department's read of the registration and its record are one statement.
        return readEmployer(db, creditCode, reader === HRSS ? undefined : { subjectId: creditCode, reader, caseId, action: "get", what: "employer", purpose: purposeOf(ctx) });
      },

      async enrolEmployee(ctx: Ctx<EnrolEmployeeRequest>): Promise<Employment> {
        const p = EnrolEmployeeRequest.fromPartial(ctx.params ?? {});
        const caller = callerDepartment(ctx);
        const key = checkIdempotencyKey(p.idempotencyKey);
        const { wageFen, ...request } = checkEnrolEmployee(p);
        const scope = `${caller}:enrolEmployee`;
        return answerOnce<Employment>(db, scope, key, request, async () => {
          // Refuse on local facts before reading the person from the population registry.
          requireActiveEmployer(await findEmployer(db, request.employerCreditCode), request.employerCreditCode);
          const person = await hrss.requirePerson(ctx, request.idNumber, request.caseId, "id_number");
          let fresh = false;
          const employment = await once(
            db,
            scope,
            key,
            request,
            (tx, [locked]) => {
              fresh = true;
              return enrol(tx, { ...request, name: person.name, wageFen }, lockedEmployer(locked));
            },
            [shareLockEmployer(request.employerCreditCode)],
          );
          if (fresh) {
            contextLogger(ctx).info({ employmentId: employment.employmentId, region: employment.region }, "employee enrolled");
            emitEvent(ctx, "social-insurance.employeeEnrolled", {
              employmentId: employment.employmentId,
              employerCreditCode: employment.employerCreditCode,
              region: employment.region,
              caseId: request.caseId,
            });
          }
          return employment;
        });
      },

      // Also the compensation of EnrolEmployee: an ended employment is returned as it is.
      async endEmployment(ctx: Ctx<EndEmploymentRequest>): Promise<Employment> {
        const p = EndEmploymentRequest.fromPartial(ctx.params ?? {});
        const caller = callerDepartment(ctx);
        const key = checkIdempotencyKey(p.idempotencyKey);
        const request = checkEndEmployment(p);
        let fresh = false;
        const employment = await once(db, `${caller}:endEmployment`, key, request, (tx) => {
          fresh = true;
          return endEmployment(tx, request.employmentId, request.endDate, request.reason, todayInChina());
        });
        if (fresh) emitEvent(ctx, "social-insurance.employmentEnded", { employmentId: employment.employmentId, employerCreditCode: employment.employerCreditCode });
        return employment;
      },

      async getContributionRates(ctx: Ctx<GetContributionRatesRequest>): Promise<ContributionRates> {
        const p = GetContributionRatesRequest.fromPartial(ctx.params ?? {});
        return contributionRatesOf(requirePoolingRegion(p.regionCode));
      },

      async computeContributions(ctx: Ctx<ComputeContributionsRequest>): Promise<ContributionStatement> {
        const p = ComputeContributionsRequest.fromPartial(ctx.params ?? {});
        const { employerCreditCode, month } = checkComputeContributions(p);
        const employer = await findEmployer(db, employerCreditCode);
        if (!employer) throw notFound("employer", employerCreditCode);
        const rates = insuranceRates(regionRates(employer.region), employer.work_injury_risk_class);
        return contributionStatement(employerCreditCode, month, await insuredDuring(db, employerCreditCode, month), rates);
      },

      async issueContributionCertificate(ctx: Ctx<IssueContributionCertificateRequest>): Promise<ContributionCertificate> {
        const p = IssueContributionCertificateRequest.fromPartial(ctx.params ?? {});
        const caller = callerDepartment(ctx);
        const key = checkIdempotencyKey(p.idempotencyKey);
        const request = { idNumber: idNumberOf(p.idNumber), caseId: requireCaseId(p.caseId) };
        const scope = `${caller}:issueContributionCertificate`;
        return answerOnce<ContributionCertificate>(db, scope, key, request, async () => {
          await hrss.requirePerson(ctx, request.idNumber, request.caseId, "id_number");
          // The facts are pinned to the key, so a retry on another day asks for the very same licence.
          const facts = await once(db, `${scope}:facts`, key, request, (tx) => certificateFacts(tx, request.idNumber, todayInChina()));
          const licence = await hrss.licences.issue(ctx, {
            idempotencyKey: deriveKey(key, "licence"),
            typeCode: "SICERT",
            holderId: request.idNumber,
            caseId: request.caseId,
            fields: { employer: facts.employer, insurance_types: INSURANCE_TYPES_ZH, months_contributed: String(facts.monthsContributed) },
          });
          const certificate: ContributionCertificate = {
            idNumber: request.idNumber,
            licenceNumber: licence.number,
            employer: facts.employer,
            monthsContributed: String(facts.monthsContributed),
          };
          return once(db, scope, key, request, async (tx) => {
            await recordCertificate(tx, { ...certificate, monthsContributed: facts.monthsContributed, caseId: request.caseId });
            return certificate;
          });
        });
      },

      async requestEmployerClearance(ctx: Ctx<RequestEmployerClearanceRequest>): Promise<EmployerClearance> {
        const p = RequestEmployerClearanceRequest.fromPartial(ctx.params ?? {});
        const caller = callerDepartment(ctx);
        const key = checkIdempotencyKey(p.idempotencyKey);
        const request = { creditCode: creditCodeOf(p.creditCode), caseId: requireCaseId(p.caseId) };
        const scope = `${caller}:requestEmployerClearance`;
        return answerOnce<EmployerClearance>(db, scope, key, request, async () => {
          // An enterprise that never registered owes nothing, but it must exist.
          if (!(await findEmployer(db, request.creditCode))) await hrss.requireActiveEntity(ctx, request.creditCode, request.caseId);
          const clearance = await once(db, scope, key, request, (tx) => grantClearance(tx, request.creditCode, request.caseId, todayInChina()));
          emitEvent(ctx, "social-insurance.employerCleared", { creditCode: clearance.creditCode, clearedOn: clearance.clearedOn, caseId: request.caseId });
          return clearance;
        });
      },

      /**
       * Compensation of requestEmployerClearance `{ idempotencyKey, creditCode, reason }`: the
       * clearance no longer holds and the employer is as it was (lifecycle.ts revokeClearance).
       */
      async revokeEmployerClearance(ctx: Ctx<RevokeEmployerClearanceRequest>): Promise<EmployerClearance> {
        const p = RevokeEmployerClearanceRequest.fromPartial(ctx.params ?? {});
        const caller = callerDepartment(ctx);
        const key = checkIdempotencyKey(p.idempotencyKey);
        const request = { creditCode: creditCodeOf(p.creditCode), reason: optionalText(p.reason, "reason", 500) || "注销未完成，撤销清算 (the deregistration did not happen)" };
        const clearance = await once(db, `${caller}:revokeEmployerClearance`, key, request, (tx) => revokeClearance(tx, request.creditCode, request.reason));
        emitEvent(ctx, "social-insurance.employerClearanceRevoked", { creditCode: request.creditCode, reason: request.reason });
        return clearance;
      },

      async getEmployerClearance(ctx: Ctx<GetEmployerClearanceRequest>): Promise<EmployerClearance> {
        const p = GetEmployerClearanceRequest.fromPartial(ctx.params ?? {});
        return clearanceOf(db, creditCodeOf(p.creditCode));
      },

      // Bus-only: business registration's durable events (services/common/subscriptions.ts).
      followEnterpriseChange: {
        visibility: "public",
        async handler(ctx: Ctx<DeliveredEvent>): Promise<{ applied: boolean }> {
          const { eventId, event, payload } = ctx.params ?? ({} as DeliveredEvent);
          const id = checkIdempotencyKey(eventId, "event_id");
          const parsed = parseEnterpriseEvent(event, payload);
          if (!parsed) {
            // Acknowledged, or the outbox would redeliver a message that can never apply.
            contextLogger(ctx).warn({ eventId: id, event }, "enterprise event not applicable; acknowledged");
            return { applied: false };
          }
          const outcome = await once(db, `event:${event}`, id, payload, (tx) => applyEnterpriseEvent(tx, id, event, parsed, todayInChina()));
          // Outside the transaction; a failure here fails the delivery, and the redelivery retries it.
          if (outcome.revokeLicence) {
            await hrss.revokeIfLive(ctx, outcome.revokeLicence, "企业已注销 (the enterprise is deregistered)", deriveKey(`event:${id}`, "licence"));
          }
          return { applied: outcome.applied };
        },
      },
    },
    async started() {
      db = await openServiceDatabase(rt, "social_insurance", "social-insurance");
    },
  };
}
