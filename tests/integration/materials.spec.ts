/**
 * The material store (gateway/materials) on real brokers and real databases: PostgreSQL with a
 * department calling over NATS, and embedded PGlite in one process. Uploads are made on the
 * service's own broker, as the gateway's portal API does; departments fetch from their own.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ServiceBroker } from "moleculer";
import { materialsService } from "../../gateway/materials/materials.service";
import { latestOfType, type MaterialMeta } from "../../gateway/materials/store";
import { loadConfig } from "../../services/common/config";
import { rootLogger } from "../../services/common/logger";
import type { Database } from "../../services/common/db/database";
import { closeDatabases, HealthRegistry, type Runtime } from "../../services/common/runtime";
import { openSharedStore } from "../../services/common/shared-store";
import { createTestDatabase, dropTestDatabase } from "../support/postgres";
import { NATS_URL, requireServers } from "../support/servers";
import { COMPANY, jpegSample, OTHER_PERSON, PERSON, pdfSample, pngSample, thrown } from "../unit/gateway/materials/samples";

interface UnderTest {
  /** The broker hosting the materials service (the gateway's process). */
  gateway: ServiceBroker;
  /** A department's broker: over NATS for PostgreSQL, the same broker for PGlite. */
  department: ServiceBroker;
  db: Database;
}

type Reply = MaterialMeta & { contentBase64: string };

