-- The trace of an application (its submission's request id): the orchestrator makes its department
-- calls in this trace, so one trace follows a bundle from the portal through every department.
ALTER TABLE applications ADD COLUMN trace_id text;
