/**
 * Secrets a process needs to keep across restarts: from the environment when set, otherwise a
 * random value created once under DATA_DIR/secrets (0600) and shared by the processes of that
 * machine. Production sets the environment variable so every replica shares it.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Config } from "./config";

/** The secret `name`: `fromEnv` when given, else DATA_DIR/secrets/<name> (created on first use). */
export function resolveSecret(config: Config, name: string, fromEnv?: string): string {
  if (fromEnv) return fromEnv;
  const file = path.join(config.dataDir, "secrets", name);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    fs.writeFileSync(file, crypto.randomBytes(48).toString("base64"), { flag: "wx", mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  return fs.readFileSync(file, "utf8").trim();
}
