-- Each checkpoint of a schema's data-use chain names the one before it (its seq and chain hash; seq 0
-- and 64 zeros for the first), inside what the hub signs: a checkpoint removed from between others
-- breaks the links. Checkpoints signed before have none (NULL) and may only precede linked ones.
ALTER TABLE data_use_checkpoints
  ADD COLUMN prev_seq bigint,
  ADD COLUMN prev_hash text;
