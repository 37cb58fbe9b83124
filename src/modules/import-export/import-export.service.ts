// Import and export of past sales as CSV (see sales-csv.ts for the columns).
// - check: every bad row is reported with its line, column and reason; nothing is written.
// - import: runs the check first and writes nothing if any row is bad; then writes in batches, each
//   one transaction with its audit events. Rows are matched to what exists (customer by customer_ref,
//   else e-mail, else name and phone; device by manufacturer and serial; purchase by document number
//   and device), so importing the same file twice creates nothing the second time, and an import cut
//   short can simply be run again.
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { sql } from 'kysely';
import type { Db, Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import type { Actor } from '../../core/actor.ts';
import { auditMany, type AuditEntry } from '../../core/audit.ts';
import { textProblem } from '../../server/input.ts';
import { COLUMNS, REQUIRED_COLUMNS, RowSchema, type RowProblem, type SalesRow } from './sales-csv.ts';

/**
 * INSERT of many rows as one statement with one array parameter per column (unnest), instead of one
 * parameter per value: PostgreSQL binds and plans a handful of parameters instead of tens of
 * thousands, which makes bulk imports several times faster.
 */
async function bulkInsert(tx: Tx, table: string, columns: Record<string, string>, rows: Record<string, unknown>[]) {
  if (rows.length === 0) return;
  const names = Object.keys(columns);
  const arrays = names.map((n) => rows.map((r) => (r[n] === undefined ? null : r[n])));
  const params = names.map((n, i) => sql`${sql.val(arrays[i])}::${sql.raw(columns[n] === 'jsonb' ? 'text' : columns[n])}[]`);
  const select = names.map((n) => (columns[n] === 'jsonb' ? sql`${sql.ref(`u.${n}`)}::jsonb` : sql.ref(`u.${n}`)));
  await sql`insert into ${sql.table(table)} (${sql.join(names.map((n) => sql.ref(n)))})
            select ${sql.join(select)} from unnest(${sql.join(params)}) as u(${sql.join(names.map((n) => sql.ref(n)))})`.execute(tx);
}

const CUSTOMER_COLUMNS = { id: 'uuid', organization_id: 'uuid', kind: 'text', name: 'text', email: 'text', phone: 'text', address: 'text', preferred_language: 'text', external_ref: 'text' };
const DEVICE_COLUMNS = {
  id: 'uuid', organization_id: 'uuid', customer_id: 'uuid', serial: 'text', manufacturer: 'text', model: 'text', category: 'text', kind: 'text',
  condition: 'text', discount_defect: 'text', term: 'text', manufacturer_warranty_term: 'text',
};
const PURCHASE_COLUMNS = {
  id: 'uuid', organization_id: 'uuid', customer_id: 'uuid', device_id: 'uuid', document_type: 'text', document_number: 'text', sold_on: 'date',
  delivered_on: 'date', shipped_on: 'date', installed_on: 'date', activated_on: 'date', place: 'text', price_minor: 'bigint', currency: 'text',
};
const EVENT_COLUMNS = { id: 'uuid', organization_id: 'uuid', device_id: 'uuid', type: 'text', date: 'date', note: 'text', purchase_id: 'uuid', recorded_by: 'text' };

export interface ParsedSales {
  rows: { line: number; row: SalesRow }[];
  problems: RowProblem[];
  total: number;
}

export function parseSales(input: string | Buffer): ParsedSales {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(input, { bom: true, info: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as never;
  } catch (e) {
    const err = e as { lines?: number; message: string };
    return { rows: [], problems: [{ line: err.lines ?? 1, column: null, reason: `not valid CSV: ${err.message}` }], total: 0 };
  }
  if (records.length === 0) return { rows: [], problems: [{ line: 1, column: null, reason: 'the file is empty; the first line must name the columns' }], total: 0 };
  const header = records[0].record.map((h) => h.trim().toLowerCase());
  const problems: RowProblem[] = [];
  header.forEach((h, i) => {
    if (!(COLUMNS as readonly string[]).includes(h)) problems.push({ line: 1, column: h || `#${i + 1}`, reason: `unknown column; known columns are ${COLUMNS.join(', ')}` });
  });
  for (const c of REQUIRED_COLUMNS) if (!header.includes(c)) problems.push({ line: 1, column: c, reason: 'required column is missing' });
  if (new Set(header).size !== header.length) problems.push({ line: 1, column: null, reason: 'a column is named twice' });
  if (problems.length) return { rows: [], problems, total: records.length - 1 };

  const rows: ParsedSales['rows'] = [];
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    if (record.length !== header.length) {
      problems.push({ line, column: null, reason: `has ${record.length} fields, the header has ${header.length}` });
      continue;
    }
    // Text the database cannot store (the NUL character, a lone surrogate): refused per cell, as the API refuses a field (src/server/input.ts).
    const badCells = header.flatMap((h, i) => {
      const reason = textProblem(record[i]);
      return reason ? [{ line, column: h, reason }] : [];
    });
    if (badCells.length) {
      problems.push(...badCells);
      continue;
    }
    const obj: Record<string, string> = {};
    header.forEach((h, i) => (obj[h] = record[i]));
    const r = RowSchema.safeParse(obj);
    if (!r.success) {
      for (const i of r.error.issues) problems.push({ line, column: i.path.length ? String(i.path[0]) : null, reason: i.message });
    } else rows.push({ line, row: r.data });
  }
  return { rows, problems, total: records.length - 1 };
}

export interface ImportResult {
  rows: number;
  customersCreated: number;
  devicesCreated: number;
  purchasesCreated: number;
  problems: RowProblem[];
  written: boolean;
}

const customerKey = (r: SalesRow) =>
  !r.customer_name ? '' : r.customer_ref ? `ref:${r.customer_ref}` : r.customer_email ? `email:${r.customer_email.toLowerCase()}` : `name:${r.customer_name!.toLowerCase()}|${r.customer_phone ?? ''}`;
const deviceKey = (manufacturer: string, serial: string) => `${manufacturer.toLowerCase()}|${serial}`;

async function importBatch(tx: Tx, actor: Actor, batch: SalesRow[], counts: ImportResult) {
  const org = actor.organizationId;
  // One import at a time per organization: matching by e-mail or name has no unique index to lean on.
  await sql`select pg_advisory_xact_lock(hashtext('aftercare-import'), hashtext(${org}))`.execute(tx);
  const audits: AuditEntry[] = [];

  // ---- customers
  const custByKey = new Map<string, string>();
  const refs = [...new Set(batch.map((r) => r.customer_ref).filter((x): x is string => !!x))];
  const emails = [...new Set(batch.filter((r) => !r.customer_ref && r.customer_email).map((r) => r.customer_email!.toLowerCase()))];
  const names = batch.filter((r) => r.customer_name && !r.customer_ref && !r.customer_email);
  if (refs.length) {
    const found = await tx.selectFrom('customers').select(['id', 'external_ref']).where('organization_id', '=', org).where('external_ref', 'in', refs).execute();
    for (const c of found) custByKey.set(`ref:${c.external_ref}`, c.id);
  }
  if (emails.length) {
    const found = await tx
      .selectFrom('customers')
      .select(['id', sql<string>`lower(email)`.as('email')])
      .where('organization_id', '=', org)
      .where((eb) => eb(eb.fn('lower', ['email']), 'in', emails))
      .orderBy('id')
      .execute();
    for (const c of found) if (!custByKey.has(`email:${c.email}`)) custByKey.set(`email:${c.email}`, c.id);
  }
  if (names.length) {
    const found = await sql<{ id: string; k: string }>`
      select id, 'name:' || lower(name) || '|' || coalesce(phone, '') as k from customers
       where organization_id = ${org} and external_ref is null and email is null
         and lower(name) = any(${[...new Set(names.map((r) => r.customer_name!.toLowerCase()))]}::text[])
       order by id`.execute(tx);
    for (const c of found.rows) if (!custByKey.has(c.k)) custByKey.set(c.k, c.id);
  }
  const newCustomers = new Map<string, SalesRow>();
  for (const r of batch) {
    const k = customerKey(r);
    if (k && !custByKey.has(k) && !newCustomers.has(k)) newCustomers.set(k, r);
  }
  if (newCustomers.size) {
    const values = [...newCustomers].map(([k, r]) => {
      const id = uuidv7();
      custByKey.set(k, id);
      return {
        id,
        organization_id: org,
        kind: r.customer_kind ?? 'person',
        name: r.customer_name!,
        email: r.customer_email ?? null,
        phone: r.customer_phone ?? null,
        address: r.customer_address ?? null,
        preferred_language: r.customer_language ?? null,
        external_ref: r.customer_ref ?? null,
      };
    });
    await bulkInsert(tx, 'customers', CUSTOMER_COLUMNS, values);
    for (const v of values) audits.push({ entityType: 'customer', entityId: v.id, action: 'customer.created', after: v });
    counts.customersCreated += values.length;
  }

  // ---- devices
  const devByKey = new Map<string, string>();
  const mfrs = batch.map((r) => r.manufacturer.toLowerCase());
  const serials = batch.map((r) => r.serial);
  // LATERAL: one index probe per line. A plain join lets the planner hash the organization's whole
  // device table on every batch, which makes a large import quadratic.
  const foundDevices = await sql<{ id: string; m: string; serial: string }>`
    select d.id, k.m, k.s as serial from unnest(${mfrs}::text[], ${serials}::text[]) as k(m, s)
      cross join lateral (select id from devices d
                           where d.organization_id = ${org} and lower(d.manufacturer) = k.m and d.serial = k.s) d`.execute(tx);
  for (const d of foundDevices.rows) devByKey.set(deviceKey(d.m, d.serial), d.id);
  const newDevices: ReturnType<typeof deviceValues>[] = [];
  function deviceValues(r: SalesRow) {
    return {
      id: uuidv7(),
      organization_id: org,
      customer_id: custByKey.get(customerKey(r)) ?? null,
      serial: r.serial,
      manufacturer: r.manufacturer,
      model: r.model ?? null,
      category: r.category,
      kind: r.kind ?? 'device',
      condition: r.condition ?? 'new',
      discount_defect: r.discount_defect ?? null,
      term: r.device_term ?? null,
      manufacturer_warranty_term: r.manufacturer_warranty_term ?? null,
    };
  }
  for (const r of batch) {
    const k = deviceKey(r.manufacturer, r.serial);
    if (devByKey.has(k)) continue;
    const v = deviceValues(r);
    devByKey.set(k, v.id);
    newDevices.push(v);
  }
  if (newDevices.length) {
    await bulkInsert(tx, 'devices', DEVICE_COLUMNS, newDevices);
    for (const v of newDevices) audits.push({ entityType: 'device', entityId: v.id, action: 'device.created', after: v });
    counts.devicesCreated += newDevices.length;
  }

  // ---- purchases and the events their dates make
  const withPurchase = batch.filter((r) => r.document_number);
  if (withPurchase.length) {
    const docs = withPurchase.map((r) => r.document_number!);
    const devs = withPurchase.map((r) => devByKey.get(deviceKey(r.manufacturer, r.serial))!);
    const found = await sql<{ k: string }>`
      select p.document_number || '|' || p.device_id as k from unnest(${docs}::text[], ${devs}::uuid[]) as k(doc, dev)
        cross join lateral (select document_number, device_id from purchases p
                             where p.organization_id = ${org} and p.document_number = k.doc and p.device_id = k.dev) p`.execute(tx);
    const seen = new Set(found.rows.map((x) => x.k));
    const purchases = [];
    const events = [];
    for (const r of withPurchase) {
      const deviceId = devByKey.get(deviceKey(r.manufacturer, r.serial))!;
      const k = `${r.document_number}|${deviceId}`;
      if (seen.has(k)) continue;
      seen.add(k);
      const p = {
        id: uuidv7(),
        organization_id: org,
        customer_id: custByKey.get(customerKey(r)) ?? null,
        device_id: deviceId,
        document_type: r.document_type ?? 'invoice',
        document_number: r.document_number!,
        sold_on: r.sold_on!,
        delivered_on: r.delivered_on ?? null,
        shipped_on: r.shipped_on ?? null,
        installed_on: r.installed_on ?? null,
        activated_on: r.activated_on ?? null,
        place: r.place ?? null,
        price_minor: r.price_minor ?? null,
        currency: r.currency ?? null,
      };
      purchases.push(p);
      const note = `${p.document_type} ${p.document_number}`;
      for (const [date, type] of [
        [p.sold_on, 'sale'],
        [p.delivered_on, 'delivery'],
        [p.shipped_on, 'shipping'],
        [p.installed_on, 'installation'],
        [p.activated_on, 'activation'],
      ] as const) {
        if (date) events.push({ id: uuidv7(), organization_id: org, device_id: deviceId, type, date, note, purchase_id: p.id, recorded_by: `${actor.type}:${actor.id}` });
      }
    }
    if (purchases.length) {
      await bulkInsert(tx, 'purchases', PURCHASE_COLUMNS, purchases);
      await bulkInsert(tx, 'device_events', EVENT_COLUMNS, events);
      for (const v of purchases) audits.push({ entityType: 'purchase', entityId: v.id, action: 'purchase.created', after: v });
      counts.purchasesCreated += purchases.length;
    }
  }

  if (audits.length) {
    await auditMany(tx, actor, audits);
  }
}

export async function importSales(
  db: Db,
  actor: Actor,
  input: string | Buffer,
  opts: { check?: boolean; batchSize?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<ImportResult> {
  const parsed = parseSales(input);
  const result: ImportResult = { rows: parsed.total, customersCreated: 0, devicesCreated: 0, purchasesCreated: 0, problems: parsed.problems, written: false };
  if (opts.check || parsed.problems.length) return result;
  const size = opts.batchSize ?? 2000;
  for (let i = 0, n = 0; i < parsed.rows.length; i += size, n++) {
    const batch = parsed.rows.slice(i, i + size).map((x) => x.row);
    await db.transaction().execute((tx) => importBatch(tx, actor, batch, result));
    // A large import grows the tables faster than autovacuum refreshes their statistics; stale
    // statistics make the matching queries fall back to sequential scans batch after batch.
    if (n === 1 || n % 20 === 19) await sql`analyze customers, devices, purchases`.execute(db);
    result.written = true;
    opts.onProgress?.(Math.min(i + size, parsed.rows.length), parsed.rows.length);
  }
  return result;
}

/** Every device of the organization with its purchases, in the import's shape. */
export async function* exportSales(db: Db, organizationId: string, chunk = 5000): AsyncGenerator<string> {
  yield stringify([COLUMNS as unknown as string[]]);
  let after: string | undefined;
  for (;;) {
    const q = db
      .selectFrom('devices as d')
      .leftJoin('purchases as p', 'p.device_id', 'd.id')
      .leftJoin('customers as c', (j) => j.on(sql<boolean>`c.id = coalesce(p.customer_id, d.customer_id)`))
      .select([
        'd.id as device_id',
        'c.external_ref',
        'c.kind as customer_kind',
        'c.name as customer_name',
        'c.email',
        'c.phone',
        'c.address',
        'c.preferred_language',
        'd.serial',
        'd.manufacturer',
        'd.model',
        'd.category',
        'd.kind',
        'd.condition',
        'd.discount_defect',
        'd.term',
        'd.manufacturer_warranty_term',
        'p.document_type',
        'p.document_number',
        'p.sold_on',
        'p.delivered_on',
        'p.shipped_on',
        'p.installed_on',
        'p.activated_on',
        'p.place',
        'p.price_minor',
        'p.currency',
      ])
      .where('d.organization_id', '=', organizationId)
      .where('d.id', 'in', (sub) => {
        let s = sub.selectFrom('devices').select('id').where('organization_id', '=', organizationId);
        if (after) s = s.where('id', '>', after);
        return s.orderBy('id').limit(chunk);
      })
      .orderBy('d.id')
      .orderBy('p.id');
    const rows = await q.execute();
    if (rows.length === 0) return;
    yield stringify(
      rows.map((r) => [
        r.external_ref ?? '',
        r.customer_kind ?? '',
        r.customer_name ?? '',
        r.email ?? '',
        r.phone ?? '',
        r.address ?? '',
        r.preferred_language ?? '',
        r.serial,
        r.manufacturer,
        r.model ?? '',
        r.category,
        r.kind,
        r.condition,
        r.discount_defect ?? '',
        r.term ?? '',
        r.manufacturer_warranty_term ?? '',
        r.document_type ?? '',
        r.document_number ?? '',
        r.sold_on ?? '',
        r.delivered_on ?? '',
        r.shipped_on ?? '',
        r.installed_on ?? '',
        r.activated_on ?? '',
        r.place ?? '',
        r.price_minor ?? '',
        r.currency ?? '',
      ]),
    );
    after = rows[rows.length - 1].device_id;
  }
}
