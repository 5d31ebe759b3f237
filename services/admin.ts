/**
 * Administration commands, run as a short-lived process that joins the hub like any other:
 * over NATS when NATS_URL is set (the identity service answers on the bus), or on the embedded
 * default by opening identity's database itself (the hub must be stopped: PGlite is single-process).
 *
 *   tongban seed [--count 10000] [--seed 20261122]      load the synthetic population (repeatable)
 *   tongban credentials create --dept <code> [--algorithm ED25519|SM2-SM3] [--out <file>]
 *   tongban credentials add --dept <code> --public-key <spki.pem> [--algorithm ...]
 */
import fs from "node:fs";
import { SEED_POPULATION_MAX, type Config } from "./common/config";
import { createDepartmentCredential } from "./common/department-token";
import { keyIdFor, isSignatureAlgorithm } from "./licenses/signing/signer";
import { startHub, type Hub } from "./hub";
import type { StoredCredential } from "./bootstrap";

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

class UsageError extends Error {}

/** Joins the hub with no services of its own (NATS), or hosts identity alone (embedded). */
async function joinHub(config: Config): Promise<Hub> {
  const hub = await startHub({ ...config, services: config.natsUrl ? [] : ["identity"], seedPopulation: 0, devCredentials: false });
  await hub.broker.waitForServices(["identity", "departments"], 30_000);
  return hub;
}

async function seed(args: string[], config: Config): Promise<string> {
  const count = Number(flag(args, "count") ?? 10_000);
  const seedValue = Number(flag(args, "seed") ?? 20261122);
  if (!Number.isInteger(count) || count < 1 || count > SEED_POPULATION_MAX) throw new UsageError(`--count must be a whole number from 1 to ${SEED_POPULATION_MAX}`);
  if (!Number.isInteger(seedValue)) throw new UsageError("--seed must be a whole number");
  const hub = await joinHub(config);
  try {
    const r = await hub.broker.call<{ inserted: number; total: number }, object>("identity.seedPopulation", { count, seed: seedValue }, { timeout: 600_000 });
    return `seeded ${r.inserted} new persons (seed ${seedValue}); the registry holds ${r.total}`;
  } finally {
    await hub.stop();
  }
}

async function credentials(args: string[], config: Config): Promise<string> {
  const [sub] = args;
  const department = flag(args, "dept");
  const algorithm = flag(args, "algorithm") ?? "ED25519";
  if (!department) throw new UsageError("--dept <department code> is required");
  if (!isSignatureAlgorithm(algorithm)) throw new UsageError("--algorithm must be ED25519 or SM2-SM3");
  let record: { keyId: string; publicKeyPem: string };
  let stored: StoredCredential | undefined;
  if (sub === "create") {
    const c = createDepartmentCredential(department, algorithm);
    record = c;
    stored = { department, keyId: c.keyId, algorithm, privateKeyPem: c.privateKeyPem };
  } else if (sub === "add") {
    const file = flag(args, "public-key");
    if (!file) throw new UsageError("--public-key <file with the SPKI PEM public key> is required");
    const publicKeyPem = fs.readFileSync(file, "utf8");
    record = { keyId: keyIdFor(algorithm, publicKeyPem), publicKeyPem };
  } else {
    throw new UsageError("credentials create|add --dept <code> ...");
  }
  const hub = await joinHub(config);
  try {
    await hub.broker.call("departments.addCredential", { keyId: record.keyId, department, algorithm, publicKeyPem: record.publicKeyPem });
  } finally {
    await hub.stop();
  }
  if (stored) {
    const out = flag(args, "out") ?? `${department}.credential.json`;
    fs.writeFileSync(out, JSON.stringify(stored, null, 2), { mode: 0o600, flag: "wx" });
    return `registered key ${record.keyId} for ${department}; its private key is in ${out} (keep it with the department)`;
  }
  return `registered key ${record.keyId} for ${department}`;
}

/** Runs an administration command; resolves to the line to print. */
export async function runAdminCommand(command: string, args: string[], config: Config): Promise<string> {
  try {
    if (command === "seed") return await seed(args, config);
    if (command === "credentials") return await credentials(args, config);
  } catch (err) {
    if (err instanceof UsageError) throw new Error(`usage: ${err.message}`);
    throw err;
  }
  throw new Error(`unknown command "${command}" (commands: start, seed, credentials)`);
}
