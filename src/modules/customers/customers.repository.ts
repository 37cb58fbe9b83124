import { containsPattern } from '../../db/like.ts';
import type { Selectable } from 'kysely';
import type { Db, Tx } from '../../db/index.ts';
import type { CustomersTable } from '../../db/schema.ts';

export type CustomerRow = Selectable<CustomersTable>;

export interface CustomerFilter {
  q?: string;
  email?: string;
  externalRef?: string;
  after?: string;
  limit: number;
}

export function list(db: Db, orgId: string, f: CustomerFilter) {
  let q = db.selectFrom('customers').selectAll().where('organization_id', '=', orgId);
  if (f.q) {
    const like = containsPattern(f.q);
    q = q.where((eb) => eb.or([eb('name', 'ilike', like), eb('email', 'ilike', like), eb('phone', 'ilike', like)]));
  }
  if (f.email) q = q.where((eb) => eb(eb.fn('lower', ['email']), '=', f.email!.toLowerCase()));
  if (f.externalRef) q = q.where('external_ref', '=', f.externalRef);
  if (f.after) q = q.where('id', '<', f.after);
  return q.orderBy('id', 'desc').limit(f.limit + 1).execute();
}

export const get = (db: Db | Tx, orgId: string, id: string) =>
  db.selectFrom('customers').selectAll().where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst();

export const lock = (tx: Tx, orgId: string, id: string) =>
  tx.selectFrom('customers').selectAll().where('organization_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst();
