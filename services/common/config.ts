/**
 * Configuration from environment variables, validated once at start.
 * A wrong value stops the process with a message naming the variable (see .env.example).
 */
import net from "node:net";
import path from "node:path";

/** Named ranges a trusted proxy may be given as (proxy-addr's, which Fastify uses). */
const PROXY_NAMES = ["loopback", "linklocal", "uniquelocal"];

export const ALL_SERVICES = ["identity", "licenses", "business-registration", "tax", "social-insurance", "gateway"] as const;
export type ServiceName = (typeof ALL_SERVICES)[number];

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The most synthetic people one seeding makes (SEED_POPULATION, `tongban-admin seed`, identity.seedPopulation). */
export const SEED_POPULATION_MAX = 5_000_000;

export interface Config {
  /** moleculer namespace: brokers only see others in the same namespace on one NATS. */
  namespace: string;
  /** Services this process hosts. */
  services: ServiceName[];
  /** nats:// URL; undefined = every service in this process on the in-process transport. */
  natsUrl?: string;
  /** postgres:// URL; undefined = embedded PGlite under dataDir. */
  databaseUrl?: string;
  databasePoolSize: number;
  /** redis:// URL; undefined = in-process cache, idempotency and rate-limit stores. */
  redisUrl?: string;
  dataDir: string;
  httpPort: number;
  grpcPort: number;
  /** Health-only HTTP port for processes without the gateway (unset: none). */
  healthPort?: number;
  /** Optional TLS for the gRPC edge (PEM file paths); both or neither. */
  grpcTlsCert?: string;
  grpcTlsKey?: string;
  /** Calls a department may make at the gRPC edge per minute. */
  grpcRateLimitPerMinute: number;
  /** Failed department authentications one client address may make in a minute before it is refused outright (each edge counts its own). */
  authFailuresPerMinute: number;
  /**
   * Reverse proxies in front of the portal (addresses, CIDR ranges, or loopback / linklocal /
   * uniquelocal): from them, the client address is taken from X-Forwarded-For (the nearest one not a
   * trusted proxy), for rate limits and logs. None by default: X-Forwarded-For is ignored.
   */
  trustedProxies: string[];
  /** A JSON file of the centre's own closed and open days (services/common/working-days.ts); none by default. */
  workdayOverrides?: string;
  /** moleculer's built-in metrics in GET /metrics (every call timed, no quantiles; services/common/broker.ts); METRICS=false turns them off. */
  metrics: boolean;
  /** Share (percent) of its committed time after which an open case's light turns yellow (红黄灯). */
  lightYellowPercent: number;
  /** Zipkin v2 endpoint base (e.g. http://zipkin:9411); set, it turns tracing on (tracing.ts). */
  tracingZipkinUrl?: string;
  /** Share of traces kept when tracing is on (0-1; default 1). */
  tracingSampleRate: number;
  /** Interval of the data-use log's chaining passes per schema (ms; 0: only when asked). */
  dataUseChainMs: number;
  /** Interval of the signed checkpoints of every data-use chain (ms; 0: only when asked). */
  dataUseCheckpointMs: number;
  /** Working days a department has to answer a bad rating (差评整改); default 5. */
  rectificationWorkingDays: number;
  /** Longest lifetime accepted for a department's signed token. */
  grpcTokenMaxAgeSeconds: number;
  logLevel: LogLevel;
  nodeId?: string;
  /** moleculer request timeout for calls on the bus. */
  requestTimeoutMs: number;
  licenseSigningAlgorithm: "SM2-SM3" | "ED25519";
  /** JSON {department: credit code} of the licence-issuing bodies, over the built-in ones (services/licenses/authorities.ts). */
  licenceIssuerCodes?: string;
  /** JSON {licence type: 21-character GB/T 36904 type code}, over the built-in ones (services/licenses/authorities.ts). */
  licenceTypeCodes?: string;
  /** Master secret sealing the departments' private signing keys at rest. */
  licenseKeySecret?: string;
  /** Secret of the hub's query codes; shared by every gateway replica. */
  hubSecret?: string;
  /** How long a gateway replica holds a step it dispatches before another may take it over. */
  orchestratorLeaseSeconds: number;
  /**
   * Interval of the orchestrator's safety-net sweep over due rows (retries, expired leases, lost
   * events), in ms (0: off); progress itself is driven by events, not by this sweep.
   */
  orchestratorSweepMs: number;
  /** Department calls one gateway replica makes at once; more wait in the due queue, oldest first. */
  orchestratorMaxInFlight: number;
  /** V8's heap growing factor as a percentage over 1 (heap.ts); 0: V8's own. */
  heapGrowingPercent: number;
  /** Persons the identity service seeds into an empty registry at start (0 = none). */
  seedPopulation: number;
  /** Create development credentials for every department under DATA_DIR/credentials at start. */
  devCredentials: boolean;
}

