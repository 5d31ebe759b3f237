/**
 * The supervision page (gateway/supervision/page, built by Vite into dist/web/supervision) served
 * at /supervision/ with @fastify/static: no CDN, and a Content-Security-Policy that lets it load
 * only its own scripts and styles and talk only to this gateway. Not in the OpenAPI document.
 */
import fs from "node:fs";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import { projectPath } from "../../../services/common/paths";
import { HttpError } from "./http-kit";

/** Where the built page is. */
export const PAGE_DIR = projectPath("dist", "web", "supervision");

const PAGE_HEADERS = {
  "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

/** Registers /supervision/ (the page) on the portal's app. */
export async function registerPages(app: FastifyInstance): Promise<void> {
  if (!fs.existsSync(`${PAGE_DIR}/index.html`)) {
    // A checkout that was not built: say so instead of a bare 404.
    app.get("/supervision/*", { schema: { hide: true } }, () => {
      throw new HttpError(503, "UNAVAILABLE", "the supervision page is not built here: run npm run build");
    });
    return;
  }
  await app.register(fastifyStatic, {
    root: PAGE_DIR,
    prefix: "/supervision/",
    schemaHide: true,
    index: ["index.html"],
    // The headers below are the page's own (the plugin's cache-control would overwrite them).
    cacheControl: false,
    // Hashed asset names change with their content; the page itself is always fetched again.
    setHeaders: (res, file) => {
      for (const [k, v] of Object.entries(PAGE_HEADERS)) res.setHeader(k, v);
      res.setHeader("cache-control", file.endsWith("index.html") ? "no-cache" : "public, max-age=31536000, immutable");
    },
  });
  app.get("/supervision", { schema: { hide: true } }, (_req, reply) => reply.redirect("/supervision/", 308));
}
