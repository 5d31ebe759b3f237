-- What an employer clearance changed, so that revoking it (the compensation of an unfinished
-- deregistration) restores it: the employer's status before (NULL: no employer was registered).
ALTER TABLE clearances ADD COLUMN previous_employer_status text;
ALTER TABLE clearances ADD COLUMN previous_status_reason text;
-- Why the clearance no longer holds (voided_at): the employer registered again, or it was revoked.
ALTER TABLE clearances ADD COLUMN void_reason text;
