/**
 * Durable domain events. `publish` writes the event in the caller's transaction, with one delivery
 * per subscriber (subscriptions.ts); the relay calls each subscriber action until it answers, with
 * exponential backoff, and emits the event on the bus once for anyone watching. Deliveries are
 * leased, not locked, while the subscriber is called, so no transaction stays open across a call
 * (on PGlite a held transaction would block a subscriber that calls back into this service).
 */
import crypto from "node:crypto";
import type { ServiceBroker } from "moleculer";
import type { Database, DeferringQueryable, Queryable } from "./db/database";
import { rootLogger } from "./logger";
import { PollingLoop } from "./polling-loop";
import { SUBSCRIPTIONS, type DeliveredEvent } from "./subscriptions";

const LEASE_SECONDS = 30;
/** The pseudo-subscriber that emits the event on the bus for watchers (ops, bus monitor). */
const BUS = "$bus";
const MAX_BACKOFF_SECONDS = 300;

/**
 * Records an event for durable delivery; returns its id. Call inside the change's transaction.
 * Events with the same `orderingKey` (e.g. a credit code) reach each subscriber in publishing order.
 */
export async function publish(
  tx: DeferringQueryable,
  event: string,
  payload: object,
  eventId: string = crypto.randomUUID(),
  orderingKey = "",
): Promise<string> {
  // Written with the COMMIT, the event and one delivery per subscriber in one statement; an event
  // id already recorded (a repeated publish) adds nothing.
  tx.atCommit(
    `WITH e AS (
       INSERT INTO outbox_events (event_id, event, payload, ordering_key) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING event_id)
     INSERT INTO outbox_deliveries (event_id, subscriber) SELECT e.event_id, s.subscriber FROM e, unnest($5::text[]) AS s(subscriber)`,
    [eventId, event, JSON.stringify(payload), orderingKey, [BUS, ...(SUBSCRIPTIONS[event] ?? [])]],
  );
  return eventId;
}

interface DueDelivery {
  event_id: string;
  subscriber: string;
  attempts: number;
  event: string;
  payload: Record<string, unknown>;
}

/** Delivers a service's outbox; one per service, started and stopped with it. */
export class OutboxRelay {
  private readonly log = rootLogger().child({ mod: "outbox" });
  private readonly loop = new PollingLoop(
    () => this.deliverDue(),
    (err) => this.log.warn({ err }, "outbox relay pass failed"),
  );

  constructor(
    private readonly broker: ServiceBroker,
    private readonly db: Database,
    /** The publishing department, sent as the caller of subscriber actions. */
    private readonly department: string,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    this.loop.start(this.intervalMs);
  }

  /** Delivers what is due now (called after a publishing transaction commits). */
  kick(): void {
    this.loop.kick();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** Deliveries acknowledged and not yet recorded, with the waiters of the record. */
  private acknowledged: Array<{ eventId: string; subscriber: string; done: () => void; failed: (err: unknown) => void }> = [];

  /**
   * Records a delivery done. Those acknowledged in the same turn of the event loop (a pass's
   * deliveries answer together) are recorded in one statement; resolves once it is written.
   */
  private markDelivered(eventId: string, subscriber: string): Promise<void> {
    return new Promise((done, failed) => {
      if (this.acknowledged.push({ eventId, subscriber, done, failed }) > 1) return;
      setImmediate(() => {
        const batch = this.acknowledged;
        this.acknowledged = [];
        this.db
          .query(
            `UPDATE outbox_deliveries d SET delivered_at = now(), attempts = attempts + 1, leased_until = NULL, last_error = ''
             FROM unnest($1::text[], $2::text[]) AS a(event_id, subscriber) WHERE d.event_id = a.event_id AND d.subscriber = a.subscriber`,
            [batch.map((a) => a.eventId), batch.map((a) => a.subscriber)],
          )
          .then(
            () => batch.forEach((a) => a.done()),
            (err: unknown) => batch.forEach((a) => a.failed(err)),
          );
      });
    });
  }

  /** One pass: lease due deliveries, call their subscribers, record the outcome. Returns how many were delivered. */
  async deliverDue(limit = 50): Promise<number> {
    const { rows } = await this.db.query<DueDelivery>(
      `UPDATE outbox_deliveries d SET leased_until = now() + interval '${LEASE_SECONDS} seconds'
       FROM outbox_events e
       WHERE e.event_id = d.event_id AND (d.event_id, d.subscriber) IN (
         SELECT dd.event_id, dd.subscriber FROM outbox_deliveries dd JOIN outbox_events ee ON ee.event_id = dd.event_id
         WHERE dd.delivered_at IS NULL AND dd.next_attempt_at <= now() AND (dd.leased_until IS NULL OR dd.leased_until < now())
           -- In order per subscriber and ordering key: wait while an earlier event is undelivered.
           AND (ee.ordering_key = '' OR NOT EXISTS (
             SELECT 1 FROM outbox_deliveries p JOIN outbox_events pe ON pe.event_id = p.event_id
             WHERE p.subscriber = dd.subscriber AND p.delivered_at IS NULL AND pe.ordering_key = ee.ordering_key AND pe.seq < ee.seq))
         ORDER BY ee.seq LIMIT ${limit} FOR UPDATE OF dd SKIP LOCKED)
       RETURNING d.event_id, d.subscriber, d.attempts, e.event, e.payload`,
    );
    let delivered = 0;
    await Promise.all(
      rows.map(async (r) => {
        const message: DeliveredEvent = { eventId: r.event_id, event: r.event, payload: r.payload };
        try {
          if (r.subscriber === BUS) await this.broker.emit(r.event, { eventId: r.event_id, ...r.payload });
          else await this.broker.call(r.subscriber, message, { meta: { caller: { department: this.department } } });
          await this.markDelivered(r.event_id, r.subscriber);
          delivered++;
        } catch (err) {
          const backoff = Math.min(MAX_BACKOFF_SECONDS, 2 ** Math.min(r.attempts, 16));
          await this.db.query(
            `UPDATE outbox_deliveries SET attempts = attempts + 1, leased_until = NULL, last_error = $3,
               next_attempt_at = now() + ($4 || ' seconds')::interval WHERE event_id = $1 AND subscriber = $2`,
            [r.event_id, r.subscriber, String((err as Error).message).slice(0, 500), String(backoff)],
          );
          this.log.warn({ eventId: r.event_id, subscriber: r.subscriber, attempts: r.attempts + 1, err: (err as Error).message }, "event delivery failed; will retry");
        }
      }),
    );
    return delivered;
  }
}

/** Deliveries not yet acknowledged, per subscriber (for health and tests). */
export async function pendingDeliveries(db: Queryable): Promise<Array<{ subscriber: string; pending: number; lastError: string }>> {
  const { rows } = await db.query<{ subscriber: string; pending: number; last_error: string }>(
    `SELECT subscriber, count(*)::int AS pending, max(last_error) AS last_error FROM outbox_deliveries
     WHERE delivered_at IS NULL GROUP BY subscriber ORDER BY subscriber`,
  );
  return rows.map((r) => ({ subscriber: r.subscriber, pending: r.pending, lastError: r.last_error }));
}
