// The supervision page (电子监察): built by Vite into dist/web/supervision, which the gateway serves
// at /supervision/. No CDN: every script and style is in the build.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: here,
  base: "/supervision/",
  logLevel: "warn",
  build: {
    outDir: fileURLToPath(new URL("../../../dist/web/supervision", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
  },
});
