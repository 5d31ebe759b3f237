/**
 * Bus events announced after a change (moleculer emit). An emit returns a promise that rejects when
 * the transporter cannot publish (NATS down); left unhandled, that rejection would stop the
 * process (Node's default), so an announcement is fire-and-forget with its failure logged. Events
 * that must arrive are written to the outbox in the change's transaction instead (outbox.ts).
 */
import type { Context } from "moleculer";
import { contextLogger } from "./logger";

/** Emits `event` with `payload`; a failure to publish is logged, never thrown or left unhandled. */
export function emitEvent(ctx: Context, event: string, payload: object): void {
  ctx.emit(event, payload).catch((err: unknown) => contextLogger(ctx).warn({ err, event }, "event not emitted (the bus refused it); its followers learn of the change later or not at all"));
}
