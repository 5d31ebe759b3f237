#!/usr/bin/env node
/**
 * Asks a Tongban gRPC edge for the grpc.health.v1 status of each served service, the way a
 * department's client or a smoke test would. The image carries no grpcurl, so this is how to
 * check from inside a container that the department services are reachable on the bus:
 *
 *   node deploy/scripts/grpc-health.js                          # 127.0.0.1:$GRPC_PORT, all services
 *   node deploy/scripts/grpc-health.js gateway:50051 tongban.licenses.v1.LicenceService
 *   node deploy/scripts/grpc-health.js --ca /tls/ca.crt --authority hub.example.gov.cn hub:50051
 *
 * Exit code 0 when every asked service is SERVING, 1 otherwise (2 on bad usage).
 * Only @grpc/grpc-js is needed (a production dependency); the two health messages are tiny and
 * are encoded by hand so no proto file is read.
 */
"use strict";
const fs = require("node:fs");
const grpc = require("@grpc/grpc-js");

const DEFAULT_SERVICES = [
  "tongban.identity.v1.IdentityService",
  "tongban.identity.v1.DepartmentRegistryService",
  "tongban.licenses.v1.LicenceService",
  "tongban.registration.v1.BusinessRegistrationService",
  "tongban.tax.v1.TaxService",
  "tongban.social_insurance.v1.SocialInsuranceService",
];
const STATUS = ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"];

function usage(message) {
  process.stderr.write(`${message}\nusage: grpc-health.js [--ca FILE] [--authority NAME] [--timeout MS] [host:port] [service ...]\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
let ca;
let authority;
let timeoutMs = 3000;
const positional = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--ca") ca = args[++i] ?? usage("--ca needs a file");
  else if (a === "--authority") authority = args[++i] ?? usage("--authority needs a name");
  else if (a === "--timeout") timeoutMs = Number(args[++i] ?? usage("--timeout needs milliseconds"));
  else if (a === "-h" || a === "--help") usage("");
  else if (a.startsWith("--")) usage(`unknown option ${a}`);
  else positional.push(a);
}
if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) usage("--timeout must be a positive number");
const target = positional[0] && positional[0].includes(":") ? positional.shift() : `127.0.0.1:${process.env.GRPC_PORT || 50051}`;
const services = positional.length > 0 ? positional : DEFAULT_SERVICES;

function encodeRequest(service) {
  const body = Buffer.from(service, "utf8");
  if (body.length > 127) usage("service name too long");
  return Buffer.concat([Buffer.from([0x0a, body.length]), body]);
}

function decodeResponse(buf) {
  // HealthCheckResponse { ServingStatus status = 1; } : read field 1 as a varint, skip others.
  let i = 0;
  const varint = () => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = buf[i++];
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  };
  let status = 0;
  while (i < buf.length) {
    const tag = varint();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (wire === 0) {
      const v = varint();
      if (field === 1) status = v;
    } else if (wire === 2) i += varint();
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else break;
  }
  return status;
}

const credentials = ca ? grpc.credentials.createSsl(fs.readFileSync(ca)) : grpc.credentials.createInsecure();
const options = authority ? { "grpc.ssl_target_name_override": authority, "grpc.default_authority": authority } : {};
const client = new grpc.Client(target, credentials, options);

function check(service) {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      "/grpc.health.v1.Health/Check",
      encodeRequest,
      decodeResponse,
      service,
      new grpc.Metadata(),
      { deadline: Date.now() + timeoutMs },
      (err, status) => {
        if (err) resolve({ service, ok: false, text: `error ${grpc.status[err.code] ?? err.code}: ${err.details}` });
        else resolve({ service, ok: status === 1, text: STATUS[status] ?? String(status) });
      },
    );
  });
}

Promise.all(services.map(check)).then((results) => {
  for (const r of results) process.stdout.write(`${r.ok ? "ok  " : "FAIL"} ${r.service || '""'}: ${r.text}\n`);
  client.close();
  process.exit(results.every((r) => r.ok) ? 0 : 1);
});
