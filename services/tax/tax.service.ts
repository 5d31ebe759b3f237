/**
 * tax: the tax bureau (税务) — new taxpayers, invoice grants, withholding registrations,
 * liabilities and clearance. Thin actions: field checks in requests.ts, rules in rules/, the
 * multi-service flows in register-taxpayer.ts, request-clearance.ts and enterprise-changes.ts, SQL
 * in the register modules.
 */
import { emitEvent } from "../common/events";
import type { Context, ServiceSchema } from "moleculer";
import type { Database } from "../common/db/database";
import { callerDepartment, type CallerMeta } from "../common/caller";
import { dataUseActions } from "../common/data-use-actions";
import { clientsFor } from "../common/clients";
import { permissionDenied } from "../common/errors";
import { purposeOf } from "../common/data-use-log";
import { once, answerOnce } from "../common/idempotency";
import { contextLogger } from "../common/logger";
import { openServiceDatabase, type Runtime } from "../common/runtime";
import type { DeliveredEvent } from "../common/subscriptions";
import { requireCaseId } from "../common/validate";
import { requireCreditCode } from "../identity/checks";
import {
  CancelTaxpayerRegistrationRequest,
  CancelWithholdingRequest,
  GetClearanceRequest,
  GetTaxpayerRequest,
  GrantInvoicesRequest,
  PayLiabilityRequest,
  RecordLiabilityRequest,
  RegisterTaxpayerRequest,
  RegisterWithholdingRequest,
  RequestClearanceRequest,
  RevokeClearanceRequest,
  WithdrawInvoiceGrantRequest,
  type Clearance,
  type InvoiceGrant,
  type Liability,
  type Taxpayer,
  type WithholdingRegistration,
} from "../../proto/gen/tongban/tax/v1/tax";
import { clearanceOf } from "./clearances";
import { followEnterpriseChange } from "./enterprise-changes";
import { insertGrant, withdrawGrant } from "./grants";
import { insertLiability, payLiability } from "./liabilities";
import { cancelRegistration, registerNewTaxpayer } from "./register-taxpayer";
import { requestClearance } from "./request-clearance";
import { revokeClearance } from "./revoke-clearance";
import * as checks from "./requests";
import { checkCreditLine } from "./rules/invoice-limits";
import { requireTaxType } from "./rules/tax-types";
import { onceForActiveTaxpayer, readTaxpayer, toTaxpayer } from "./taxpayers";
import { cancelWithholding, insertWithholding, refuseWithholdingOnLocalFacts } from "./withholdings";

type Ctx<P> = Context<P, CallerMeta>;

/** The department that assesses and collects: only it records liabilities and payments. */
const TAX_OFFICE = "tax";

const c = clientsFor(TAX_OFFICE);

