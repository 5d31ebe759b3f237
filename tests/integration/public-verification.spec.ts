/**
 * Public verification, as an outside verifier does it with no login: the published keys
 * (GET /v1/keys, /.well-known/jwks.json), POST /v1/verify/licence for a good, a tampered, a revoked
 * and an expired licence, POST /v1/verify/receipt for a receipt and a tampered one, and the README's
 * offline recipe run with independent tools (the CLI's JSON copy, jq for the canonical JSON, OpenSSL
 * for SM2 with the standard signer ID) — none of the hub's signing code.
 */
import crypto from "node:crypto";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bootstrap } from "../../services/bootstrap";
import { canonicalBytes, canonicalJson } from "../../services/common/canonical";
import { newLicenceNumber } from "../../services/licenses/signing/licence-number";
import { generateSigningKey } from "../../services/licenses/signing/signer";
import { loadConfig } from "../../services/common/config";
import { signDepartmentToken } from "../../services/common/department-token";
import { rootLogger } from "../../services/common/logger";
import { projectPath } from "../../services/common/paths";
import { startHub, type Hub } from "../../services/hub";
import { generatePopulation } from "../../services/identity/seed/population";
import { eventually } from "../support/eventually";
import { readCredential } from "../support/grpc-client";
import { startBusinessForm, tradeName, START_BUSINESS_CONSENT } from "../support/start-business";

const people = generatePopulation(200, 20261122);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-verify-"));
const work = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-verify-work-"));
let hub: Hub;
let base: string;
let grpcAddr: string;
const as = (department: string) => ({ meta: { caller: { department } } });

