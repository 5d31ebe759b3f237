-- Electronic licences, the departments' signing keys, and every read by another department.
CREATE TABLE signing_keys (
  key_id              text PRIMARY KEY,
  department          text NOT NULL,
  algorithm           text NOT NULL CHECK (algorithm IN ('SM2-SM3', 'ED25519')),
  public_key_pem      text NOT NULL,
  -- AES-256-GCM sealed with LICENSE_KEY_SECRET; never stored in clear.
  sealed_private_key  text NOT NULL,
  active              boolean NOT NULL DEFAULT true,
  created_at          timestamptz NOT NULL DEFAULT now(),
  retired_at          timestamptz
);
-- One active key per department; rotation retires the old one, which keeps verifying.
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (department) WHERE active;

CREATE TABLE licences (
  number             text PRIMARY KEY,
  type_code          text NOT NULL,
  holder_id          text NOT NULL,
  issuer             text NOT NULL,
  -- The signed content, canonical JSON, exactly as signed.
  content            text NOT NULL,
  signature          text NOT NULL,
  key_id             text NOT NULL REFERENCES signing_keys (key_id),
  valid_until        text NOT NULL DEFAULT '',
  status             text NOT NULL DEFAULT 'LICENCE_STATUS_VALID',
  status_reason      text NOT NULL DEFAULT '',
  status_changed_at  timestamptz,
  case_id            text NOT NULL DEFAULT '',
  issued_at          timestamptz NOT NULL
);
CREATE INDEX licences_holder ON licences (holder_id);

CREATE TABLE licence_accesses (
  id         bigserial PRIMARY KEY,
  number     text NOT NULL REFERENCES licences (number),
  holder_id  text NOT NULL,
  reader     text NOT NULL,
  case_id    text NOT NULL,
  action     text NOT NULL,
  at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX licence_accesses_holder ON licence_accesses (holder_id, at);
