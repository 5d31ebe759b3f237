/**
 * The gRPC edge for department back-offices: serves every proto service the hub has, forwarding
 * each call onto the bus as the authenticated department. Health checking and server reflection
 * included. Order per call: route, authenticate, authorise, rate-limit, forward, map errors.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation } from "grpc-health-check";
import type { ServiceBroker, ServiceSchema } from "moleculer";
import { METHOD_ROUTES, SERVED_SERVICES, type MethodRoute } from "../../services/common/contracts";
import { TokenError } from "../../services/common/department-token";
import { rootLogger } from "../../services/common/logger";
import { projectPath } from "../../services/common/paths";
import type { Runtime } from "../../services/common/runtime";
import { mapError } from "../status-map";
import { AuthThrottled, CallerChecks, peerAddress } from "./caller-checks";
import { AnswerDefaults, tolerantEncoder } from "./answer-defaults";
import { countEdgeCall } from "../../services/common/edge-metrics";
import { rateLimited } from "../../services/common/metrics";
import { invalidArgument } from "../../services/common/errors";
import { canonicalText } from "../../services/common/validate";
import { HUB_APPLICATION_ID } from "../orchestrator/application-id";

type Unary = grpc.ServerUnaryCall<unknown, unknown>;

class EdgeError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

function bearerToken(metadata: grpc.Metadata): string {
  const value = metadata.get("authorization")[0];
  if (typeof value !== "string" || !/^Bearer\s+\S+$/i.test(value)) {
    throw new EdgeError(grpc.status.UNAUTHENTICATED, "send your department token as metadata 'authorization: Bearer <token>'");
  }
  return value.replace(/^Bearer\s+/i, "");
}

/** A request id from the caller (x-request-id) if sane, else a new one. */
function requestIdOf(metadata: grpc.Metadata): string {
  const given = metadata.get("x-request-id")[0];
  return typeof given === "string" && /^[A-Za-z0-9._-]{8,80}$/.test(given) ? given : crypto.randomUUID();
}

/**
 * The purpose a back-office states for a call, recorded with every use of personal data it makes
 * (data-use log): metadata `x-purpose-bin` (UTF-8) or `x-purpose` (percent-encoded UTF-8, RFC 3986,
 * as gRPC metadata is ASCII), at most STATED_PURPOSE_MAX characters of visible text. It is recorded
 * as the back-office's word, after the marker and method every back-office call carries
 * ("部门后台办件 (IdentityService/GetPerson)：核查纳税人身份"), so a stated purpose can never pass for
 * one the hub sets (a bundle's step, "开办企业：税务登记"). Unstated, the marker and method alone.
 * A purpose that is no text is INVALID_ARGUMENT naming x-purpose.
 */
export function purposeOfCall(metadata: grpc.Metadata, path: string): string {
  const bin = metadata.get("x-purpose-bin")[0];
  const text = metadata.get("x-purpose")[0];
  let given: string | undefined;
  if (Buffer.isBuffer(bin)) {
    try {
      given = new TextDecoder("utf-8", { fatal: true }).decode(bin);
    } catch {
      throw invalidArgument("x-purpose", "must be UTF-8 text");
    }
  } else if (typeof text === "string") {
    try {
      given = decodeURIComponent(text);
    } catch {
      throw invalidArgument("x-purpose", "must be percent-encoded UTF-8 (RFC 3986)");
    }
  }
  const marker = `部门后台办件 (${path.split(".").pop()})`;
  if (given === undefined || given.trim() === "") return marker;
  const purpose = canonicalText(given.trim(), "x-purpose");
  if ([...purpose].length > STATED_PURPOSE_MAX) throw invalidArgument("x-purpose", `must be at most ${STATED_PURPOSE_MAX} characters`);
  return `${marker}：${purpose}`;
}

/** Longest purpose a back-office may state (characters): with the marker it fits the log's 200. */
export const STATED_PURPOSE_MAX = 120;

