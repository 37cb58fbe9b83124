// One round trip per lookup: the device, its organization's pack and calendar, its parts and its
// whole history, aggregated as JSON. The warranty lookup is the hottest read of the API.
import { sql } from 'kysely';
import type pg from 'pg';
import type { Db } from '../../db/index.ts';

export interface LookupRow {
  id: string;
  serial: string;
  manufacturer: string;
  model: string | null;
  category: string;
  kind: string;
  condition: string;
  discount_defect: string | null;
  term: string | null;
  manufacturer_warranty_term: string | null;
  manufacturer_warranty_provider: string | null;
  customer_id: string | null;
  pack_id: string;
  time_zone: string;
  parts: { part_key: string; category: string; term: string | null }[];
  events: {
    type: string;
    date: string;
    part_id: string | null;
    replaces_part_id: string | null;
    category: string | null;
    under_warranty: boolean | null;
    term: string | null;
    plan_id: string | null;
    note: string | null;
    order_ref: string | null;
  }[];
}

// The select list shared by both forms of the lookup below.
const LOOKUP_SELECT = `
  select d.id, d.serial, d.manufacturer, d.model, d.category, d.kind, d.condition, d.discount_defect, d.term,
         d.manufacturer_warranty_term, d.manufacturer_warranty_provider, d.customer_id,
         o.pack_id, o.time_zone,
         coalesce((select json_agg(json_build_object('part_key', p.part_key, 'category', p.category, 'term', p.term) order by p.part_key)
                     from device_parts p where p.device_id = d.id), '[]') as parts,
         coalesce((select json_agg(json_build_object('type', e.type, 'date', e.date, 'part_id', e.part_id,
                     'replaces_part_id', e.replaces_part_id, 'category', e.category, 'under_warranty', e.under_warranty,
                     'term', e.term, 'plan_id', e.plan_id, 'note', e.note, 'order_ref', e.order_ref)
                     order by e.date, e.recorded_at, e.id)
                     from device_events e where e.device_id = d.id), '[]') as events
    from devices d join organizations o on o.id = d.organization_id`;

export async function lookup(db: Db, orgId: string, by: { serial: string; manufacturer?: string } | { id: string }): Promise<LookupRow[]> {
  const where =
    'id' in by
      ? sql`d.id = ${by.id}`
      : by.manufacturer
        ? sql`d.serial = ${by.serial} and lower(d.manufacturer) = ${by.manufacturer.toLowerCase()}`
        : sql`d.serial = ${by.serial}`;
  const r = await sql<LookupRow>`${sql.raw(LOOKUP_SELECT)}
     where d.organization_id = ${orgId} and ${where}
     order by d.manufacturer
     limit 10`.execute(db);
  return r.rows;
}

// The same query by serial as a named prepared statement on the pool: PostgreSQL parses and plans it
// once per connection instead of once per lookup.
const LOOKUP_SQL = `${LOOKUP_SELECT}
   where d.organization_id = $1 and d.serial = $2 and ($3::text is null or lower(d.manufacturer) = lower($3))
   order by d.manufacturer
   limit 10`;

export async function lookupBySerialPrepared(pool: pg.Pool, orgId: string, serial: string, manufacturer?: string): Promise<LookupRow[]> {
  const r = await pool.query<LookupRow>({ name: 'aftercare-warranty-by-serial', text: LOOKUP_SQL, values: [orgId, serial, manufacturer ?? null] });
  return r.rows;
}
