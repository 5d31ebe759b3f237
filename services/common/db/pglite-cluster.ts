/**
 * The database cluster of a new embedded database, made by initdb or copied from a template.
 *
 * PGlite's initdb takes seconds (4.5 s on this project's 2-core machine, 9 s when it is busy): half
 * of the embedded default's first start. Every new cluster is the same, so `npm run build` makes
 * one once (dist/pglite-template, bin/pglite-template.ts) and a first start copies it (tens of ms).
 * A template is used only by the PGlite version and settings it was made with (its stamp); without
 * one, or when copying fails, the cluster is made by initdb as before.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { rootLogger } from "../logger";

/**
 * PostgreSQL's shared buffer pool in the embedded database. PGlite allocates and touches the whole
 * pool at start, so its default (128MB) would be resident from the first second; the embedded
 * default holds little data, and the pages it reads stay in the operating system's file cache.
 */
export const EMBEDDED_SHARED_BUFFERS = "32MB";

/** Runs PGlite in a short-lived child process on a directory (see initdb). */
const CREATE_CLUSTER = `
const { PGlite } = require(process.argv[1]);
(async () => {
  const pg = await PGlite.create(process.argv[2]);
  await pg.exec("ALTER SYSTEM SET shared_buffers = '${EMBEDDED_SHARED_BUFFERS}'");
  await pg.close();
})().then(() => process.exit(0), (err) => {
  process.stderr.write(String((err && err.stack) || err));
  process.exit(1);
});`;

/** The file in a template naming what it was made for; never copied into a database. */
const STAMP = "tongban-template.json";

/** The installed PGlite's version (its package.json, found from its entry point). */
function pgliteVersion(): string {
  let dir = path.dirname(require.resolve("@electric-sql/pglite"));
  for (;;) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "@electric-sql/pglite") return String(pkg.version);
    }
    const up = path.dirname(dir);
    if (up === dir) return "unknown";
    dir = up;
  }
}

/** What a template made now would be made for: a copy is only used by the same. */
function stampNow(): string {
  return JSON.stringify({ pglite: pgliteVersion(), sharedBuffers: EMBEDDED_SHARED_BUFFERS });
}

/** Whether `dir` holds a whole template made for this PGlite and these settings. */
export function isUsableTemplate(dir: string): boolean {
  try {
    return fs.readFileSync(path.join(dir, STAMP), "utf8") === stampNow() && fs.existsSync(path.join(dir, "PG_VERSION"));
  } catch {
    return false;
  }
}

/** The template `npm run build` made (dist/pglite-template), found from dist/ and from the sources (tests); undefined when there is none to use. */
export function builtTemplate(): string | undefined {
  return [path.resolve(__dirname, "../../../pglite-template"), path.resolve(__dirname, "../../../dist/pglite-template")].find(isUsableTemplate);
}

/** Whether `pid` is a running process other than this one. */
export function isOtherLiveProcess(pid: number): boolean {
  try {
    return pid > 0 && pid !== process.pid && process.kill(pid, 0);
  } catch {
    return false;
  }
}

/**
 * initdb into `target` (absent or empty) in a child process: PGlite's initdb starts a second
 * Postgres instance and copies its memory and files, several hundred MB that would otherwise stay
 * in this process's peak memory for good. ALTER SYSTEM records the buffer pool size for every start.
 */
function initdb(target: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      ["-e", CREATE_CLUSTER, require.resolve("@electric-sql/pglite"), target],
      { maxBuffer: 16 * 1024 * 1024 },
      (err, _stdout, stderr) => (err ? reject(new Error(`could not create an embedded database cluster in ${target}: ${stderr.trim() || err.message}`)) : resolve()),
    );
  });
}

/**
 * Makes a template at `dir` unless a usable one is there; true when it made one. Built beside
 * `dir` and moved in whole, so a template is never half made.
 */
export async function makeTemplate(dir: string): Promise<boolean> {
  if (isUsableTemplate(dir)) return false;
  const scratch = `${dir}-making-${process.pid}`;
  fs.rmSync(scratch, { recursive: true, force: true });
  try {
    await initdb(scratch);
    fs.writeFileSync(path.join(scratch, STAMP), stampNow());
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(scratch, dir);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return true;
}

/**
 * Creates the cluster of a new embedded database at `dir`: a copy of `template` when it is usable,
 * else initdb. The cluster is made beside `dir` and moved in with PG_VERSION last, so an
 * interrupted first start leaves no half-made database behind.
 */
export async function createCluster(dir: string, template: string | undefined = builtTemplate()): Promise<void> {
  const log = rootLogger().child({ mod: "database" });
  const started = Date.now();
  const scratch = `${dir}-initdb-${process.pid}`;
  // Scratch directories of first starts that were killed (their process gone) are dropped.
  const parent = path.dirname(dir);
  const prefix = `${path.basename(dir)}-initdb-`;
  for (const f of fs.readdirSync(parent).filter((f) => f.startsWith(prefix))) {
    if (!isOtherLiveProcess(Number(f.slice(prefix.length)))) fs.rmSync(path.join(parent, f), { recursive: true, force: true });
  }
  let how = "initdb";
  try {
    if (template && isUsableTemplate(template)) {
      try {
        fs.cpSync(template, scratch, { recursive: true, filter: (src) => path.basename(src) !== STAMP || path.dirname(src) !== template });
        how = `copied from ${template}`;
      } catch (err) {
        log.warn({ err, template }, "could not copy the embedded database template; running initdb instead");
        fs.rmSync(scratch, { recursive: true, force: true });
      }
    }
    if (how === "initdb") await initdb(scratch);
    const entries = fs.readdirSync(scratch).filter((f) => f !== "PG_VERSION");
    for (const entry of [...entries, "PG_VERSION"]) {
      // A leftover of an interrupted first start (there is no PG_VERSION yet) is replaced.
      fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
      fs.renameSync(path.join(scratch, entry), path.join(dir, entry));
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  log.info(`created the embedded database in ${dir} in ${Date.now() - started} ms (${how})`);
}
