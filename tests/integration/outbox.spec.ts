/**
 * The transactional outbox (services/common/outbox.ts) on the machine's real PostgreSQL, with
 * subscriber actions and a bus listener hosted by real in-process moleculer brokers. Each scenario
 * gets its own schema, so one scenario's relay never delivers another's events.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ServiceBroker, type Context } from "moleculer";
import { loadConfig } from "../../services/common/config";
import { openDatabase, type Database } from "../../services/common/db/database";
import { migrate } from "../../services/common/db/migrations";
import { rootLogger } from "../../services/common/logger";
import { OutboxRelay, pendingDeliveries, publish } from "../../services/common/outbox";
import { projectPath } from "../../services/common/paths";
import type { DeliveredEvent } from "../../services/common/subscriptions";
import { createTestDatabase, dropTestDatabase } from "../support/postgres";
import { requireServers } from "../support/servers";

const EVENT = "registration.enterpriseChanged";
const TAX = "tax.followEnterpriseChange";
const SOCIAL = "social-insurance.followEnterpriseChange";
const BUS = "$bus";
const DEPARTMENT = "samr";

interface Call {
  subscriber: string;
  params: DeliveredEvent;
  caller: unknown;
  /** The node whose relay made the call. */
  node: string | null;
}

/** Subscriber services and a bus listener that record what they receive; `failures` makes a subscriber throw. */
class Subscribers {
  readonly calls: Call[] = [];
  readonly busEvents: Array<Record<string, unknown>> = [];
  /** Remaining failures per subscriber action name. */
  readonly failures = new Map<string, number>();
  /** How long each subscriber takes to answer. */
  delayMs = 0;

  count(subscriber: string, eventId: string): number {
    return this.calls.filter((c) => c.subscriber === subscriber && c.params.eventId === eventId).length;
  }

  /** The moleculer service `name` with a followEnterpriseChange action. */
  service(name: "tax" | "social-insurance") {
    const self = this;
    return {
      name,
      actions: {
        async followEnterpriseChange(ctx: Context<DeliveredEvent, { caller?: unknown }>) {
          const subscriber = `${name}.followEnterpriseChange`;
          self.calls.push({ subscriber, params: ctx.params, caller: ctx.meta.caller, node: ctx.nodeID });
          if (self.delayMs) await new Promise((r) => setTimeout(r, self.delayMs));
          const left = self.failures.get(subscriber) ?? 0;
          if (left > 0) {
            self.failures.set(subscriber, left - 1);
            throw new Error(`${name} is down (${left} more failures)`);
          }
          return { ok: true };
        },
      },
    };
  }

  listener() {
    const self = this;
    return {
      name: "bus-watcher",
      events: {
        [EVENT]: {
          handler(ctx: Context<Record<string, unknown>>) {
            self.busEvents.push(ctx.params);
          },
        },
      },
    };
  }
}

let pg: { name: string; url: string } | undefined;
const emptyMigrations = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-outbox-mig-"));
const databases: Database[] = [];
const brokers: ServiceBroker[] = [];
const relays: OutboxRelay[] = [];

beforeAll(async () => {
  rootLogger("silent");
  await requireServers();
  pg = await createTestDatabase("tongban_outbox");
}, 60_000);

afterAll(async () => {
  await Promise.all(relays.map((r) => r.stop()));
  await Promise.all(brokers.map((b) => b.stop()));
  await Promise.all(databases.map((d) => d.close()));
  if (pg) await dropTestDatabase(pg.name);
  fs.rmSync(emptyMigrations, { recursive: true, force: true });
}, 60_000);

async function openSchema(schema: string): Promise<Database> {
  const db = await openDatabase(loadConfig({ DATABASE_URL: pg!.url, SERVICES: "business-registration" }), schema);
  databases.push(db);
  return db;
}

/** A migrated schema, a started broker hosting the given subscribers and the listener, and a relay. */
async function scenario(schema: string, services: Array<"tax" | "social-insurance">) {
  const db = await openSchema(schema);
  expect(await migrate(db, emptyMigrations, projectPath("services", "common", "migrations"))).toEqual([
    "common-001_idempotency_keys.sql",
    "common-002_outbox.sql",
    "common-003_data_accesses.sql",
    "common-004_outbox_ordering.sql",
    "common-005_data_use_log.sql",
  ]);
  const subs = new Subscribers();
  const broker = new ServiceBroker({ logger: false, nodeID: `outbox-${schema}` });
  brokers.push(broker);
  for (const s of services) broker.createService(subs.service(s));
  broker.createService(subs.listener());
  await broker.start();
  const relay = new OutboxRelay(broker, db, DEPARTMENT);
  relays.push(relay);
  return { db, broker, subs, relay };
}

