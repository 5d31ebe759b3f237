/**
 * Which actions follow which domain events. Delivery is durable (services/common/outbox.ts): the
 * publisher keeps calling each subscriber until it acknowledges, so a department that was down
 * when an enterprise changed still learns of it. Subscribers must be idempotent by event id.
 */
export const SUBSCRIPTIONS: Record<string, string[]> = {
  "registration.enterpriseChanged": ["tax.followEnterpriseChange", "social-insurance.followEnterpriseChange"],
  "registration.enterpriseDeregistered": ["tax.followEnterpriseChange", "social-insurance.followEnterpriseChange"],
};

/** What a subscriber action receives. */
export interface DeliveredEvent<P = Record<string, unknown>> {
  eventId: string;
  event: string;
  payload: P;
}
