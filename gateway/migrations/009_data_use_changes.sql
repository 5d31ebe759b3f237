-- Material fetches recorded before the data-use log had `what` and `item` (common-005) named the
-- material in the action ("material:<id>"): the same fact in the new columns.
UPDATE data_uses SET what = 'material', item = substr(action, 10), action = 'get' WHERE action LIKE 'material:%';

-- Checkpoints of every schema's data-use chain, signed with the hub's receipt key: the head (seq and
-- hash) a chain had at a time. A chain rewritten from an earlier entry on, or cut short, no longer
-- matches a checkpoint (data-use-chain.ts).
CREATE TABLE data_use_checkpoints (
  schema_name  text NOT NULL,
  seq          bigint NOT NULL,
  hash         text NOT NULL,
  at           timestamptz NOT NULL,
  key_id       text NOT NULL,
  algorithm    text NOT NULL,
  signer_id    text NOT NULL DEFAULT '',
  signature    text NOT NULL,
  PRIMARY KEY (schema_name, seq)
);
