// Purchases: the sales document and its dates. The dates are written into the device's history as
// events (sale, delivery, shipping, installation, activation), which is what coverage is computed
// from (ITEMA-5 sale, ITM-4 shipping, ITS-2 installation/activation, ITEMA-33 delivery).
import crypto from 'node:crypto';
import * as contracts from '../contracts/contracts.service.ts';
import type { Db, Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import type { EventType } from '../../policy/types.ts';
import { audit } from '../../core/audit.ts';
import type { Actor } from '../../core/actor.ts';
import { CoreErrors, notFound, problem, versionConflict } from '../../core/errors.ts';
import { PurchaseErrors } from './purchases.errors.ts';
import { decodeCursor, toPage } from '../../server/http.ts';
import type { FileStorage } from '../../storage/index.ts';
import { insertEvent } from '../devices/devices.service.ts';
import * as repo from './purchases.repository.ts';
import { orgAndPack } from '../../core/organization.ts';
import { todayIn } from '../../core/day.ts';
import { evaluatePackClock, versionAt, type CompiledPack } from '../../policy/index.ts';
import { ServiceOrderErrors } from '../service-orders/service-orders.errors.ts';

export const DOCUMENT_TYPES = ['invoice', 'receipt', 'contract'] as const;

export interface PurchaseFields {
  customerId?: string | null;
  deviceId: string;
  documentType?: (typeof DOCUMENT_TYPES)[number];
  documentNumber: string;
  soldOn: string;
  deliveredOn?: string | null;
  shippedOn?: string | null;
  installedOn?: string | null;
  activatedOn?: string | null;
  place?: string | null;
  locationId?: string | null;
  priceMinor?: number | null;
  currency?: string | null;
  /** ITEMA-12: the sale was delivered by courier at this instant; the objection window runs from it. */
  courierDeliveredAt?: string | null;
}

export const documentView = (d: repo.DocumentRow) => ({
  id: d.id,
  kind: d.kind,
  filename: d.filename,
  contentType: d.content_type,
  sizeBytes: d.size_bytes,
  sha256: d.sha256,
  createdAt: d.created_at.toISOString(),
});

export const purchaseView = (p: repo.PurchaseRow, docs: repo.DocumentRow[] = []) => ({
  id: p.id,
  customerId: p.customer_id,
  deviceId: p.device_id,
  documentType: p.document_type as (typeof DOCUMENT_TYPES)[number],
  documentNumber: p.document_number,
  soldOn: p.sold_on,
  deliveredOn: p.delivered_on,
  shippedOn: p.shipped_on,
  installedOn: p.installed_on,
  activatedOn: p.activated_on,
  place: p.place,
  locationId: p.location_id,
  priceMinor: p.price_minor,
  currency: p.currency,
  documents: docs.filter((d) => d.purchase_id === p.id).map(documentView),
  courierDeliveredAt: p.courier_delivered_at?.toISOString() ?? null,
  objection: p.objection_at ? { at: p.objection_at.toISOString(), note: p.objection_note } : null,
  version: p.version,
  createdAt: p.created_at.toISOString(),
});
export type PurchaseView = ReturnType<typeof purchaseView>;

/**
 * ITEMA-12: after a sale delivered by courier the terms stand unless the client objects within the
 * pack's `courier-objection` window (1 day), computed by the engine on the business's calendar.
 * Null when the sale was not delivered by courier or the pack has no such window.
 */
export function objectionWindow(pack: CompiledPack, p: Pick<repo.PurchaseRow, 'courier_delivered_at' | 'objection_at'>, now: Date) {
  if (!p.courier_delivered_at) return null;
  const start = p.courier_delivered_at.toISOString();
  const rule = versionAt(pack, start).raw.clocks.find((c) => c.startsAt === 'courier-delivered');
  if (!rule) return null;
  const s = evaluatePackClock(pack, rule.id, { start, ...(p.objection_at ? { stoppedAt: p.objection_at.toISOString() } : {}) }, now.toISOString());
  // Past the window without an objection the terms are accepted.
  const status = p.objection_at ? 'objected' : s.status === 'breached' || s.status === 'escalated' ? 'terms-accepted' : 'open';
  return { rule: s.rule, start: s.start, due: s.due, status, text: s.text } as const;
}

/** The purchase as the API shows it: its fields and, after a courier delivery, the objection window (ITEMA-12). */
export const purchaseOut = (pack: CompiledPack, now: Date) => (p: repo.PurchaseRow, docs: repo.DocumentRow[] = []) => ({ ...purchaseView(p, docs), objectionWindow: objectionWindow(pack, p, now) });

const DATE_EVENTS: [keyof repo.PurchaseRow, EventType][] = [
  ['sold_on', 'sale'],
  ['delivered_on', 'delivery'],
  ['shipped_on', 'shipping'],
  ['installed_on', 'installation'],
  ['activated_on', 'activation'],
];

async function writeDateEvents(tx: Tx, actor: Actor, p: repo.PurchaseRow) {
  for (const [col, type] of DATE_EVENTS) {
    const date = p[col] as string | null;
    if (date) await insertEvent(tx, actor, p.device_id, { type, date, note: `${p.document_type} ${p.document_number}` }, p.id);
  }
}

function checkDates(f: { soldOn?: string; deliveredOn?: string | null; shippedOn?: string | null; installedOn?: string | null; activatedOn?: string | null }) {
  const errors = (['deliveredOn', 'shippedOn', 'installedOn', 'activatedOn'] as const)
    .filter((k) => f[k] && f.soldOn && f[k]! < f.soldOn)
    .map((k) => ({ field: `body.${k}`, message: 'is before the date of sale' }));
  if (errors.length) throw problem(CoreErrors, 'validation-failed', 'The request has invalid fields', { errors }, { status: 422 });
}

/** ITEMA-12: the courier delivery is an instant, not after now, not before the sale (its local day); it fills in the delivery date. */
function courierDelivery(at: string | null | undefined, soldOn: string, deliveredOn: string | null | undefined, timeZone: string, now: Date) {
  if (at === undefined || at === null) return { courier: at, deliveredOn };
  const d = new Date(at);
  const bad = (message: string) => problem(CoreErrors, 'validation-failed', 'The request has invalid fields', { errors: [{ field: 'body.courierDeliveredAt', message }] }, { status: 422 });
  if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(at)) throw bad(`"${at}" is not an instant like 2026-03-02T09:00:00Z`);
  if (d.getTime() > now.getTime()) throw bad('a delivery cannot be recorded before it happened');
  const day = todayIn(timeZone, d);
  if (day < soldOn) throw bad('is before the date of sale');
  if (deliveredOn && deliveredOn !== day) throw problem(CoreErrors, 'validation-failed', 'The request has invalid fields', { errors: [{ field: 'body.deliveredOn', message: `differs from the courier delivery's day (${day})` }] }, { status: 422 });
  return { courier: d, deliveredOn: deliveredOn ?? day };
}

