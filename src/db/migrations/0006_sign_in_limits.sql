-- Sign-in brute-force protection: password sign-ins counted per e-mail address and per client
-- address, here in PostgreSQL so that every server process sees the same counts. A row is one fixed
-- window: `attempts` counts the sign-ins let through to the password check that did not succeed (a
-- success deletes the address's row and gives the client address its attempt back); the window
-- starts at the first attempt and ends at `window_ends`. The count is raised by one atomic upsert
-- that refuses to go past the limit (src/modules/auth/sign-in-limit.ts).
-- The key is 'email:' or 'ip:' followed by the SHA-256 of the lower-cased address: nothing typed
-- into the sign-in form is stored in clear.
CREATE TABLE sign_in_attempts (
  key text PRIMARY KEY,
  attempts integer NOT NULL CHECK (attempts >= 0),
  window_ends timestamptz NOT NULL
);
CREATE INDEX sign_in_attempts_window_ends ON sign_in_attempts (window_ends);

-- The periodic clean-up (job `delete-expired`, src/jobs/cleanup.ts) deletes by expiry.
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX client_sessions_expires ON client_sessions (expires_at);
CREATE INDEX client_sign_in_tokens_expires ON client_sign_in_tokens (expires_at);
