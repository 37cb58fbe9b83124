// Deletes what has expired and can never be used again: staff sessions, client sessions, client
// sign-in links, the order page's one-time codes, finished sign-in attempt windows and ended rate-limit windows. Each is already refused at use by its expiry;
// this only keeps the tables small. Run by the job runner's crontab (task `delete-expired`, see
// runner.ts): graphile-worker adds a crontab's job once per tick however many server processes run
// (it claims the tick in graphile_worker._private_known_crontabs), and the deletes are idempotent
// anyway. Batched, so a large backlog never holds many row locks at once.
// Idempotency keys have no expiry (a retry, however late, gets the first response back), so they stay.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

const TABLES = [
  { table: 'sessions', key: 'token_hash', expiry: 'expires_at' },
  { table: 'client_sessions', key: 'token_hash', expiry: 'expires_at' },
  { table: 'client_sign_in_tokens', key: 'token_hash', expiry: 'expires_at' },
  { table: 'order_lookup_codes', key: 'id', expiry: 'expires_at' },
  { table: 'sign_in_attempts', key: 'key', expiry: 'window_ends' },
  { table: 'rate_limits', key: 'key', expiry: 'window_ends' },
] as const;

export type Deleted = Record<(typeof TABLES)[number]['table'], number>;

/** Deletes every row that expired at or before `moment`; returns how many per table. */
export async function deleteExpired(db: Db, moment: Date = new Date(), batch = 5000): Promise<Deleted> {
  const out = {} as Deleted;
  for (const t of TABLES) {
    let total = 0;
    for (;;) {
      const r = await sql`
        DELETE FROM ${sql.table(t.table)} WHERE ${sql.ref(t.key)} IN (
          SELECT ${sql.ref(t.key)} FROM ${sql.table(t.table)} WHERE ${sql.ref(t.expiry)} <= ${moment} LIMIT ${batch})`.execute(db);
      const n = Number(r.numAffectedRows ?? 0n);
      total += n;
      if (n < batch) break;
    }
    out[t.table] = total;
  }
  return out;
}
