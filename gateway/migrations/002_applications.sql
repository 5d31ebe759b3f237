-- Applications of bundles and their steps: the durable state of the orchestration. Any gateway
-- replica advances them; leases, not locks, mark a step being dispatched (see orchestrator/).
CREATE TABLE applications (
  application_id       text PRIMARY KEY,
  bundle_code          text NOT NULL,
  -- The definition at submission: a later edit of the bundle file does not change a running application.
  bundle               jsonb NOT NULL,
  applicant            text NOT NULL,
  client_key           text NOT NULL,
  request_hash         text NOT NULL,
  form                 jsonb NOT NULL,
  materials            jsonb NOT NULL DEFAULT '{}',
  status               text NOT NULL,
  failure              jsonb,
  query_code_hash      text NOT NULL,
  submitted_at         timestamptz NOT NULL DEFAULT now(),
  committed_deadline   timestamptz NOT NULL,
  supplement_deadline  timestamptz,
  finished_at          timestamptz,
  receipt              jsonb,
  UNIQUE (applicant, client_key)
);
CREATE INDEX applications_applicant ON applications (applicant, submitted_at DESC);
CREATE INDEX applications_open ON applications (status) WHERE status IN ('RUNNING', 'FAILED');

CREATE TABLE application_steps (
  application_id   text NOT NULL REFERENCES applications (application_id),
  -- step id, or step id + "#" + item index for a step that runs once per list element.
  step_key         text NOT NULL,
  step_id          text NOT NULL,
  item             integer NOT NULL DEFAULT 0,
  needs            text[] NOT NULL,
  status           text NOT NULL,
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  leased_until     timestamptz,
  lease_owner      text,
  output           jsonb,
  error            jsonb,
  decision         jsonb,
  waiting_for      text,
  ready_at         timestamptz,
  deadline         timestamptz,
  started_at       timestamptz,
  finished_at      timestamptz,
  -- Compensation of a succeeded step: NONE, PENDING, DONE.
  undo             text NOT NULL DEFAULT 'NONE',
  undo_attempts    integer NOT NULL DEFAULT 0,
  PRIMARY KEY (application_id, step_key)
);
CREATE INDEX application_steps_due ON application_steps (status, next_attempt_at);
