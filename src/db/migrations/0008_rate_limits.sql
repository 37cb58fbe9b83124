-- Rate limits of the public routes (order page, web form, proofs, client sign-in links), counted here
-- so that every server process shares them (before: each process counted its own share). A row is one
-- fixed window of one limiter and one client key: `hits` in the window that ends at `window_ends`.
-- The key is the limiter's name and the SHA-256 of the client key (an address, an e-mail), nothing in
-- clear. Raised by one atomic upsert (src/modules/order-page/rate-limit.ts); ended windows are deleted
-- by the job `delete-expired` (src/jobs/cleanup.ts).
CREATE TABLE rate_limits (
  key text PRIMARY KEY,
  hits integer NOT NULL CHECK (hits >= 0),
  window_ends timestamptz NOT NULL
);
CREATE INDEX rate_limits_window_ends ON rate_limits (window_ends);