async function api(method: string, url: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${base}${url}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/**
 * Runs a shell script in the work folder with the README's names: TB (the CLI), $HUB (the portal).
 * Asynchronously: the hub answering it runs in this process. Rejects with the script's stdout and
 * stderr when it fails.
 */
async function sh(script: string): Promise<string> {
  const cli = `node ${projectPath("dist/bin/tongban-cli.js")}`;
  const prelude = `set -euo pipefail\nTB() { ${cli} "$@" --addr ${grpcAddr} --data ${dataDir}; }\nHUB=${base}\n`;
  try {
    return (await run("bash", ["-c", prelude + script], { cwd: work, encoding: "utf8", timeout: 60_000 })).stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${e.message}\n${e.stdout ?? ""}${e.stderr ?? ""}`);
  }
}
const run = promisify(execFile);

beforeAll(async () => {
  rootLogger("warn");
  hub = await startHub(loadConfig({ DATA_DIR: dataDir, PORT: "0", GRPC_PORT: "0", SEED_POPULATION: "200", DEV_CREDENTIALS: "true", LOG_LEVEL: "warn" }));
  await bootstrap(hub);
  base = `http://127.0.0.1:${(await hub.broker.call<{ port: number }>("http.port")).port}`;
  grpcAddr = `127.0.0.1:${(await hub.broker.call<{ port: number }>("grpc-edge.port")).port}`;
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
}, 60_000);

/** A company registered by samr; its credit code. */
async function registerCompany(n: number): Promise<string> {
  const rep = people[n];
  const name = `成都${tradeName(n, "验")}科技有限公司`;
  const entity = await hub.broker.call<{ creditCode: string }, object>("identity.registerEntity", {
    idempotencyKey: `verify-entity-${n}`, name, entityType: "ENTITY_TYPE_ENTERPRISE", regionCode: "510104",
    legalRepresentativeIdNumber: rep.idNumber, legalRepresentativeName: rep.name, address: "四川省成都市锦江区人民南路330号", caseId: "verify-1",
  }, as("samr"));
  return entity.creditCode;
}

function blRequest(creditCode: string, key: string, extra: object = {}) {
  return {
    idempotencyKey: key, typeCode: "BL", holderId: creditCode, caseId: "verify-1",
    fields: { name: "成都示例科技有限公司", entity_type: "有限责任公司", legal_representative: "黄彬豪", registered_capital: "100", established_on: "2026-11-22", address: "四川省成都市锦江区人民南路330号", business_scope: "软件开发" },
    ...extra,
  };
}

describe("public verification without a login", () => {
  it("publishes every licence key with its issuer's credit code and signer ID, the receipt key, and a JWKS", async () => {
    await hub.broker.call("licenses.issueLicence", blRequest(await registerCompany(1), "verify-bl-keys"), as("samr"));
    const keys = await api("GET", "/v1/keys");
    expect(keys.status).toBe(200);
    const samr = keys.body.licence_keys.find((k: { department: string }) => k.department === "samr");
    expect(samr).toMatchObject({ algorithm: "SM2-SM3", signer_id: "1234567812345678", issuer_code: "11510100PB8UYH3138", active: true });
    expect(samr.public_key_pem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(Date.parse(samr.created_at)).not.toBeNaN();
    expect(samr).not.toHaveProperty("retired_at");
    expect(keys.body.receipt_keys[0]).toMatchObject({ algorithm: "SM2-SM3", signer_id: "1234567812345678", active: true });
    expect(keys.body.issuers.samr).toBe("11510100PB8UYH3138");
    expect(keys.body.licence_types.BL).toMatch(/^[0-9A-Z]{18}\d{3}$/);
    // No private half anywhere.
    expect(JSON.stringify(keys.body)).not.toMatch(/PRIVATE|sealed/i);

    const set = await api("GET", "/.well-known/jwks.json");
    expect(set.status).toBe(200);
    const jwk = set.body.keys.find((k: { kid: string }) => k.kid === samr.key_id);
    expect(jwk).toMatchObject({ kty: "EC", crv: "SM2", alg: "SM2-SM3", use: "sig", "tongban:purpose": "licence", "tongban:signer_id": "1234567812345678" });
    // x and y are the public point of the PEM.
    const spki = crypto.createPublicKey(samr.public_key_pem).export({ type: "spki", format: "der" });
    expect(Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, "base64url"), Buffer.from(jwk.y, "base64url")]).equals(spki.subarray(spki.length - 65))).toBe(true);
    expect(set.body.keys.some((k: Record<string, string>) => k["tongban:purpose"] === "receipt")).toBe(true);
  });

  it("follows the README: a licence with its national identifier, verified offline by OpenSSL and by the public endpoint; tampered, revoked", async () => {
    const code = await registerCompany(2);
    fs.writeFileSync(path.join(work, "issue.json"), JSON.stringify(blRequest(code, "verify-bl-readme")));
    const num = (await sh(`TB call LicenceService/IssueLicence @issue.json --as samr --print number`)).trim();
    expect(num).toMatch(/^1\.2\.156\.3005\.2\.[0-9A-Z]{18}\d{3}\.11510100PB8UYH3138\.[0-9A-Z]+\.001\.[0-9A-Z]$/);

    // The copy a back-office holds (the CLI prints protobuf's JSON form), then the README's recipe.
    const offline = await sh(`
      TB call LicenceService/GetLicence "{\\"number\\":\\"${num}\\",\\"caseId\\":\\"tax-case-1\\"}" --as tax > licence.json
      KEY=$(jq -r .signature.keyId licence.json)
      curl -s "$HUB/v1/keys" | jq -r --arg k "$KEY" '.licence_keys[] | select(.key_id == $k) | .public_key_pem' > issuer.pem
      jq -cjS '{v: 2, number, typeCode, typeName, holderKind, holderIdType, holderId, holderName, issuer, issuedAt, validFrom, validUntil, fields,
                algorithm: .signature.algorithm, keyId: .signature.keyId, signerId: .signature.signerId}' licence.json > content.json
      jq -r .signature.value licence.json | base64 -d > signature.der
      openssl pkeyutl -verify -pubin -inkey issuer.pem -rawin -in content.json -sigfile signature.der -digest sm3 -pkeyopt distid:1234567812345678
    `);
    expect(offline).toMatch(/Signature Verified Successfully/);
    const copy = JSON.parse(fs.readFileSync(path.join(work, "licence.json"), "utf8"));
    expect(copy.issuedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const good = await api("POST", "/v1/verify/licence", { licence: copy });
    expect(good.status).toBe(200);
    expect(good.body).toMatchObject({ valid: true, signature_valid: true, status: "LICENCE_STATUS_VALID", within_validity: true, failures: [], number: num });
    // The same check from a shell, as the README does it.
    expect(JSON.parse(await sh(`echo "{\\"licence\\": $(cat licence.json)}" | curl -s -X POST "$HUB/v1/verify/licence" -H 'content-type: application/json' -d @-`))).toMatchObject({ valid: true });

    // Tampered: registered capital 100 -> 1000.
    const tampered = { ...copy, fields: { ...copy.fields, registered_capital: "1000" } };
    const bad = await api("POST", "/v1/verify/licence", { licence: tampered });
    expect(bad.body).toMatchObject({ valid: false, signature_valid: false });
    expect(bad.body.failures.map((f: { check: string }) => f.check)).toEqual(["signature"]);
    fs.writeFileSync(path.join(work, "licence.json"), JSON.stringify(tampered));
    await expect(sh(`
      jq -cjS '{v: 2, number, typeCode, typeName, holderKind, holderIdType, holderId, holderName, issuer, issuedAt, validFrom, validUntil, fields,
                algorithm: .signature.algorithm, keyId: .signature.keyId, signerId: .signature.signerId}' licence.json > content.json
      openssl pkeyutl -verify -pubin -inkey issuer.pem -rawin -in content.json -sigfile signature.der -digest sm3 -pkeyopt distid:1234567812345678`)).rejects.toThrow(/Signature Verification Failure/);
    // A changed identifier fails its check character as well as the signature.
    const renumbered = await api("POST", "/v1/verify/licence", { licence: { ...copy, number: num.replace(/\.001\./, ".002.") } });
    expect(renumbered.body.failures.map((f: { check: string }) => f.check)).toEqual(expect.arrayContaining(["signature", "identifier"]));

    // Revoked: the copy still carries a good signature; the registry says revoked.
    await hub.broker.call("licenses.revokeLicence", { number: num, reason: "依法吊销", idempotencyKey: "verify-revoke-1" }, as("samr"));
    const revoked = await api("POST", "/v1/verify/licence", { licence: copy });
    expect(revoked.body).toMatchObject({ valid: false, signature_valid: true, status: "LICENCE_STATUS_REVOKED" });
    expect(revoked.body.failures).toEqual([{ check: "status", reason: "licence is revoked: 依法吊销" }]);
  });

  it("checks the holder's licence valid today, not a newer one that starts later, by holder and type and as a prerequisite", async () => {
    const code = await registerCompany(6);
    const food = (key: string, extra: object = {}) => ({
      idempotencyKey: key, typeCode: "FOOD", holderId: code, caseId: "verify-6",
      fields: { operator: "示例餐饮", premises: "某路2号", main_business: "餐饮服务", food_categories: "热食类" }, ...extra,
    });
    const now = await hub.broker.call<{ number: string }, object>("licenses.issueLicence", food("verify-food-now"), as("samr"));
    const later = await hub.broker.call<{ number: string }, object>("licenses.issueLicence", food("verify-food-2030", { validFrom: "2030-01-01", validUntil: "2034-12-31" }), as("samr"));
    const check = await hub.broker.call<{ valid: boolean; number: string }, object>("licenses.verifyLicence", { holderId: code, typeCode: "FOOD", caseId: "verify-6" }, as("tax"));
    expect(check).toMatchObject({ valid: true, number: now.number });
    expect(check.number).not.toBe(later.number);
    await hub.broker.call("licenses.issueLicence", { ...blRequest(code, "verify-bl-after-food"), prerequisiteTypeCodes: ["FOOD"] }, as("samr"));
  });

  it("says a licence past its validity is expired, and an unknown or malformed copy what is wrong with it", async () => {
    const code = await registerCompany(3);
    const expired = await hub.broker.call<Record<string, unknown>, object>("licenses.issueLicence", blRequest(code, "verify-bl-expired", { validFrom: "2020-01-01", validUntil: "2021-12-31" }), as("samr"));
    const r = await api("POST", "/v1/verify/licence", { licence: expired });
    expect(r.body).toMatchObject({ valid: false, signature_valid: true, status: "LICENCE_STATUS_EXPIRED", within_validity: false });
    expect(r.body.failures).toEqual([{ check: "validity", reason: "expired after 2021-12-31" }]);

    // A copy the registry never issued (a key it does not know) is named so.
    const stranger = await api("POST", "/v1/verify/licence", { licence: { ...expired, signature: { ...(expired.signature as object), keyId: "sm2:0000000000000000" } } });
    expect(stranger.body.failures.map((f: { check: string }) => f.check)).toContain("signature");
    expect(stranger.body.failures[0].reason).toMatch(/unknown to the registry/);
    // Malformed bodies: 400 naming the field, no token needed, nothing else said.
    for (const [body, field] of [[{}, "licence"], [{ licence: "x" }, "licence"], [{ licence: { number: 5 } }, "licence.number"], [{ licence: { nope: 1 } }, "licence.nope"], [{ licence: { issuedAt: "not a time" } }, "licence.issuedAt"],
      // The same instant written otherwise than signed: the text is what OpenSSL checks.
      [{ licence: { ...expired, issuedAt: String(expired.issuedAt).replace("Z", "+00:00") } }, "licence.issuedAt"],
      [{ licence: { ...expired, issuedAt: String(expired.issuedAt).replace("Z", "999Z") } }, "licence.issuedAt"]] as const) {
      const res = await api("POST", "/v1/verify/licence", body);
      expect(res.status).toBe(400);
      expect(res.body.error.field).toBe(field);
    }
  });

  it("refuses a copy that names a field twice or holds text the registry cannot, answers status and validity from the registry, and records a public check once a day", async () => {
    const code = await registerCompany(5);
    const copy = await hub.broker.call<Record<string, any>, object>("licenses.issueLicence", blRequest(code, "verify-bl-hostile"), as("samr"));
    // A bus caller's prerequisites that are not a list are refused naming the field, not with a TypeError.
    for (const prerequisiteTypeCodes of ["BL", { 0: "BL" }, 7]) {
      await expect(hub.broker.call("licenses.issueLicence", { ...blRequest(code, "verify-bl-prereq"), prerequisiteTypeCodes }, as("samr")))
        .rejects.toMatchObject({ type: "INVALID_ARGUMENT", data: { field: "prerequisite_type_codes" } });
    }
    expect((await api("POST", "/v1/verify/licence", { licence: copy })).body.valid).toBe(true);
    // Both spellings of one field: a relying party could show one while the check judged the other.
    for (const [licence, field] of [
      [{ ...copy, holder_name: "伪造的名称" }, "licence.holder_name"],
      [{ ...copy, signature: { ...copy.signature, key_id: "sm2:0000000000000000" } }, "licence.signature.key_id"],
    ] as const) {
      const r = await api("POST", "/v1/verify/licence", { licence });
      expect(r.status).toBe(400);
      expect(r.body.error.field).toBe(field);
      expect(r.body.error.message).toMatch(/camelCase and snake_case/);
    }
    // U+0000 in a copy's text: 400 naming it, over HTTP and on the bus.
    expect((await api("POST", "/v1/verify/licence", { licence: { ...copy, number: `${copy.number}\u0000` } })).body.error.field).toBe("licence.number");
    expect((await api("POST", "/v1/verify/licence", { licence: { ...copy, signature: { ...copy.signature, keyId: "sm2:\u0000" } } })).body.error.field).toBe("licence.signature.keyId");
    await expect(hub.broker.call("licenses.verifyPublic", { licence: { ...copy, number: "x\u0000" } })).rejects.toMatchObject({ code: 400, type: "INVALID_ARGUMENT", data: { field: "licence.number" } });
    // A receipt naming no key id of the hub's form is not looked up: the key check fails.
    const odd = await api("POST", "/v1/verify/receipt", { receipt: { signature: { algorithm: "SM2-SM3", keyId: "sm2:\u0000", value: "x" } } });
    expect(odd.status).toBe(200);
    expect(odd.body).toMatchObject({ valid: false, failures: [{ check: "key" }] });

    // A copy whose valid_until was moved into the past: its signature fails; status and validity are the registry's.
    const backdated = (await api("POST", "/v1/verify/licence", { licence: { ...copy, validUntil: "2020-01-01" } })).body;
    expect(backdated).toMatchObject({ valid: false, signature_valid: false, status: "LICENCE_STATUS_VALID", within_validity: true });
    expect(backdated.failures.map((f: { check: string }) => f.check)).toEqual(["signature"]);

    // Many checks of one licence in a day are one entry in its holder's data-use log.
    await Promise.all(Array.from({ length: 12 }, () => api("POST", "/v1/verify/licence", { licence: copy })));
    const licences = await hub.runtime.databases.get("licenses")!;
    const { rows } = await licences.query<{ n: number }>("SELECT count(*)::int AS n FROM data_uses WHERE reader = 'public' AND item = $1", [copy.number]);
    expect(rows[0].n).toBe(1);
  });

  it("answers HEAD on the public documents and refuses query parameters a route does not name", async () => {
    const head = await fetch(`${base}/v1/keys`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toMatch(/application\/json/);
    expect((await fetch(`${base}/.well-known/jwks.json`, { method: "HEAD" })).status).toBe(200);
    const extra = await api("GET", "/v1/keys?format=pem");
    expect(extra.status).toBe(400);
    expect(JSON.stringify(extra.body.error)).toMatch(/format/);
  });

  it("still verifies a licence issued before national identifiers and the standard signer ID (content v1, BL- number, empty ID)", async () => {
    const code = await registerCompany(4);
    const licences = await hub.runtime.databases.get("licenses")!;
    // A key retired before this version, and a licence it signed the way the hub signed then:
    // OpenSSL through node:crypto with a PEM-loaded SM2 key (an empty signer ID in Z).
    const key = generateSigningKey("SM2-SM3");
    await licences.query(
      "INSERT INTO signing_keys (key_id, department, algorithm, public_key_pem, sealed_private_key, active, created_at, retired_at) VALUES ($1, 'samr', 'SM2-SM3', $2, 'v1:retired', false, now() - interval '400 days', now() - interval '30 days')",
      [key.keyId, key.publicKeyPem],
    );
    const content = {
      v: 1, number: newLicenceNumber("BL", new Date("2025-11-22T02:00:00Z")), typeCode: "BL", typeName: "营业执照", holderKind: "HOLDER_KIND_ENTITY", holderId: code,
      holderName: "成都旧证科技有限公司", issuer: "samr", issuedAt: "2025-11-22T02:00:00.000Z", validFrom: "2025-11-22", validUntil: "", fields: { name: "成都旧证科技有限公司" },
      algorithm: "SM2-SM3", keyId: key.keyId,
    };
    const signature = crypto.sign("sm3", canonicalBytes(content), crypto.createPrivateKey(key.privateKeyPem)).toString("base64");
    await licences.query(
      "INSERT INTO licences (number, type_code, holder_id, issuer, content, signature, key_id, valid_until, case_id, issued_at) VALUES ($1, 'BL', $2, 'samr', $3, $4, $5, '', 'legacy-1', $6)",
      [content.number, code, canonicalJson(content), signature, key.keyId, content.issuedAt],
    );
    const stored = await hub.broker.call<Record<string, any>, object>("licenses.getLicence", { number: content.number }, as("samr"));
    expect(stored).toMatchObject({ number: content.number, holderIdType: "", signature: { keyId: key.keyId, signerId: "" } });
    const r = await api("POST", "/v1/verify/licence", { licence: stored });
    expect(r.body).toMatchObject({ valid: true, signature_valid: true, status: "LICENCE_STATUS_VALID", number: content.number });
    // The retired key is published with the time it stopped signing.
    const published = (await api("GET", "/v1/keys")).body.licence_keys.find((k: { key_id: string }) => k.key_id === key.keyId);
    expect(published).toMatchObject({ department: "samr", active: false, signer_id: "1234567812345678" });
    expect(Date.parse(published.retired_at)).toBeLessThan(Date.now());
    // The same copy claiming the standard signer ID does not verify: the ID is part of what is checked.
    const claimed = await api("POST", "/v1/verify/licence", { licence: { ...stored, holderIdType: "001", signature: { ...stored.signature, signerId: "1234567812345678" } } });
    expect(claimed.body).toMatchObject({ valid: false, signature_valid: false });
  });

  it("verifies an application's receipt as the portal gives it, online and offline, and refuses a tampered one", async () => {
    const applicant = people[10].idNumber;
    const data = readCredential(dataDir, "data");
    const token = (await api("POST", "/v1/sessions", { id_number: applicant }, signDepartmentToken(data, 120))).body.token as string;
    const pdf = (n: number) => Buffer.from(`%PDF-1.4\n% ${n}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n`).toString("base64");
    const upload = async (type: string, n: number) =>
      (await api("POST", "/v1/materials", { type_code: type, file_name: `${type}.pdf`, content_type: "application/pdf", content_base64: pdf(n) }, token)).body.material_id as string;
    const form = startBusinessForm({ tradeName: tradeName(77, "证"), applicant, employees: [people[11].idNumber] });
    const submitted = await api("POST", "/v1/applications", {
      bundle_code: "START_BUSINESS", consent: START_BUSINESS_CONSENT, client_key: `verify-${crypto.randomUUID()}`, form,
      materials: { ARTICLES_OF_ASSOCIATION: await upload("ARTICLES_OF_ASSOCIATION", 1), PREMISES_PROOF: await upload("PREMISES_PROOF", 2) },
    }, token);
    expect(submitted.status).toBe(201);
    const id = submitted.body.application_id as string;
    const view = () => api("GET", `/v1/applications/${id}`, undefined, token).then((r) => r.body);
    await eventually(view, (s) => s.steps.some((x: { step_key: string; status: string }) => x.step_key === "establishment" && x.status === "WAITING_DECISION"), 60_000, 50);
    await hub.broker.call("bundles.decide", { applicationId: id, stepKey: "establishment", outcome: "APPROVE", comment: "准予登记" }, as("samr"));
    const done = await eventually(view, (s) => s.status !== "RUNNING", 60_000, 50);
    expect(done.status).toBe("COMPLETED");
    const receipt = done.receipt;
    // The receipt is passed as the hub signed it (its own camelCase keys), not re-cased.
    expect(receipt).toHaveProperty("receiptNumber", id);
    expect(receipt.signature).toMatchObject({ algorithm: "SM2-SM3", signerId: "1234567812345678" });
    // The applicant's consent is signed into it: which items were confirmed, and from where.
    expect(receipt.consent.items.map((i: { field: string; decision: string }) => `${i.field}:${i.decision}`)).toEqual(START_BUSINESS_CONSENT.confirmed.map((f) => `${f}:CONFIRMED`));
    expect(receipt.data.find((d: { field: string }) => d.field === "enterprise.liaison_name")).toEqual({
      field: "enterprise.liaison_name", labelZh: "联络员姓名", source: "人口基础库 (identity: population registry)", consent: "confirmed by the applicant",
    });

    expect((await api("POST", "/v1/verify/receipt", { receipt })).body).toEqual({ valid: true, key_id: receipt.signature.keyId, failures: [] });
    const changed = { ...receipt, applicant: people[12].idNumber };
    const bad = (await api("POST", "/v1/verify/receipt", { receipt: changed })).body;
    expect(bad).toMatchObject({ valid: false, failures: [{ check: "signature" }] });
    const noKey = (await api("POST", "/v1/verify/receipt", { receipt: { ...receipt, signature: { ...receipt.signature, keyId: "sm2:ffffffffffffffff" } } })).body;
    expect(noKey.failures[0].check).toBe("key");
    expect((await api("POST", "/v1/verify/receipt", { receipt: { status: "COMPLETED" } })).status).toBe(400);

    // Offline: the receipt without signature.value, canonical JSON, the hub's receipt key, OpenSSL.
    fs.writeFileSync(path.join(work, "receipt.json"), JSON.stringify(receipt));
    const offline = await sh(`
      KEY=$(jq -r .signature.keyId receipt.json)
      curl -s "$HUB/v1/keys" | jq -r --arg k "$KEY" '.receipt_keys[] | select(.key_id == $k) | .public_key_pem' > hub.pem
      jq -cjS 'del(.signature.value)' receipt.json > receipt-content.json
      jq -r .signature.value receipt.json | base64 -d > receipt-signature.der
      openssl pkeyutl -verify -pubin -inkey hub.pem -rawin -in receipt-content.json -sigfile receipt-signature.der -digest sm3 -pkeyopt distid:1234567812345678`);
    expect(offline).toMatch(/Signature Verified Successfully/);
  }, 120_000);
});
