-- Member departments, their credentials for the gRPC edge, and the access rights they grant.
CREATE TABLE departments (
  code        text PRIMARY KEY,
  name_zh     text NOT NULL,
  name_en     text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Public keys only: a department keeps its private key and signs its own tokens.
CREATE TABLE department_credentials (
  key_id          text PRIMARY KEY,
  department      text NOT NULL REFERENCES departments (code),
  algorithm       text NOT NULL CHECK (algorithm IN ('ED25519', 'SM2-SM3')),
  public_key_pem  text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  revoked_at      timestamptz
);

CREATE TABLE access_grants (
  method      text NOT NULL,
  grantee     text NOT NULL REFERENCES departments (code),
  granted_by  text NOT NULL REFERENCES departments (code),
  granted_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (method, grantee)
);

INSERT INTO departments (code, name_zh, name_en) VALUES
  ('samr',    '市场监督管理局',         'Administration for Market Regulation'),
  ('tax',     '税务局',                 'Tax Bureau'),
  ('hrss',    '人力资源和社会保障局',   'Human Resources and Social Security Bureau'),
  ('psb',     '公安局',                 'Public Security Bureau'),
  ('data',    '政务服务和数据管理局',   'Government Services and Data Administration'),
  ('civil',   '民政局',                 'Civil Affairs Bureau'),
  ('housing', '住房和城乡建设局',       'Housing and Urban-Rural Development Bureau');

-- Default grants, made by each method's owning department (see method-owners.ts).
INSERT INTO access_grants (method, grantee, granted_by)
SELECT '/tongban.identity.v1.IdentityService/' || m, g, 'psb'
FROM (VALUES ('GetPerson'), ('VerifyPerson')) AS methods(m),
     (VALUES ('samr'), ('tax'), ('hrss'), ('data')) AS grantees(g);

INSERT INTO access_grants (method, grantee, granted_by)
SELECT '/tongban.identity.v1.IdentityService/VerifyPerson', g, 'psb'
FROM (VALUES ('civil'), ('housing')) AS grantees(g);

INSERT INTO access_grants (method, grantee, granted_by)
SELECT '/tongban.identity.v1.IdentityService/' || m, g, 'samr'
FROM (VALUES ('GetEntity'), ('VerifyEntity')) AS methods(m),
     (VALUES ('tax'), ('hrss'), ('psb'), ('data'), ('civil'), ('housing')) AS grantees(g);

INSERT INTO access_grants (method, grantee, granted_by)
SELECT '/tongban.identity.v1.DepartmentRegistryService/' || m, g, 'data'
FROM (VALUES ('ListDepartments'), ('ListAccessGrants'), ('GrantAccess'), ('RevokeAccess')) AS methods(m),
     (VALUES ('samr'), ('tax'), ('hrss'), ('psb'), ('civil'), ('housing')) AS grantees(g);

-- Every member may read and verify licences; issuing departments may issue and manage their own.
INSERT INTO access_grants (method, grantee, granted_by)
SELECT '/tongban.licenses.v1.LicenceService/' || m, g, 'data'
FROM (VALUES ('ListLicenceTypes'), ('GetLicence'), ('VerifyLicence'), ('ListLicencesByHolder'), ('ListSigningKeys')) AS methods(m),
     (VALUES ('samr'), ('tax'), ('hrss'), ('psb'), ('civil'), ('housing')) AS grantees(g);

INSERT INTO access_grants (method, grantee, granted_by)
SELECT '/tongban.licenses.v1.LicenceService/' || m, g, 'data'
FROM (VALUES ('IssueLicence'), ('SuspendLicence'), ('ReinstateLicence'), ('RevokeLicence'), ('RotateSigningKey')) AS methods(m),
     (VALUES ('samr'), ('tax'), ('hrss'), ('psb')) AS grantees(g);
