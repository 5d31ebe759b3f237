-- The applicant's decision on each item of government data a bundle uses (gateway/catalog/consent.ts):
-- { at, items: [{ field, source, decision: CONFIRMED | REFUSED }] }; signed into the receipt.
ALTER TABLE applications ADD COLUMN consent jsonb;
