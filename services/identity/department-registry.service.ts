/**
 * departments: member departments, their credentials for the gRPC edge, and the access rights
 * each owning department grants. Lives beside identity and shares its schema.
 */
import crypto from "node:crypto";
import type { Context, ServiceSchema } from "moleculer";
import type { Database } from "../common/db/database";
import { callerDepartment, type CallerMeta } from "../common/caller";
import { METHOD_ROUTES } from "../common/contracts";
import { invalidArgument, permissionDenied } from "../common/errors";
import { onceIfKeyed } from "../common/idempotency";
import { contextLogger } from "../common/logger";
import { openServiceDatabase, type Runtime } from "../common/runtime";
import {
  GrantAccessRequest,
  ListAccessGrantsRequest,
  RevokeAccessRequest,
  type AccessGrant,
  type ListAccessGrantsResponse,
  type ListDepartmentsResponse,
  type RevokeAccessResponse,
} from "../../proto/gen/tongban/identity/v1/departments";
import { ownerOf } from "./departments/method-owners";
import { requireText } from "../common/validate";
import * as registry from "./departments/registry";

type Ctx<P> = Context<P, CallerMeta>;

/** Checks a method path and a grantee, and that the caller owns the method. */
async function checkGrantRequest(db: Database, caller: string, method: string, grantee: string) {
  if (!METHOD_ROUTES.has(method)) {
    throw invalidArgument("method", `"${method}" is not a method the hub serves (write /<package>.<Service>/<Method>)`);
  }
  if (!(await registry.isMember(db, grantee))) throw invalidArgument("grantee", `"${grantee}" is not a member department`);
  const owner = ownerOf(method);
  if (owner !== caller) throw permissionDenied(`only the owning department (${owner}) may grant or revoke ${method}`);
}

/** Whether `pem` is a public key OpenSSL reads (at most 4 KB of text: keys are a few hundred bytes). */
function isPublicKeyPem(pem: unknown): pem is string {
  if (typeof pem !== "string" || pem.length > 4096) return false;
  try {
    return crypto.createPublicKey(pem).type === "public";
  } catch {
    return false;
  }
}

/** The department registry service schema. */
export function departmentRegistryService(rt: Runtime): ServiceSchema {
  let db: Database;
  return {
    name: "departments",
    actions: {
      listDepartments: {
        cache: { keys: [] },
        async handler(): Promise<ListDepartmentsResponse> {
          return { departments: await registry.listDepartments(db) };
        },
      },
      async grantAccess(ctx: Ctx<GrantAccessRequest>): Promise<AccessGrant> {
        const p = GrantAccessRequest.fromPartial(ctx.params ?? {});
        const caller = callerDepartment(ctx);
        await checkGrantRequest(db, caller, p.method, p.grantee);
        const result = await onceIfKeyed(db, `${caller}:grantAccess`, p.idempotencyKey, p, (tx) =>
          registry.grant(tx, p.method, p.grantee, caller),
        );
        contextLogger(ctx).info({ method: p.method, grantee: p.grantee }, "access granted");
        await ctx.broadcast("departments.changed", { method: p.method });
        return result;
      },
      async revokeAccess(ctx: Ctx<RevokeAccessRequest>): Promise<RevokeAccessResponse> {
        const p = RevokeAccessRequest.fromPartial(ctx.params ?? {});
        const caller = callerDepartment(ctx);
        await checkGrantRequest(db, caller, p.method, p.grantee);
        const result = await onceIfKeyed(db, `${caller}:revokeAccess`, p.idempotencyKey, p, async (tx) => ({
          revoked: await registry.revoke(tx, p.method, p.grantee),
        }));
        contextLogger(ctx).info({ method: p.method, grantee: p.grantee }, "access revoked");
        await ctx.broadcast("departments.changed", { method: p.method });
        return result;
      },
      listAccessGrants: {
        cache: { keys: ["grantee", "method"] },
        async handler(ctx: Ctx<ListAccessGrantsRequest>): Promise<ListAccessGrantsResponse> {
          const p = ListAccessGrantsRequest.fromPartial(ctx.params ?? {});
          return { grants: await registry.listGrants(db, p.grantee, p.method) };
        },
      },

      // Bus-only actions for the gRPC edge and administration; the edge does not expose them.
      credential: {
        cache: { keys: ["keyId"] },
        async handler(ctx: Ctx<{ keyId: string }>) {
          // A key id that is no text names no credential (String() of an object can throw).
          const keyId = ctx.params.keyId;
          return typeof keyId === "string" && keyId !== "" ? ((await registry.findCredential(db, keyId)) ?? null) : null;
        },
      },
      isAllowed: {
        cache: { keys: ["department", "method"] },
        async handler(ctx: Ctx<{ department: string; method: string }>) {
          const { department, method } = ctx.params;
          // An absent method has no owner: undefined === undefined must not read as "allowed".
          requireText(department, "department", 1, 64);
          requireText(method, "method", 1, 200);
          if (ownerOf(method) === department) return { allowed: true };
          return { allowed: (await registry.listGrants(db, department, method)).length > 0 };
        },
      },
      addCredential: {
        async handler(ctx: Ctx<registry.CredentialRecord>) {
          const c = { ...ctx.params, keyId: requireText(ctx.params.keyId, "key_id", 1, 128), department: requireText(ctx.params.department, "department", 1, 64) };
          if (!isPublicKeyPem(c.publicKeyPem)) throw invalidArgument("public_key_pem", "must be a public key in PEM (SPKI)");
          if (!(await registry.isMember(db, c.department))) throw invalidArgument("department", `${JSON.stringify(c.department)} is not a member department`);
          if (c.algorithm !== "ED25519" && c.algorithm !== "SM2-SM3") throw invalidArgument("algorithm", "must be ED25519 or SM2-SM3");
          await registry.addCredential(db, c);
          await ctx.broadcast("departments.changed", { department: c.department });
          return { keyId: c.keyId };
        },
      },
      departmentsWithCredentials: {
        async handler() {
          return [...(await registry.departmentsWithCredentials(db))];
        },
      },
    },
    events: {
      // Every replica (and every edge) drops cached grants and credentials when one changes.
      "departments.changed": {
        handler() {
          return this.broker.cacher?.clean("departments.**");
        },
      },
    },
    async started() {
      db = await openServiceDatabase(rt, "identity", "identity");
    },
  };
}
