import path from "node:path";
import { ALL_SERVICES, ConfigError, loadConfig } from "../../../services/common/config";

/** Runs loadConfig expecting a ConfigError and returns it. */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe("loadConfig defaults", () => {
  it("gives the documented defaults for an empty environment", () => {
    const c = loadConfig({});
    expect(c).toEqual({
      namespace: "tongban",
      services: ["identity", "licenses", "business-registration", "tax", "social-insurance", "gateway"],
      natsUrl: undefined,
      databaseUrl: undefined,
      databasePoolSize: 10,
      redisUrl: undefined,
      dataDir: path.resolve("data"),
      httpPort: 8080,
      grpcPort: 50051,
      healthPort: undefined,
      grpcTlsCert: undefined,
      grpcTlsKey: undefined,
      grpcRateLimitPerMinute: 1200,
      authFailuresPerMinute: 30,
      trustedProxies: [],
      workdayOverrides: undefined,
      lightYellowPercent: 90,
      rectificationWorkingDays: 5,
      dataUseChainMs: 1000,
      dataUseCheckpointMs: 60_000,
      tracingZipkinUrl: undefined,
      tracingSampleRate: 1,
      metrics: true,
      grpcTokenMaxAgeSeconds: 300,
      logLevel: "info",
      nodeId: undefined,
      requestTimeoutMs: 10_000,
      licenseSigningAlgorithm: "SM2-SM3",
      licenseKeySecret: undefined,
      licenceIssuerCodes: undefined,
      licenceTypeCodes: undefined,
      hubSecret: undefined,
      orchestratorLeaseSeconds: 30,
      orchestratorSweepMs: 1000,
      orchestratorMaxInFlight: 128,
      heapGrowingPercent: 30,
      seedPopulation: 10_000,
      devCredentials: true,
    });
  });

  it("treats blank and whitespace-only values as unset", () => {
    const c = loadConfig({ PORT: "", GRPC_PORT: "   ", SERVICES: " ", LOG_LEVEL: "", DATABASE_URL: "  " });
    expect(c.httpPort).toBe(8080);
    expect(c.grpcPort).toBe(50051);
    expect(c.services).toEqual([...ALL_SERVICES]);
    expect(c.logLevel).toBe("info");
    expect(c.databaseUrl).toBeUndefined();
    expect(c.seedPopulation).toBe(10_000);
    expect(c.devCredentials).toBe(true);
  });

  it("does not read process.env when an env object is passed", () => {
    const saved = process.env.PORT;
    process.env.PORT = "1234";
    try {
      expect(loadConfig({}).httpPort).toBe(8080);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });

  it("does not seed people or create dev credentials by default when DATABASE_URL is set", () => {
    const c = loadConfig({ DATABASE_URL: "postgres://u:p@db:5432/tongban", LICENSE_KEY_SECRET: "s".repeat(32), HUB_SECRET: "h".repeat(32) });
    expect(c.databaseUrl).toBe("postgres://u:p@db:5432/tongban");
    expect(c.seedPopulation).toBe(0);
    expect(c.devCredentials).toBe(false);
  });

  it("lets SEED_POPULATION and DEV_CREDENTIALS be set explicitly either way", () => {
    const withDb = loadConfig({ DATABASE_URL: "postgresql://db/x", SEED_POPULATION: "500", DEV_CREDENTIALS: "true", SERVICES: "identity" });
    expect(withDb.seedPopulation).toBe(500);
    expect(withDb.devCredentials).toBe(true);
    const embedded = loadConfig({ SEED_POPULATION: "0", DEV_CREDENTIALS: "0" });
    expect(embedded.seedPopulation).toBe(0);
    expect(embedded.devCredentials).toBe(false);
    expect(loadConfig({ DEV_CREDENTIALS: "1" }).devCredentials).toBe(true);
    expect(loadConfig({ DEV_CREDENTIALS: "false" }).devCredentials).toBe(false);
  });
});

describe("loadConfig accepted values", () => {
  it("reads every valid setting", () => {
    const c = loadConfig({
      TONGBAN_NAMESPACE: "prod_hz-1",
      SERVICES: " licenses , identity,licenses ",
      NATS_URL: "nats://a:4222, tls://b:4222",
      DATABASE_URL: "postgres://db/tongban",
      DATABASE_POOL_SIZE: "200",
      REDIS_URL: "rediss://cache:6380",
      DATA_DIR: "/var/lib/tongban",
      PORT: "0",
      GRPC_PORT: "65535",
      GRPC_TLS_CERT: "/etc/tls/cert.pem",
      GRPC_TLS_KEY: "/etc/tls/key.pem",
      GRPC_RATE_LIMIT_PER_MINUTE: "60",
      GRPC_TOKEN_MAX_AGE_SECONDS: "10",
      LOG_LEVEL: "debug",
      NODE_ID: "node-1.hz_a",
      REQUEST_TIMEOUT_MS: "100",
      LICENSE_SIGNING_ALGORITHM: "ED25519",
      LICENSE_KEY_SECRET: "x".repeat(32),
      HEAP_GROWING_PERCENT: "0",
    });
    expect(c.namespace).toBe("prod_hz-1");
    expect(c.heapGrowingPercent).toBe(0);
    expect(c.services).toEqual(["licenses", "identity"]);
    expect(c.natsUrl).toBe("nats://a:4222, tls://b:4222");
    expect(c.databaseUrl).toBe("postgres://db/tongban");
    expect(c.databasePoolSize).toBe(200);
    expect(c.redisUrl).toBe("rediss://cache:6380");
    expect(c.dataDir).toBe(path.resolve("/var/lib/tongban"));
    expect(c.httpPort).toBe(0);
    expect(c.grpcPort).toBe(65535);
    expect(c.grpcTlsCert).toBe("/etc/tls/cert.pem");
    expect(c.grpcTlsKey).toBe("/etc/tls/key.pem");
    expect(c.grpcRateLimitPerMinute).toBe(60);
    expect(c.grpcTokenMaxAgeSeconds).toBe(10);
    expect(c.logLevel).toBe("debug");
    expect(c.nodeId).toBe("node-1.hz_a");
    expect(c.requestTimeoutMs).toBe(100);
    expect(c.licenseSigningAlgorithm).toBe("ED25519");
    expect(c.licenseKeySecret).toBe("x".repeat(32));
  });

  it("trims values", () => {
    const c = loadConfig({ PORT: " 9000 ", TONGBAN_NAMESPACE: "  ns  ", LOG_LEVEL: " warn " });
    expect(c.httpPort).toBe(9000);
    expect(c.namespace).toBe("ns");
    expect(c.logLevel).toBe("warn");
  });
});

describe("loadConfig rejects invalid values, naming the variable", () => {
  it.each<[string, Record<string, string>, string]>([
    ["PORT not a number", { PORT: "abc" }, "PORT"],
    ["PORT negative", { PORT: "-1" }, "PORT"],
    ["PORT fractional", { PORT: "80.5" }, "PORT"],
    ["GRPC_PORT above 65535", { GRPC_PORT: "70000" }, "GRPC_PORT"],
    ["DATABASE_POOL_SIZE zero", { DATABASE_POOL_SIZE: "0" }, "DATABASE_POOL_SIZE"],
    ["GRPC_TOKEN_MAX_AGE_SECONDS below 10", { GRPC_TOKEN_MAX_AGE_SECONDS: "9" }, "GRPC_TOKEN_MAX_AGE_SECONDS"],
    ["REQUEST_TIMEOUT_MS above 600000", { REQUEST_TIMEOUT_MS: "600001" }, "REQUEST_TIMEOUT_MS"],
    ["SEED_POPULATION not a number", { SEED_POPULATION: "lots" }, "SEED_POPULATION"],
    ["NATS_URL with an http scheme", { NATS_URL: "http://x" }, "NATS_URL"],
    ["NATS_URL list with one bad server", { NATS_URL: "nats://a:4222,http://b:4222" }, "NATS_URL"],
    ["DATABASE_URL with a mysql scheme", { DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    ["REDIS_URL that is not a URL", { REDIS_URL: "foo" }, "REDIS_URL"],
    ["SERVICES with an unknown name", { SERVICES: "identity,bogus" }, "SERVICES"],
    ["SERVICES with only commas", { SERVICES: ",," }, "SERVICES"],
    ["LOG_LEVEL not a level", { LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    ["LICENSE_SIGNING_ALGORITHM unknown", { LICENSE_SIGNING_ALGORITHM: "RSA" }, "LICENSE_SIGNING_ALGORITHM"],
    ["LICENSE_KEY_SECRET too short", { LICENSE_KEY_SECRET: "x".repeat(31) }, "LICENSE_KEY_SECRET"],
    ["GRPC_TLS_CERT without GRPC_TLS_KEY", { GRPC_TLS_CERT: "/etc/tls/cert.pem" }, "GRPC_TLS_CERT"],
    ["GRPC_TLS_KEY without GRPC_TLS_CERT", { GRPC_TLS_KEY: "/etc/tls/key.pem" }, "GRPC_TLS_KEY"],
    ["DEV_CREDENTIALS not a boolean", { DEV_CREDENTIALS: "maybe" }, "DEV_CREDENTIALS"],
    ["TONGBAN_NAMESPACE with a space", { TONGBAN_NAMESPACE: "my ns" }, "TONGBAN_NAMESPACE"],
    ["TONGBAN_NAMESPACE too long", { TONGBAN_NAMESPACE: "n".repeat(65) }, "TONGBAN_NAMESPACE"],
    ["NODE_ID with a slash", { NODE_ID: "a/b" }, "NODE_ID"],
  ])("%s", (_label, env, variable) => {
    const err = configError(env);
    expect(err.name).toBe("ConfigError");
    expect(err.problems).toHaveLength(1);
    // The problem names the variable as a whole word (so "PORT" is not satisfied by "GRPC_PORT").
    expect(err.problems[0]).toMatch(new RegExp(`(^|[^A-Z_])${variable}([^A-Z_]|$)`));
    expect(err.message).toContain(err.problems[0]);
    expect(err.message.startsWith("Invalid configuration:")).toBe(true);
  });

  it("quotes the offending value", () => {
    expect(configError({ PORT: "abc" }).problems[0]).toContain('"abc"');
    expect(configError({ GRPC_PORT: "70000" }).problems[0]).toContain("0 to 65535");
    expect(configError({ SERVICES: "identity,bogus" }).problems[0]).toContain("bogus");
    expect(configError({ LICENSE_KEY_SECRET: "short" }).problems[0]).toContain("got 5");
    expect(configError({ HEAP_GROWING_PERCENT: "301" }).problems[0]).toMatch(/^HEAP_GROWING_PERCENT .*0 to 300/);
  });

  it("lists every problem at once, one per line", () => {
    const err = configError({
      PORT: "abc",
      GRPC_PORT: "70000",
      NATS_URL: "http://x",
      DATABASE_URL: "mysql://x",
      REDIS_URL: "foo",
      SERVICES: "identity,bogus",
      LOG_LEVEL: "loud",
      LICENSE_KEY_SECRET: "too-short",
      GRPC_TLS_CERT: "/cert.pem",
      DEV_CREDENTIALS: "maybe",
      TONGBAN_NAMESPACE: "has space",
    });
    const named = err.problems.map((p) => p.split(" ")[0]).sort();
    expect(named).toEqual(
      [
        "PORT",
        "GRPC_PORT",
        "NATS_URL",
        "DATABASE_URL",
        "REDIS_URL",
        "SERVICES",
        "LOG_LEVEL",
        "LICENSE_KEY_SECRET",
        "GRPC_TLS_CERT",
        "DEV_CREDENTIALS",
        "TONGBAN_NAMESPACE",
      ].sort(),
    );
    for (const p of err.problems) expect(err.message).toContain(`\n  - ${p}`);
  });
});

describe("LICENSE_KEY_SECRET on a shared database", () => {
  it("is required when licenses runs on DATABASE_URL, and only then", () => {
    expect(() => loadConfig({ DATABASE_URL: "postgres://db/x" })).toThrow(/LICENSE_KEY_SECRET is required when the licenses service runs on DATABASE_URL/);
    expect(loadConfig({ DATABASE_URL: "postgres://db/x", SERVICES: "identity,gateway", HUB_SECRET: "h".repeat(32) }).licenseKeySecret).toBeUndefined();
    expect(loadConfig({}).licenseKeySecret).toBeUndefined();
  });
});

describe("HUB_SECRET on a shared database", () => {
  it("is required when the gateway runs on DATABASE_URL, and must be long enough", () => {
    expect(() => loadConfig({ DATABASE_URL: "postgres://db/x", SERVICES: "gateway" })).toThrow(/HUB_SECRET is required when the gateway runs on DATABASE_URL/);
    expect(() => loadConfig({ HUB_SECRET: "short" })).toThrow(/HUB_SECRET must be at least 32 characters \(got 5\)/);
    expect(loadConfig({ DATABASE_URL: "postgres://db/x", SERVICES: "gateway", HUB_SECRET: "h".repeat(32) }).hubSecret).toBe("h".repeat(32));
  });
});

describe("TRUSTED_PROXIES", () => {
  it("takes addresses, CIDR ranges and proxy-addr's named ranges; none by default", () => {
    expect(loadConfig({}).trustedProxies).toEqual([]);
    expect(loadConfig({ TRUSTED_PROXIES: " 10.0.0.0/8, 192.168.1.10 ,::1, fd00::/8, loopback" }).trustedProxies).toEqual(["10.0.0.0/8", "192.168.1.10", "::1", "fd00::/8", "loopback"]);
  });

  it.each(["10.0.0.0/33", "::1/129", "proxy.example", "10.0.0.1/8/1", "10.0.0", "*"])("refuses %p naming the variable", (value) => {
    expect(() => loadConfig({ TRUSTED_PROXIES: value })).toThrow(new RegExp(`TRUSTED_PROXIES must list IP addresses or CIDR ranges .*\\(got "${value.replace(/[.*/]/g, "\\$&")}"\\)`));
  });
});
