import { sql } from 'kysely';
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
  // A duplicate merged into another customer is not listed (it is kept, never deleted).
  let q = db.selectFrom('customers').selectAll().where('organization_id', '=', orgId).where('merged_into_id', 'is', null);
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

/**
 * The customers an intake may be about: the same e-mail (any case), a phone ending in the same last
 * digits (compared exactly by the caller, libphonenumber-js), or a name containing what was typed.
 */
export function candidates(db: Db, orgId: string, f: { email?: string; phoneDigits?: string; name?: string }) {
  return db
    .selectFrom('customers')
    .selectAll()
    .where('organization_id', '=', orgId)
    .where('merged_into_id', 'is', null)
    .where((eb) => {
      const ors = [];
      if (f.email) ors.push(eb(eb.fn('lower', ['email']), '=', f.email.toLowerCase()));
      if (f.phoneDigits) ors.push(eb(sql<string>`regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g')`, 'like', `%${f.phoneDigits}`));
      if (f.name) ors.push(eb('name', 'ilike', containsPattern(f.name)));
      return ors.length ? eb.or(ors) : eb.val(false);
    })
    .orderBy('id', 'desc')
    .limit(20)
    .execute();
}

/** Every device, order and purchase of a customer, for the customer page (newest first). */
export async function overview(db: Db, orgId: string, customerId: string) {
  const [devices, orders, purchases] = await Promise.all([
    db.selectFrom('devices').select(['id', 'serial', 'manufacturer', 'model', 'category', 'condition']).where('organization_id', '=', orgId).where('customer_id', '=', customerId).orderBy('id', 'desc').limit(500).execute(),
    db
      .selectFrom('service_orders')
      .select(['id', 'number', 'state', 'claim_date', 'device_id', 'problem', 'created_at'])
      .where('organization_id', '=', orgId)
      .where('customer_id', '=', customerId)
      .orderBy('id', 'desc')
      .limit(500)
      .execute(),
    db.selectFrom('purchases').select(['id', 'device_id', 'document_type', 'document_number', 'sold_on']).where('organization_id', '=', orgId).where('customer_id', '=', customerId).orderBy('id', 'desc').limit(500).execute(),
  ]);
  return { devices, orders, purchases };
}

/** The tables that name a customer (every feature's, found in the schema, so a new one is never missed). */
export async function customerTables(tx: Tx) {
  const r = await sql<{ table_name: string; has_version: boolean }>`
    select c.table_name,
           exists (select 1 from information_schema.columns v where v.table_schema = c.table_schema and v.table_name = c.table_name and v.column_name = 'version') as has_version
      from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
     where c.table_schema = current_schema() and c.column_name = 'customer_id'
       and exists (select 1 from information_schema.columns g where g.table_schema = c.table_schema and g.table_name = c.table_name and g.column_name = 'organization_id')
     order by c.table_name`.execute(tx);
  return r.rows;
}
