/**
 * proto/gen is committed; this fails when it is stale ("did you forget `npm run proto`?"): the
 * protos are compiled again with buf and ts-proto into a temporary folder and compared file by file.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const BUF = path.join(ROOT, "node_modules", ".bin", "buf");

function listFiles(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p, base) : [path.relative(base, p)];
  });
}

describe("generated contracts", () => {
  it("proto/gen matches what buf and ts-proto generate from proto/", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-proto-"));
    try {
      execFileSync(BUF, ["generate", "-o", out], { cwd: path.join(ROOT, "proto"), stdio: "pipe" });
      const committed = listFiles(path.join(ROOT, "proto", "gen")).sort();
      const fresh = listFiles(path.join(out, "gen")).sort();
      expect(committed).toEqual(fresh);
      const stale = fresh.filter(
        (f) => fs.readFileSync(path.join(out, "gen", f), "utf8") !== fs.readFileSync(path.join(ROOT, "proto", "gen", f), "utf8"),
      );
      expect({ stale, hint: stale.length ? "run `npm run proto` and commit proto/gen" : "" }).toEqual({ stale: [], hint: "" });
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it("the protos pass buf lint", () => {
    expect(() => execFileSync(BUF, ["lint"], { cwd: path.join(ROOT, "proto"), stdio: "pipe" })).not.toThrow();
  });
});
