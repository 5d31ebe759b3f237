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
import crypto from "node:crypto";
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

/** What a template made now would be made for (PGlite, settings, the script that makes it): a copy is only used by the same. */
function madeFor(): { pglite: string; sharedBuffers: string; script: string } {
  return { pglite: pgliteVersion(), sharedBuffers: EMBEDDED_SHARED_BUFFERS, script: crypto.createHash("sha256").update(CREATE_CLUSTER).digest("hex").slice(0, 16) };
}

/** A template's stamp: what it was made for, and its directories (some empty, which copying tools may drop; PostgreSQL needs them). */
interface Stamp {
  madeFor: ReturnType<typeof madeFor>;
  dirs: string[];
}

function readStamp(dir: string): Stamp | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, STAMP), "utf8")) as Stamp;
  } catch {
    return undefined;
  }
}

/** Whether `dir` holds a whole template made for this PGlite, these settings and this script. */
export function isUsableTemplate(dir: string): boolean {
  const stamp = readStamp(dir);
  return stamp !== undefined && JSON.stringify(stamp.madeFor) === JSON.stringify(madeFor()) && Array.isArray(stamp.dirs) && fs.existsSync(path.join(dir, "PG_VERSION"));
}

/** Every directory under `root`, relative to it. */
function directoriesUnder(root: string, rel = ""): string[] {
  return fs
    .readdirSync(path.join(root, rel), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => [path.join(rel, e.name), ...directoriesUnder(root, path.join(rel, e.name))]);
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
 * An empty scratch directory beside `dir` for this process (`<dir>-<tag>-<pid>`), where a cluster
 * is made before it is moved in. Those of processes that were killed (their pid gone) are dropped.
 */
function scratchBeside(dir: string, tag: string): string {
  const parent = path.dirname(dir);
  const prefix = `${path.basename(dir)}-${tag}-`;
  for (const f of fs.existsSync(parent) ? fs.readdirSync(parent) : []) {
    if (f.startsWith(prefix) && !isOtherLiveProcess(Number(f.slice(prefix.length)))) fs.rmSync(path.join(parent, f), { recursive: true, force: true });
  }
  const scratch = `${dir}-${tag}-${process.pid}`;
  fs.rmSync(scratch, { recursive: true, force: true });
  return scratch;
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
  const scratch = scratchBeside(dir, "making");
  try {
    await initdb(scratch);
    const stamp: Stamp = { madeFor: madeFor(), dirs: directoriesUnder(scratch) };
    fs.writeFileSync(path.join(scratch, STAMP), JSON.stringify(stamp));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(scratch, dir);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return true;
}

/** A copy of the template at `scratch` (no stamp; its directories all there); throws when it cannot be made. */
function copyTemplate(template: string, scratch: string): void {
  // The template's own files, wherever a link points: a copied link would have the moves below empty the template.
  const real = fs.realpathSync(template);
  const stamp = readStamp(real)!;
  fs.cpSync(real, scratch, { recursive: true, dereference: true, filter: (src) => src !== path.join(real, STAMP) });
  for (const d of stamp.dirs) fs.mkdirSync(path.join(scratch, d), { recursive: true });
  if (!fs.existsSync(path.join(scratch, "PG_VERSION"))) throw new Error("the copy has no PG_VERSION");
}

/**
 * Creates the cluster of a new embedded database at `dir`: a copy of `template` when it is usable,
 * else initdb. The cluster is made beside `dir` and moved in with PG_VERSION last, so an
 * interrupted first start leaves no half-made database behind.
 */
export async function createCluster(dir: string, template: string | undefined = builtTemplate()): Promise<void> {
  const log = rootLogger().child({ mod: "database" });
  const started = Date.now();
  const scratch = scratchBeside(dir, "initdb");
  let how = "initdb";
  try {
    if (template && isUsableTemplate(template)) {
      try {
        copyTemplate(template, scratch);
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
