-- Events that share an ordering key (e.g. one enterprise's changes) reach each subscriber in the
-- order they were written: a later one waits until the earlier ones are delivered.
ALTER TABLE outbox_events ADD COLUMN ordering_key text NOT NULL DEFAULT '';
ALTER TABLE outbox_events ADD COLUMN seq bigserial;
CREATE INDEX outbox_events_ordering ON outbox_events (ordering_key, seq);
