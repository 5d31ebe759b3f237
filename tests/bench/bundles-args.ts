/** Command-line arguments of the bundle benchmark (tests/bench/bundles.bench.ts). */

export type ConfigName = "embedded" | "pg" | "multi";
export type BundleCode = "START_BUSINESS" | "HIRE_EMPLOYEE";

export interface BenchArgs {
  configs: ConfigName[];
  clients: number[];
  seconds: number;
  bundles: BundleCode[];
  /** SEED_POPULATION of each hub: applicants and never-enrolled employees are drawn from it. */
  population: number;
  /** An application not finished this long after its submission counts as a failure (timeout). */
  appTimeoutSeconds: number;
  /** Duration of each baseline measurement. */
  baselineSeconds: number;
  /** How often a client polls its application's status (ms), or with statusWaitS the least time between reads. */
  pollMs: number;
  /** Seconds a status read waits for a change (If-None-Match + Prefer: wait); 0 polls every pollMs. */
  statusWaitS: number;
}

export const USAGE = `npm run bench:bundles -- [--config embedded|pg|multi|all] [--clients 8,32,64] [--seconds 20]
                       [--bundle START_BUSINESS|HIRE_EMPLOYEE|both] [--population 20000]
                       [--app-timeout 120] [--baseline-seconds 5] [--poll-ms 250] [--status-wait 20]`;

export function parseArgs(argv: string[]): BenchArgs {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") throw new Error(USAGE);
    if (!a.startsWith("--")) throw new Error(`unexpected argument "${a}"\n${USAGE}`);
    const eq = a.indexOf("=");
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith("--")) throw new Error(`${a} needs a value\n${USAGE}`);
      flags.set(a.slice(2), v);
      i++;
    }
  }
  const known = new Set(["config", "clients", "seconds", "bundle", "population", "app-timeout", "baseline-seconds", "poll-ms", "status-wait"]);
  for (const k of flags.keys()) if (!known.has(k)) throw new Error(`unknown option --${k}\n${USAGE}`);

  const config = flags.get("config") ?? "all";
  const configs: ConfigName[] = config === "all" ? ["embedded", "pg", "multi"] : (config.split(",") as ConfigName[]);
  for (const c of configs) if (!["embedded", "pg", "multi"].includes(c)) throw new Error(`--config: "${c}" is not embedded, pg, multi or all`);

  const clients = (flags.get("clients") ?? "8,32,64").split(",").map((s) => Number(s.trim()));
  if (clients.length === 0 || clients.some((c) => !Number.isInteger(c) || c < 1 || c > 1000)) throw new Error("--clients: a comma-separated list of integers 1-1000");

  const bundle = flags.get("bundle") ?? "both";
  const bundles: BundleCode[] =
    bundle === "both" ? ["START_BUSINESS", "HIRE_EMPLOYEE"] : bundle === "START_BUSINESS" || bundle === "HIRE_EMPLOYEE" ? [bundle] : [];
  if (bundles.length === 0) throw new Error(`--bundle: "${bundle}" is not START_BUSINESS, HIRE_EMPLOYEE or both`);

  const num = (name: string, dflt: number, min: number, max: number) => {
    const v = Number(flags.get(name) ?? dflt);
    if (!Number.isFinite(v) || v < min || v > max) throw new Error(`--${name}: a number from ${min} to ${max}`);
    return v;
  };
  return {
    configs: [...new Set(configs)],
    clients,
    seconds: num("seconds", 20, 1, 3600),
    bundles,
    population: Math.round(num("population", 20_000, 500, 2_000_000)),
    appTimeoutSeconds: num("app-timeout", 120, 5, 3600),
    baselineSeconds: num("baseline-seconds", 5, 1, 120),
    pollMs: Math.round(num("poll-ms", 250, 20, 5000)),
    statusWaitS: Math.round(num("status-wait", 20, 0, 30)),
  };
}
