-- Client accounts (issue 6): a client signs in with a one-time link sent to their e-mail address and
-- sees the devices and orders of the customer records with that address in that organization.
-- Only SHA-256 hashes of the tokens are stored.

CREATE TABLE client_sign_in_tokens (
  token_hash text PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations(id),
  email text NOT NULL CHECK (email = lower(email)),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX client_sign_in_tokens_org_email ON client_sign_in_tokens (organization_id, email);

CREATE TABLE client_sessions (
  token_hash text PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations(id),
  email text NOT NULL CHECK (email = lower(email)),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
