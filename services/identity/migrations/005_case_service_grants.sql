-- Every department with officers may see and decide the bundle steps of its own department
-- (the gateway checks the step's department); granted by the hub operator.
INSERT INTO access_grants (method, grantee, granted_by)
SELECT '/tongban.gateway.v1.CaseService/' || m, g, 'data'
FROM (VALUES ('ListPendingDecisions'), ('Decide'), ('FetchMaterial')) AS methods(m),
     (VALUES ('samr'), ('tax'), ('hrss'), ('psb'), ('civil'), ('housing')) AS grantees(g);
