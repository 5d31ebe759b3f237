-- Population and legal-entity base data (who read it is in data_accesses, a common table).
CREATE TABLE persons (
  id_number    char(18) PRIMARY KEY,
  name         text NOT NULL,
  gender       text NOT NULL CHECK (gender IN ('male', 'female')),
  birth_date   date NOT NULL,
  region_code  char(6) NOT NULL,
  address      text NOT NULL,
  phone        text NOT NULL,
  ethnicity    text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE entities (
  credit_code                     char(18) PRIMARY KEY,
  -- The organisation code (characters 9-17) is unique on its own (GB 11714).
  organisation_code               char(9) NOT NULL UNIQUE,
  name                            text NOT NULL,
  entity_type                     text NOT NULL,
  region_code                     char(6) NOT NULL,
  legal_representative_id_number  char(18) NOT NULL REFERENCES persons (id_number),
  legal_representative_name       text NOT NULL,
  address                         text NOT NULL,
  status                          text NOT NULL DEFAULT 'ENTITY_STATUS_ACTIVE',
  registered_at                   timestamptz NOT NULL DEFAULT now(),
  registered_by                   text NOT NULL,
  case_id                         text NOT NULL DEFAULT ''
);
CREATE INDEX entities_legal_representative ON entities (legal_representative_id_number);

