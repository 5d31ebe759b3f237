/** Locates files shipped beside the code (migrations, proto files) from source and from dist/. */
import fs from "node:fs";
import path from "node:path";

let root: string | undefined;

/** The project root: the nearest folder above this file holding package.json. */
export function projectRoot(): string {
  if (root) return root;
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "package.json"))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = up;
  }
  root = dir;
  return dir;
}

/** A path relative to the project root. */
export function projectPath(...parts: string[]): string {
  return path.join(projectRoot(), ...parts);
}
