/**
 * Makes the embedded database's cluster template (dist/pglite-template) that a first start copies
 * instead of running PGlite's initdb (services/common/db/pglite-cluster.ts). Run by `npm run build`;
 * does nothing when a template for the installed PGlite and settings is there. A failure is
 * reported and the build goes on: without a template a first start runs initdb as before.
 */
import path from "node:path";
import { makeTemplate } from "../services/common/db/pglite-cluster";

const dir = path.resolve(__dirname, "../pglite-template");
const started = Date.now();
makeTemplate(dir).then(
  (made) => {
    if (made) console.log(`made the embedded database template ${dir} in ${Date.now() - started} ms`);
  },
  (err: unknown) => {
    console.warn(`could not make the embedded database template (first starts will run initdb): ${(err as Error).message}`);
  },
);
