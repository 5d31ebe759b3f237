/**
 * 单位参保登记 (RegisterEmployer): reads the employer from business registration, sets the
 * work-injury risk class, assigns the 单位社保编号 and has the SIREG e-licence issued on condition
 * of a valid business licence (the licence registry checks it in that call).
 */
import { emitEvent } from "../common/events";
import type { Context } from "moleculer";
import type { CallerMeta } from "../common/caller";
import type { Database } from "../common/db/database";
import { failedPrecondition } from "../common/errors";
import { deriveKey, onceInserting, answerOnce } from "../common/idempotency";
import { contextLogger } from "../common/logger";
import { todayInChina } from "../common/validate";
import { EmployerStatus, type Employer } from "../../proto/gen/tongban/social_insurance/v1/social_insurance";
import { activateEmployer, alreadyRegistered, employerInsert, findEmployer, pinSiNumber, type Registration } from "./employers";
import { reasonCodeOf } from "../common/errors";
import { hrss, riskClassOfEnterprise } from "./remote";
import { INSURANCE_TYPES_ZH, poolingRegionOf } from "./rules/pooling-regions";

type Ctx = Context<unknown, CallerMeta>;

/** RegisterEmployer's checked fields (what the idempotency key guards). */
export interface RegisterEmployerInput {
  creditCode: string;
  /** 1-8, or 0 to derive it from the business scope. */
  workInjuryRiskClass: number;
  caseId: string;
}

/**
 * Registers the employer under (scope, key). A retry answers from the stored result before any
 * read; otherwise the reads come first, then the 单位社保编号 and date are pinned to the key so
 * the licence call (keyed `${key}:licence`) is identical on every retry, and the registration is
 * recorded last. A concurrent registration under another key that commits first wins: this
 * call's licence is revoked and ALREADY_REGISTERED returned. A licence refused (no valid business
 * licence: PREREQUISITE_NOT_HELD / PREREQUISITE_INVALID) leaves only the number pinned to the key:
 * a retry once the business licence is valid again gets the same number; a new key leaves a gap,
 * as a sequence does, and numbers stay distinct.
 */
export async function registerEmployer(ctx: Ctx, db: Database, scope: string, key: string, request: RegisterEmployerInput): Promise<Employer> {
  return answerOnce<Employer>(db, scope, key, request, async () => {
    const { creditCode, caseId } = request;
    const existing = await findEmployer(db, creditCode);
    if (existing?.status === EmployerStatus.EMPLOYER_STATUS_ACTIVE) throw alreadyRegistered(existing);

    // Name, region, address and scope from business registration, never from the request: one
    // read (the legal-entity registry holds a copy of the same registration).
    const enterprise = await hrss.requireRegisteredEnterprise(ctx, creditCode, caseId);
    const region = poolingRegionOf(enterprise.regionCode);
    if (!region) {
      throw failedPrecondition("REGION_NOT_SERVED", `登记机关所在地 ${enterprise.regionCode} 不属于任何统筹区 (no city-level pooling region for this region code)`);
    }
    const riskClass = request.workInjuryRiskClass || riskClassOfEnterprise(enterprise);

    // A re-registration keeps the employer's number; a new employer draws the next of its region.
    const pinned = await pinSiNumber(db, `${scope}:pin`, key, request, { creditCode, region, registeredOn: todayInChina() });
    const licence = await hrss.licences.issue(ctx, {
      idempotencyKey: deriveKey(key, "licence"),
      typeCode: "SIREG",
      holderId: creditCode,
      caseId,
      // The business licence is checked where SIREG is issued (the registry reads the holder from identity).
      prerequisiteTypeCodes: ["BL"],
      fields: { si_number: pinned.siNumber, insurance_types: INSURANCE_TYPES_ZH, registered_on: pinned.registeredOn },
    });

    let fresh = false;
    let employer: Employer;
    try {
      const registration: Registration = {
        creditCode,
        name: enterprise.name,
        siNumber: pinned.siNumber,
        regionCode: enterprise.regionCode,
        region,
        address: enterprise.address,
        riskClass,
        riskClassSource: request.workInjuryRiskClass ? "requested" : "derived",
        licenceNumber: licence.number,
        registeredOn: pinned.registeredOn,
        caseId,
      };
      // The insert travels with the key's claim (undone when the key was used before).
      employer = await onceInserting(db, scope, key, request, employerInsert(registration), (tx, first) => {
        fresh = true;
        return activateEmployer(tx, registration, first);
      });
    } catch (err) {
      if (reasonCodeOf(err) === "ALREADY_REGISTERED") {
        await hrss.revokeIfLive(ctx, licence.number, "重复登记，另一登记已生效 (a concurrent registration took effect)", deriveKey(key, "licence-revoke"));
      }
      throw err;
    }
    if (fresh) {
      contextLogger(ctx).info({ creditCode, siNumber: employer.siNumber, region }, "employer registered");
      emitEvent(ctx, "social-insurance.employerRegistered", {
        creditCode,
        siNumber: employer.siNumber,
        region,
        licenceNumber: employer.registrationLicenceNumber,
        caseId,
      });
    }
    return employer;
  });
}
