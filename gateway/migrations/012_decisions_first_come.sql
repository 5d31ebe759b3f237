-- An officer's work list: oldest deadline first and, within a deadline (deadlines fall at the end of
-- a working day, so a day's cases share one), first come first served by the time the step became
-- ready; a case that arrives while an officer pages sorts after the page already read.
DROP INDEX application_steps_decisions;
CREATE INDEX application_steps_decisions ON application_steps (department, deadline, ready_at, application_id, step_key)
  WHERE status = 'WAITING_DECISION';
