-- Market regulation: name reservations, enterprises with their investors and scope, seal filings.
CREATE TABLE name_reservations (
  reservation_id       text PRIMARY KEY,
  full_name            text NOT NULL,
  region_code          char(6) NOT NULL,
  -- The region within which the trade name must be unique (the city: first 4 digits).
  name_region          char(4) NOT NULL,
  trade_name           text NOT NULL,
  industry             text NOT NULL,
  organisation_form    text NOT NULL,
  enterprise_type      text NOT NULL,
  applicant_id_number  char(18) NOT NULL,
  status               text NOT NULL,
  reserved_at          timestamptz NOT NULL DEFAULT now(),
  expires_at           timestamptz NOT NULL,
  -- The registration attempt (idempotency key) that holds the reservation while it runs.
  claimed_by           text,
  credit_code          text NOT NULL DEFAULT '',
  case_id              text NOT NULL DEFAULT ''
);
-- 字号 unique within region and industry among live reservations and used names; races end here.
CREATE UNIQUE INDEX name_reservations_trade_name ON name_reservations (name_region, industry, trade_name)
  WHERE status IN ('RESERVATION_STATUS_RESERVED', 'RESERVATION_STATUS_USED');

CREATE TABLE enterprises (
  credit_code                     char(18) PRIMARY KEY,
  name                            text NOT NULL,
  enterprise_type                 text NOT NULL,
  region_code                     char(6) NOT NULL,
  registered_capital              text NOT NULL,
  address                         text NOT NULL,
  business_scope_codes            text[] NOT NULL,
  legal_representative_id_number  char(18) NOT NULL,
  legal_representative_name       text NOT NULL,
  investors                       jsonb NOT NULL,
  status                          text NOT NULL,
  licence_number                  text NOT NULL,
  established_on                  date NOT NULL,
  reservation_id                  text NOT NULL REFERENCES name_reservations (reservation_id),
  case_id                         text NOT NULL DEFAULT '',
  created_at                      timestamptz NOT NULL DEFAULT now(),
  updated_at                      timestamptz NOT NULL DEFAULT now()
);

-- Each change registration: what changed, the licence it superseded and the one reissued.
CREATE TABLE enterprise_changes (
  id               bigserial PRIMARY KEY,
  credit_code      char(18) NOT NULL REFERENCES enterprises (credit_code),
  changes          jsonb NOT NULL,
  old_licence      text NOT NULL,
  new_licence      text NOT NULL,
  case_id          text NOT NULL DEFAULT '',
  changed_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE seal_filings (
  filing_id    text PRIMARY KEY,
  credit_code  char(18) NOT NULL REFERENCES enterprises (credit_code),
  engraver     text NOT NULL,
  status       text NOT NULL,
  filed_at     timestamptz NOT NULL DEFAULT now(),
  case_id      text NOT NULL DEFAULT ''
);

CREATE TABLE seals (
  filing_id       text NOT NULL REFERENCES seal_filings (filing_id),
  credit_code     char(18) NOT NULL,
  seal_type       text NOT NULL,
  seal_code       char(13) NOT NULL UNIQUE,
  licence_number  text NOT NULL,
  active          boolean NOT NULL DEFAULT true,
  PRIMARY KEY (filing_id, seal_type)
);
-- One filed seal of each type per enterprise at a time.
CREATE UNIQUE INDEX seals_one_active_per_type ON seals (credit_code, seal_type) WHERE active;

-- Seal codes drawn for a filing attempt before its licences are issued, stable across retries.
CREATE SEQUENCE seal_serial MAXVALUE 9999999;
CREATE TABLE seal_code_draws (
  attempt_key  text NOT NULL,
  seal_type    text NOT NULL,
  seal_code    char(13) NOT NULL UNIQUE,
  PRIMARY KEY (attempt_key, seal_type)
);
