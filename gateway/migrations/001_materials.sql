-- The material store (gateway/materials/store.ts). Contents are addressed by the SHA-256 of their
-- bytes, so one file is stored once however many applicants, steps and bundles use it.
CREATE TABLE material_contents (
  sha256        text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  content       bytea NOT NULL,
  size          integer NOT NULL CHECK (size > 0),
  content_type  text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- An owner's material: one per (owner, type, content), its id derived from the three, so uploading
-- the same file again for the same owner and type finds the same row.
CREATE TABLE materials (
  material_id       text PRIMARY KEY,
  owner             text NOT NULL,
  type_code         text NOT NULL,
  file_name         text NOT NULL,
  content_sha256    text NOT NULL REFERENCES material_contents (sha256),
  created_at        timestamptz NOT NULL DEFAULT now(),
  -- Bumped when the applicant uploads the same file again: it is their current choice for the type.
  last_uploaded_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (owner, type_code, content_sha256)
);
CREATE INDEX materials_owner ON materials (owner, last_uploaded_at DESC);
CREATE INDEX materials_owner_type ON materials (owner, type_code, last_uploaded_at DESC);
