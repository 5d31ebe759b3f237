-- The hub's own signing key for application receipts (sealed with HUB_SECRET); retired keys stay
-- so old receipts keep verifying.
CREATE TABLE hub_keys (
  key_id              text PRIMARY KEY,
  algorithm           text NOT NULL,
  public_key_pem      text NOT NULL,
  sealed_private_key  text NOT NULL,
  active              boolean NOT NULL DEFAULT true,
  created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX hub_keys_one_active ON hub_keys ((true)) WHERE active;
