-- The tax office's registers: taxpayers, invoice grants, withholding registrations, liabilities,
-- clearances, and the enterprise changes that reached tax from business registration.
-- Amounts are bigint 分 (never floating point); dates the hub exchanges as text are kept as text.

CREATE TABLE taxpayers (
  -- The credit code is the taxpayer identification number.
  credit_code                  text PRIMARY KEY,
  name                         text NOT NULL,
  enterprise_type              text NOT NULL,
  region_code                  text NOT NULL,
  -- Kept so a changed business scope (registration.enterpriseChanged) recomputes the tax types.
  scope_codes                  jsonb NOT NULL DEFAULT '[]',
  taxpayer_type                text NOT NULL,
  tax_types                    jsonb NOT NULL,
  tax_authority                text NOT NULL,
  address                      text NOT NULL,
  legal_representative_name    text NOT NULL,
  expected_annual_sales        text NOT NULL DEFAULT '',
  status                       text NOT NULL,
  status_reason                text NOT NULL DEFAULT '',
  registration_licence_number  text NOT NULL,
  case_id                      text NOT NULL DEFAULT '',
  registered_at                timestamptz NOT NULL DEFAULT now(),
  updated_at                   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE invoice_grants (
  grant_id                 text PRIMARY KEY,
  credit_code              text NOT NULL REFERENCES taxpayers (credit_code),
  monthly_credit_line_fen  bigint NOT NULL CHECK (monthly_credit_line_fen > 0),
  limit_fen                bigint NOT NULL,
  status                   text NOT NULL,
  status_reason            text NOT NULL DEFAULT '',
  case_id                  text NOT NULL DEFAULT '',
  granted_at               timestamptz NOT NULL DEFAULT now(),
  withdrawn_at             timestamptz
);
-- One active grant per taxpayer, also when two requests race.
CREATE UNIQUE INDEX invoice_grants_one_active ON invoice_grants (credit_code) WHERE status = 'GRANT_STATUS_ACTIVE';

CREATE TABLE withholding_registrations (
  registration_id       text PRIMARY KEY,
  employer_credit_code  text NOT NULL REFERENCES taxpayers (credit_code),
  employee_id_number    text NOT NULL,
  employee_name         text NOT NULL,
  employment_start      text NOT NULL,
  status                text NOT NULL,
  status_reason         text NOT NULL DEFAULT '',
  case_id               text NOT NULL DEFAULT '',
  registered_at         timestamptz NOT NULL DEFAULT now(),
  ended_at              timestamptz
);
CREATE UNIQUE INDEX withholding_one_active ON withholding_registrations (employer_credit_code, employee_id_number)
  WHERE status = 'GRANT_STATUS_ACTIVE';

CREATE TABLE liabilities (
  liability_id  text PRIMARY KEY,
  credit_code   text NOT NULL REFERENCES taxpayers (credit_code),
  tax_type      text NOT NULL,
  period        text NOT NULL,
  amount_fen    bigint NOT NULL CHECK (amount_fen > 0),
  paid          boolean NOT NULL DEFAULT false,
  recorded_by   text NOT NULL,
  recorded_at   timestamptz NOT NULL DEFAULT now(),
  paid_at       timestamptz
);
CREATE INDEX liabilities_unpaid ON liabilities (credit_code) WHERE NOT paid;

CREATE TABLE clearances (
  credit_code         text PRIMARY KEY REFERENCES taxpayers (credit_code),
  certificate_number  text NOT NULL,
  cleared_on          text NOT NULL,
  case_id             text NOT NULL,
  cleared_at          timestamptz NOT NULL DEFAULT now()
);

-- What each enterprise event changed here, so a change is traceable to the event that carried it.
CREATE TABLE taxpayer_changes (
  id           bigserial PRIMARY KEY,
  event_id     text NOT NULL,
  event        text NOT NULL,
  credit_code  text NOT NULL,
  field        text NOT NULL,
  old_value    text NOT NULL,
  new_value    text NOT NULL,
  changed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX taxpayer_changes_code ON taxpayer_changes (credit_code, changed_at);

-- Licences tax issued for a request that was then refused (and revoked): a retry of that request
-- must not pick the same licence up again from the licence service's idempotency record.
CREATE TABLE voided_licences (
  number     text PRIMARY KEY,
  voided_at  timestamptz NOT NULL DEFAULT now()
);