/**
 * A back-office names its own case numbers freely; one that names a hub application (受理号) must be
 * an application its department has a step in: otherwise its read would be listed under someone's
 * application in their data-use view, as if the bundle had made it. PERMISSION_DENIED naming case_id.
 */
async function requireOwnCase(broker: ServiceBroker, department: string, request: unknown): Promise<void> {
  const caseId = (request as { caseId?: unknown } | null)?.caseId;
  if (typeof caseId !== "string" || !HUB_APPLICATION_ID.test(caseId)) return;
  const { participates } = await broker.call<{ participates: boolean }, object>("bundles.caseParticipant", { applicationId: caseId }, { meta: { caller: { department } } });
  if (!participates) throw new EdgeError(grpc.status.PERMISSION_DENIED, `case_id: ${caseId} is a hub application with no step of ${department}; name your own case`);
}

/** Loads the proto files for server reflection (independent of the generated code). */
function reflectionDefinition() {
  return protoLoader.loadSync(
    SERVED_SERVICES.map((s) => s.protoFile),
    { includeDirs: [projectPath("proto")], keepCase: true },
  );
}

/** A request that did not decode: its handler answers INVALID_ARGUMENT with the reason. */
class Undecodable {
  constructor(readonly reason: string) {}
}

/** A length-delimited protobuf string of exactly "__proto__" (its length byte, then the text). */
const PROTO_KEY = Buffer.concat([Buffer.from([9]), Buffer.from("__proto__")]);

/**
 * Wraps a method's request decoder. grpc-js answers a decoding failure with INTERNAL; here it is
 * the caller's error (INVALID_ARGUMENT). And a map key "__proto__" is refused outright: decoding
 * writes map entries into a plain object, where that key sets nothing and the entry would vanish
 * silently (it was dropped from a licence's signed fields).
 */
export function tolerantDecoder(decode: (bytes: Buffer) => unknown): (bytes: Buffer) => unknown {
  return (bytes: Buffer) => {
    if (bytes.includes(PROTO_KEY)) return new Undecodable("a string or map key of the request is \"__proto__\"");
    try {
      return decode(bytes);
    } catch (err) {
      return new Undecodable(`the request does not decode as its message type (${(err as Error).message})`);
    }
  };
}

