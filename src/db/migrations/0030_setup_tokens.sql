-- The console's first-run set-up (issue 11): while no organization exists, `aftercare start` prints a
-- one-time set-up link with a random token; the set-up screen creates the first business only with
-- it. Stored here (as SHA-256, never in clear) so that any server process accepts a token another one
-- printed; every token is deleted in the transaction that creates the first business, and the
-- screen refuses once any organization exists (src/modules/organizations/first-run.service.ts).
CREATE TABLE setup_tokens (
  token_hash text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
