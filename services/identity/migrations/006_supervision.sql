-- 电子监察: the centre's supervision office is a member department. It sees every department's
-- open cases, lights, statistics and rectification cases; each other department sees its own
-- (the gateway's supervision service checks the caller), so every member is granted the service.
INSERT INTO departments (code, name_zh, name_en) VALUES
  ('supervision', '政务服务电子监察室', 'Government Service Supervision Office')
ON CONFLICT (code) DO NOTHING;

INSERT INTO access_grants (method, grantee, granted_by)
SELECT '/tongban.gateway.v1.SupervisionService/' || m, g, 'supervision'
FROM (VALUES ('ListOpenCases'), ('ListOverdue'), ('GetStatistics'), ('ListRectifications'), ('AnswerRectification')) AS methods(m),
     (VALUES ('samr'), ('tax'), ('hrss'), ('psb'), ('data'), ('civil'), ('housing')) AS grantees(g)
ON CONFLICT (method, grantee) DO NOTHING;