/** The tax service schema. */
export function taxService(rt: Runtime): ServiceSchema {
  let db: Database;

  /** Refuses back-office actions to every department but tax. */
  const requireTaxOffice = (ctx: Ctx<unknown>, what: string) => {
    const caller = callerDepartment(ctx);
    if (caller !== TAX_OFFICE) throw permissionDenied(`only ${TAX_OFFICE} ${what}`);
    return caller;
  };

  return {
    name: "tax",
    actions: {
      ...dataUseActions(() => db),
      registerTaxpayer: (ctx: Ctx<RegisterTaxpayerRequest>): Promise<Taxpayer> =>
        registerNewTaxpayer(db, ctx, RegisterTaxpayerRequest.fromPartial(ctx.params ?? {})),
      cancelTaxpayerRegistration: (ctx: Ctx<CancelTaxpayerRegistrationRequest>): Promise<Taxpayer> =>
        cancelRegistration(db, ctx, CancelTaxpayerRegistrationRequest.fromPartial(ctx.params ?? {})),
      async getTaxpayer(ctx: Ctx<GetTaxpayerRequest>): Promise<Taxpayer> {
        const p = GetTaxpayerRequest.fromPartial(ctx.params ?? {});
        const caller = callerDepartment(ctx);
        const { creditCode } = requireCreditCode(p.creditCode);
        const caseId = requireCaseId(p.caseId);
        // Another department's read and its record are one statement.
        return toTaxpayer(await readTaxpayer(db, creditCode, caller === TAX_OFFICE ? undefined : { subjectId: creditCode, reader: caller, caseId, action: "get", what: "taxpayer", purpose: purposeOf(ctx) }));
      },
      async grantInvoices(ctx: Ctx<GrantInvoicesRequest>): Promise<InvoiceGrant> {
        const caller = callerDepartment(ctx);
        const { key, request, creditLineFen } = checks.checkGrantInvoices(GrantInvoicesRequest.fromPartial(ctx.params ?? {}));
        const grant = await onceForActiveTaxpayer(db, `${caller}:grantInvoices`, key, request, request.creditCode, (tx, taxpayer) =>
          insertGrant(tx, request.creditCode, creditLineFen, checkCreditLine(taxpayer.taxpayer_type, creditLineFen), request.caseId),
        );
        contextLogger(ctx).info({ creditCode: grant.creditCode, grantId: grant.grantId }, "invoices granted");
        emitEvent(ctx, "tax.invoicesGranted", { creditCode: grant.creditCode, grantId: grant.grantId, monthlyCreditLine: grant.monthlyCreditLine });
        return grant;
      },
      async withdrawInvoiceGrant(ctx: Ctx<WithdrawInvoiceGrantRequest>): Promise<InvoiceGrant> {
        const caller = callerDepartment(ctx);
        const { key, request } = checks.checkWithdrawGrant(WithdrawInvoiceGrantRequest.fromPartial(ctx.params ?? {}));
        return once(db, `${caller}:withdrawInvoiceGrant`, key, request, (tx) => withdrawGrant(tx, request.grantId, request.reason));
      },
      async registerWithholding(ctx: Ctx<RegisterWithholdingRequest>): Promise<WithholdingRegistration> {
        const caller = callerDepartment(ctx);
        const { key, request } = checks.checkRegisterWithholding(RegisterWithholdingRequest.fromPartial(ctx.params ?? {}));
        const { employerCreditCode: employer, employeeIdNumber, caseId } = request;
        const scope = `${caller}:registerWithholding`;
        return answerOnce<WithholdingRegistration>(db, scope, key, request, async () => {
          // Refused on local facts (one read) before the employee's record is read.
          await refuseWithholdingOnLocalFacts(db, employer, employeeIdNumber);
          const employee = await c.requirePerson(ctx, employeeIdNumber, caseId, "employee_id_number");
          return onceForActiveTaxpayer(db, scope, key, request, employer, (tx) => insertWithholding(tx, { ...request, employeeName: employee.name }));
        });
      },
      async cancelWithholding(ctx: Ctx<CancelWithholdingRequest>): Promise<WithholdingRegistration> {
        const caller = callerDepartment(ctx);
        const { key, request } = checks.checkCancelWithholding(CancelWithholdingRequest.fromPartial(ctx.params ?? {}));
        return once(db, `${caller}:cancelWithholding`, key, request, (tx) => cancelWithholding(tx, request.registrationId, request.reason));
      },
      async recordLiability(ctx: Ctx<RecordLiabilityRequest>): Promise<Liability> {
        const { key, request, amountFen } = checks.checkRecordLiability(RecordLiabilityRequest.fromPartial(ctx.params ?? {}));
        const caller = requireTaxOffice(ctx, "records tax liabilities");
        // The row lock orders this against a clearance of the same taxpayer.
        return onceForActiveTaxpayer(db, `${caller}:recordLiability`, key, request, request.creditCode, (tx, taxpayer) => {
          requireTaxType(request.creditCode, taxpayer.tax_types, request.taxType);
          return insertLiability(tx, { ...request, amountFen, recordedBy: caller });
        });
      },
      async payLiability(ctx: Ctx<PayLiabilityRequest>): Promise<Liability> {
        const { key, request } = checks.checkPayLiability(PayLiabilityRequest.fromPartial(ctx.params ?? {}));
        const caller = requireTaxOffice(ctx, "records tax payments");
        return once(db, `${caller}:payLiability`, key, request, (tx) => payLiability(tx, request.liabilityId));
      },
      requestClearance: (ctx: Ctx<RequestClearanceRequest>): Promise<Clearance> =>
        requestClearance(db, ctx, RequestClearanceRequest.fromPartial(ctx.params ?? {})),
      /** Compensation of requestClearance (revoke-clearance.ts). */
      revokeClearance: (ctx: Ctx<RevokeClearanceRequest>): Promise<Clearance> =>
        revokeClearance(db, ctx, RevokeClearanceRequest.fromPartial(ctx.params ?? {})),
      async getClearance(ctx: Ctx<GetClearanceRequest>): Promise<Clearance> {
        const p = GetClearanceRequest.fromPartial(ctx.params ?? {});
        return clearanceOf(db, requireCreditCode(p.creditCode).creditCode);
      },

      // Bus-only (not on the gRPC edge): enterprise events from business registration, delivered by its outbox.
      followEnterpriseChange: {
        visibility: "public",
        handler: (ctx: Ctx<DeliveredEvent>) => followEnterpriseChange(db, ctx, ctx.params),
      },
    },
    async started() {
      db = await openServiceDatabase(rt, "tax", "tax");
    },
  };
}
