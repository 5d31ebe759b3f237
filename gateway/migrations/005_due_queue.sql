-- Event-driven orchestration: the event that unblocks a step promotes and dispatches it, and the
-- safety-net sweep reads only an indexed queue of due work (due_at), never the open applications.
--   due_at      when a replica must look at the row again: a READY row's next attempt, a leased
--               row's lease expiry, a compensation's retry; NULL while the row waits for people
--               (an officer, a material), for a predecessor, or has ended.
--   department  the step's department, so an officer's work list is one index range.
--   undone_at   when the step's compensation succeeded.
--   revision    bumped when the applicant corrects a held step: the department call of a corrected
--               step carries a new idempotency key.
ALTER TABLE application_steps ADD COLUMN due_at timestamptz;
ALTER TABLE application_steps ADD COLUMN department text NOT NULL DEFAULT '';
ALTER TABLE application_steps ADD COLUMN revision integer NOT NULL DEFAULT 0;
-- When a compensation undid the step (dependants are undone before what they need).
ALTER TABLE application_steps ADD COLUMN undone_at timestamptz;

UPDATE application_steps s SET department = d.department
FROM (
  SELECT a.application_id, step ->> 'id' AS step_id, step ->> 'department' AS department
  FROM applications a, jsonb_array_elements(a.bundle -> 'steps') AS step
) d
WHERE d.application_id = s.application_id AND d.step_id = s.step_id;

-- Rows of open applications are looked at once by the first sweep after the upgrade, which puts
-- each into the new queue (or takes it out when it waits for people).
UPDATE application_steps s SET due_at = now()
FROM applications a
WHERE a.application_id = s.application_id AND a.status IN ('RUNNING', 'FAILED')
  AND s.status NOT IN ('CANCELLED', 'COMPENSATED', 'REJECTED');

DROP INDEX application_steps_due;
CREATE INDEX application_steps_due ON application_steps (due_at) WHERE due_at IS NOT NULL;
-- An officer's work list: one department's waiting decisions, oldest deadline first.
CREATE INDEX application_steps_decisions ON application_steps (department, deadline, application_id, step_key)
  WHERE status = 'WAITING_DECISION';

-- Transitions are written without holding a lock: one statement updates the application and its
-- rows if the version it read is still current, and a replica whose version is stale reads again.
ALTER TABLE applications ADD COLUMN version integer NOT NULL DEFAULT 0;

-- The enterprise an application is about, as the officer sees it: the name as reserved (开办企业)
-- or the credit code given (变更, 注销, 员工录用).
ALTER TABLE applications ADD COLUMN enterprise_name text;
ALTER TABLE applications ADD COLUMN credit_code text;
