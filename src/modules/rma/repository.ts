// RMAs: every SQL statement of the feature. Every query filters by organization.
import { sql, type Selectable } from 'kysely';
import type { Db, Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import type { RmaItemsTable, RmasTable } from '../../db/schema.ts';
import type { Subject } from '../../core/clocks.ts';
import { caseNumberSql } from '../../core/numbers.ts';
import { RMA_QUEUES, type RmaQueue } from './state-machine.ts';

export type RmaRow = Selectable<RmasTable>;
export type RmaItemRow = Selectable<RmaItemsTable>;
export const RMA_SUBJECT = 'rma';
export const rmaSubject = (r: Pick<RmaRow, 'id' | 'organization_id'>): Subject => ({ type: RMA_SUBJECT, id: r.id, organizationId: r.organization_id });

const json = (x: unknown) => (x === null || x === undefined ? null : JSON.stringify(x));

export const lockRma = (tx: Tx, orgId: string, id: string) =>
  tx.selectFrom('rmas').selectAll().where('organization_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst();
export const getRma = (db: Db | Tx, orgId: string, id: string) =>
  db.selectFrom('rmas').selectAll().where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst();

export const itemsOf = (db: Db | Tx, orgId: string, rmaIds: string[]) =>
  rmaIds.length
    ? db.selectFrom('rma_items').selectAll().where('organization_id', '=', orgId).where('rma_id', 'in', rmaIds).orderBy('rma_id').orderBy('position').execute()
    : Promise.resolve([] as RmaItemRow[]);

/** A purchase line with its device: what an RMA item is identified by. */
export interface PurchaseLine {
  purchase_id: string;
  document_number: string;
  document_type: string;
  customer_id: string | null;
  price_minor: number | null;
  currency: string | null;
  device_id: string;
  serial: string;
  model: string | null;
  manufacturer: string;
  category: string;
  device_customer_id: string | null;
}

/** The purchase lines of one invoice, or of the given devices / serials (the client's purchases), in the organization. */
export function purchaseLines(db: Db | Tx, orgId: string, f: { document?: string; deviceIds?: string[]; serials?: string[] }) {
  let q = db
    .selectFrom('purchases as p')
    .innerJoin('devices as d', (j) => j.onRef('d.organization_id', '=', 'p.organization_id').onRef('d.id', '=', 'p.device_id'))
    .select(['p.id as purchase_id', 'p.document_number', 'p.document_type', 'p.customer_id', 'p.price_minor', 'p.currency', 'd.id as device_id', 'd.serial', 'd.model', 'd.manufacturer', 'd.category', 'd.customer_id as device_customer_id'])
    .where('p.organization_id', '=', orgId);
  if (f.document) q = q.where('p.document_number', '=', f.document);
  else
    q = q.where((eb) =>
      eb.or([
        ...(f.deviceIds?.length ? [eb('d.id', 'in', f.deviceIds)] : []),
        ...(f.serials?.length ? [eb(eb.fn('lower', ['d.serial']), 'in', f.serials.map((s) => s.toLowerCase()))] : []),
        sql<boolean>`false`,
      ]),
    );
  return q.orderBy('p.sold_on', 'desc').execute() as Promise<PurchaseLine[]>;
}

export interface NewRma {
  row: Omit<RmaRow, 'number'>;
  year: number;
}

/** Inserts the RMA with the next number of its organization and year (RMA-2026-000042). */
export async function insertRma(tx: Tx, n: NewRma): Promise<string> {
  const o = n.row;
  const r = await sql<{ number: string }>`insert into rmas (id, organization_id, number, state, channel, customer_id, language, purchase_document, version, created_at, updated_at)
    values (${o.id}, ${o.organization_id}, ${caseNumberSql('rma', 'RMA', o.organization_id, n.year)}, ${o.state}, ${o.channel}, ${o.customer_id}, ${o.language}, ${o.purchase_document}, 1, ${o.created_at}, ${o.updated_at})
    returning number`.execute(tx);
  return r.rows[0].number;
}

export async function insertItems(tx: Tx, items: RmaItemRow[]) {
  if (!items.length) return;
  await tx
    .insertInto('rma_items')
    .values(items.map((i) => ({ ...i, proofs: json(i.proofs), decision: json(i.decision), vendor_rma: json(i.vendor_rma), advance_replacement: json(i.advance_replacement), resolution_detail: json(i.resolution_detail) })))
    .execute();
}

/** Writes an item's own columns (the case row itself changes only through the transition writer). */
export async function updateItem(tx: Tx, orgId: string, id: string, set: Partial<Pick<RmaItemRow, 'decision' | 'findings' | 'inspection_note' | 'vendor_rma' | 'advance_replacement' | 'resolution' | 'resolution_detail' | 'service_order_id' | 'retained'>>) {
  const values: Record<string, unknown> = { ...set };
  for (const k of ['decision', 'vendor_rma', 'advance_replacement', 'resolution_detail'] as const) if (k in set) values[k] = json(set[k]);
  await tx.updateTable('rma_items').set(values).where('organization_id', '=', orgId).where('id', '=', id).execute();
}

// ---------- files, charges, holds ----------

export const filesOf = (db: Db | Tx, orgId: string, rmaId: string) =>
  db.selectFrom('rma_files').selectAll().where('organization_id', '=', orgId).where('rma_id', '=', rmaId).orderBy('created_at').execute();
export const fileOf = (db: Db | Tx, orgId: string, rmaId: string, id: string) =>
  db.selectFrom('rma_files').selectAll().where('organization_id', '=', orgId).where('rma_id', '=', rmaId).where('id', '=', id).executeTakeFirst();
export async function insertFile(tx: Tx, f: Selectable<import('../../db/schema.ts').RmaFilesTable>) {
  await tx.insertInto('rma_files').values(f).execute();
}

export const chargesOf = (db: Db | Tx, orgId: string, rmaId: string) =>
  db.selectFrom('rma_charges').selectAll().where('organization_id', '=', orgId).where('rma_id', '=', rmaId).orderBy('created_at').execute();
export async function insertCharge(tx: Tx, c: { orgId: string; rmaId: string; itemId: string | null; kind: string; amountMinor: number; currency: string; rule: string | null; at: Date }) {
  await tx.insertInto('rma_charges').values({ id: uuidv7(), organization_id: c.orgId, rma_id: c.rmaId, item_id: c.itemId, kind: c.kind, amount_minor: c.amountMinor, currency: c.currency, rule: c.rule, created_at: c.at }).execute();
}

export const openHold = (db: Db | Tx, orgId: string, customerId: string) =>
  db.selectFrom('rma_account_holds').selectAll().where('organization_id', '=', orgId).where('customer_id', '=', customerId).where('lifted_at', 'is', null).orderBy('created_at').executeTakeFirst();
export const holdsOf = (db: Db | Tx, orgId: string, rmaId: string) =>
  db.selectFrom('rma_account_holds').selectAll().where('organization_id', '=', orgId).where('rma_id', '=', rmaId).orderBy('created_at').execute();
export async function insertHold(tx: Tx, h: { orgId: string; customerId: string; rmaId: string; rule: string; at: Date }) {
  await tx.insertInto('rma_account_holds').values({ id: uuidv7(), organization_id: h.orgId, customer_id: h.customerId, rma_id: h.rmaId, rule: h.rule, created_at: h.at }).execute();
}
export const lockHold = (tx: Tx, orgId: string, id: string) =>
  tx.selectFrom('rma_account_holds').selectAll().where('organization_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst();
export async function liftHold(tx: Tx, orgId: string, id: string, by: string, at: Date) {
  return tx.updateTable('rma_account_holds').set({ lifted_at: at, lifted_by: by }).where('organization_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}
export const openHolds = (db: Db | Tx, orgId: string) =>
  db.selectFrom('rma_account_holds').selectAll().where('organization_id', '=', orgId).where('lifted_at', 'is', null).orderBy('created_at').execute();

// ---------- lists ----------

export interface RmaFilter {
  queue?: RmaQueue;
  customerIds?: string[];
  number?: string;
  limit: number;
  after?: string;
}

export function listRmas(db: Db, orgId: string, f: RmaFilter) {
  let q = db.selectFrom('rmas').selectAll().where('organization_id', '=', orgId);
  if (f.queue) q = q.where('state', 'in', [...RMA_QUEUES[f.queue]]);
  if (f.customerIds) q = f.customerIds.length ? q.where('customer_id', 'in', f.customerIds) : q.where(sql<boolean>`false`);
  if (f.number) q = q.where('number', '=', f.number);
  if (f.after) q = q.where('id', '<', f.after);
  return q.orderBy('id', 'desc').limit(f.limit + 1).execute();
}

export async function countByState(db: Db, orgId: string) {
  const rows = await db.selectFrom('rmas').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).where('organization_id', '=', orgId).groupBy('state').execute();
  return new Map(rows.map((r) => [r.state, Number(r.n)]));
}

export const customerOf = (db: Db | Tx, orgId: string, id: string) =>
  db.selectFrom('customers').select(['id', 'name', 'email', 'phone', 'address', 'kind', 'preferred_language', 'preferred_channel']).where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst();

export const customersByEmail = (db: Db | Tx, orgId: string, email: string) =>
  db
    .selectFrom('customers')
    .select(['id'])
    .where('organization_id', '=', orgId)
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .execute();

export function auditOf(db: Db | Tx, orgId: string, rmaId: string) {
  return db
    .selectFrom('audit_events')
    .select(['occurred_at', 'action', 'before', 'after', 'channel', 'actor_type', 'actor_id'])
    .where('organization_id', '=', orgId)
    .where('entity_type', '=', RMA_SUBJECT)
    .where('entity_id', '=', rmaId)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
}