/** Builds the handler of one unary method. */
function unaryHandler(broker: ServiceBroker, rt: Runtime, checks: CallerChecks, route: MethodRoute) {
  const log = rootLogger().child({ mod: "grpc-edge" });
  return async (call: Unary, callback: grpc.sendUnaryData<unknown>) => {
    const requestId = requestIdOf(call.metadata);
    const started = Date.now();
    let department = "";
    try {
      try {
        department = await checks.authenticate(bearerToken(call.metadata), peerAddress(call.getPeer()));
      } catch (err) {
        if (err instanceof AuthThrottled) throw new EdgeError(grpc.status.RESOURCE_EXHAUSTED, err.message);
        if (err instanceof TokenError || err instanceof EdgeError) throw new EdgeError(grpc.status.UNAUTHENTICATED, err.message);
        throw err;
      }
      if (!(await checks.isAllowed(department, route.path))) {
        throw new EdgeError(grpc.status.PERMISSION_DENIED, `department ${department} has no grant for ${route.path}`);
      }
      if (call.request instanceof Undecodable) throw new EdgeError(grpc.status.INVALID_ARGUMENT, `request: ${call.request.reason}`);
      const window = Math.floor(Date.now() / 60_000);
      const used = await rt.store.increment(`rate:${department}:${window}`, 61_000);
      if (used > rt.config.grpcRateLimitPerMinute) {
        rateLimited.inc({ limit: "department_calls" });
        throw new EdgeError(grpc.status.RESOURCE_EXHAUSTED, `rate limit of ${rt.config.grpcRateLimitPerMinute} calls a minute reached for ${department}`);
      }
      const deadline = call.getDeadline();
      const remaining = deadline instanceof Date ? deadline.getTime() - Date.now() : Number.isFinite(deadline) ? Number(deadline) - Date.now() : 0;
      const purpose = purposeOfCall(call.metadata, route.path);
      await requireOwnCase(broker, department, call.request);
      const result = await broker.call(route.action, call.request as object, {
        meta: { caller: { department }, purpose },
        requestID: requestId,
        // Each attempt on the bus gets the configured timeout (so a dead replica is retried on a live
        // one), never more than the caller's deadline leaves.
        ...(remaining > 0 ? { timeout: Math.min(remaining, rt.config.requestTimeoutMs) } : {}),
      });
      // A change of the department registry made through this edge holds here at once (read your own
      // writes); other edges follow the registry's departments.changed event.
      if (route.path.includes(".DepartmentRegistryService/")) checks.clear();
      call.sendMetadata(new grpc.Metadata());
      callback(null, result);
      countEdgeCall("grpc", route.path, "OK", department);
      log.debug({ requestId, method: route.path, department, ms: Date.now() - started }, "grpc ok");
    } catch (err) {
      try {
        const trailer = new grpc.Metadata();
        trailer.set("x-request-id", requestId);
        let code: grpc.status;
        let details: string;
        if (err instanceof EdgeError) {
          code = err.code;
          details = err.message;
        } else {
          const mapped = mapError(err);
          code = mapped.grpc;
          details = mapped.message;
          if (mapped.data?.reasonCode) setText(trailer, "reason-code", String(mapped.data.reasonCode));
          if (mapped.data?.field) setText(trailer, "field", String(mapped.data.field));
          if (!mapped.expose) log.error({ requestId, method: route.path, err }, "grpc call failed");
        }
        callback({ code, details, metadata: trailer });
        countEdgeCall("grpc", route.path, grpc.status[code] ?? String(code), department);
        log.info({ requestId, method: route.path, department, code: grpc.status[code], ms: Date.now() - started }, "grpc refused");
      } catch (failure) {
        // Answering the refusal failed: the call still gets an answer, and the process goes on.
        log.error({ requestId, method: route.path, err: failure, cause: err }, "grpc error answer failed");
        callback({ code: grpc.status.INTERNAL, details: `internal error (request ${requestId})` });
        countEdgeCall("grpc", route.path, "INTERNAL", department);
      }
    }
  };
}

/**
 * Sets a text trailer. Metadata values must be printable ASCII (grpc-js throws on anything else,
 * and a throw there once stopped the process): such a value is sent percent-encoded (RFC 3986, as
 * encodeURIComponent), and its UTF-8 bytes go in `<key>-bin` as well, which gRPC carries as binary.
 * A field named after a caller's map key, e.g. `fields.名称`, is the usual case.
 */
export function setText(metadata: grpc.Metadata, key: string, value: string): void {
  if (/^[\x20-\x7e]*$/.test(value)) {
    metadata.set(key, value);
    return;
  }
  // A lone surrogate (possible in a JSON string) has no UTF-8 form: U+FFFD stands for it.
  const wellFormed = value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
  metadata.set(key, encodeURIComponent(wellFormed));
  metadata.set(`${key}-bin`, Buffer.from(wellFormed, "utf8"));
}

