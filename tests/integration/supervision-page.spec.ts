/**
 * The supervision page end to end in a real headless Chromium (Debian's chromium, driven by
 * playwright-core) against the embedded hub in this process: the board shows an open case's step
 * green, yellow once 90 % of its time is used and red when overdue — the hub's clock moved through
 * its seam, never by sleeping — the red list shows it and a bad rating with its rectification
 * deadline, the statistics count the bad rating, and the page speaks English on request.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { bootstrap } from "../../services/bootstrap";
import { setClockOffset } from "../../services/common/clock";
import { loadConfig } from "../../services/common/config";
import { signDepartmentToken } from "../../services/common/department-token";
import { rootLogger } from "../../services/common/logger";
import { todayInChina } from "../../services/common/validate";
import { startHub, type Hub } from "../../services/hub";
import { generatePopulation } from "../../services/identity/seed/population";
import { eventually } from "../support/eventually";
import { readCredential } from "../support/grpc-client";
import { startBusinessForm, tradeName, START_BUSINESS_CONSENT } from "../support/start-business";
import { pdfSample } from "../unit/gateway/materials/samples";

/** Debian's chromium (installed by .ci/ensure-servers.sh); CHROMIUM_PATH overrides. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const people = generatePopulation(200, 20261122);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-page-"));
let hub: Hub;
let base: string;
let browser: Browser;
let page: Page;

async function api(method: string, url: string, o: { token?: string; body?: unknown } = {}) {
  const res = await fetch(`${base}${url}`, { method, headers: { ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...(o.body ? { "content-type": "application/json" } : {}) }, body: o.body ? JSON.stringify(o.body) : undefined });
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  rootLogger("warn");
  hub = await startHub(loadConfig({ DATA_DIR: dataDir, PORT: "0", GRPC_PORT: "0", SEED_POPULATION: "200", DEV_CREDENTIALS: "true", LOG_LEVEL: "warn" }));
  await bootstrap(hub);
  base = `http://127.0.0.1:${(await hub.broker.call<{ port: number }>("http.port")).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // This machine's network is closed: no background traffic, no first-run work.
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
}, 120_000);

afterAll(async () => {
  setClockOffset(0);
  await browser?.close();
  await hub?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

it("shows lights turning yellow and red with the hub's clock, the red list, a bad rating's rectification and the statistics", async () => {
  const data = readCredential(dataDir, "data");
  const applicant = people[30];
  const token = (await api("POST", "/v1/sessions", { token: signDepartmentToken(data, 120), body: { id_number: applicant.idNumber } })).body.token as string;
  const upload = async (typeCode: string) =>
    (await api("POST", "/v1/materials", { token, body: { type_code: typeCode, file_name: "x.pdf", content_type: "application/pdf", content_base64: pdfSample(`page-${typeCode}`).toString("base64") } })).body.material_id as string;
  const materials = { ARTICLES_OF_ASSOCIATION: await upload("ARTICLES_OF_ASSOCIATION"), PREMISES_PROOF: await upload("PREMISES_PROOF") };
  const submit = async (i: number) =>
    (await api("POST", "/v1/applications", { token, body: { bundle_code: "START_BUSINESS", consent: START_BUSINESS_CONSENT, client_key: `page-${i}-00000`, materials, form: startBusinessForm({ tradeName: tradeName(60 + i, "察"), applicant: applicant.idNumber, employees: [people[31 + i].idNumber], startDate: todayInChina(new Date()) }) } })).body.application_id as string;
  const status = (id: string) => api("GET", `/v1/applications/${id}`, { token });
  const [open, rated] = [await submit(0), await submit(1)];
  const waiting = await eventually(() => status(open), (s) => s.body.steps[1].status === "WAITING_DECISION", 60_000);
  await eventually(() => status(rated), (s) => s.body.steps[1].status === "WAITING_DECISION", 60_000);
  await hub.broker.call("bundles.decide", { applicationId: rated, stepKey: "establishment", outcome: "APPROVE", comment: "准予登记" }, { meta: { caller: { department: "samr" } } });
  await eventually(() => status(rated), (s) => s.body.status === "COMPLETED", 60_000);
  const rating = await api("POST", `/v1/applications/${rated}/rating`, { token, body: { score: 4, departments: [{ department: "tax", score: 1, comment: "税务登记让我跑了三趟" }] } });
  expect(rating.status).toBe(201);

  // Signed in as the supervision office.
  const officer = (await api("POST", "/v1/supervision/sessions", { token: signDepartmentToken(readCredential(dataDir, "supervision"), 120) })).body.token as string;
  await page.goto(`${base}/supervision/`);
  await page.locator("#token").fill(officer);
  await page.locator("#use-token").click();
  await page.waitForSelector('body[data-loaded="board"]');
  expect(await page.locator("h1").textContent()).toBe("政务服务电子监察");
  const chip = () => page.locator(`tr[data-application-id="${open}"] [data-step="establishment"]`);
  expect(await chip().getAttribute("data-light")).toBe("GREEN");

  const establishment = waiting.body.steps[1];
  const ready = Date.parse(establishment.ready_at);
  const due = Date.parse(establishment.deadline);
  const moveTo = async (at: number) => {
    setClockOffset(at - Date.now());
    await page.evaluate("delete document.body.dataset.loaded");
    await page.locator("#refresh").click();
    await page.waitForSelector("body[data-loaded]");
  };
  try {
    await moveTo(ready + (due - ready) * 0.91);
    expect(await chip().getAttribute("data-light")).toBe("YELLOW");
    expect(await chip().locator(".light").textContent()).toBe("黄灯");
    await moveTo(due + 3_600_000);
    expect(await chip().getAttribute("data-light")).toBe("RED");

    await page.locator('[data-tab="red"]').click();
    await page.waitForSelector('body[data-loaded="red"]');
    expect(await page.locator(`#red tr[data-application-id="${open}"]`).getAttribute("data-reasons")).toContain("STEP_OVERDUE");
    expect(await page.locator(`#red tr[data-application-id="${rated}"]`).getAttribute("data-reasons")).toBe("BAD_RATING");
    expect(await page.locator(`#red tr[data-application-id="${rated}"]`).textContent()).toContain("差评未整改");
  } finally {
    setClockOffset(0);
  }

  await page.locator('[data-tab="rect"]').click();
  await page.waitForSelector('body[data-loaded="rect"]');
  const row = page.locator(`tr[data-rectification-id="ZG-${rated}-tax"]`);
  expect(await row.getAttribute("data-status")).toBe("OPEN");
  const feedback = await api("GET", `/v1/applications/${rated}/rating`, { token });
  expect(await row.locator("[data-due]").getAttribute("data-due")).toBe(feedback.body.rectifications[0].due_at);
  expect(await row.textContent()).toContain("税务登记让我跑了三趟");

  await page.locator('[data-tab="stats"]').click();
  await page.waitForSelector('body[data-loaded="stats"]');
  expect(await page.locator('#stats tr[data-department="tax"][data-bundle="START_BUSINESS"] [data-column="bad_ratings"]').textContent()).toBe("1");

  await page.locator("#lang").click();
  await page.waitForSelector('body[data-loaded="stats"]');
  expect(await page.locator("h1").textContent()).toBe("Government service supervision");
  expect(await page.locator('[data-tab="rect"]').textContent()).toBe("Rectifications");
  await page.screenshot({ path: path.join(os.tmpdir(), "tongban-supervision-page.png"), fullPage: true });
}, 180_000);