async function checkRefs(tx: Tx, actor: Actor, f: { deviceId?: string; customerId?: string | null; locationId?: string | null }) {
  const org = actor.organizationId;
  const errors: { field: string; message: string }[] = [];
  let device;
  if (f.deviceId) {
    device = await tx.selectFrom('devices').select(['id', 'customer_id']).where('organization_id', '=', org).where('id', '=', f.deviceId).forUpdate().executeTakeFirst();
    if (!device) errors.push({ field: 'body.deviceId', message: 'no such device' });
  }
  if (f.customerId && !(await tx.selectFrom('customers').select('id').where('organization_id', '=', org).where('id', '=', f.customerId).executeTakeFirst())) {
    errors.push({ field: 'body.customerId', message: 'no such customer' });
  }
  if (f.locationId && !(await tx.selectFrom('locations').select('id').where('organization_id', '=', org).where('id', '=', f.locationId).executeTakeFirst())) {
    errors.push({ field: 'body.locationId', message: 'no such location' });
  }
  if (errors.length) throw problem(CoreErrors, 'unknown-reference', 'A referenced record does not exist', { errors });
  return device;
}

export async function list(db: Db, actor: Actor, f: Omit<repo.PurchaseFilter, 'after'> & { cursor?: string }, now = new Date()) {
  const rows = await repo.list(db, actor.organizationId, { ...f, after: decodeCursor(f.cursor) });
  const docs = await repo.documentsOf(db, actor.organizationId, rows.map((r) => r.id));
  const out = purchaseOut((await orgAndPack(db, actor.organizationId)).pack, now);
  return toPage(rows, f.limit, (r) => out(r, docs));
}

export async function get(db: Db, actor: Actor, id: string, now = new Date()) {
  const p = await repo.get(db, actor.organizationId, id);
  if (!p) throw notFound('Purchase');
  return purchaseOut((await orgAndPack(db, actor.organizationId)).pack, now)(p, await repo.documentsOf(db, actor.organizationId, [id]));
}

/**
 * ITEMA-12: the client objects to the terms after a sale delivered by courier. Within the window it
 * is recorded (and audited); after it the terms stand and nothing changes (422).
 */
