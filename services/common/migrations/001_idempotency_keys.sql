-- Every service schema gets these tables before its own migrations (see db/migrations.ts).

-- Idempotent state changes: the key is claimed in the same transaction as the change it guards
-- (see idempotency.ts), so a repeat returns the stored response and changes nothing.
CREATE TABLE idempotency_keys (
  scope         text NOT NULL,
  key           text NOT NULL,
  request_hash  text NOT NULL,
  response      jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);
