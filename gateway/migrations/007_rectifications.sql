-- 好差评 as the national scheme works (国务院办公厅关于建立政务服务"好差评"制度的意见, 国办发〔2019〕51号):
-- five levels, a reason for the two bad ones, and every bad rating followed up by the department
-- responsible (差评整改) and the applicant called back (回访).
--
-- application_ratings (003) is the rating of the application as a whole; the one window
-- (department `data`) answers for it. department_ratings are the applicant's ratings of single
-- departments of the case (a step's department); each answers for its own.
CREATE TABLE department_ratings (
  application_id  text NOT NULL REFERENCES applications (application_id),
  department      text NOT NULL,
  score           smallint NOT NULL CHECK (score BETWEEN 1 AND 5),
  comment         text,
  rated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (application_id, department)
);

-- A rectification case (差评整改) per bad rating (score 1-2): opened with the rating, due a number
-- of working days later (RECTIFICATION_WORKING_DAYS), answered by the department (measures taken),
-- closed when the applicant rated the rectification at the callback (回访).
CREATE TABLE rectifications (
  rectification_id  text PRIMARY KEY,
  application_id    text NOT NULL REFERENCES applications (application_id),
  department        text NOT NULL,
  bundle_code       text NOT NULL,
  score             smallint NOT NULL CHECK (score BETWEEN 1 AND 2),
  reason            text NOT NULL,
  opened_at         timestamptz NOT NULL,
  due_at            timestamptz NOT NULL,
  -- OPEN (waiting for the department), ANSWERED (measures given; waiting for the callback), CLOSED.
  status            text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'ANSWERED', 'CLOSED')),
  measures          text,
  answered_at       timestamptz,
  revisit_score     smallint CHECK (revisit_score BETWEEN 1 AND 5),
  revisit_comment   text,
  revisited_at      timestamptz,
  UNIQUE (application_id, department)
);
-- A department's list (and the board's unresolved ones), oldest deadline first.
CREATE INDEX rectifications_department ON rectifications (department, status, due_at);
CREATE INDEX rectifications_open ON rectifications (due_at) WHERE status = 'OPEN';
-- Statistics read a period's applications by submission time.
CREATE INDEX applications_submitted ON applications (submitted_at);
-- The supervision board reads open applications through applications_open (002) and their steps by
-- primary key: no index is added to application_steps, whose rows every step outcome updates.
