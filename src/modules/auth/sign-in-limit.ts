// Sign-in brute-force protection, shared by every server process through PostgreSQL
// (table sign_in_attempts, migration 0006). Each password sign-in first takes one attempt from the
// e-mail address's window and one from the client address's, in one short transaction; the upsert
// that takes it refuses to go past the limit, so concurrent attempts (from any number of
// processes) serialize on the row and never let more than the limit through to the password check.
// A refused attempt checks no password and changes nothing. A wrong password keeps its attempt; a
// right one deletes the address's row and gives the client address its attempt back.
// Unknown addresses are counted exactly like known ones, so a 429 tells nothing about who exists.
import { sql } from 'kysely';
import type { SignInLimits } from '../../config.ts';
import type { Db, Tx } from '../../db/index.ts';
import { sha256 } from '../../server/auth.ts';
import { problem } from '../../core/errors.ts';
import { AuthErrors } from './auth.errors.ts';

export interface SignInKeys {
  email: string;
  ip?: string;
}

export const signInKeys = (email: string, ip: string | undefined): SignInKeys => ({
  email: `email:${sha256(email.toLowerCase())}`,
  ip: ip ? `ip:${sha256(ip.toLowerCase())}` : undefined,
});

/** Raises the key's count by one unless its window is full; false when it is. */
async function take(tx: Tx, key: string, max: number, windowMinutes: number): Promise<boolean> {
  const r = await sql<{ attempts: number }>`
    INSERT INTO sign_in_attempts AS a (key, attempts, window_ends)
    VALUES (${key}, 1, now() + make_interval(mins => ${windowMinutes}::int))
    ON CONFLICT (key) DO UPDATE SET
      attempts = CASE WHEN a.window_ends <= now() THEN 1 ELSE a.attempts + 1 END,
      window_ends = CASE WHEN a.window_ends <= now() THEN excluded.window_ends ELSE a.window_ends END
    WHERE a.window_ends <= now() OR a.attempts < ${max}::int
    RETURNING a.attempts`.execute(tx);
  return r.rows.length === 1;
}

class Refused extends Error {
  constructor(readonly by: 'email' | 'ip', readonly retryAfterSeconds: number) {
    super(by);
  }
}

async function secondsLeft(tx: Tx, key: string) {
  const r = await sql<{ s: number }>`
    SELECT greatest(1, ceil(extract(epoch FROM window_ends - now())))::int AS s FROM sign_in_attempts WHERE key = ${key}`.execute(tx);
  return r.rows[0]?.s ?? 1;
}

/**
 * Takes one attempt for the e-mail address and one for the client address, or throws the 429
 * `too-many-attempts` (with Retry-After) and changes nothing.
 */
export async function takeSignInAttempt(db: Db, keys: SignInKeys, limits: SignInLimits): Promise<void> {
  try {
    await db.transaction().execute(async (tx) => {
      // Always the e-mail's row first, then the client address's: one lock order, no deadlock.
      if (!(await take(tx, keys.email, limits.perEmail, limits.windowMinutes))) throw new Refused('email', await secondsLeft(tx, keys.email));
      if (keys.ip && !(await take(tx, keys.ip, limits.perIp, limits.windowMinutes))) throw new Refused('ip', await secondsLeft(tx, keys.ip));
    });
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    const minutes = Math.ceil(e.retryAfterSeconds / 60);
    const wait = `try again in ${minutes} minute${minutes === 1 ? '' : 's'}`;
    throw problem(
      AuthErrors,
      'too-many-attempts',
      e.by === 'email' ? `Too many failed sign-ins for this e-mail address; ${wait}` : `Too many failed sign-ins from this network address; ${wait}`,
      {
        retryAfterSeconds: e.retryAfterSeconds,
        ...(e.by === 'email' ? { errors: [{ field: 'body.email', message: `too many failed sign-ins; ${wait}`, code: 'too-many-attempts' }] } : {}),
      },
      { headers: { 'retry-after': String(e.retryAfterSeconds) } },
    );
  }
}

/** After a right password (inside the sign-in's transaction): the address starts afresh, the client address gets its attempt back. */
export async function signInSucceeded(tx: Tx, keys: SignInKeys) {
  await tx.deleteFrom('sign_in_attempts').where('key', '=', keys.email).execute();
  if (keys.ip) await tx.updateTable('sign_in_attempts').set((eb) => ({ attempts: eb('attempts', '-', 1) })).where('key', '=', keys.ip).where('attempts', '>', 0).execute();
}
