/**
 * Application ids (受理号): A, the China date, a dash and 10 random hex digits (A20261201-9C1F3BE785).
 * The form is the hub's own, so an edge can tell a hub application from a department's case number.
 */
import crypto from "node:crypto";

/** The form of the hub's application ids (受理号): A, the China date, a dash, 10 hex digits. */
export const HUB_APPLICATION_ID = /^A\d{8}-[0-9A-F]{10}$/;

/**
 * An application id as a page token may carry it (the lists' sort keys): letters, digits and dashes,
 * at most 64 — wider than HUB_APPLICATION_ID, as the column is.
 */
export const APPLICATION_ID_KEY = /^[A-Za-z0-9-]{1,64}$/;

/** A new application id (受理号): the China date and random digits, readable over the phone. */
export function newApplicationId(now = new Date()): string {
  const date = new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10).replace(/-/g, "");
  return `A${date}-${crypto.randomBytes(5).toString("hex").toUpperCase()}`;
}
