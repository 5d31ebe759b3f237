/**
 * First-start conveniences of a process hosting identity: seeds the synthetic population into an
 * empty registry (SEED_POPULATION) and, on the embedded default, creates a development credential
 * for every department under DATA_DIR/credentials so the walk-through can call the gRPC edge.
 */
import fs from "node:fs";
import path from "node:path";
import type { Hub } from "./hub";
import { createDepartmentCredential } from "./common/department-token";
import { rootLogger } from "./common/logger";

export interface StoredCredential {
  department: string;
  keyId: string;
  algorithm: "ED25519" | "SM2-SM3";
  privateKeyPem: string;
}

/** Where a department's development credential is kept. */
export function credentialFile(dataDir: string, department: string): string {
  return path.join(dataDir, "credentials", `${department}.json`);
}

/** Seeds the population and creates development credentials, as configured. */
export async function bootstrap(hub: Hub): Promise<void> {
  const { config } = hub.runtime;
  if (!config.services.includes("identity")) return;
  const log = rootLogger().child({ mod: "bootstrap" });
  const { broker } = hub;

  if (config.seedPopulation > 0) {
    const { total } = await broker.call<{ total: number }>("identity.countPersons");
    if (total === 0) {
      const started = Date.now();
      const r = await broker.call<{ inserted: number }, object>("identity.seedPopulation", { count: config.seedPopulation });
      log.info(`seeded ${r.inserted} synthetic persons in ${Date.now() - started} ms`);
    }
  }

  if (config.devCredentials) {
    const { departments } = await broker.call<{ departments: Array<{ code: string }> }>("departments.listDepartments");
    const registered = new Set(await broker.call<string[]>("departments.departmentsWithCredentials"));
    fs.mkdirSync(path.join(config.dataDir, "credentials"), { recursive: true, mode: 0o700 });
    for (const { code } of departments) {
      const file = credentialFile(config.dataDir, code);
      if (registered.has(code) && fs.existsSync(file)) continue;
      const c = createDepartmentCredential(code, "ED25519");
      await broker.call("departments.addCredential", {
        keyId: c.keyId,
        department: code,
        algorithm: c.algorithm,
        publicKeyPem: c.publicKeyPem,
      });
      const stored: StoredCredential = { department: code, keyId: c.keyId, algorithm: c.algorithm, privateKeyPem: c.privateKeyPem };
      fs.writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
    }
    log.info(`development credentials in ${path.join(config.dataDir, "credentials")}`);
  }
}