export async function recordObjection(db: Db, actor: Actor, id: string, b: { version: number; note?: string }, now: Date) {
  return db.transaction().execute(async (tx) => {
    const before = await repo.lock(tx, actor.organizationId, id);
    if (!before) throw notFound('Purchase');
    const { pack } = await orgAndPack(tx, actor.organizationId);
    const out = purchaseOut(pack, now);
    const docs = await repo.documentsOf(tx, actor.organizationId, [id]);
    if (before.version !== b.version) throw versionConflict(out(before, docs));
    const w = objectionWindow(pack, before, now);
    if (!w) throw problem(ServiceOrderErrors, 'no-courier-delivery', 'This sale was not delivered by courier: there is no objection window (ITEMA-12)', { current: out(before, docs), rule: 'ITEMA-12' });
    if (w.status === 'objected') throw problem(ServiceOrderErrors, 'already-recorded', 'The objection is already recorded (ITEMA-12)', { current: out(before, docs), rule: w.rule });
    if (w.status === 'terms-accepted') throw problem(ServiceOrderErrors, 'objection-window-expired', `The objection window closed on ${w.due} (${w.rule}); the terms are accepted`, { current: out(before, docs), rule: w.rule });
    const after = await tx
      .updateTable('purchases')
      .set({ objection_at: now, objection_note: b.note ?? null, version: before.version + 1, updated_at: now })
      .where('organization_id', '=', actor.organizationId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = out(after, docs);
    await audit(tx, actor, { action: 'purchase.objection-recorded', entityType: 'purchase', entityId: id, before: purchaseView(before, docs), after: { ...purchaseView(after, docs), rule: w.rule, windowDue: w.due } });
    return view;
  });
}

export async function insert(tx: Tx, actor: Actor, f: PurchaseFields, now = new Date()) {
  checkDates(f);
  const { org, pack } = await orgAndPack(tx, actor.organizationId);
  const courier = courierDelivery(f.courierDeliveredAt, f.soldOn, f.deliveredOn, org.time_zone, now);
  f = { ...f, deliveredOn: courier.deliveredOn };
  const device = await checkRefs(tx, actor, f);
  const customerId = f.customerId ?? device?.customer_id ?? null;
  const row = await tx
    .insertInto('purchases')
    .values({
      id: uuidv7(),
      organization_id: actor.organizationId,
      customer_id: customerId,
      device_id: f.deviceId,
      document_type: f.documentType ?? 'invoice',
      document_number: f.documentNumber,
      sold_on: f.soldOn,
      delivered_on: f.deliveredOn ?? null,
      shipped_on: f.shippedOn ?? null,
      installed_on: f.installedOn ?? null,
      activated_on: f.activatedOn ?? null,
      place: f.place ?? null,
      location_id: f.locationId ?? null,
      price_minor: f.priceMinor ?? null,
      currency: f.currency ?? null,
      courier_delivered_at: courier.courier instanceof Date ? courier.courier : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  // The buyer becomes the device's owner when it has none yet.
  if (device && !device.customer_id && customerId) {
    await tx.updateTable('devices').set({ customer_id: customerId, updated_at: new Date() }).where('id', '=', device.id).execute();
  }
  await writeDateEvents(tx, actor, row);
  // ITM-1: qualified hardware comes with its maintenance contract from the sale (pack data decides).
  await contracts.includeAtSale(tx, actor, row.device_id, now);
  const view = purchaseOut(pack, now)(row);
  await audit(tx, actor, { action: 'purchase.created', entityType: 'purchase', entityId: row.id, after: purchaseView(row) });
  return view;
}

export async function update(db: Db, actor: Actor, id: string, p: Partial<Omit<PurchaseFields, 'deviceId' | 'courierDeliveredAt'>> & { version: number }, now = new Date()) {
  return db.transaction().execute(async (tx) => {
    const before = await repo.lock(tx, actor.organizationId, id);
    if (!before) throw notFound('Purchase');
    const docs = await repo.documentsOf(tx, actor.organizationId, [id]);
    const out = purchaseOut((await orgAndPack(tx, actor.organizationId)).pack, now);
    if (before.version !== p.version) throw versionConflict(out(before, docs));
    const pick = <T>(v: T | undefined, old: T) => (v === undefined ? old : v);
    const next = {
      soldOn: pick(p.soldOn, before.sold_on),
      deliveredOn: pick(p.deliveredOn, before.delivered_on),
      shippedOn: pick(p.shippedOn, before.shipped_on),
      installedOn: pick(p.installedOn, before.installed_on),
      activatedOn: pick(p.activatedOn, before.activated_on),
    };
    checkDates(next);
    await checkRefs(tx, actor, { customerId: p.customerId, locationId: p.locationId });
    const priceMinor = pick(p.priceMinor, before.price_minor);
    const currency = pick(p.currency, before.currency);
    if ((priceMinor === null) !== (currency === null)) {
      throw problem(CoreErrors, 'validation-failed', 'The request has invalid fields', { errors: [{ field: 'body.currency', message: 'price and currency go together' }] }, { status: 422 });
    }
    const after = await tx
      .updateTable('purchases')
      .set({
        customer_id: pick(p.customerId, before.customer_id),
        document_type: pick(p.documentType, before.document_type),
        document_number: pick(p.documentNumber, before.document_number),
        sold_on: next.soldOn,
        delivered_on: next.deliveredOn,
        shipped_on: next.shippedOn,
        installed_on: next.installedOn,
        activated_on: next.activatedOn,
        place: pick(p.place, before.place),
        location_id: pick(p.locationId, before.location_id),
        price_minor: priceMinor,
        currency,
        version: before.version + 1,
        updated_at: new Date(),
      })
      .where('organization_id', '=', actor.organizationId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const datesChanged = DATE_EVENTS.some(([col]) => before[col] !== after[col]);
    if (datesChanged) {
      // The purchase's dates are the source of these events: replace them with the corrected ones.
      await tx.deleteFrom('device_events').where('organization_id', '=', actor.organizationId).where('purchase_id', '=', id).execute();
      await writeDateEvents(tx, actor, after);
      // A shipping date recorded later starts the included maintenance then (ITM-1).
      await contracts.includeAtSale(tx, actor, after.device_id, now);
    }
    await audit(tx, actor, { action: 'purchase.updated', entityType: 'purchase', entityId: id, before: purchaseView(before, docs), after: purchaseView(after, docs) });
    return out(after, docs);
  });
}

// ---------- proof documents ----------

export const ALLOWED_TYPES: Record<string, { ext: string; magic: (b: Buffer) => boolean }> = {
  'application/pdf': { ext: 'pdf', magic: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
  'image/png': { ext: 'png', magic: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  'image/jpeg': { ext: 'jpg', magic: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  'image/webp': { ext: 'webp', magic: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
};

/** The declared type must be one we accept and the file's first bytes must say the same (415 naming `body.file`). */
export function checkFileType(file: { contentType: string; data: Buffer }) {
  const type = ALLOWED_TYPES[file.contentType];
  if (!type) {
    throw problem(PurchaseErrors, 'unsupported-file-type', `Only PDF, PNG, JPEG or WebP files are accepted, not ${file.contentType}`, {
      errors: [{ field: 'body.file', message: 'must be a PDF or an image (PNG, JPEG, WebP)' }],
    });
  }
  if (!type.magic(file.data)) {
    throw problem(PurchaseErrors, 'unsupported-file-type', `The file's content is not ${file.contentType}`, { errors: [{ field: 'body.file', message: 'content does not match its type' }] });
  }
  return type;
}

export async function addDocument(db: Db, storage: FileStorage, actor: Actor, purchaseId: string, file: { filename: string; contentType: string; data: Buffer }) {
  const type = checkFileType(file);
  if (!(await repo.get(db, actor.organizationId, purchaseId))) throw notFound('Purchase');
  const id = uuidv7();
  const key = `${actor.organizationId}/${id}.${type.ext}`;
  // The file is written first; if the database write fails it is removed again, so neither a row
  // without its file nor an orphan file remains.
  await storage.put(key, file.data);
  try {
    return await db.transaction().execute(async (tx) => {
      const p = await repo.lock(tx, actor.organizationId, purchaseId);
      if (!p) throw notFound('Purchase');
      const row = await tx
        .insertInto('documents')
        .values({
          id,
          organization_id: actor.organizationId,
          purchase_id: purchaseId,
          kind: 'proof-of-purchase',
          filename: file.filename.slice(0, 255),
          content_type: file.contentType,
          size_bytes: file.data.length,
          sha256: crypto.createHash('sha256').update(file.data).digest('hex'),
          storage_key: key,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await audit(tx, actor, { action: 'document.attached', entityType: 'purchase', entityId: purchaseId, after: documentView(row) });
      return documentView(row);
    });
  } catch (e) {
    await storage.delete(key).catch(() => {});
    throw e;
  }
}

export async function openDocument(db: Db, storage: FileStorage, actor: Actor, id: string) {
  const d = await repo.getDocument(db, actor.organizationId, id);
  if (!d) throw notFound('Document');
  return { doc: d, stream: await storage.get(d.storage_key) };
}
