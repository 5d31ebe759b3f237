/**
 * A new embedded database's cluster (pglite-cluster.ts): copied from the template `npm run build`
 * makes, or made by initdb when there is no usable template. Either way PGlite opens it with the
 * settings the embedded default needs, and a template made for another PGlite is not used.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { createCluster, isUsableTemplate, makeTemplate } from "../../services/common/db/pglite-cluster";

jest.setTimeout(120_000);

describe("embedded database clusters", () => {
  let root: string;
  let template: string;
  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-cluster-"));
    template = path.join(root, "template");
    expect(await makeTemplate(template)).toBe(true);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  async function sharedBuffers(dir: string): Promise<string> {
    const pg = await PGlite.create(dir);
    try {
      return ((await pg.query<{ shared_buffers: string }>("SHOW shared_buffers")).rows[0]).shared_buffers;
    } finally {
      await pg.close();
    }
  }

  it("makes a template once: a usable one is kept", async () => {
    expect(isUsableTemplate(template)).toBe(true);
    expect(await makeTemplate(template)).toBe(false);
  });

  it("copies a usable template (without its stamp) into a database PGlite opens with the embedded settings", async () => {
    fs.writeFileSync(path.join(template, "copied-marker"), "x");
    const dir = path.join(root, "from-template");
    fs.mkdirSync(dir);
    await createCluster(dir, template);
    expect(fs.existsSync(path.join(dir, "copied-marker"))).toBe(true);
    expect(fs.existsSync(path.join(dir, "tongban-template.json"))).toBe(false);
    expect(fs.readdirSync(root).filter((f) => f.includes("-initdb-"))).toEqual([]);
    expect(await sharedBuffers(dir)).toBe("32MB");
    fs.rmSync(path.join(template, "copied-marker"));
  });

  it("runs initdb instead of copying a template made for another PGlite or other settings", async () => {
    const other = path.join(root, "other-template");
    fs.cpSync(template, other, { recursive: true });
    const stamp = JSON.parse(fs.readFileSync(path.join(other, "tongban-template.json"), "utf8"));
    fs.writeFileSync(path.join(other, "tongban-template.json"), JSON.stringify({ ...stamp, madeFor: { ...stamp.madeFor, pglite: "0.0.1" } }));
    fs.writeFileSync(path.join(other, "copied-marker"), "x");
    expect(isUsableTemplate(other)).toBe(false);
    const dir = path.join(root, "from-initdb");
    fs.mkdirSync(dir);
    await createCluster(dir, other);
    expect(fs.existsSync(path.join(dir, "copied-marker"))).toBe(false);
    expect(fs.existsSync(path.join(dir, "PG_VERSION"))).toBe(true);
    expect(await sharedBuffers(dir)).toBe("32MB");
  });

  it("copies the files a linked template points to, and leaves the template whole", async () => {
    const link = path.join(root, "linked-template");
    fs.symlinkSync(template, link);
    const dir = path.join(root, "from-link");
    fs.mkdirSync(dir);
    await createCluster(dir, link);
    expect(fs.lstatSync(path.join(dir, "base")).isDirectory()).toBe(true);
    expect(fs.existsSync(path.join(dir, "tongban-template.json"))).toBe(false);
    expect(isUsableTemplate(template)).toBe(true);
    expect(fs.existsSync(path.join(template, "base"))).toBe(true);
    expect(await sharedBuffers(dir)).toBe("32MB");
  });

  it("recreates the empty directories a copying tool dropped from the template, and the database opens", async () => {
    const stripped = path.join(root, "stripped-template");
    fs.cpSync(template, stripped, { recursive: true });
    const removeEmpty = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) removeEmpty(path.join(d, e.name));
      if (fs.readdirSync(d).length === 0) fs.rmdirSync(d);
    };
    removeEmpty(stripped);
    expect(fs.existsSync(path.join(stripped, "pg_notify"))).toBe(false);
    const dir = path.join(root, "from-stripped");
    fs.mkdirSync(dir);
    await createCluster(dir, stripped);
    expect(fs.existsSync(path.join(dir, "pg_notify"))).toBe(true);
    expect(await sharedBuffers(dir)).toBe("32MB");
  });
});
