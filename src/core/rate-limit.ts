// A fixed-window rate limiter for the public routes (web form, order page, proofs, client sign-in
// links), per client key (usually the client's address). Counted in PostgreSQL (table rate_limits,
// migration 0008) by one atomic upsert, so the limit holds across every server process and under
// concurrent requests. Over the limit: 429 `rate-limited` with Retry-After.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { sha256 } from './tokens.ts';
import { CoreErrors, problem } from './errors.ts';

export type RateLimit = (key: string) => Promise<void>;

export function rateLimiter(db: Db, opts: { name: string; max: number; windowMs: number }): RateLimit {
  return async (key) => {
    const r = await sql<{ hits: number; left: number }>`
      INSERT INTO rate_limits AS a (key, hits, window_ends)
      VALUES (${`${opts.name}:${sha256(key)}`}, 1, now() + make_interval(secs => ${opts.windowMs / 1000}::double precision))
      ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN a.window_ends <= now() THEN 1 ELSE a.hits + 1 END,
        window_ends = CASE WHEN a.window_ends <= now() THEN excluded.window_ends ELSE a.window_ends END
      RETURNING a.hits, greatest(1, ceil(extract(epoch FROM a.window_ends - now())))::int AS left`.execute(db);
    const { hits, left } = r.rows[0];
    if (hits > opts.max) {
      throw problem(CoreErrors, 'rate-limited', `Too many requests; try again in ${left} s`, { retryAfterSeconds: left }, { headers: { 'retry-after': String(left) } });
    }
  };
}