/** Raised when the environment holds an invalid value; lists every problem found. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

/** Reads and validates the configuration; throws ConfigError naming each bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  };
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return def;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return def;
    }
    return Number(raw);
  };
  const url = (name: string, schemes: string[]): string | undefined => {
    const raw = read(name);
    if (raw === undefined) return undefined;
    // NATS accepts a comma-separated server list.
    for (const part of raw.split(",")) {
      let parsed: URL | undefined;
      try {
        parsed = new URL(part.trim());
      } catch {
        parsed = undefined;
      }
      if (!parsed || !schemes.includes(parsed.protocol.replace(/:$/, ""))) {
        problems.push(`${name} must be a URL starting with ${schemes.map((s) => `${s}://`).join(" or ")} (got "${part}")`);
        return undefined;
      }
    }
    return raw;
  };
  const bool = (name: string, def: boolean): boolean => {
    const raw = read(name);
    if (raw === undefined) return def;
    if (!["true", "false", "1", "0"].includes(raw)) {
      problems.push(`${name} must be true or false (got "${raw}")`);
      return def;
    }
    return raw === "true" || raw === "1";
  };
  const fraction = (name: string, def: number): number => {
    const raw = read(name);
    if (raw === undefined) return def;
    if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(raw)) {
      problems.push(`${name} must be a number from 0 to 1 (got "${raw}")`);
      return def;
    }
    return Number(raw);
  };
  const proxies = (name: string): string[] => {
    const raw = read(name);
    if (raw === undefined) return [];
    const out: string[] = [];
    for (const part of raw.split(",").map((p) => p.trim()).filter(Boolean)) {
      const [address, prefix, extra] = part.split("/");
      const family = net.isIP(address);
      const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
      if (PROXY_NAMES.includes(part) || (family !== 0 && prefixOk && extra === undefined)) out.push(part);
      else problems.push(`${name} must list IP addresses or CIDR ranges (or ${PROXY_NAMES.join(", ")}), comma-separated (got "${part}")`);
    }
    return out;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], def: T): T => {
    const raw = read(name);
    if (raw === undefined) return def;
    if (!allowed.includes(raw as T)) {
      problems.push(`${name} must be one of ${allowed.join(", ")} (got "${raw}")`);
      return def;
    }
    return raw as T;
  };

  const servicesRaw = read("SERVICES");
  let services: ServiceName[] = [...ALL_SERVICES];
  if (servicesRaw !== undefined) {
    const names = servicesRaw.split(",").map((s) => s.trim()).filter(Boolean);
    const unknown = names.filter((n) => !(ALL_SERVICES as readonly string[]).includes(n));
    if (unknown.length > 0 || names.length === 0) {
      problems.push(`SERVICES must be a comma-separated list of ${ALL_SERVICES.join(", ")} (unknown: "${unknown.join(",") || servicesRaw}")`);
    } else {
      services = [...new Set(names)] as ServiceName[];
    }
  }

  const grpcTlsCert = read("GRPC_TLS_CERT");
  const grpcTlsKey = read("GRPC_TLS_KEY");
  if (Boolean(grpcTlsCert) !== Boolean(grpcTlsKey)) {
    problems.push("GRPC_TLS_CERT and GRPC_TLS_KEY must be set together (or neither)");
  }
  const licenseKeySecret = read("LICENSE_KEY_SECRET");
  if (licenseKeySecret !== undefined && licenseKeySecret.length < 32) {
    problems.push(`LICENSE_KEY_SECRET must be at least 32 characters (got ${licenseKeySecret.length})`);
  }
  const nodeId = read("NODE_ID");
  if (nodeId !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(nodeId)) {
    problems.push(`NODE_ID must be 1-64 letters, digits, dots, dashes or underscores (got "${nodeId}")`);
  }

  const namespace = read("TONGBAN_NAMESPACE") ?? "tongban";
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(namespace)) {
    problems.push(`TONGBAN_NAMESPACE must be 1-64 letters, digits, dashes or underscores (got "${namespace}")`);
  }

  const config: Config = {
    namespace,
    services,
    natsUrl: url("NATS_URL", ["nats", "tls"]),
    databaseUrl: url("DATABASE_URL", ["postgres", "postgresql"]),
    databasePoolSize: int("DATABASE_POOL_SIZE", 10, 1, 200),
    redisUrl: url("REDIS_URL", ["redis", "rediss"]),
    dataDir: path.resolve(read("DATA_DIR") ?? "data"),
    httpPort: int("PORT", 8080, 0, 65535),
    grpcPort: int("GRPC_PORT", 50051, 0, 65535),
    healthPort: read("HEALTH_PORT") === undefined ? undefined : int("HEALTH_PORT", 0, 0, 65535),
    grpcTlsCert,
    grpcTlsKey,
    grpcRateLimitPerMinute: int("GRPC_RATE_LIMIT_PER_MINUTE", 1200, 1, 1_000_000),
    authFailuresPerMinute: int("AUTH_FAILURES_PER_MINUTE", 30, 1, 1_000_000),
    trustedProxies: proxies("TRUSTED_PROXIES"),
    workdayOverrides: read("WORKDAY_OVERRIDES"),
    lightYellowPercent: int("LIGHT_YELLOW_PERCENT", 90, 1, 99),
    rectificationWorkingDays: int("RECTIFICATION_WORKING_DAYS", 5, 1, 60),
    dataUseChainMs: int("DATA_USE_CHAIN_MS", 1000, 0, 3_600_000),
    dataUseCheckpointMs: int("DATA_USE_CHECKPOINT_MS", 60_000, 0, 86_400_000),
    tracingZipkinUrl: url("TRACING_ZIPKIN_URL", ["http", "https"]),
    tracingSampleRate: fraction("TRACING_SAMPLE_RATE", 1),
    metrics: bool("METRICS", true),
    grpcTokenMaxAgeSeconds: int("GRPC_TOKEN_MAX_AGE_SECONDS", 300, 10, 86_400),
    logLevel: oneOf("LOG_LEVEL", LOG_LEVELS, "info"),
    nodeId,
    requestTimeoutMs: int("REQUEST_TIMEOUT_MS", 10_000, 100, 600_000),
    licenseSigningAlgorithm: oneOf("LICENSE_SIGNING_ALGORITHM", ["SM2-SM3", "ED25519"] as const, "SM2-SM3"),
    licenseKeySecret,
    licenceIssuerCodes: read("LICENCE_ISSUER_CODES"),
    licenceTypeCodes: read("LICENCE_TYPE_CODES"),
    hubSecret: read("HUB_SECRET"),
    orchestratorLeaseSeconds: int("ORCHESTRATOR_LEASE_SECONDS", 30, 2, 600),
    // 0 turns the sweep off (tests of event-driven progress); retries and expired leases then wait.
    orchestratorSweepMs: int("ORCHESTRATOR_SWEEP_MS", 1000, 0, 60_000),
    orchestratorMaxInFlight: int("ORCHESTRATOR_MAX_IN_FLIGHT", 128, 1, 10_000),
    heapGrowingPercent: int("HEAP_GROWING_PERCENT", 30, 0, 300),
    // The embedded default is for trying the hub: it comes with people and department keys.
    seedPopulation: int("SEED_POPULATION", read("DATABASE_URL") ? 0 : 10_000, 0, SEED_POPULATION_MAX),
    devCredentials: bool("DEV_CREDENTIALS", !read("DATABASE_URL")),
  };
  // On a shared database several licences replicas must open the same sealed keys: a per-machine
  // secret would leave each replica unable to read the others' keys.
  if (config.databaseUrl && licenseKeySecret === undefined && services.includes("licenses")) {
    problems.push("LICENSE_KEY_SECRET is required when the licenses service runs on DATABASE_URL (every replica needs the same secret)");
  }
  const hubSecret = read("HUB_SECRET");
  if (hubSecret !== undefined && hubSecret.length < 32) problems.push(`HUB_SECRET must be at least 32 characters (got ${hubSecret.length})`);
  if (config.databaseUrl && hubSecret === undefined && services.includes("gateway")) {
    problems.push("HUB_SECRET is required when the gateway runs on DATABASE_URL (every replica needs the same secret)");
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
