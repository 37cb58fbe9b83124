// The SQL of delivery: claiming outbox rows under a lease, the messages rendered from them, and
// the staff's list of messages. Outbox rows belong to issue 4's outbox module; we only read them and
// record their delivery (attempts, locked_until, delivered_at, last_error).
import { sql, type Selectable } from 'kysely';
import type { Db, Tx } from '../../db/index.ts';
import type { NotificationsTable, OutboxTable } from '../../db/schema.ts';

export type OutboxRow = Selectable<OutboxTable>;
export type NotificationRow = Selectable<NotificationsTable>;

/**
 * Claims up to `limit` due rows for `leaseMs`: rows locked by another process are skipped (SKIP
 * LOCKED), rows whose lease ran out (a crashed worker) are due again. The lease instant is the
 * claim's token: every later write checks it, so a worker whose lease was taken over stops.
 */
export async function claim(db: Db, limit: number, leaseMs: number): Promise<OutboxRow[]> {
  const r = await sql<OutboxRow>`
    update outbox o
       set locked_until = date_trunc('milliseconds', now() + make_interval(secs => ${leaseMs / 1000})),
           attempts = o.attempts + 1
     where o.id in (select id from outbox
                     where delivered_at is null and available_at <= now()
                       and (locked_until is null or locked_until < now())
                     order by available_at, id
                     limit ${limit}
                     for update skip locked)
    returning o.*`.execute(db);
  // RETURNING keeps no order (PostgreSQL 15 hands the rows back as it updated them): deliver in the
  // order they were written, so a client hears "received" before "approved".
  return r.rows.sort((a, b) => new Date(a.available_at).getTime() - new Date(b.available_at).getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Extends the lease if it is still ours; false when another worker took the row over. */
export async function renew(db: Db, id: string, lease: Date, leaseMs: number): Promise<Date | null> {
  const r = await sql<{ locked_until: Date }>`
    update outbox set locked_until = date_trunc('milliseconds', now() + make_interval(secs => ${leaseMs / 1000}))
     where id = ${id} and locked_until = ${lease} and delivered_at is null
    returning locked_until`.execute(db);
  return r.rows[0]?.locked_until ?? null;
}

export const messagesOf = (db: Db | Tx, outboxId: string) =>
  db.selectFrom('notifications').selectAll().where('outbox_id', '=', outboxId).orderBy('seq').execute();

export interface ListFilter {
  status?: string;
  orderId?: string;
  after?: string;
  limit: number;
}
export function list(db: Db, orgId: string, f: ListFilter) {
  let q = db.selectFrom('notifications').selectAll().where('organization_id', '=', orgId);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.orderId) q = q.where('order_id', '=', f.orderId);
  if (f.after) q = q.where('id', '<', f.after);
  return q.orderBy('id', 'desc').limit(f.limit + 1).execute();
}

export const get = (db: Db, orgId: string, id: string) =>
  db.selectFrom('notifications').selectAll().where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst();
