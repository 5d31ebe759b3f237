/**
 * 新办纳税人 and its compensation. Registration reads the enterprise from business registration
 * (the authority that registered it: name, type, region, address, legal representative, scope) for
 * the case, derives the taxpayer's type and tax types, has the TAXREG e-licence issued on condition
 * of a valid business licence (checked by the licence registry in that call, which also reads the
 * holder from identity: active, and its name) and only then writes; nothing the applicant could
 * mistype is asked of them.
 */
import { emitEvent } from "../common/events";
import type { Context } from "moleculer";
import type { Database } from "../common/db/database";
import { callerDepartment, type CallerMeta } from "../common/caller";
import { deriveKey, once, answerOnce } from "../common/idempotency";
import { contextLogger } from "../common/logger";
import { todayInChina } from "../common/validate";
import { TaxpayerStatus, type CancelTaxpayerRegistrationRequest, type RegisterTaxpayerRequest, type Taxpayer } from "../../proto/gen/tongban/tax/v1/tax";
import { endWithholdingsOf } from "./withholdings";
import { withdrawGrantsOf } from "./grants";
import { reasonCodeOf } from "../common/errors";
import { revokeTaxLicence, voidTaxLicence, withTaxLicence } from "./licence-steps";
import { clientsFor } from "../common/clients";
import { checkCancelTaxpayer, checkRegisterTaxpayer } from "./requests";
import { joinTaxTypes } from "./rules/tax-types";
import { taxpayerProfile } from "./rules/taxpayer-profile";
import { taxpayerTypeName } from "./rules/taxpayer-type";
import { assertCancellable, assertRegistrable } from "./rules/taxpayer-status";
import { findTaxpayer, loadTaxpayer, onceForTaxpayer, registerTaxpayer, setTaxpayerStatus, taxpayerInsert, toTaxpayer, type NewTaxpayer } from "./taxpayers";

type Ctx = Context<unknown, CallerMeta>;

const { requireRegisteredEnterprise } = clientsFor("tax");

/** Registers a new taxpayer; the same key again returns the first result. */
export async function registerNewTaxpayer(db: Database, ctx: Ctx, p: RegisterTaxpayerRequest): Promise<Taxpayer> {
  const caller = callerDepartment(ctx);
  const { key, request, salesFen } = checkRegisterTaxpayer(p);
  const { creditCode, caseId } = request;
  const scope = `${caller}:registerTaxpayer`;
  return answerOnce<Taxpayer>(db, scope, key, request, async () => {
    // Refuse a duplicate before asking three other services anything.
    assertRegistrable(creditCode, (await findTaxpayer(db, creditCode))?.status);

    // One read of the enterprise: the legal-entity registry holds a copy of the same registration,
    // and the business licence is checked where the TAXREG licence is issued.
    const enterprise = await requireRegisteredEnterprise(ctx, creditCode, caseId);
    const scopeCodes = enterprise.businessScope.map((s) => s.code);
    const profile = taxpayerProfile({
      regionCode: enterprise.regionCode,
      enterpriseType: enterprise.enterpriseType,
      scopeCodes,
      expectedAnnualSalesFen: salesFen,
      requestGeneral: request.requestGeneral,
    });

    const registeredOn = todayInChina();
    const taxpayer = await withTaxLicence(
      ctx,
      key,
      registeredOn,
      {
        typeCode: "TAXREG",
        holderId: creditCode,
        caseId,
        prerequisiteTypeCodes: ["BL"],
        fields: {
          taxpayer_type: taxpayerTypeName(profile.taxpayerType),
          tax_authority: profile.taxAuthority,
          tax_types: joinTaxTypes(profile.taxTypes),
          registered_on: registeredOn,
        },
      },
      async (licence, live) => {
        const newTaxpayer: NewTaxpayer = {
          creditCode,
          name: enterprise.name,
          enterpriseType: enterprise.enterpriseType,
          regionCode: enterprise.regionCode,
          scopeCodes,
          ...profile,
          address: enterprise.address,
          legalRepresentativeName: enterprise.legalRepresentativeName,
          expectedAnnualSales: request.expectedAnnualSales,
          registrationLicenceNumber: licence.number,
          caseId,
        };
        try {
          // The licence's voided check and the insert travel with the key's claim; a voided licence
          // rolls the insert back with the rest.
          const insert = taxpayerInsert(newTaxpayer);
          return await once(
            db,
            scope,
            key,
            request,
            async (tx, [voided, inserted]) => {
              live.check(voided);
              return registerTaxpayer(tx, newTaxpayer, { statement: insert, result: inserted });
            },
            [live.read, insert],
          );
        } catch (err) {
          // Another registration of this enterprise committed while we were asking: our licence is surplus.
          if (["ALREADY_REGISTERED", "TAXPAYER_CLEARED"].includes(reasonCodeOf(err) ?? "")) {
            await voidTaxLicence(db, ctx, licence.number);
          }
          throw err;
        }
      },
    );
    contextLogger(ctx).info({ creditCode, taxpayerType: taxpayer.taxpayerType }, "taxpayer registered");
    emitEvent(ctx, "tax.taxpayerRegistered", {
      creditCode,
      taxpayerType: taxpayer.taxpayerType,
      taxTypes: taxpayer.taxTypes,
      licenceNumber: taxpayer.registrationLicenceNumber,
      caseId,
    });
    return taxpayer;
  });
}

/**
 * Undoes a registration (compensation): the TAXREG licence is revoked, grants and withholding
 * registrations end, the taxpayer is CANCELLED. Repeating it, with any key, changes nothing more.
 */
export async function cancelRegistration(db: Database, ctx: Ctx, p: CancelTaxpayerRegistrationRequest): Promise<Taxpayer> {
  const caller = callerDepartment(ctx);
  const { key, request } = checkCancelTaxpayer(p);
  const scope = `${caller}:cancelTaxpayerRegistration`;
  return answerOnce<Taxpayer>(db, scope, key, request, async () => {
    const current = await loadTaxpayer(db, request.creditCode);
    if (current.status === TaxpayerStatus.TAXPAYER_STATUS_CANCELLED) return toTaxpayer(current);
    assertCancellable(request.creditCode, current.status);

    await revokeTaxLicence(ctx, current.registration_licence_number, request.reason, deriveKey(key, "licence"));
    const taxpayer = await onceForTaxpayer(db, scope, key, request, request.creditCode, async (tx, row) => {
      // A concurrent cancellation got here first.
      if (row.status === TaxpayerStatus.TAXPAYER_STATUS_CANCELLED) return toTaxpayer(row);
      assertCancellable(request.creditCode, row.status);
      await withdrawGrantsOf(tx, request.creditCode, request.reason);
      await endWithholdingsOf(tx, request.creditCode, request.reason);
      return setTaxpayerStatus(tx, request.creditCode, TaxpayerStatus.TAXPAYER_STATUS_CANCELLED, request.reason);
    });
    contextLogger(ctx).info({ creditCode: request.creditCode }, "taxpayer registration cancelled");
    emitEvent(ctx, "tax.taxpayerCancelled", { creditCode: request.creditCode, reason: request.reason });
    return taxpayer;
  });
}
