-- Change registrations update an entity's particulars; deregistration closes it with a reason.
ALTER TABLE entities ADD COLUMN updated_at timestamptz;
ALTER TABLE entities ADD COLUMN closed_reason text NOT NULL DEFAULT '';
