-- Social insurance (人社): employers, insured employments, clearances, certificates, and the
-- enterprise changes followed from business registration. Money is integer fen (bigint).

-- 单位社保编号 sequence per pooling region (统筹区): the number is the region + 8 digits.
CREATE TABLE si_number_sequences (
  region      text PRIMARY KEY,
  last_value  bigint NOT NULL
);

CREATE TABLE employers (
  credit_code                  text PRIMARY KEY,
  -- Name and address as the legal-entity registry holds them (kept current by change events).
  name                         text NOT NULL,
  si_number                    text NOT NULL UNIQUE,
  -- The enterprise's county-level code and its 4-digit pooling region.
  region_code                  text NOT NULL,
  region                       text NOT NULL,
  address                      text NOT NULL,
  work_injury_risk_class       integer NOT NULL CHECK (work_injury_risk_class BETWEEN 1 AND 8),
  -- 'requested' classes are kept when the business scope changes; 'derived' ones follow it.
  risk_class_source            text NOT NULL CHECK (risk_class_source IN ('requested', 'derived')),
  status                       text NOT NULL,
  registration_licence_number  text NOT NULL,
  registered_on                date NOT NULL,
  case_id                      text NOT NULL DEFAULT '',
  status_reason                text NOT NULL DEFAULT '',
  registered_at                timestamptz NOT NULL DEFAULT now(),
  updated_at                   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE employments (
  employment_id          text PRIMARY KEY,
  employer_credit_code   text NOT NULL REFERENCES employers (credit_code),
  id_number              text NOT NULL,
  -- The name in the population registry at enrolment.
  name                   text NOT NULL,
  region                 text NOT NULL,
  monthly_wage_fen       bigint NOT NULL CHECK (monthly_wage_fen > 0),
  contribution_base_fen  bigint NOT NULL CHECK (contribution_base_fen > 0),
  start_date             date NOT NULL,
  -- Last insured day; NULL while active.
  end_date               date,
  status                 text NOT NULL,
  end_reason             text NOT NULL DEFAULT '',
  case_id                text NOT NULL DEFAULT '',
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  CHECK (end_date IS NULL OR end_date >= start_date)
);
-- One active insured employment per person and pooling region: concurrent enrolments of the
-- same person in one region meet here, and exactly one commits.
CREATE UNIQUE INDEX employments_one_active_per_region ON employments (id_number, region)
  WHERE status = 'EMPLOYMENT_STATUS_ACTIVE';
CREATE INDEX employments_employer ON employments (employer_credit_code, start_date);
CREATE INDEX employments_person ON employments (id_number);

-- Clearance for deregistration (may precede any registration: an enterprise that never hired).
CREATE TABLE clearances (
  credit_code  text PRIMARY KEY,
  cleared_on   date NOT NULL,
  case_id      text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL DEFAULT now(),
  -- Set when the employer registers again: the clearance no longer holds.
  voided_at    timestamptz
);

-- 参保证明 issued, by licence number.
CREATE TABLE certificates (
  licence_number      text PRIMARY KEY,
  id_number           text NOT NULL,
  employer            text NOT NULL,
  months_contributed  integer NOT NULL,
  case_id             text NOT NULL,
  issued_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX certificates_person ON certificates (id_number);

-- Each change applied from a business registration event, with the event that carried it.
CREATE TABLE employer_changes (
  id           bigserial PRIMARY KEY,
  event_id     text NOT NULL,
  event        text NOT NULL,
  credit_code  text NOT NULL,
  field        text NOT NULL,
  old_value    text NOT NULL,
  new_value    text NOT NULL,
  applied_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (event_id, field)
);
CREATE INDEX employer_changes_employer ON employer_changes (credit_code, applied_at);
