-- The data-use log (数据使用记录), a hash chain per schema: every use of a person's or an
-- enterprise's data — a read by another department, a change a bundle makes — who (department),
-- whose data (subject), what (kind of data, and which record), for which case and purpose, when.
-- An entry is written in the statement or transaction of the use itself; a chaining pass then gives
-- it its place (seq), the hash of the entry before (prev_hash) and its own hash (data-use-chain.ts),
-- and the gateway signs checkpoints of every chain's head. No more personal data than the subject's id.
ALTER TABLE data_accesses RENAME TO data_uses;
ALTER INDEX data_accesses_subject RENAME TO data_uses_subject;
ALTER TABLE data_uses
  ADD COLUMN kind text NOT NULL DEFAULT 'read' CHECK (kind IN ('read', 'change')),
  ADD COLUMN what text NOT NULL DEFAULT '',
  ADD COLUMN item text NOT NULL DEFAULT '',
  ADD COLUMN purpose text NOT NULL DEFAULT '',
  ADD COLUMN seq bigint,
  ADD COLUMN prev_hash text,
  ADD COLUMN hash text;
CREATE UNIQUE INDEX data_uses_seq ON data_uses (seq);
-- The chaining pass reads the entries without a place, oldest first.
CREATE INDEX data_uses_unchained ON data_uses (id) WHERE seq IS NULL;
-- "Who used my data", newest first, by pages.
DROP INDEX data_uses_subject;
CREATE INDEX data_uses_subject ON data_uses (subject_id, at DESC, id DESC);
