-- 好差评: the applicant's rating of a finished application, given once through the portal.
CREATE TABLE application_ratings (
  application_id  text PRIMARY KEY REFERENCES applications (application_id),
  applicant       text NOT NULL,
  bundle_code     text NOT NULL,
  score           smallint NOT NULL CHECK (score BETWEEN 1 AND 5),
  comment         text,
  -- The portal system through which the applicant rated (the department that obtained the token).
  portal          text NOT NULL,
  rated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX application_ratings_bundle ON application_ratings (bundle_code, rated_at DESC);