/** The gRPC edge service schema: starts the server with the broker, stops it with the broker. */
export function grpcEdgeService(rt: Runtime): ServiceSchema {
  let server: grpc.Server | undefined;
  let checks: CallerChecks;
  let health: HealthImplementation;
  let poll: NodeJS.Timeout | undefined;
  let refreshHealth = () => undefined as void;

  return {
    name: "grpc-edge",
    events: {
      "departments.changed": {
        handler() {
          checks?.clear();
        },
      },
      // A node joined or left: health answers at once instead of at the next poll.
      "$services.changed": {
        handler() {
          refreshHealth();
        },
      },
    },
    actions: {
      /** The port the server is bound to (tests bind port 0). */
      port: { visibility: "public", handler: () => ({ port: (server as unknown as { boundPort?: number })?.boundPort }) },
    },
    async started() {
      checks = new CallerChecks(this.broker, rt.config.grpcTokenMaxAgeSeconds, rt.store, rt.config.authFailuresPerMinute, "grpc");
      server = new grpc.Server({ "grpc.max_receive_message_length": 4 * 1024 * 1024 });
      const protos = reflectionDefinition();
      const defaults = new AnswerDefaults(protos);
      const log = rootLogger().child({ mod: "grpc-edge" });
      for (const service of SERVED_SERVICES) {
        const impl: grpc.UntypedServiceImplementation = {};
        for (const key of Object.keys(service.definition)) {
          const route = METHOD_ROUTES.get(service.definition[key].path)!;
          const handle = unaryHandler(this.broker, rt, checks, route);
          // The handler answers every outcome itself; should it ever reject, the call still gets an answer.
          impl[key] = (call: Unary, callback: grpc.sendUnaryData<unknown>): void =>
            void handle(call, callback).catch(() => callback({ code: grpc.status.INTERNAL, details: "internal error" }));
        }
        const methods = protos[service.fullName] as Record<string, { responseType?: { type?: { name?: string } } }> | undefined;
        const scope = service.fullName.slice(0, service.fullName.lastIndexOf("."));
        const definition = Object.fromEntries(
          Object.entries(service.definition).map(([key, method]) => {
            const path = method.path;
            const responseName = `${scope}.${methods?.[path.slice(path.lastIndexOf("/") + 1)]?.responseType?.type?.name ?? ""}`;
            const responseSerialize = tolerantEncoder(
              method.responseSerialize as (value: unknown) => Buffer,
              (value) => defaults.fill(responseName, value),
              (err) => log.warn({ method: path, err: err.message }, "an answer lacked fields; sent with their defaults"),
            );
            return [key, { ...method, requestDeserialize: tolerantDecoder(method.requestDeserialize), responseSerialize }];
          }),
        ) as grpc.ServiceDefinition;
        server.addService(definition, impl);
      }
      // Health per served service follows whether its moleculer service is reachable on the bus.
      health = new HealthImplementation({ "": "SERVING" });
      health.addToServer(server);
      refreshHealth = () => {
        const available = new Set(
          this.broker.registry.getServiceList({ onlyAvailable: true, skipInternal: true }).map((s: { name: string }) => s.name),
        );
        for (const s of SERVED_SERVICES) {
          const up = available.has(s.moleculerService);
          health.setStatus(s.fullName, up ? "SERVING" : "NOT_SERVING");
        }
      };
      refreshHealth();
      poll = setInterval(refreshHealth, 1000).unref();
      new ReflectionService(protos).addToServer(server);

      const credentials =
        rt.config.grpcTlsCert && rt.config.grpcTlsKey
          ? grpc.ServerCredentials.createSsl(null, [
              { cert_chain: fs.readFileSync(rt.config.grpcTlsCert), private_key: fs.readFileSync(rt.config.grpcTlsKey) },
            ])
          : grpc.ServerCredentials.createInsecure();
      const port = await new Promise<number>((resolve, reject) =>
        server!.bindAsync(`0.0.0.0:${rt.config.grpcPort}`, credentials, (err, p) => (err ? reject(err) : resolve(p))),
      );
      (server as unknown as { boundPort: number }).boundPort = port;
      rt.health.register("grpc-edge", async () => {
        if (!server) throw new Error("gRPC server stopped");
      });
      this.logger.info(`gRPC edge listening on port ${port}`);
    },
    async stopped() {
      clearInterval(poll);
      rt.health.unregister("grpc-edge");
      const s = server;
      server = undefined;
      if (s) await new Promise<void>((resolve) => s.tryShutdown(() => resolve()));
    },
  };
}
