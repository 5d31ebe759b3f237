-- Default grants for the department services (business registration, tax, social insurance) and
-- identity's entity changes. Each owner may always call its own methods (method-owners.ts).
INSERT INTO access_grants (method, grantee, granted_by)
SELECT '/tongban.registration.v1.BusinessRegistrationService/' || m, g, 'samr'
FROM (VALUES ('GetEnterprise'), ('ListBusinessScopes')) AS methods(m),
     (VALUES ('tax'), ('hrss'), ('psb'), ('data')) AS grantees(g);

INSERT INTO access_grants (method, grantee, granted_by)
SELECT '/tongban.tax.v1.TaxService/' || m, g, 'tax'
FROM (VALUES ('GetTaxpayer'), ('GetClearance')) AS methods(m),
     (VALUES ('samr'), ('hrss'), ('data')) AS grantees(g);

INSERT INTO access_grants (method, grantee, granted_by)
SELECT '/tongban.social_insurance.v1.SocialInsuranceService/' || m, g, 'hrss'
FROM (VALUES ('GetEmployer'), ('GetEmployerClearance'), ('GetContributionRates')) AS methods(m),
     (VALUES ('samr'), ('tax'), ('data')) AS grantees(g);
