-- Every name declaration first expires the reservations past their term: an index of the open ones
-- keeps that a range read instead of a scan of every reservation ever made.
CREATE INDEX name_reservations_open ON name_reservations (expires_at)
  WHERE status = 'RESERVATION_STATUS_RESERVED' AND claimed_by IS NULL;
