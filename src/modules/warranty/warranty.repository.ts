// One round trip per lookup: the device, its organization's pack and calendar, its parts and its
// whole history, aggregated as JSON. The warranty lookup is the hottest read of the API.
import { sql } from 'kysely';
import DataLoader from 'dataloader';
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
  organization_id: string;
  pack_id: string;
  policy_rev: number;
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
  /** Claim proofs on record for the device (a valid registration's: ITS-5, ITS-6). */
  proofs: Record<string, boolean>;
}

// The select list shared by both forms of the lookup below.
const LOOKUP_SELECT = `
  select d.id, d.serial, d.manufacturer, d.model, d.category, d.kind, d.condition, d.discount_defect, d.term,
         d.manufacturer_warranty_term, d.manufacturer_warranty_provider, d.customer_id,
         d.organization_id, o.pack_id, o.policy_rev, o.time_zone,
         coalesce((select json_agg(json_build_object('part_key', p.part_key, 'category', p.category, 'term', p.term) order by p.part_key)
                     from device_parts p where p.device_id = d.id), '[]') as parts,
         coalesce((select json_agg(json_build_object('type', e.type, 'date', e.date, 'part_id', e.part_id,
                     'replaces_part_id', e.replaces_part_id, 'category', e.category, 'under_warranty', e.under_warranty,
                     'term', e.term, 'plan_id', e.plan_id, 'note', e.note, 'order_ref', e.order_ref)
                     order by e.date, e.recorded_at, e.id)
                     from device_events e where e.device_id = d.id and e.voided_at is null), '[]') as events,
         -- The claim proofs the device's valid registrations give (ITS-5, ITS-6).
         coalesce((select jsonb_object_agg(p.key, true) from device_registrations r, jsonb_each(r.proofs) p
                     where r.organization_id = d.organization_id and r.device_id = d.id and r.state = 'paid' and p.value = 'true'::jsonb), '{}') as proofs
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

// Lookups by serial are batched: the requests that arrive in the same turn of the event loop
// (typically one for each connection that had data ready) are answered by ONE query, a named
// prepared statement (parsed and planned once per connection) joined to the list of keys. On these
// machines a database round trip costs far more than the rows it returns, so under load a batch of
// k lookups costs little more than one; alone, a lookup still waits for no one (the batch is sent at
// setImmediate, right after the current I/O phase). DataLoader (graphql/dataloader) does the
// collecting; its cache is off, so no answer outlives its request.
const LOOKUP_BATCH_SQL = `${LOOKUP_SELECT.replace('select d.id,', 'select k.i::int as key_index, d.id,')}
     join unnest($1::uuid[], $2::text[], $3::text[]) with ordinality as k(org, serial, manufacturer, i)
       on d.organization_id = k.org and d.serial = k.serial
          and (k.manufacturer is null or lower(d.manufacturer) = lower(k.manufacturer))
   order by k.i, d.manufacturer`;

export interface SerialKey {
  orgId: string;
  serial: string;
  manufacturer?: string;
}

export type SerialLookup = (key: SerialKey) => Promise<LookupRow[]>;

export function serialLookupBatcher(pool: pg.Pool, maxBatchSize = 100): SerialLookup {
  const loader = new DataLoader<SerialKey, LookupRow[]>(
    async (keys) => {
      const r = await pool.query<LookupRow & { key_index: number }>({
        name: 'aftercare-warranty-by-serials',
        text: LOOKUP_BATCH_SQL,
        values: [keys.map((k) => k.orgId), keys.map((k) => k.serial), keys.map((k) => k.manufacturer ?? null)],
      });
      const out: LookupRow[][] = keys.map(() => []);
      for (const row of r.rows) {
        const i = row.key_index - 1;
        delete (row as Partial<typeof row>).key_index;
        out[i].push(row);
      }
      return out;
    },
    { cache: false, maxBatchSize, batchScheduleFn: (callback) => setImmediate(callback) },
  );
  return (key) => loader.load(key);
}
