#!/usr/bin/env node
/**
 * Production provisioning of a department's gRPC-edge credential.
 *
 * The hub holds only public keys, in identity.department_credentials. With DEV_CREDENTIALS=false
 * (production) nothing creates them at start, and the department registry has no RPC to add one
 * (departments.addCredential is bus-only). Until the project ships an admin path, an operator
 * registers a key with this script's SQL:
 *
 *   # the department generates its key pair (keeps the private key; sends the public key):
 *   node deploy/scripts/department-credential.js new samr --out ./samr-credential.json
 *   # or, for a public key the department sent you:
 *   node deploy/scripts/department-credential.js sql samr ./samr-public.pem [--algorithm ED25519|SM2-SM3]
 *
 * Both print an INSERT for identity.department_credentials; run it with psql against the
 * identity database (the role in IDENTITY_DATABASE_URL). The key id is computed exactly as the
 * hub does (sha-256 of the SPKI), from the compiled code in dist/, so run it from the project
 * root after `npm run build`, or inside the image (WORKDIR /app).
 *
 * Note: the gateway and the registry cache credential look-ups (up to ~70 s), including "unknown
 * key" answers: a department that tried before its key was inserted may wait that long.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..", "..");
const load = (p) => {
  try {
    return require(path.join(root, "dist", p));
  } catch (err) {
    process.stderr.write(`cannot load dist/${p}: run \`npm run build\` first (${err.message})\n`);
    process.exit(2);
  }
};
const { keyIdFor, isSignatureAlgorithm } = load("services/licenses/signing/signer.js");
const { createDepartmentCredential } = load("services/common/department-token.js");

function usage(message) {
  if (message) process.stderr.write(`${message}\n`);
  process.stderr.write(
    "usage:\n" +
      "  department-credential.js new <department> --out FILE [--algorithm ED25519|SM2-SM3]\n" +
      "  department-credential.js sql <department> <public-key.pem> [--algorithm ED25519|SM2-SM3]\n",
  );
  process.exit(2);
}

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined) usage(`${name} needs a value`);
  args.splice(i, 2);
  return v;
};
const algorithm = opt("--algorithm") ?? "ED25519";
const out = opt("--out");
const [command, department, pemFile] = args;
if (!isSignatureAlgorithm(algorithm)) usage(`--algorithm must be ED25519 or SM2-SM3 (got ${algorithm})`);
if (!department || !/^[a-z][a-z0-9_-]{0,31}$/.test(department)) usage("department code missing or invalid (e.g. samr)");

function sql(keyId, publicKeyPem) {
  if (publicKeyPem.includes("$pem$")) throw new Error("unexpected PEM content");
  return (
    `-- department ${department}, key ${keyId}\n` +
    "INSERT INTO identity.department_credentials (key_id, department, algorithm, public_key_pem)\n" +
    `VALUES ('${keyId}', '${department}', '${algorithm}', $pem$${publicKeyPem}$pem$)\n` +
    "ON CONFLICT (key_id) DO NOTHING;\n"
  );
}

if (command === "new") {
  if (!out) usage("new needs --out FILE for the private key");
  const c = createDepartmentCredential(department, algorithm);
  // Same shape as the development credentials bootstrap writes under DATA_DIR/credentials.
  const stored = { department, keyId: c.keyId, algorithm: c.algorithm, privateKeyPem: c.privateKeyPem };
  fs.writeFileSync(out, JSON.stringify(stored, null, 2), { mode: 0o600, flag: "wx" });
  process.stderr.write(`private key written to ${out} (give it to the department only)\n`);
  process.stdout.write(sql(c.keyId, c.publicKeyPem));
} else if (command === "sql") {
  if (!pemFile) usage("sql needs the public key PEM file");
  const crypto = require("node:crypto");
  const publicKeyPem = crypto
    .createPublicKey(fs.readFileSync(pemFile, "utf8"))
    .export({ type: "spki", format: "pem" })
    .toString();
  process.stdout.write(sql(keyIdFor(algorithm, publicKeyPem), publicKeyPem));
} else {
  usage(command ? `unknown command ${command}` : "");
}