interface DeliveryRow {
  subscriber: string;
  attempts: number;
  delivered: boolean;
  last_error: string;
  leased: boolean;
  due_in_seconds: number;
}

async function deliveries(db: Database, eventId: string): Promise<Record<string, DeliveryRow>> {
  const { rows } = await db.query<DeliveryRow>(
    `SELECT subscriber, attempts, delivered_at IS NOT NULL AS delivered, last_error, leased_until IS NOT NULL AS leased,
            extract(epoch FROM next_attempt_at - now())::float8 AS due_in_seconds
     FROM outbox_deliveries WHERE event_id = $1 ORDER BY subscriber`,
    [eventId],
  );
  return Object.fromEntries(rows.map((r) => [r.subscriber, r]));
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const payload = (creditCode: string, address: string) => ({ creditCode, changes: { address }, changedOn: "2026-11-22" });

describe("outbox on PostgreSQL", () => {
  it("never delivers an event whose transaction was rolled back", async () => {
    const { db, subs, relay } = await scenario("outbox_rollback", ["tax", "social-insurance"]);
    let eventId = "";
    await expect(
      db.transaction(async (tx) => {
        eventId = await publish(tx, EVENT, payload("91350100M000100Y43", "四川省成都市锦江区春熙路1号"));
        // The event and its deliveries are written with the COMMIT...
        const { rows } = await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox_deliveries WHERE event_id = $1", [eventId]);
        expect(rows[0].n).toBe(0);
        throw new Error("the change failed after publishing");
      }),
    ).rejects.toThrow("the change failed after publishing");
    expect(eventId).not.toBe("");

    // ...and after the rollback nothing of it is left, so nothing is delivered.
    const events = await db.query("SELECT * FROM outbox_events");
    const rows = await db.query("SELECT * FROM outbox_deliveries");
    expect(events.rowCount).toBe(0);
    expect(rows.rowCount).toBe(0);
    expect(await relay.deliverDue()).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(subs.calls).toEqual([]);
    expect(subs.busEvents).toEqual([]);
    expect(await pendingDeliveries(db)).toEqual([]);
  });

  it("after commit delivers {eventId, event, payload} once to each subscriber and emits the event on the bus", async () => {
    const { db, subs, relay } = await scenario("outbox_commit", ["tax", "social-insurance"]);
    const body = payload("91350100M000100Y43", "四川省成都市锦江区春熙路1号");
    const eventId = await db.transaction((tx) => publish(tx, EVENT, body));
    expect(eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    expect(await pendingDeliveries(db)).toEqual([
      { subscriber: BUS, pending: 1, lastError: "" },
      { subscriber: SOCIAL, pending: 1, lastError: "" },
      { subscriber: TAX, pending: 1, lastError: "" },
    ]);

    expect(await relay.deliverDue()).toBe(3);
    const expected: DeliveredEvent = { eventId, event: EVENT, payload: body };
    expect(subs.calls.filter((c) => c.subscriber === TAX).map((c) => c.params)).toEqual([expected]);
    expect(subs.calls.filter((c) => c.subscriber === SOCIAL).map((c) => c.params)).toEqual([expected]);
    expect(subs.calls.map((c) => c.caller)).toEqual([{ department: DEPARTMENT }, { department: DEPARTMENT }]);
    await waitFor(() => subs.busEvents.length > 0, "the bus event");
    expect(subs.busEvents).toEqual([{ eventId, ...body }]);

    const rows = await deliveries(db, eventId);
    expect(Object.keys(rows)).toEqual([BUS, SOCIAL, TAX]);
    for (const r of Object.values(rows)) {
      expect(r).toEqual(expect.objectContaining({ attempts: 1, delivered: true, last_error: "", leased: false }));
    }
    expect(await pendingDeliveries(db)).toEqual([]);

    // Nothing is delivered twice.
    expect(await relay.deliverDue()).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(subs.calls).toHaveLength(2);
    expect(subs.busEvents).toHaveLength(1);
  });

  it("emits an event nobody subscribes to on the bus only", async () => {
    const { db, subs, relay } = await scenario("outbox_bus_only", ["tax", "social-insurance"]);
    const eventId = await db.transaction((tx) => publish(tx, "registration.nameDeclared", { reservationId: "NR-1" }, "evt-bus-only"));
    expect(eventId).toBe("evt-bus-only");
    expect(Object.keys(await deliveries(db, eventId))).toEqual([BUS]);
    expect(await relay.deliverDue()).toBe(1);
    expect(subs.calls).toEqual([]);
  });

  it("retries a subscriber that throws, with growing backoff, until it answers", async () => {
    const { db, subs, relay } = await scenario("outbox_retry", ["tax", "social-insurance"]);
    subs.failures.set(TAX, 2);
    const body = payload("91510104MA01B2C345", "成都市锦江区人民南路一段1号");
    const eventId = await db.transaction((tx) => publish(tx, EVENT, body, "evt-retry-1"));

    // Pass 1: the bus and social insurance are delivered, tax fails once.
    expect(await relay.deliverDue()).toBe(2);
    let rows = await deliveries(db, eventId);
    expect(rows[TAX]).toEqual(expect.objectContaining({ attempts: 1, delivered: false, leased: false, last_error: "tax is down (2 more failures)" }));
    expect(rows[TAX].due_in_seconds).toBeGreaterThan(0);
    expect(rows[TAX].due_in_seconds).toBeLessThanOrEqual(1);
    expect(rows[SOCIAL]).toEqual(expect.objectContaining({ attempts: 1, delivered: true, last_error: "" }));
    expect(await pendingDeliveries(db)).toEqual([{ subscriber: TAX, pending: 1, lastError: "tax is down (2 more failures)" }]);

    // Not due yet: a pass right away calls nobody.
    expect(await relay.deliverDue()).toBe(0);
    expect(subs.count(TAX, eventId)).toBe(1);

    // Pass 2 (forced due): tax fails again, and waits longer.
    await db.query("UPDATE outbox_deliveries SET next_attempt_at = now() WHERE event_id = $1 AND subscriber = $2", [eventId, TAX]);
    expect(await relay.deliverDue()).toBe(0);
    rows = await deliveries(db, eventId);
    expect(rows[TAX]).toEqual(expect.objectContaining({ attempts: 2, delivered: false, leased: false, last_error: "tax is down (1 more failures)" }));
    expect(rows[TAX].due_in_seconds).toBeGreaterThan(1);
    expect(rows[TAX].due_in_seconds).toBeLessThanOrEqual(2);

    // Pass 3 (forced due): tax answers.
    await db.query("UPDATE outbox_deliveries SET next_attempt_at = now() WHERE event_id = $1 AND subscriber = $2", [eventId, TAX]);
    expect(await relay.deliverDue()).toBe(1);
    rows = await deliveries(db, eventId);
    expect(rows[TAX]).toEqual(expect.objectContaining({ attempts: 3, delivered: true, leased: false, last_error: "" }));
    expect(await pendingDeliveries(db)).toEqual([]);

    const expected: DeliveredEvent = { eventId, event: EVENT, payload: body };
    expect(subs.calls.filter((c) => c.subscriber === TAX).map((c) => c.params)).toEqual([expected, expected, expected]);
    expect(subs.count(SOCIAL, eventId)).toBe(1);
    expect(subs.busEvents).toEqual([{ eventId, ...body }]);
  });

  it("keeps a delivery to a subscriber service that does not exist pending while the others are delivered", async () => {
    const { db, broker, subs, relay } = await scenario("outbox_missing", ["tax"]);
    const body = payload("91350100M000100Y43", "四川省成都市青羊区一环路1号");
    const eventId = await db.transaction((tx) => publish(tx, EVENT, body, "evt-missing-1"));

    expect(await relay.deliverDue()).toBe(2);
    expect(subs.count(TAX, eventId)).toBe(1);
    await waitFor(() => subs.busEvents.length > 0, "the bus event");
    const pending = await pendingDeliveries(db);
    expect(pending).toEqual([{ subscriber: SOCIAL, pending: 1, lastError: expect.stringMatching(/social-insurance\.followEnterpriseChange/) }]);
    expect(pending[0].lastError).toMatch(/not found/i);
    const rows = await deliveries(db, eventId);
    expect(rows[SOCIAL]).toEqual(expect.objectContaining({ attempts: 1, delivered: false, leased: false }));
    expect(rows[TAX]).toEqual(expect.objectContaining({ attempts: 1, delivered: true }));

    // Still pending on the next passes (even when forced due) while the service is missing.
    expect(await relay.deliverDue()).toBe(0);
    await db.query("UPDATE outbox_deliveries SET next_attempt_at = now() WHERE subscriber = $1", [SOCIAL]);
    expect(await relay.deliverDue()).toBe(0);
    expect(await pendingDeliveries(db)).toEqual([expect.objectContaining({ subscriber: SOCIAL, pending: 1 })]);
    expect((await deliveries(db, eventId))[SOCIAL].attempts).toBe(2);

    // Once the department comes up, it gets the event; tax is not called again.
    broker.createService(subs.service("social-insurance"));
    await broker.waitForServices("social-insurance", 5000);
    await db.query("UPDATE outbox_deliveries SET next_attempt_at = now() WHERE subscriber = $1", [SOCIAL]);
    expect(await relay.deliverDue()).toBe(1);
    expect(subs.calls.filter((c) => c.subscriber === SOCIAL).map((c) => c.params)).toEqual([{ eventId, event: EVENT, payload: body }]);
    expect(subs.count(TAX, eventId)).toBe(1);
    expect(await pendingDeliveries(db)).toEqual([]);
  });

  it("records an event published twice with the same id once", async () => {
    const { db, subs, relay } = await scenario("outbox_dedup", ["tax", "social-insurance"]);
    const first = payload("91350100M000100Y43", "四川省成都市锦江区春熙路1号");
    const second = payload("91350100M000100Y43", "四川省成都市武侯区人民南路4号");
    expect(await db.transaction((tx) => publish(tx, EVENT, first, "evt-dup-1"))).toBe("evt-dup-1");
    expect(await db.transaction((tx) => publish(tx, EVENT, second, "evt-dup-1"))).toBe("evt-dup-1");
    // Twice within one transaction, and from two transactions racing.
    await db.transaction(async (tx) => {
      await publish(tx, EVENT, second, "evt-dup-1");
      await publish(tx, EVENT, second, "evt-dup-1");
    });
    await Promise.all([
      db.transaction((tx) => publish(tx, EVENT, first, "evt-dup-2")),
      db.transaction((tx) => publish(tx, EVENT, second, "evt-dup-2")),
    ]);

    const { rows: events } = await db.query<{ event_id: string; event: string; payload: unknown }>(
      "SELECT event_id, event, payload FROM outbox_events ORDER BY event_id",
    );
    expect(events.map((e) => e.event_id)).toEqual(["evt-dup-1", "evt-dup-2"]);
    expect(events[0]).toEqual({ event_id: "evt-dup-1", event: EVENT, payload: first });
    const { rows: counts } = await db.query<{ event_id: string; n: number }>(
      "SELECT event_id, count(*)::int AS n FROM outbox_deliveries GROUP BY event_id ORDER BY event_id",
    );
    expect(counts).toEqual([
      { event_id: "evt-dup-1", n: 3 },
      { event_id: "evt-dup-2", n: 3 },
    ]);

    expect(await relay.deliverDue()).toBe(6);
    expect(subs.count(TAX, "evt-dup-1")).toBe(1);
    expect(subs.count(SOCIAL, "evt-dup-1")).toBe(1);
    expect(subs.calls.find((c) => c.params.eventId === "evt-dup-1")!.params.payload).toEqual(first);
    expect(subs.count(TAX, "evt-dup-2")).toBe(1);
  });

  it("never lets two relays on one database deliver the same row twice", async () => {
    const { db, subs, relay } = await scenario("outbox_race", ["tax", "social-insurance"]);
    // A second replica: its own pool on the same schema, its own broker and relay, one call log.
    const db2 = await openSchema("outbox_race");
    const broker2 = new ServiceBroker({ logger: false, nodeID: "outbox-race-2" });
    brokers.push(broker2);
    broker2.createService(subs.service("tax"));
    broker2.createService(subs.service("social-insurance"));
    broker2.createService(subs.listener());
    await broker2.start();
    const relay2 = new OutboxRelay(broker2, db2, DEPARTMENT);
    relays.push(relay2);

    const EVENTS = 60;
    const ids: string[] = [];
    for (let batch = 0; batch < EVENTS; batch += 10) {
      ids.push(
        ...(await db.transaction(async (tx) => {
          const out: string[] = [];
          for (let i = batch; i < batch + 10; i++) out.push(await publish(tx, EVENT, payload("91350100M000100Y43", `成都市锦江区春熙路${i}号`), `evt-race-${i}`));
          return out;
        })),
      );
    }
    subs.delayMs = 5;

    let delivered = 0;
    for (let pass = 0; pass < 20 && (await pendingDeliveries(db)).length > 0; pass++) {
      const counts = await Promise.all([relay.deliverDue(), relay2.deliverDue(), relay.deliverDue(10), relay2.deliverDue(10)]);
      delivered += counts.reduce((a, b) => a + b, 0);
    }
    expect(await pendingDeliveries(db)).toEqual([]);
    expect(delivered).toBe(EVENTS * 3);

    for (const id of ids) {
      expect([id, TAX, subs.count(TAX, id)]).toEqual([id, TAX, 1]);
      expect([id, SOCIAL, subs.count(SOCIAL, id)]).toEqual([id, SOCIAL, 1]);
    }
    expect(subs.calls).toHaveLength(EVENTS * 2);
    // Both replicas did part of the work.
    expect(new Set(subs.calls.map((c) => c.node))).toEqual(new Set(["outbox-outbox_race", "outbox-race-2"]));
    await waitFor(() => subs.busEvents.length >= EVENTS, "the bus events");
    await new Promise((r) => setTimeout(r, 50));
    const busIds = subs.busEvents.map((e) => e.eventId as string).sort();
    expect(busIds).toEqual([...ids].sort());

    const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox_deliveries WHERE attempts <> 1 OR delivered_at IS NULL");
    expect(rows[0].n).toBe(0);
  });

  it("delivers one enterprise's events to a subscriber in order, even when the first must be retried", async () => {
    const { db, subs, relay } = await scenario("ordered", ["tax", "social-insurance"]);
    const key = "91350100M000100Y43";
    const first = await db.transaction((tx) => publish(tx, EVENT, { creditCode: key, n: 1 }, "evt-order-1", key));
    const second = await db.transaction((tx) => publish(tx, EVENT, { creditCode: key, n: 2 }, "evt-order-2", key));
    subs.failures.set(TAX, 1);
    await relay.deliverDue();
    // tax failed on the first: its second waits; the other subscriber goes on.
    expect(subs.count(TAX, first)).toBe(1);
    expect(subs.count(TAX, second)).toBe(0);
    expect(subs.count(SOCIAL, first)).toBe(1);
    // Another enterprise's event is not held up by this one.
    const other = await db.transaction((tx) => publish(tx, EVENT, { creditCode: "other", n: 3 }, "evt-order-3", "other"));
    await relay.deliverDue();
    expect(subs.count(SOCIAL, second)).toBe(1);
    expect(subs.count(TAX, other)).toBe(1);
    expect(subs.count(TAX, second)).toBe(0);
    await db.query("UPDATE outbox_deliveries SET next_attempt_at = now() WHERE delivered_at IS NULL");
    await relay.deliverDue();
    expect(subs.count(TAX, first)).toBe(2);
    await relay.deliverDue();
    const taxOrder = subs.calls.filter((c) => c.subscriber === TAX && c.params.payload.creditCode === key).map((c) => c.params.payload.n);
    expect(taxOrder).toEqual([1, 1, 2]);
  });

  it("delivers through start()/kick() and stops cleanly", async () => {
    const { db, subs, relay } = await scenario("outbox_timer", ["tax", "social-insurance"]);
    relay.start();
    const eventId = await db.transaction((tx) => publish(tx, EVENT, payload("91350100M000100Y43", "成都市锦江区春熙路2号"), "evt-timer-1"));
    relay.kick();
    await waitFor(() => subs.count(TAX, eventId) === 1 && subs.count(SOCIAL, eventId) === 1, "delivery by the running relay");
    await relay.stop();
    await waitFor(() => subs.busEvents.length === 1, "the bus event");
    const rows = await deliveries(db, eventId);
    expect(Object.values(rows).every((r) => r.delivered)).toBe(true);

    // A stopped relay delivers nothing more.
    const later = await db.transaction((tx) => publish(tx, EVENT, payload("91350100M000100Y43", "成都市锦江区春熙路3号"), "evt-timer-2"));
    relay.kick();
    await new Promise((r) => setTimeout(r, 700));
    expect(subs.count(TAX, later)).toBe(0);
    expect(await pendingDeliveries(db)).toHaveLength(3);
  });
});
