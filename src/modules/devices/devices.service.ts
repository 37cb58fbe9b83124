// Devices, their parts and their event history: the inputs the policy engine computes coverage from.
import type { Db, Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import { computeCoverage, PolicyInputError, resolveCategory } from '../../policy/index.ts';
import { todayIn } from '../../core/day.ts';
import type { DeviceEvent, DeviceInput, EventType } from '../../policy/types.ts';
import { orgAndPack } from '../../core/organization.ts';
import { audit } from '../../core/audit.ts';
import type { Actor } from '../../core/actor.ts';
import { CoreErrors, notFound, problem, versionConflict } from '../../core/errors.ts';
import { DeviceErrors } from './devices.errors.ts';
import { decodeCursor, toPage } from '../../server/http.ts';
import * as repo from './devices.repository.ts';

export const KINDS = ['device', 'service', 'part'] as const;
export const CONDITIONS = ['new', 'refurbished', 'used', 'discounted'] as const;

export interface PartFields {
  id: string;
  category: string;
  serial?: string | null;
  term?: string | null;
}

export interface DeviceFields {
  customerId?: string | null;
  serial: string;
  manufacturer: string;
  model?: string | null;
  category: string;
  kind?: (typeof KINDS)[number];
  condition?: (typeof CONDITIONS)[number];
  discountDefect?: string | null;
  term?: string | null;
  manufacturerWarranty?: { term: string; provider?: string | null } | null;
  parts?: PartFields[];
}

export interface EventFields {
  type: EventType;
  date: string;
  partId?: string | null;
  replacesPartId?: string | null;
  category?: string | null;
  underWarranty?: boolean | null;
  term?: string | null;
  planId?: string | null;
  note?: string | null;
  orderRef?: string | null;
}

export const partView = (p: repo.PartRow) => ({ id: p.part_key, category: p.category, serial: p.serial, term: p.term });

export const deviceView = (d: repo.DeviceRow, parts: repo.PartRow[]) => ({
  id: d.id,
  customerId: d.customer_id,
  serial: d.serial,
  manufacturer: d.manufacturer,
  model: d.model,
  category: d.category,
  kind: d.kind as (typeof KINDS)[number],
  condition: d.condition as (typeof CONDITIONS)[number],
  discountDefect: d.discount_defect,
  term: d.term,
  manufacturerWarranty: d.manufacturer_warranty_term ? { term: d.manufacturer_warranty_term, provider: d.manufacturer_warranty_provider } : null,
  parts: parts.filter((p) => p.device_id === d.id).map(partView),
  version: d.version,
  createdAt: d.created_at.toISOString(),
});
export type DeviceView = ReturnType<typeof deviceView>;

export const eventView = (e: repo.EventRow) => ({
  id: e.id,
  type: e.type as EventType,
  date: e.date,
  partId: e.part_id,
  replacesPartId: e.replaces_part_id,
  category: e.category,
  underWarranty: e.under_warranty,
  term: e.term,
  planId: e.plan_id,
  note: e.note,
  orderRef: e.order_ref,
  purchaseId: e.purchase_id,
  recordedAt: e.recorded_at.toISOString(),
  recordedBy: e.recorded_by,
  voided: e.voided_at ? { at: e.voided_at.toISOString(), reason: e.void_reason ?? '', by: e.voided_by } : null,
});

/** The engine's view of a device (src/policy/types.ts DeviceInput). */
export function toDeviceInput(d: repo.DeviceRow, parts: repo.PartRow[]): DeviceInput {
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
  const own = parts.filter((p) => p.device_id === d.id);
  if (own.length) input.parts = own.map((p) => ({ id: p.part_key, category: p.category, ...(p.term ? { term: p.term } : {}) }));
  return input;
}

/** The columns of a history row the engine reads. */
export type EngineEventRow = Pick<repo.EventRow, 'type' | 'part_id' | 'replaces_part_id' | 'category' | 'under_warranty' | 'term' | 'plan_id' | 'note' | 'order_ref'> & {
  date: string;
};

/** The engine's view of the history (DeviceEvent), in date order. */
export function toDeviceEvents(rows: readonly EngineEventRow[]): DeviceEvent[] {
  return rows.map((e) => {
    const ev: DeviceEvent = { type: e.type as EventType, date: e.date };
    if (e.part_id) ev.partId = e.part_id;
    if (e.replaces_part_id) ev.replacesPartId = e.replaces_part_id;
    if (e.category) ev.category = e.category;
    if (e.under_warranty !== null) ev.underWarranty = e.under_warranty;
    if (e.term) ev.term = e.term;
    if (e.plan_id) ev.planId = e.plan_id;
    if (e.note) ev.note = e.note;
    if (e.order_ref) ev.orderRef = e.order_ref;
    return ev;
  });
}

export async function list(db: Db, actor: Actor, f: Omit<repo.DeviceFilter, 'after'> & { cursor?: string }) {
  const rows = await repo.list(db, actor.organizationId, { ...f, after: decodeCursor(f.cursor) });
  const parts = await repo.partsOf(db, actor.organizationId, rows.map((r) => r.id));
  return toPage(rows, f.limit, (r) => deviceView(r, parts));
}

export async function get(db: Db | Tx, actor: Actor, id: string) {
  const d = await repo.get(db, actor.organizationId, id);
  if (!d) throw notFound('Device');
  return deviceView(d, await repo.partsOf(db, actor.organizationId, [d.id]));
}

/**
 * One device with its category's and its parts' categories' names per language, from the
 * business's policy (its vocabulary: `categories`), for the device page (issue 16: not the codes).
 */
export async function getNamed(db: Db | Tx, actor: Actor, id: string) {
  const d = await get(db, actor, id);
  const { pack } = await orgAndPack(db, actor.organizationId);
  const vocab = pack.versions[pack.versions.length - 1].raw.categories;
  const names = (code: string) => vocab?.[code]?.names ?? null;
  return { ...d, categoryNames: names(d.category), parts: d.parts.map((p) => ({ ...p, categoryNames: names(p.category) })) };
}

async function checkCustomer(tx: Tx, actor: Actor, customerId: string | null | undefined) {
  if (!customerId) return;
  const c = await tx.selectFrom('customers').select('id').where('organization_id', '=', actor.organizationId).where('id', '=', customerId).executeTakeFirst();
  if (!c) throw problem(CoreErrors, 'unknown-reference', 'No such customer', { errors: [{ field: 'body.customerId', message: 'no such customer' }] });
}

/**
 * The domain vocabulary: a category typed in words the business's pack knows under a code
 * ("enterprise infrastructure", "Батерия") is stored as that code; a word no term of the pack
 * covers is refused on the field with the list of known categories. Part categories are matched
 * the same way but never refused (a part without a term of its own shares the device's coverage).
 */
async function canonicalCategories<T extends { category?: string; parts?: { category: string }[] }>(tx: Tx, actor: Actor, f: T, path: string, now: Date): Promise<T> {
  if (f.category === undefined && !f.parts?.length) return f;
  const { org, pack } = await orgAndPack(tx, actor.organizationId);
  const at = todayIn(org.time_zone, now);
  let category = f.category;
  if (category !== undefined) {
    try {
      category = resolveCategory(pack, category, at, path).code;
    } catch (e) {
      if (e instanceof PolicyInputError) throw problem(CoreErrors, 'validation-failed', 'The request has invalid fields', { errors: e.issues.map((i) => ({ field: i.path, message: i.message, code: 'unknown-category' })) }, { status: 422 });
      throw e;
    }
  }
  const parts = f.parts?.map((p) => {
    try {
      return { ...p, category: resolveCategory(pack, p.category, at).code };
    } catch {
      return p;
    }
  });
  return { ...f, ...(category !== undefined ? { category } : {}), ...(parts ? { parts } : {}) };
}

export async function insert(tx: Tx, actor: Actor, f: DeviceFields, categoryPath = 'body.category', now = new Date()) {
  f = await canonicalCategories(tx, actor, f, categoryPath, now);
  await checkCustomer(tx, actor, f.customerId);
  const dup = await repo.bySerial(tx, actor.organizationId, f.serial, f.manufacturer);
  if (dup.length) {
    throw problem(DeviceErrors, 'serial-taken', `${f.manufacturer} serial ${f.serial} is already registered`, {
      errors: [{ field: 'body.serial', message: 'already registered for this manufacturer' }],
      existingId: dup[0].id,
    });
  }
  const row = await tx
    .insertInto('devices')
    .values({
      id: uuidv7(),
      organization_id: actor.organizationId,
      customer_id: f.customerId ?? null,
      serial: f.serial,
      manufacturer: f.manufacturer,
      model: f.model ?? null,
      category: f.category,
      kind: f.kind ?? 'device',
      condition: f.condition ?? 'new',
      discount_defect: f.discountDefect ?? null,
      term: f.term ?? null,
      manufacturer_warranty_term: f.manufacturerWarranty?.term ?? null,
      manufacturer_warranty_provider: f.manufacturerWarranty?.provider ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const parts = f.parts?.length
    ? await tx
        .insertInto('device_parts')
        .values(f.parts.map((p) => ({ organization_id: actor.organizationId, device_id: row.id, part_key: p.id, category: p.category, serial: p.serial ?? null, term: p.term ?? null })))
        .returningAll()
        .execute()
    : [];
  const view = deviceView(row, parts);
  await audit(tx, actor, { action: 'device.created', entityType: 'device', entityId: row.id, after: view });
  return view;
}

export async function update(db: Db, actor: Actor, id: string, p: Partial<Omit<DeviceFields, 'parts'>> & { version: number }) {
  return db.transaction().execute(async (tx) => {
    const before = await repo.lock(tx, actor.organizationId, id);
    if (!before) throw notFound('Device');
    const parts = await repo.partsOf(tx, actor.organizationId, [id]);
    if (before.version !== p.version) throw versionConflict(deviceView(before, parts));
    p = await canonicalCategories(tx, actor, p, 'body.category', new Date());
    if (p.customerId !== undefined) await checkCustomer(tx, actor, p.customerId);
    const pick = <T>(v: T | undefined, old: T) => (v === undefined ? old : v);
    const condition = pick(p.condition, before.condition as DeviceFields['condition'] & string);
    const discountDefect = pick(p.discountDefect, before.discount_defect);
    if (condition === 'discounted' && !discountDefect) {
      throw problem(CoreErrors, 'validation-failed', 'The request has invalid fields', { errors: [{ field: 'body.discountDefect', message: 'required for a discounted device (ITEMA-8)' }] }, { status: 422 });
    }
    const after = await tx
      .updateTable('devices')
      .set({
        customer_id: pick(p.customerId, before.customer_id),
        serial: pick(p.serial, before.serial),
        manufacturer: pick(p.manufacturer, before.manufacturer),
        model: pick(p.model, before.model),
        category: pick(p.category, before.category),
        kind: pick(p.kind, before.kind),
        condition,
        discount_defect: discountDefect,
        term: pick(p.term, before.term),
        manufacturer_warranty_term: p.manufacturerWarranty === undefined ? before.manufacturer_warranty_term : (p.manufacturerWarranty?.term ?? null),
        manufacturer_warranty_provider: p.manufacturerWarranty === undefined ? before.manufacturer_warranty_provider : (p.manufacturerWarranty?.provider ?? null),
        version: before.version + 1,
        updated_at: new Date(),
      })
      .where('organization_id', '=', actor.organizationId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(tx, actor, { action: 'device.updated', entityType: 'device', entityId: id, before: deviceView(before, parts), after: deviceView(after, parts) });
    return deviceView(after, parts);
  });
}

export async function listEvents(db: Db, actor: Actor, deviceId: string) {
  const d = await repo.get(db, actor.organizationId, deviceId);
  if (!d) throw notFound('Device');
  // Voided events are shown too (struck through); the engine never reads them.
  return (await repo.eventsOf(db, actor.organizationId, deviceId, true)).map(eventView);
}

type Pack = Awaited<ReturnType<typeof orgAndPack>>['pack'];

/** The engine's complaints about a history, as field problems of the event routes (none: it reads). */
function historyIssues(d: repo.DeviceRow, parts: repo.PartRow[], events: repo.EventRow[], pack: Pack, at: string) {
  try {
    computeCoverage(toDeviceInput(d, parts), toDeviceEvents(events), pack, at);
    return [];
  } catch (err) {
    if (!(err instanceof PolicyInputError)) throw err;
    return err.issues.map((i) => {
      const m = /^events\[(\d+)\]\.(\w+)$/.exec(i.path);
      return { field: m ? `body.${m[2]}` : 'body', message: i.message, index: m ? Number(m[1]) : undefined };
    });
  }
}

/** The history without the events the engine cannot read (an old import's): what a new event is checked against. */
function readable(d: repo.DeviceRow, parts: repo.PartRow[], events: repo.EventRow[], pack: Pack, at: string) {
  let out = events;
  for (let i = 0; i <= events.length; i++) {
    const bad = new Set(historyIssues(d, parts, out, pack, at).flatMap((x) => (x.index === undefined ? [] : [x.index])));
    if (!bad.size) break;
    out = out.filter((_, k) => !bad.has(k));
  }
  return out;
}

export async function insertEvent(tx: Tx, actor: Actor, deviceId: string, e: EventFields, purchaseId: string | null = null) {
  const row = await tx
    .insertInto('device_events')
    .values({
      id: uuidv7(),
      organization_id: actor.organizationId,
      device_id: deviceId,
      type: e.type,
      date: e.date,
      part_id: e.partId ?? null,
      replaces_part_id: e.replacesPartId ?? null,
      category: e.category ?? null,
      under_warranty: e.underWarranty ?? null,
      term: e.term ?? null,
      plan_id: e.planId ?? null,
      note: e.note ?? null,
      order_ref: e.orderRef ?? null,
      purchase_id: purchaseId,
      recorded_by: `${actor.type}:${actor.id}`,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const view = eventView(row);
  await audit(tx, actor, { action: 'device-event.recorded', entityType: 'device', entityId: deviceId, after: view });
  return view;
}

/**
 * Records an event on a device; the device row is locked so concurrent writers queue. The new
 * history is read by the engine in the same transaction, so an event it cannot read (a replacement
 * of a part the device does not have) is refused, naming the field, and never locks the device's
 * warranty and orders out of every later answer.
 */
export async function addEvent(tx: Tx, actor: Actor, deviceId: string, e: EventFields) {
  const d = await repo.lock(tx, actor.organizationId, deviceId);
  if (!d) throw notFound('Device');
  const [parts, { pack }] = await Promise.all([repo.partsOf(tx, actor.organizationId, [deviceId]), orgAndPack(tx, actor.organizationId)]);
  // One bad event already in the history (an import, an old release) must not lock the device out
  // of every later event: the new event is checked against the history the engine can read; the
  // old one is voided with a reason (voidEvent).
  const ok = readable(d, parts, await repo.eventsOf(tx, actor.organizationId, deviceId), pack, e.date);
  const view = await insertEvent(tx, actor, deviceId, e);
  const keep = new Set([...ok.map((x) => x.id), view.id]);
  const errors = historyIssues(d, parts, (await repo.eventsOf(tx, actor.organizationId, deviceId)).filter((x) => keep.has(x.id)), pack, e.date).map(({ field, message }) => ({ field, message }));
  if (errors.length) throw problem(DeviceErrors, 'history-invalid', `The event cannot be recorded: ${errors.map((x) => x.message).join('; ')}`, { errors });
  return view;
}

/**
 * Corrects the history: a wrong event is voided with a reason, never deleted (the audit keeps who,
 * when and why; the history still lists it, struck through). The engine stops reading it at once, so
 * an event it could not read no longer blocks the device's warranty and orders. Refused (422) when
 * the history without it would be unreadable (a replacement of the part this event added).
 */
export async function voidEvent(tx: Tx, actor: Actor, deviceId: string, eventId: string, reason: string, now: Date) {
  const d = await repo.lock(tx, actor.organizationId, deviceId);
  if (!d) throw notFound('Device');
  const ev = await repo.lockEvent(tx, actor.organizationId, deviceId, eventId);
  if (!ev) throw notFound('Device event');
  if (ev.voided_at) throw problem(DeviceErrors, 'event-voided', 'This event is already voided', { errors: [{ field: 'eventId', message: 'already voided' }], current: eventView(ev) });
  const [parts, { org, pack }] = await Promise.all([repo.partsOf(tx, actor.organizationId, [deviceId]), orgAndPack(tx, actor.organizationId)]);
  const today = todayIn(org.time_zone, now);
  const ok = readable(d, parts, await repo.eventsOf(tx, actor.organizationId, deviceId), pack, today).filter((x) => x.id !== eventId);
  const row = await tx
    .updateTable('device_events')
    .set({ voided_at: now, void_reason: reason, voided_by: `${actor.type}:${actor.id}` })
    .where('organization_id', '=', actor.organizationId)
    .where('id', '=', eventId)
    .returningAll()
    .executeTakeFirstOrThrow();
  const errors = historyIssues(d, parts, ok, pack, today);
  if (errors.length) throw problem(DeviceErrors, 'history-invalid', `Without this event the history cannot be read: ${errors.map((x) => x.message).join('; ')}`, { errors: errors.map((x) => ({ field: 'eventId', message: x.message })) });
  const view = eventView(row);
  await audit(tx, actor, { action: 'device-event.voided', entityType: 'device', entityId: deviceId, before: eventView(ev), after: view });
  return view;
}

/**
 * The whole unit was exchanged (an RMA replacement, ITM-9 / ITM-10 / ITEMA-17): the device record
 * follows the unit the client now holds (its serial becomes the replacement's), and its history gets
 * a `device-replaced` event, from which the engine keeps the original term (ITM-9) with the pack's
 * minimum from the replacement date (ITM-10). The removed serial is kept in the event's note.
 */
export async function replaceUnit(tx: Tx, actor: Actor, deviceId: string, r: { serial: string; date: string; orderRef: string; field: string; at: Date; model?: string | null; manufacturer?: string | null; note?: string | null; underWarranty?: boolean }) {
  const d = await repo.lock(tx, actor.organizationId, deviceId);
  if (!d) throw notFound('Device');
  const manufacturer = r.manufacturer?.trim() || d.manufacturer;
  const dup = (await repo.bySerial(tx, actor.organizationId, r.serial, manufacturer)).filter((x) => x.id !== d.id);
  if (dup.length || r.serial.toLowerCase() === d.serial.toLowerCase()) {
    throw problem(DeviceErrors, 'serial-taken', `${d.manufacturer} serial ${r.serial} is already registered`, { errors: [{ field: r.field, message: dup.length ? 'already registered for this manufacturer' : 'is the serial of the unit it replaces' }], ...(dup.length ? { existingId: dup[0].id } : {}) });
  }
  const parts = await repo.partsOf(tx, actor.organizationId, [deviceId]);
  const after = await tx
    .updateTable('devices')
    // Another model (ITEMA-17's replacement with a surcharge) changes the record's model too.
    .set({ serial: r.serial, manufacturer, model: r.model?.trim() || d.model, version: d.version + 1, updated_at: r.at })
    .where('organization_id', '=', actor.organizationId)
    .where('id', '=', deviceId)
    .returningAll()
    .executeTakeFirstOrThrow();
  await audit(tx, actor, { action: 'device.unit-replaced', entityType: 'device', entityId: deviceId, before: deviceView(d, parts), after: deviceView(after, parts) });
  // The history is never rewritten: the old unit's events stay, the event names both serials.
  const what = `${d.serial} → ${r.serial}${r.model && r.model !== d.model ? ` (${[manufacturer, r.model].join(' ')})` : ''}`;
  return insertEvent(tx, actor, deviceId, { type: 'device-replaced', date: r.date, note: r.note ? `${what}: ${r.note}` : what, orderRef: r.orderRef, ...(r.underWarranty !== undefined ? { underWarranty: r.underWarranty } : {}) });
}
