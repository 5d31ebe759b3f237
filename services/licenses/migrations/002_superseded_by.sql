-- A reissued licence (change registration) supersedes the old one, which keeps a link to it.
ALTER TABLE licences ADD COLUMN superseded_by text NOT NULL DEFAULT '';
