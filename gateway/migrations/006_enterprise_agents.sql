-- Authority over an enterprise: an agent (经办人) authorised by the enterprise's legal
-- representative to file named bundles for it until an expiry. A row is never deleted: a
-- revocation (or a replacement by a new grant) closes it, so the record shows who could act for
-- an enterprise when, granted by whom through which portal.
CREATE TABLE enterprise_agents (
  authorisation_id text PRIMARY KEY,
  credit_code text NOT NULL,
  agent_id_number text NOT NULL,
  bundle_codes text[] NOT NULL,
  expires_at timestamptz NOT NULL,
  -- The legal representative's ID number, and the portal system they used.
  granted_by text NOT NULL,
  portal text NOT NULL,
  granted_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  revoked_by text,
  revoke_reason text
);
-- One open authorisation per agent and enterprise (a new grant closes the previous one).
CREATE UNIQUE INDEX enterprise_agents_open ON enterprise_agents (credit_code, agent_id_number) WHERE revoked_at IS NULL;
-- An agent's own list of enterprises.
CREATE INDEX enterprise_agents_agent ON enterprise_agents (agent_id_number) WHERE revoked_at IS NULL;
