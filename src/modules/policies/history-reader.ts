// The simulator's reader (issue 11): every device of a business with its parts and its history, in
// device id order, a page at a time, as the engine reads them (SimDevice).
//
// One statement per page, one row per device. PostgreSQL writes each device's history as the JSON
// text of the engine's own DeviceEvent list, so Node parses it with one JSON.parse and makes no
// other object per event (the `pg` driver costs ≈ 1.6 µs of JavaScript for every row it parses; one
// row per event was most of the simulator's time). The events come from the index
// device_events_history (migration 0036), which holds every column the engine reads: an index-only
// scan of the device's entries, not a visit to a heap page per event.
//
// What the engine reads, exactly as devices.service.ts's toDeviceInput / toDeviceEvents give it:
// - an empty text is no value (`if (e.part_id)` there, `nullif(…, '')` here), `under_warranty`
//   false is a value;
// - the events in date order, then by the time recorded, then by id; parts by part_key;
// - an event's note only for a 'warranty-voided' event: the engine reads a note nowhere else (the
//   text of its 'voided' change, coverage.ts), and a note cannot be an index column (free text of any
//   length), so it is read from the row for those events only. Every other field is the same as the
//   general reader's (src/modules/policies/history-reader.test.ts checks it on random histories).
import { sql } from 'kysely';
import type { Db, Tx } from '../../db/index.ts';
import type { DeviceEvent, DeviceInput } from '../../policy/index.ts';
import type { SimDevice } from './simulate.ts';

export interface HistoryRow {
  id: string;
  serial: string;
  customer_id: string | null;
  model: string | null;
  category: string;
  kind: string;
  condition: string;
  discount_defect: string | null;
  term: string | null;
  manufacturer_warranty_term: string | null;
  manufacturer_warranty_provider: string | null;
  /** JSON text: [{ id, category, term? }] by part_key, or null. */
  parts: string | null;
  /** JSON text: DeviceEvent[] in the engine's order, or null. */
  events: string | null;
}

// Most events carry only a type and a date: their JSON is written by concatenation (a type is one of
// the CHECK's words and a date's text has no quote, so neither needs escaping); any other event by
// json_build_object, which escapes every text, without its null fields.
const EVENTS = sql`'[' || string_agg(
    case when e.part_id is null and e.replaces_part_id is null and e.category is null and e.under_warranty is null
           and e.term is null and e.plan_id is null and e.order_ref is null and e.type <> 'warranty-voided'
      then '{"type":"' || e.type || '","date":"' || e.date || '"}'
      else json_strip_nulls(json_build_object(
        'type', e.type, 'date', e.date::text, 'partId', nullif(e.part_id, ''), 'replacesPartId', nullif(e.replaces_part_id, ''),
        'category', nullif(e.category, ''), 'underWarranty', e.under_warranty, 'term', nullif(e.term, ''), 'planId', nullif(e.plan_id, ''),
        'note', case when e.type = 'warranty-voided' then (select nullif(x.note, '') from device_events x where x.id = e.id) end,
        'orderRef', nullif(e.order_ref, '')))::text
    end, ',' order by e.date, e.recorded_at, e.id) || ']'`;

const PARTS = sql`'[' || string_agg(json_strip_nulls(json_build_object('id', p.part_key, 'category', p.category, 'term', nullif(p.term, '')))::text, ',' order by p.part_key) || ']'`;

/**
 * Up to `limit` devices with an id after `after` (and at most `upTo`, when given), in id order.
 * `ids`: only those devices (any order of the list; the answer is in id order).
 */
export async function historyPage(db: Db | Tx, orgId: string, o: { after?: string; upTo?: string; limit: number; ids?: string[] }): Promise<HistoryRow[]> {
  const r = await sql<HistoryRow>`
    select d.id, d.serial, d.customer_id, d.model, d.category, d.kind, d.condition, d.discount_defect, d.term,
           d.manufacturer_warranty_term, d.manufacturer_warranty_provider,
           (select ${PARTS} from device_parts p where p.organization_id = d.organization_id and p.device_id = d.id) as parts,
           (select ${EVENTS} from device_events e where e.organization_id = d.organization_id and e.device_id = d.id and e.voided_at is null) as events
      from devices d
     where d.organization_id = ${orgId}
       ${o.after ? sql`and d.id > ${o.after}` : sql``}
       ${o.upTo ? sql`and d.id <= ${o.upTo}` : sql``}
       ${o.ids ? sql`and d.id = any(${o.ids}::uuid[])` : sql``}
     order by d.id
     limit ${o.limit}`.execute(db);
  return r.rows;
}

/** The engine's inputs from one row (the same fields, in the same cases, as toDeviceInput / toDeviceEvents). */
export function toSimDevice(d: HistoryRow): SimDevice {
  const input: DeviceInput = {
    serial: d.serial,
    model: d.model ?? undefined,
    category: d.category,
    kind: d.kind as DeviceInput['kind'],
    condition: d.condition as DeviceInput['condition'],
  };
  if (d.discount_defect) input.discountDefect = d.discount_defect;
  if (d.term) input.term = d.term;
  if (d.manufacturer_warranty_term) {
    input.manufacturerWarranty = { term: d.manufacturer_warranty_term, ...(d.manufacturer_warranty_provider ? { provider: d.manufacturer_warranty_provider } : {}) };
  }
  if (d.parts) input.parts = JSON.parse(d.parts) as DeviceInput['parts'];
  return { id: d.id, serial: d.serial, customerId: d.customer_id, input, events: d.events ? (JSON.parse(d.events) as DeviceEvent[]) : [] };
}

/**
 * Every device of the organization (or of the id range `(after, upTo]`), a page at a time. The next
 * page is asked for as soon as a page arrives, so PostgreSQL reads it while the caller computes.
 */
export async function* devicesOf(db: Db | Tx, orgId: string, opts: { pageSize?: number; after?: string; upTo?: string } = {}): AsyncGenerator<SimDevice[]> {
  const limit = opts.pageSize ?? 2000;
  let next: Promise<HistoryRow[]> | undefined = historyPage(db, orgId, { after: opts.after, upTo: opts.upTo, limit });
  try {
    while (next) {
      const rows: HistoryRow[] = await next;
      next = rows.length === limit ? historyPage(db, orgId, { after: rows[rows.length - 1].id, upTo: opts.upTo, limit }) : undefined;
      if (rows.length) yield rows.map(toSimDevice);
    }
  } finally {
    // A caller that stops early: the page asked for ahead is not wanted, nor its failure.
    next?.catch(() => {});
  }
}

/** The given devices (any number of ids), a page at a time. */
export async function* devicesOfIds(db: Db | Tx, orgId: string, ids: string[], pageSize = 1000): AsyncGenerator<SimDevice[]> {
  for (let i = 0; i < ids.length; i += pageSize) {
    const rows = await historyPage(db, orgId, { ids: ids.slice(i, i + pageSize), limit: pageSize });
    yield rows.map(toSimDevice);
  }
}