async function start(kind: "postgres" | "pglite"): Promise<UnderTest & { stop(): Promise<void> }> {
  rootLogger("silent");
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-materials-"));
  let database: { name: string; url: string } | undefined;
  if (kind === "postgres") {
    await requireServers();
    database = await createTestDatabase();
  }
  const config = loadConfig({ DATA_DIR: dataDir, SERVICES: "gateway", LOG_LEVEL: "silent", DATABASE_URL: database?.url, HUB_SECRET: "h".repeat(40) });
  const runtime: Runtime = { config, store: openSharedStore(undefined), health: new HealthRegistry(), databases: new Map() };
  const namespace = `materials-${crypto.randomBytes(4).toString("hex")}`;
  const transport = kind === "postgres" ? { namespace, transporter: NATS_URL } : {};
  const gateway = new ServiceBroker({ logger: false, nodeID: `${namespace}-gateway`, ...transport });
  gateway.createService(materialsService(runtime));
  await gateway.start();
  let department = gateway;
  if (kind === "postgres") {
    department = new ServiceBroker({ logger: false, nodeID: `${namespace}-samr`, ...transport });
    await department.start();
    await department.waitForServices(["materials"], 20_000);
  }
  const db = await runtime.databases.get("gateway")!;
  return {
    gateway,
    department,
    db,
    async stop() {
      if (department !== gateway) await department.stop();
      await gateway.stop();
      await closeDatabases(runtime);
      await runtime.store.close();
      if (database) await dropTestDatabase(database.name);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const sha = (bytes: Buffer) => crypto.createHash("sha256").update(bytes).digest("hex");

function defineMaterialTests(kind: "postgres" | "pglite") {
  let t: UnderTest & { stop(): Promise<void> };
  beforeAll(async () => {
    t = await start(kind);
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  }, 60_000);

  const upload = (owner: string, typeCode: string, fileName: string, bytes: Buffer, contentType = "application/pdf") =>
    t.gateway.call("materials.upload", { owner, typeCode, fileName, contentType, contentBase64: bytes.toString("base64") }) as Promise<MaterialMeta>;
  const count = async (sql: string, params: unknown[] = []) => (await t.db.query<{ n: number }>(sql, params)).rows[0].n;
  const contentRows = (bytes: Buffer) => count("SELECT count(*)::int AS n FROM material_contents WHERE sha256 = $1", [sha(bytes)]);
  const totals = async () => [
    await count("SELECT count(*)::int AS n FROM material_contents"),
    await count("SELECT count(*)::int AS n FROM materials"),
    await count("SELECT count(*)::int AS n FROM data_uses"),
  ];
  const fetchAs = (department: string | undefined, params: Record<string, unknown>) =>
    t.department.call("materials.fetchForCase", params, department ? { meta: { caller: { department } } } : {}) as Promise<Reply>;

  it("stores the same file once and returns the same material when it is uploaded again", async () => {
    const bytes = pdfSample("lease-once");
    const first = await upload(PERSON, "LEASE_CONTRACT", "租赁合同.pdf", bytes);
    const again = await upload(PERSON, "LEASE_CONTRACT", "租赁合同(1).pdf", bytes);
    expect(first).toMatchObject({ owner: PERSON, typeCode: "LEASE_CONTRACT", fileName: "租赁合同.pdf", contentType: "application/pdf", size: bytes.length, sha256: sha(bytes) });
    expect(first.materialId).toMatch(/^M-[0-9a-f]{24}$/);
    expect(again.materialId).toBe(first.materialId);
    expect(again.fileName).toBe("租赁合同.pdf");
    expect(await contentRows(bytes)).toBe(1);
    expect(await count("SELECT count(*)::int AS n FROM materials WHERE material_id = $1", [first.materialId])).toBe(1);

    // Double-clicks and retries arrive together: they wait on the keys and still store one of each.
    const raced = pdfSample("lease-raced");
    const ids = await Promise.all(Array.from({ length: 6 }, () => upload(PERSON, "LEASE_CONTRACT", "lease.pdf", raced)));
    expect(new Set(ids.map((m) => m.materialId)).size).toBe(1);
    expect(await contentRows(raced)).toBe(1);
  });

  it("keeps bytes shared by two owners once, as two materials", async () => {
    const bytes = pdfSample("shared-premises");
    const a = await upload(PERSON, "PREMISES_PROOF", "住所证明.pdf", bytes);
    const b = await upload(COMPANY, "PREMISES_PROOF", "premises.pdf", bytes);
    const c = await upload(COMPANY, "LEASE_CONTRACT", "premises.pdf", bytes);
    expect(new Set([a.materialId, b.materialId, c.materialId]).size).toBe(3);
    expect(await contentRows(bytes)).toBe(1);
    expect(await count("SELECT count(*)::int AS n FROM materials WHERE content_sha256 = $1", [sha(bytes)])).toBe(3);
  });

  it("refuses oversize, wrong-type and spoofed uploads naming the field, writing nothing", async () => {
    const before = await totals();
    const refusals: Array<[string, () => Promise<unknown>]> = [
      // A photo is held to the smaller image limit (5 MiB) of its type.
      ["content", () => upload(PERSON, "PREMISES_LAYOUT", "plan.jpg", Buffer.concat([jpegSample(), Buffer.alloc(5 * 1024 * 1024)]), "image/jpeg")],
      // What the government holds is never collected again.
      ["type_code", () => upload(PERSON, "ID_CARD", "id.jpg", jpegSample(), "image/jpeg")],
      ["content_type", () => upload(PERSON, "LEASE_CONTRACT", "lease.pdf", pdfSample("params"), "application/pdf; name=lease.exe")],
      ["content", () => upload(PERSON, "LEASE_CONTRACT", "big.pdf", Buffer.concat([pdfSample(), Buffer.alloc(10 * 1024 * 1024)]))],
      ["content_type", () => upload(PERSON, "LEASE_CONTRACT", "lease.html", Buffer.from("<html></html>"), "text/html")],
      ["content_type", () => upload(PERSON, "LIQUIDATION_REPORT", "report.png", pngSample(), "image/png")],
      ["content_type", () => upload(PERSON, "LEASE_CONTRACT", "lease.pdf", pngSample(), "application/pdf")],
      ["content", () => upload(PERSON, "LEASE_CONTRACT", "lease.pdf", Buffer.from("MZ\x90\x00 not a pdf", "latin1"))],
      ["type_code", () => upload(PERSON, "SELFIE", "me.jpg", jpegSample(), "image/jpeg")],
      ["file_name", () => upload(PERSON, "LEASE_CONTRACT", "../lease.pdf", pdfSample("bad-name"))],
      ["owner", () => upload("110101199001011238", "LEASE_CONTRACT", "lease.pdf", pdfSample("bad-owner"))],
      ["content_base64", () => t.gateway.call("materials.upload", { owner: PERSON, typeCode: "LEASE_CONTRACT", fileName: "a.pdf", contentType: "application/pdf", contentBase64: "JVBER!0x" })],
    ];
    for (const [field, call] of refusals) {
      const e = await thrown(call);
      expect({ type: e.type, field: e.data?.field }).toEqual({ type: "INVALID_ARGUMENT", field });
    }
    expect(await totals()).toEqual(before);
  });

  it("shows a material only to its owner, as if it did not exist to anyone else", async () => {
    const bytes = pdfSample("articles");
    const mine = await upload(COMPANY, "ARTICLES_OF_ASSOCIATION", "公司章程.pdf", bytes);
    const got = (await t.gateway.call("materials.get", { materialId: mine.materialId, owner: COMPANY })) as Reply;
    expect(Buffer.from(got.contentBase64, "base64")).toEqual(bytes);
    expect(got.fileName).toBe("公司章程.pdf");

    const theirs = await thrown(() => t.gateway.call("materials.get", { materialId: mine.materialId, owner: OTHER_PERSON }));
    const missing = await thrown(() => t.gateway.call("materials.get", { materialId: "M-000000000000000000000000", owner: OTHER_PERSON }));
    expect(theirs.type).toBe("NOT_FOUND");
    expect(missing.type).toBe("NOT_FOUND");
    expect(theirs.message.replace(mine.materialId, "ID")).toBe(missing.message.replace("M-000000000000000000000000", "ID"));

    const listed = (await t.gateway.call("materials.listByOwner", { owner: OTHER_PERSON })) as { materials: MaterialMeta[] };
    expect(listed.materials.map((m) => m.materialId)).not.toContain(mine.materialId);
    const own = (await t.gateway.call("materials.listByOwner", { owner: COMPANY })) as { materials: Array<MaterialMeta & { contentBase64?: string }> };
    expect(own.materials.map((m) => m.materialId)).toContain(mine.materialId);
    expect(own.materials.every((m) => m.owner === COMPANY && m.contentBase64 === undefined)).toBe(true);
  });

  it("lists newest first and treats a re-upload as the current material of its type", async () => {
    const a = await upload(OTHER_PERSON, "LABOUR_CONTRACT", "a.pdf", pdfSample("labour-a"));
    const b = await upload(OTHER_PERSON, "LABOUR_CONTRACT", "b.jpg", jpegSample(), "image/jpeg");
    expect((await latestOfType(t.db, OTHER_PERSON, "LABOUR_CONTRACT"))?.materialId).toBe(b.materialId);
    await upload(OTHER_PERSON, "LABOUR_CONTRACT", "a.pdf", pdfSample("labour-a"));
    expect((await latestOfType(t.db, OTHER_PERSON, "LABOUR_CONTRACT"))?.materialId).toBe(a.materialId);
    expect(await latestOfType(t.db, OTHER_PERSON, "LIQUIDATION_REPORT")).toBeUndefined();
    const listed = (await t.gateway.call("materials.listByOwner", { owner: OTHER_PERSON })) as { materials: MaterialMeta[] };
    expect(listed.materials.slice(0, 2).map((m) => m.materialId)).toEqual([a.materialId, b.materialId]);
  });

  it("gives a department a material for a stated case and records the access", async () => {
    const bytes = pdfSample("resolution");
    const m = await upload(COMPANY, "SHAREHOLDER_RESOLUTION", "股东会决议.pdf", bytes);
    const before = await totals();

    expect((await thrown(() => fetchAs("samr", { materialId: m.materialId }))).data?.field).toBe("case_id");
    expect((await thrown(() => fetchAs(undefined, { materialId: m.materialId, caseId: "CASE-1" }))).type).toBe("UNAUTHENTICATED");
    expect((await thrown(() => fetchAs("samr", { materialId: "M-000000000000000000000000", caseId: "CASE-1" }))).type).toBe("NOT_FOUND");
    expect(await totals()).toEqual(before);

    const fetched = await fetchAs("samr", { materialId: m.materialId, caseId: "YW-2024-0001" });
    expect(Buffer.from(fetched.contentBase64, "base64")).toEqual(bytes);
    expect(fetched).toMatchObject({ materialId: m.materialId, owner: COMPANY, typeCode: "SHAREHOLDER_RESOLUTION" });
    await fetchAs("tax", { materialId: m.materialId, caseId: "YW-2024-0002" });

    const { accesses } = (await t.gateway.call("materials.accessesOf", { owner: COMPANY })) as {
      accesses: Array<{ materialId: string; reader: string; caseId: string; at: string }>;
    };
    expect(accesses.map(({ materialId, reader, caseId }) => ({ materialId, reader, caseId }))).toEqual([
      { materialId: m.materialId, reader: "tax", caseId: "YW-2024-0002" },
      { materialId: m.materialId, reader: "samr", caseId: "YW-2024-0001" },
    ]);
    expect(await count("SELECT count(*)::int AS n FROM data_uses WHERE subject_id = $1 AND what = 'material' AND item = $2", [COMPANY, m.materialId])).toBe(2);
  });
}

describe("material store on PostgreSQL, department over NATS", () => defineMaterialTests("postgres"));
describe("material store on embedded PGlite, in process", () => defineMaterialTests("pglite"));
