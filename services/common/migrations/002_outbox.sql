-- Transactional outbox: an event is written in the same transaction as the change it reports and
-- delivered to each subscriber action until it acknowledges (see outbox.ts).
CREATE TABLE outbox_events (
  event_id    text PRIMARY KEY,
  event       text NOT NULL,
  payload     jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE outbox_deliveries (
  event_id         text NOT NULL REFERENCES outbox_events (event_id),
  subscriber       text NOT NULL,
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  -- A relay holds a delivery until this time while it calls the subscriber.
  leased_until     timestamptz,
  delivered_at     timestamptz,
  last_error       text NOT NULL DEFAULT '',
  PRIMARY KEY (event_id, subscriber)
);
CREATE INDEX outbox_deliveries_due ON outbox_deliveries (next_attempt_at) WHERE delivered_at IS NULL;
