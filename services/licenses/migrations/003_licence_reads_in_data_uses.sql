-- Reads of licences join the schema's data-use log (common-005): one hash chain per schema, one
-- "who used my data" view. Earlier reads are moved over in their order, then the table goes.
INSERT INTO data_uses (subject_id, reader, case_id, action, what, item, at)
  SELECT holder_id, reader, case_id, action, 'licence', number, at FROM licence_accesses ORDER BY id;
DROP TABLE licence_accesses;
