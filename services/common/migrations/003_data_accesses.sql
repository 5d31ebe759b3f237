-- Every read of a subject's data by another department: who, what, which case, when (access-log.ts).
CREATE TABLE data_accesses (
  id          bigserial PRIMARY KEY,
  subject_id  text NOT NULL,
  reader      text NOT NULL,
  case_id     text NOT NULL,
  action      text NOT NULL,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX data_accesses_subject ON data_accesses (subject_id, at);
