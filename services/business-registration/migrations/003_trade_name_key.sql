-- 字号 uniqueness compares a canonical form (rules/names.ts tradeNameKey: NFKC, traditional folded
-- to simplified Chinese), so 錦城 and 锦城 are one name in a city and industry. Rows from before
-- this migration keep their own text as key (they were entered as simplified characters).
ALTER TABLE name_reservations ADD COLUMN trade_name_key text;
UPDATE name_reservations SET trade_name_key = trade_name WHERE trade_name_key IS NULL;
ALTER TABLE name_reservations ALTER COLUMN trade_name_key SET NOT NULL;
DROP INDEX name_reservations_trade_name;
CREATE UNIQUE INDEX name_reservations_trade_name_key ON name_reservations (name_region, industry, trade_name_key)
  WHERE status IN ('RESERVATION_STATUS_RESERVED', 'RESERVATION_STATUS_USED');
