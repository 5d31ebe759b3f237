#!/usr/bin/env node
/**
 * A small gRPC client for trying the hub as a department back-office would. It loads the proto
 * files with @grpc/proto-loader (independent of the generated code) and signs a department token
 * with the credential under DATA_DIR/credentials (created by the embedded hub at first start).
 *
 *   tongban-cli call <Service>/<Method> [<json> | @file | -] --as <dept> [--print <field.path>] [--purpose <text>]
 *   tongban-cli token --as <dept>
 *   tongban-cli methods
 *
 * Options: --addr host:port (default localhost:$GRPC_PORT or 50051), --data <dir> (default ./data).
 */
import fs from "node:fs";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { SERVED_SERVICES } from "../services/common/contracts";
import { signDepartmentToken } from "../services/common/department-token";
import { projectPath } from "../services/common/paths";
import type { StoredCredential } from "../services/bootstrap";
import { timestampsFromText, timestampsToText } from "./proto-json";
import { endQuietlyWhenOutputCloses } from "./closed-pipe";

interface Options {
  as?: string;
  addr: string;
  data: string;
  print?: string;
  /** Why the call uses personal data (sent as x-purpose-bin; recorded in the data-use log). */
  purpose?: string;
}

function parseArgs(argv: string[]): { positional: string[]; opts: Options } {
  const positional: string[] = [];
  const opts: Options = { addr: `localhost:${process.env.GRPC_PORT ?? 50051}`, data: process.env.DATA_DIR ?? "data" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--as" || a === "--addr" || a === "--data" || a === "--print" || a === "--purpose") {
      const value = argv[++i];
      if (value === undefined) fail(`${a} needs a value`);
      opts[a.slice(2) as keyof Options] = value;
    } else positional.push(a);
  }
  return { positional, opts };
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function loadDefinition() {
  return protoLoader.loadSync(
    SERVED_SERVICES.map((s) => s.protoFile),
    { includeDirs: [projectPath("proto")], longs: String, enums: String, defaults: true },
  );
}

function tokenFor(opts: Options): string {
  if (!opts.as) fail("name the calling department with --as <dept> (e.g. --as samr)");
  const file = path.join(opts.data, "credentials", `${opts.as}.json`);
  if (!fs.existsSync(file)) fail(`no credential for ${opts.as} at ${file}; start the hub once on the embedded default to create them`);
  const c = JSON.parse(fs.readFileSync(file, "utf8")) as StoredCredential;
  return signDepartmentToken(c, 120);
}

function readRequest(arg: string | undefined): object {
  const text = arg === undefined ? "{}" : arg === "-" ? fs.readFileSync(0, "utf8") : arg.startsWith("@") ? fs.readFileSync(arg.slice(1), "utf8") : arg;
  try {
    return JSON.parse(text);
  } catch (err) {
    fail(`the request is not valid JSON: ${(err as Error).message}`);
  }
}

function pick(value: unknown, fieldPath: string): unknown {
  return fieldPath.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], value);
}

async function call(target: string, requestArg: string | undefined, opts: Options) {
  const [serviceName, method] = target.split("/");
  const served = SERVED_SERVICES.find((s) => s.fullName === serviceName || s.fullName.endsWith(`.${serviceName}`));
  if (!served || !method) fail(`unknown method "${target}"; list them with: tongban-cli methods`);
  const definition = loadDefinition();
  const pkg = grpc.loadPackageDefinition(definition);
  // Message types of the method, for protobuf's JSON form of Timestamps (RFC 3339 text) both ways.
  const rpc = (definition[served.fullName] as Record<string, { requestType: { type: { name: string } }; responseType: { type: { name: string } } }>)[method];
  if (!rpc) fail(`${served.fullName} has no method ${method}`);
  const pkgName = served.fullName.split(".").slice(0, -1).join(".");
  const Client = served.fullName.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], pkg) as grpc.ServiceClientConstructor;
  const client = new Client(opts.addr, grpc.credentials.createInsecure());
  const fn = (client as unknown as Record<string, Function>)[method];
  if (typeof fn !== "function") fail(`${served.fullName} has no method ${method}`);
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${tokenFor(opts)}`);
  if (opts.purpose) metadata.set("x-purpose-bin", Buffer.from(opts.purpose, "utf8"));
  let request: unknown;
  try {
    request = timestampsFromText(definition, `${pkgName}.${rpc.requestType.type.name}`, readRequest(requestArg));
  } catch (err) {
    fail(`the request has a bad time: ${(err as Error).message}`);
  }
  await new Promise<void>((resolve) => {
    fn.call(client, request, metadata, { deadline: Date.now() + 15_000 }, (err: grpc.ServiceError | null, response: unknown) => {
      if (err) {
        const reason = err.metadata?.get("reason-code")[0];
        process.stderr.write(`${grpc.status[err.code]}: ${err.details}${reason ? ` [${reason}]` : ""}\n`);
        process.exitCode = 1;
      } else {
        const json = timestampsToText(definition, `${pkgName}.${rpc.responseType.type.name}`, response);
        const out = opts.print ? pick(json, opts.print) : json;
        process.stdout.write(`${typeof out === "string" ? out : JSON.stringify(out, null, 2)}\n`);
      }
      client.close();
      resolve();
    });
  });
}

async function main() {
  endQuietlyWhenOutputCloses();
  const { positional, opts } = parseArgs(process.argv.slice(2));
  const [command, ...rest] = positional;
  if (command === "call") return call(rest[0] ?? fail("call needs <Service>/<Method>"), rest[1], opts);
  if (command === "token") return void process.stdout.write(`${tokenFor(opts)}\n`);
  if (command === "methods") {
    for (const s of SERVED_SERVICES) for (const d of Object.values(s.definition)) process.stdout.write(`${d.path.slice(1)}\n`);
    return;
  }
  fail("usage: tongban-cli call <Service>/<Method> [<json>|@file|-] --as <dept> [--print field] [--purpose text] | token --as <dept> | methods");
}

main().catch((err) => fail((err as Error).message));
