/**
 * A gRPC client built independently from the proto files (@grpc/proto-loader, not the ts-proto
 * client), as a department back-office would build one.
 */
import fs from "node:fs";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { SERVED_SERVICES } from "../../services/common/contracts";
import { projectPath } from "../../services/common/paths";
import { signDepartmentToken, type DepartmentCredential } from "../../services/common/department-token";

const PROTO_DIR = projectPath("proto");
const HEALTH_PROTO = require.resolve("grpc-health-check/proto/health/v1/health.proto");
const REFLECTION_PROTO = path.join(path.dirname(require.resolve("@grpc/reflection/package.json")), "build/proto/grpc/reflection/v1/reflection.proto");

const definition = protoLoader.loadSync(
  [...SERVED_SERVICES.map((s) => s.protoFile), HEALTH_PROTO, REFLECTION_PROTO],
  { includeDirs: [PROTO_DIR], longs: String, enums: String, defaults: true },
);
const pkg = grpc.loadPackageDefinition(definition) as any;

export type Credential = Pick<DepartmentCredential, "department" | "keyId" | "algorithm" | "privateKeyPem">;

/** Reads the development credential the identity process wrote for a department. */
export function readCredential(dataDir: string, department: string): Credential {
  return JSON.parse(fs.readFileSync(path.join(dataDir, "credentials", `${department}.json`), "utf8"));
}

export interface CallResult<T = any> {
  response: T;
}

/** Clients for the hub's services at one address, calling as one department or another. */
/** A department token for `as`: a new one for every call (the hub takes each token once, by its jti). */
export function tokenFor(as: Credential, now = Date.now()): string {
  return signDepartmentToken(as, 120, now);
}

export class HubClient {
  private readonly clients: Record<string, grpc.Client>;

  constructor(readonly address: string) {
    const insecure = grpc.credentials.createInsecure();
    const byPath = (fullName: string) => fullName.split(".").reduce((o, k) => o[k], pkg);
    this.clients = {
      // Every served service, by its short name (IdentityService, TaxService, ...).
      ...Object.fromEntries(SERVED_SERVICES.map((s) => [s.fullName.split(".").pop()!, new (byPath(s.fullName))(address, insecure)])),
      Health: new pkg.grpc.health.v1.Health(address, insecure),
      ServerReflection: new pkg.grpc.reflection.v1.ServerReflection(address, insecure),
    };
  }

  /** Calls `Service/Method` with a token for `as` (or raw metadata); rejects with the ServiceError. */
  call<T = any>(
    target: string,
    request: object,
    as?: Credential,
    extra: Record<string, string> = {},
  ): Promise<T> {
    const [service, method] = target.split("/");
    const client = this.clients[service] as any;
    const metadata = new grpc.Metadata();
    if (as) metadata.set("authorization", `Bearer ${tokenFor(as)}`);
    for (const [k, v] of Object.entries(extra)) metadata.set(k, v);
    return new Promise((resolve, reject) => {
      client[method](request, metadata, { deadline: Date.now() + 20_000 }, (err: grpc.ServiceError | null, res: T) =>
        err ? reject(err) : resolve(res),
      );
    });
  }

  /** Sends raw bytes as the request of `Service/Method` (hostile input that no client library would encode). */
  callRaw(target: string, bytes: Buffer, as?: Credential): Promise<Buffer> {
    const [service, method] = target.split("/");
    const fullName = SERVED_SERVICES.find((s) => s.fullName.endsWith(`.${service}`))!.fullName;
    const metadata = new grpc.Metadata();
    if (as) metadata.set("authorization", `Bearer ${tokenFor(as)}`);
    return new Promise((resolve, reject) =>
      this.clients[service].makeUnaryRequest(`/${fullName}/${method}`, (b: Buffer) => b, (b: Buffer) => b, bytes, metadata, { deadline: Date.now() + 20_000 }, (err, res) =>
        err ? reject(err) : resolve(res as Buffer),
      ),
    );
  }

  /** grpc.health.v1 Check for a service name ("" = the server). */
  health(service: string): Promise<string> {
    return new Promise((resolve, reject) =>
      (this.clients.Health as any).check({ service }, (err: Error | null, res: { status: string }) => (err ? reject(err) : resolve(res.status))),
    );
  }

  /** Service names listed by server reflection. */
  reflectedServices(): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const stream = (this.clients.ServerReflection as any).serverReflectionInfo();
      stream.on("data", (msg: any) => {
        resolve((msg.listServicesResponse?.service ?? []).map((s: { name: string }) => s.name));
        stream.end();
      });
      stream.on("error", reject);
      stream.write({ listServices: "" });
    });
  }

  close() {
    for (const c of Object.values(this.clients)) c.close();
  }
}

/** Expects a call to fail with a gRPC status; returns the error for further checks. */
export async function expectStatus(promise: Promise<unknown>, code: grpc.status): Promise<grpc.ServiceError> {
  try {
    await promise;
  } catch (err) {
    const e = err as grpc.ServiceError;
    if (e.code !== code) throw new Error(`expected ${grpc.status[code]}, got ${grpc.status[e.code]}: ${e.details}`);
    return e;
  }
  throw new Error(`expected ${grpc.status[code]}, but the call succeeded`);
}

/** Waits until the edge reports the services SERVING (it sees them on the bus); default: all it serves. */
export async function waitUntilServing(client: HubClient, names = SERVED_SERVICES.map((s) => s.fullName), timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(names.map((n) => client.health(n).catch(() => "UNREACHABLE")));
    if (states.every((s) => s === "SERVING")) return;
    if (Date.now() > until) throw new Error(`not all services SERVING after ${timeoutMs} ms: ${names.map((n, i) => `${n}=${states[i]}`).join(", ")}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The gRPC services hosted by the identity and licences processes (the foundation topology). */
export const FOUNDATION_SERVICES = [
  "tongban.identity.v1.IdentityService",
  "tongban.identity.v1.DepartmentRegistryService",
  "tongban.licenses.v1.LicenceService",
];
