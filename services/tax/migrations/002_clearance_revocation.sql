-- What a clearance (清税) changed, so that revoking it (the compensation of an unfinished
-- deregistration) restores exactly that: the taxpayer's status before, the invoice grants it
-- withdrew and the withholding registrations it ended.
ALTER TABLE clearances ADD COLUMN previous_status text;
ALTER TABLE clearances ADD COLUMN previous_status_reason text;
ALTER TABLE clearances ADD COLUMN surrendered_grants text[] NOT NULL DEFAULT '{}';
ALTER TABLE clearances ADD COLUMN ended_withholdings text[] NOT NULL DEFAULT '{}';

-- Revoked clearances, kept: the certificate they issued was revoked with them.
CREATE TABLE revoked_clearances (
  certificate_number  text PRIMARY KEY,
  credit_code         text NOT NULL REFERENCES taxpayers (credit_code),
  cleared_on          text NOT NULL,
  case_id             text NOT NULL,
  cleared_at          timestamptz NOT NULL,
  revoked_at          timestamptz NOT NULL DEFAULT now(),
  reason              text NOT NULL
);
CREATE INDEX revoked_clearances_credit_code ON revoked_clearances (credit_code);
