// The workshop's side of a service order (issue 16, "workshop basics"): the technician assigned, the
// priority, the date promised to the client at intake, the client's contact channel for messages, the
// device's passcode or unlock pattern, the pre-check at intake (per device category), and internal
// notes. Every change is written through the order's transition writer (`change`: the order's version
// + 1, audited), so concurrent edits never lose an update and there is one writer of a case.
//
// The passcode is staff-only: it is in no order view, no document, not on the order page and in no
// message; GET …/workshop says only whether one is set, and reading it (…/workshop/passcode, roles
// that repair: technician, manager, owner) is audited. The audit records that it changed, never it.
import type { Db, Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import { OFFICE, type Actor, type Role } from '../../core/actor.ts';
import { audit } from '../../core/audit.ts';
import { badField, CoreErrors, notFound, problem, type ProblemCode } from '../../core/errors.ts';
import { change, changeIn } from './changes.ts';
import * as repo from './repository.ts';

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const PRECHECK_RESULTS = ['ok', 'fault', 'not-checked'] as const;
export type PrecheckResult = (typeof PRECHECK_RESULTS)[number];
export const CONTACT_CHANNELS = ['email', 'sms'] as const;

/**
 * What is checked at intake, per device category (the category codes the packs use); any other
 * category gets the general list. Labels per language are the web's (locales/workshop).
 */
export const PRECHECK: Record<string, readonly string[]> = {
  laptop: ['powers-on', 'screen', 'keyboard', 'touchpad', 'charging', 'battery', 'ports', 'camera', 'wifi', 'speakers'],
  phone: ['powers-on', 'screen', 'touch', 'camera', 'charging', 'battery', 'buttons', 'speakers', 'microphone', 'sim'],
  tablet: ['powers-on', 'screen', 'touch', 'camera', 'charging', 'battery', 'buttons', 'wifi'],
  desktop: ['powers-on', 'display-output', 'ports', 'fans', 'wifi'],
  workstation: ['powers-on', 'display-output', 'ports', 'fans', 'wifi'],
  monitor: ['powers-on', 'screen', 'ports', 'buttons'],
  printer: ['powers-on', 'paper-feed', 'print-quality', 'ports', 'wifi'],
};
const GENERAL = ['powers-on', 'visible-damage', 'ports'] as const;
export const precheckItems = (category: string | null | undefined) => PRECHECK[category ?? ''] ?? GENERAL;

/** Who may read the passcode: who repairs the device, and managers. The front desk enters it but does not read it back. */
export const PASSCODE_READERS: readonly Role[] = ['owner', 'manager', 'technician'];

export const WORKSHOP_PROBLEMS = ['not-found', 'version-conflict', 'validation-failed', 'unknown-reference'] as const satisfies readonly ProblemCode[];

export interface WorkshopFields {
  version: number;
  technicianId?: string | null;
  priority?: Priority;
  promisedOn?: string | null;
  contactChannel?: (typeof CONTACT_CHANNELS)[number];
  passcode?: string | null;
  unlockPattern?: string | null;
  precheck?: Record<string, PrecheckResult>;
}

/** The fields only the front desk, a manager or the owner set (a technician records the pre-check and notes). */
const OFFICE_FIELDS = ['technicianId', 'priority', 'promisedOn', 'contactChannel'] as const;

async function deviceCategory(db: Db | Tx, orgId: string, deviceId: string | null) {
  if (!deviceId) return null;
  const d = await db.selectFrom('devices').select('category').where('organization_id', '=', orgId).where('id', '=', deviceId).executeTakeFirst();
  return d?.category ?? null;
}

/** The workshop card of an order, as staff read it (no passcode: only whether one is set). */
export async function workshopOf(db: Db | Tx, actor: Actor, id: string) {
  const o = await repo.getOrder(db, actor.organizationId, id);
  if (!o) throw notFound('Service order');
  const w = await db.selectFrom('order_workshop').selectAll().where('organization_id', '=', o.organization_id).where('order_id', '=', o.id).executeTakeFirst();
  const tech = w?.technician_id ? await db.selectFrom('staff_users').select(['id', 'name', 'role']).where('organization_id', '=', o.organization_id).where('id', '=', w.technician_id).executeTakeFirst() : undefined;
  const notes = await db.selectFrom('order_notes').selectAll().where('organization_id', '=', o.organization_id).where('order_id', '=', o.id).orderBy('created_at').orderBy('id').execute();
  const category = await deviceCategory(db, o.organization_id, o.device_id);
  const precheck = (w?.precheck ?? {}) as Record<string, string>;
  const staff = await db.selectFrom('staff_users').select(['id', 'name', 'role']).where('organization_id', '=', o.organization_id).where('disabled_at', 'is', null).orderBy('name').execute();
  return {
    orderId: o.id,
    number: o.number,
    version: o.version,
    technician: tech ? { id: tech.id, name: tech.name } : null,
    assignable: staff.map((x) => ({ id: x.id, name: x.name, role: x.role })),
    priority: (w?.priority ?? 'normal') as Priority,
    promisedOn: w?.promised_on ?? null,
    contactChannel: (o.contact_channel === 'sms' ? 'sms' : 'email') as (typeof CONTACT_CHANNELS)[number],
    passcodeSet: !!(w?.passcode || w?.unlock_pattern),
    passcodeReadable: PASSCODE_READERS.includes(actor.role),
    category,
    precheck: precheckItems(category).map((code) => ({ code, result: (precheck[code] ?? 'not-checked') as PrecheckResult })),
    notes: notes.map((n) => ({ id: n.id, body: n.body, byName: n.by_name, at: new Date(n.created_at).toISOString() })),
  };
}
export type WorkshopView = Awaited<ReturnType<typeof workshopOf>>;

/** Changes the workshop fields given (each left out stays as it is); the order's version + 1. */
export async function updateWorkshop(db: Db, actor: Actor, id: string, f: WorkshopFields, now: Date) {
  for (const k of OFFICE_FIELDS) {
    if (f[k] !== undefined && !OFFICE.includes(actor.role)) throw problem(CoreErrors, 'forbidden', `The ${actor.role} role may not set ${k} (the front desk or a manager does)`, { errors: [{ field: `body.${k}`, message: 'set by the front desk or a manager', code: 'forbidden' }] });
  }
  await change(db, actor, id, f.version, now, async (tx, o) => {
    const cur = await tx.selectFrom('order_workshop').selectAll().where('organization_id', '=', o.organization_id).where('order_id', '=', o.id).executeTakeFirst();
    if (f.technicianId) {
      const staff = await tx.selectFrom('staff_users').select('id').where('organization_id', '=', o.organization_id).where('id', '=', f.technicianId).where('disabled_at', 'is', null).executeTakeFirst();
      if (!staff) throw problem(CoreErrors, 'unknown-reference', 'No such staff member in your organization', { errors: [{ field: 'body.technicianId', message: 'no active staff member with this id', code: 'unknown-reference' }] });
    }
    if (f.precheck) {
      const items = precheckItems(await deviceCategory(tx, o.organization_id, o.device_id));
      for (const code of Object.keys(f.precheck)) if (!items.includes(code)) throw badField(`body.precheck.${code}`, `not checked for this device; the list: ${items.join(', ')}`);
    }
    const row = {
      technician_id: f.technicianId !== undefined ? f.technicianId : (cur?.technician_id ?? null),
      priority: f.priority ?? cur?.priority ?? 'normal',
      promised_on: f.promisedOn !== undefined ? f.promisedOn : (cur?.promised_on ?? null),
      passcode: f.passcode !== undefined ? f.passcode || null : (cur?.passcode ?? null),
      unlock_pattern: f.unlockPattern !== undefined ? f.unlockPattern || null : (cur?.unlock_pattern ?? null),
      precheck: JSON.stringify({ ...((cur?.precheck ?? {}) as object), ...(f.precheck ?? {}) }),
      updated_at: now,
    };
    await tx
      .insertInto('order_workshop')
      .values({ organization_id: o.organization_id, order_id: o.id, ...row })
      .onConflict((c) => c.columns(['organization_id', 'order_id']).doUpdateSet(row))
      .execute();
    // What changed, for the audit: the passcode only as "changed", never its value.
    const changed: Record<string, unknown> = {};
    if (f.technicianId !== undefined) changed.technicianId = f.technicianId;
    if (f.priority !== undefined) changed.priority = f.priority;
    if (f.promisedOn !== undefined) changed.promisedOn = f.promisedOn;
    if (f.contactChannel !== undefined) changed.contactChannel = f.contactChannel;
    if (f.passcode !== undefined) changed.passcode = f.passcode ? 'changed' : 'removed';
    if (f.unlockPattern !== undefined) changed.unlockPattern = f.unlockPattern ? 'changed' : 'removed';
    if (f.precheck) changed.precheck = f.precheck;
    return { action: 'workshop-updated', audit: changed, ...(f.contactChannel ? { set: { contact_channel: f.contactChannel } } : {}) };
  });
  return workshopOf(db, actor, id);
}

/** An internal note (staff only: never on the order page, a document or a message). */
export async function addNoteIn(tx: Tx, actor: Actor, id: string, n: { body: string; version?: number }, now: Date) {
  await changeIn(tx, actor, id, n.version, now, async (tx, o) => {
    const noteId = uuidv7();
    await tx.insertInto('order_notes').values({ id: noteId, organization_id: o.organization_id, order_id: o.id, body: n.body, by_type: actor.type, by_id: actor.id, by_name: actor.name, created_at: now }).execute();
    return { action: 'note-added', audit: { note: noteId } };
  });
}

/** The passcode and unlock pattern, for who repairs the device; each reading is audited. */
export async function revealPasscode(db: Db, actor: Actor, id: string) {
  return db.transaction().execute(async (tx) => {
    const o = await repo.getOrder(tx, actor.organizationId, id);
    if (!o) throw notFound('Service order');
    const w = await tx.selectFrom('order_workshop').select(['passcode', 'unlock_pattern']).where('organization_id', '=', o.organization_id).where('order_id', '=', o.id).executeTakeFirst();
    await audit(tx, actor, { entityType: repo.SUBJECT_TYPE, entityId: o.id, action: 'service-order.passcode-read', after: { set: !!(w?.passcode || w?.unlock_pattern) } });
    return { passcode: w?.passcode ?? null, unlockPattern: w?.unlock_pattern ?? null };
  });
}

/**
 * A message staff write to the client (issue 16, "message the client"): queued in the outbox with
 * the order, delivered by the client's contact channel (SMS or e-mail, set at intake or on the
 * workshop card) in their language, with the order page's link; the order's messages list shows it.
 */
export async function messageClient(tx: Tx, actor: Actor, id: string, m: { text: string; version?: number }, now: Date) {
  let channel: 'email' | 'sms' = 'email';
  const o = await changeIn(tx, actor, id, m.version, now, async (_tx, o) => {
    channel = o.contact_channel === 'sms' ? 'sms' : 'email';
    return {
      action: 'client-messaged',
      audit: { chars: m.text.length, channel },
      outbox: [{ topic: 'order.message', payload: { orderId: o.id, number: o.number, customerId: o.customer_id, language: o.language, channel, text: m.text } }],
    };
  });
  return { version: o.version, channel };
}
