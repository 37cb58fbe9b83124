// The workshop's side of a service order (issue 16, "workshop basics"): the technician assigned, the
// priority, the date promised to the client at intake, the client's contact channel for messages, the
// device's passcode or unlock pattern, the pre-check at intake (per device category), and internal
// notes. Every change is written through the order's transition writer (`change`: the order's version
// + 1, audited), so concurrent edits never lose an update and there is one writer of a case.
//
// The passcode is staff-only: it is in no order view, no document, not on the order page and in no
// message; GET …/workshop says only whether one is set, and reading it (…/workshop/passcode, roles
// that repair: technician, manager, owner) is audited. The audit records that it changed, never it.
// At rest it is sealed (AES-256-GCM under a key of the configuration, src/core/secrets.ts): the
// database holds only the envelope and the key's id.
import type { Db, Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import { OFFICE, type Actor, type Role } from '../../core/actor.ts';
import { audit } from '../../core/audit.ts';
import { badField, CoreErrors, notFound, problem, type ProblemCode } from '../../core/errors.ts';
import { open, seal, SecretUnavailableError, type Keyring } from '../../core/secrets.ts';
import { changeIn } from './changes.ts';
import { ServiceOrderErrors } from './service-orders.errors.ts';
import * as repo from './repository.ts';
import { insertClaim, type ClaimFields, type Intake } from './intake.ts';

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

export const WORKSHOP_PROBLEMS = ['not-found', 'version-conflict', 'validation-failed', 'unknown-reference', 'secret-key-unavailable'] as const satisfies readonly ProblemCode[];

export interface WorkshopFields {
  /** The order version read; left out (intake, in the claim's own transaction): no check. */
  version?: number;
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

/** The intake form's choices before the order exists: the category's pre-check list, the staff to assign. */
export async function intakeOptions(db: Db, actor: Actor, category: string | undefined) {
  const staff = await db.selectFrom('staff_users').select(['id', 'name', 'role']).where('organization_id', '=', actor.organizationId).where('disabled_at', 'is', null).orderBy('name').execute();
  return { precheck: [...precheckItems(category?.toLowerCase())], assignable: staff.map((x) => ({ id: x.id, name: x.name, role: x.role })) };
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
    passcodeSet: !!(w?.passcode || w?.unlock_pattern || w?.passcode_unsealed || w?.unlock_pattern_unsealed),
    passcodeReadable: PASSCODE_READERS.includes(actor.role),
    category,
    precheck: precheckItems(category).map((code) => ({ code, result: (precheck[code] ?? 'not-checked') as PrecheckResult })),
    notes: notes.map((n) => ({ id: n.id, body: n.body, byName: n.by_name, at: new Date(n.created_at).toISOString() })),
  };
}
export type WorkshopView = Awaited<ReturnType<typeof workshopOf>>;

/** The sealed values' purpose (their own derived key) and what binds each to its row and field. */
const PURPOSE = 'device-passcode';
const context = (orgId: string, orderId: string, field: 'passcode' | 'unlock-pattern') => `order_workshop/${orgId}/${orderId}/${field}`;

/** A sealed value that cannot be opened, as the problem staff see (the configuration's fault, not theirs). */
function unavailable(e: unknown): never {
  if (e instanceof SecretUnavailableError) throw problem(ServiceOrderErrors, 'secret-key-unavailable', `The passcode cannot be read: ${e.message}`, { keyId: e.keyId });
  throw e;
}

type SealedRow = { passcode: string | null; unlock_pattern: string | null; passcode_unsealed?: string | null; unlock_pattern_unsealed?: string | null };

/** The plain passcode and pattern of a stored row (sealed, or stored before sealing: migration 0028). */
function openRow(ring: Keyring, orgId: string, orderId: string, w: SealedRow | undefined) {
  try {
    return {
      passcode: w?.passcode ? open(ring, PURPOSE, context(orgId, orderId, 'passcode'), w.passcode) : (w?.passcode_unsealed ?? null),
      unlockPattern: w?.unlock_pattern ? open(ring, PURPOSE, context(orgId, orderId, 'unlock-pattern'), w.unlock_pattern) : (w?.unlock_pattern_unsealed ?? null),
    };
  } catch (e) {
    return unavailable(e);
  }
}

/** The columns for a passcode and pattern: sealed with the current key, with its id; the pre-0028 columns emptied. */
function sealedColumns(ring: Keyring, orgId: string, orderId: string, passcode: string | null, unlockPattern: string | null) {
  return {
    passcode: passcode ? seal(ring, PURPOSE, context(orgId, orderId, 'passcode'), passcode) : null,
    unlock_pattern: unlockPattern ? seal(ring, PURPOSE, context(orgId, orderId, 'unlock-pattern'), unlockPattern) : null,
    secret_key_id: passcode || unlockPattern ? ring.current.id : null,
    passcode_unsealed: null,
    unlock_pattern_unsealed: null,
  };
}

/** Changes the workshop fields given (each left out stays as it is); the order's version + 1. */
export async function updateWorkshop(db: Db, ring: Keyring, actor: Actor, id: string, f: WorkshopFields, now: Date) {
  await db.transaction().execute((tx) => updateWorkshopIn(tx, ring, actor, id, f, now));
  return workshopOf(db, actor, id);
}

/** `updateWorkshop` in the caller's transaction (the intake writes the claim and its workshop card as one). */
export async function updateWorkshopIn(tx: Tx, ring: Keyring, actor: Actor, id: string, f: WorkshopFields, now: Date, path = 'body') {
  for (const k of OFFICE_FIELDS) {
    if (f[k] !== undefined && !OFFICE.includes(actor.role)) throw problem(CoreErrors, 'forbidden', `The ${actor.role} role may not set ${k} (the front desk or a manager does)`, { errors: [{ field: `${path}.${k}`, message: 'set by the front desk or a manager', code: 'forbidden' }] });
  }
  return changeIn(tx, actor, id, f.version, now, async (tx, o) => {
    const cur = await tx.selectFrom('order_workshop').selectAll().where('organization_id', '=', o.organization_id).where('order_id', '=', o.id).executeTakeFirst();
    if (f.technicianId) {
      const staff = await tx.selectFrom('staff_users').select('id').where('organization_id', '=', o.organization_id).where('id', '=', f.technicianId).where('disabled_at', 'is', null).executeTakeFirst();
      if (!staff) throw problem(CoreErrors, 'unknown-reference', 'No such staff member in your organization', { errors: [{ field: `${path}.technicianId`, message: 'no active staff member with this id', code: 'unknown-reference' }] });
    }
    if (f.precheck) {
      const items = precheckItems(await deviceCategory(tx, o.organization_id, o.device_id));
      for (const code of Object.keys(f.precheck)) if (!items.includes(code)) throw badField(`${path}.precheck.${code}`, `not checked for this device; the list: ${items.join(', ')}`);
    }
    // The secrets: both sealed again with the current key when either changes (one key per row).
    const secrets =
      f.passcode !== undefined || f.unlockPattern !== undefined
        ? (() => {
            const stored = cur ? openRow(ring, o.organization_id, o.id, cur) : { passcode: null, unlockPattern: null };
            return sealedColumns(ring, o.organization_id, o.id, f.passcode !== undefined ? f.passcode || null : stored.passcode, f.unlockPattern !== undefined ? f.unlockPattern || null : stored.unlockPattern);
          })()
        : {};
    const row = {
      technician_id: f.technicianId !== undefined ? f.technicianId : (cur?.technician_id ?? null),
      priority: f.priority ?? cur?.priority ?? 'normal',
      promised_on: f.promisedOn !== undefined ? f.promisedOn : (cur?.promised_on ?? null),
      ...secrets,
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
}

/**
 * Seals what is not sealed with the current key: values stored before sealing (migration 0028) and
 * values of an older key after a rotation (AFTERCARE_OLD_SECRET_KEYS). Run by the server as it
 * starts (before it serves) and by `aftercare secrets reseal`. Row by row, each under its lock;
 * returns how many rows it sealed again. Not audited per row: no value or order changes.
 */
export async function sealStoredPasscodes(db: Db, ring: Keyring) {
  let done = 0;
  for (;;) {
    const batch = await db
      .selectFrom('order_workshop')
      .select(['organization_id', 'order_id'])
      .where((e) => e.or([e('passcode_unsealed', 'is not', null), e('unlock_pattern_unsealed', 'is not', null), e.and([e('secret_key_id', 'is not', null), e('secret_key_id', '!=', ring.current.id)])]))
      .limit(200)
      .execute();
    if (!batch.length) return done;
    for (const r of batch) {
      await db.transaction().execute(async (tx) => {
        const w = await tx.selectFrom('order_workshop').selectAll().where('organization_id', '=', r.organization_id).where('order_id', '=', r.order_id).forUpdate().executeTakeFirstOrThrow();
        const plain = openRow(ring, r.organization_id, r.order_id, w);
        await tx.updateTable('order_workshop').set(sealedColumns(ring, r.organization_id, r.order_id, plain.passcode, plain.unlockPattern)).where('organization_id', '=', r.organization_id).where('order_id', '=', r.order_id).execute();
      });
      done++;
    }
  }
}

/** The workshop card given with the claim at intake (POST /api/v1/claims `workshop`). */
export type IntakeWorkshop = Omit<WorkshopFields, 'version'> & { note?: string };

/**
 * A claim and its workshop card in one transaction (the caller's: the Idempotency-Key's): the order
 * is taken, then the card's fields and the first note are written through the order's transition
 * writer. A bad workshop field (an unknown technician, an item not on the category's pre-check
 * list) throws inside it, so the whole intake is refused and nothing is saved; a retry with the same
 * key answers the first response (one order, one card).
 */
export async function insertClaimWithWorkshop(tx: Tx, ring: Keyring, actor: Actor, f: ClaimFields & { workshop?: IntakeWorkshop }, now: Date): Promise<Intake> {
  const { workshop, ...claim } = f;
  const r = await insertClaim(tx, actor, claim, now, { contactChannel: workshop?.contactChannel });
  if (!workshop) return r;
  const { note, ...fields } = workshop;
  let order = r.order;
  if (Object.values(fields).some((v) => v !== undefined)) order = await updateWorkshopIn(tx, ring, actor, r.order.id, fields, now, 'body.workshop');
  if (note) order = await addNoteIn(tx, actor, r.order.id, { body: note }, now);
  return { ...r, order };
}

/** An internal note (staff only: never on the order page, a document or a message). */
export async function addNoteIn(tx: Tx, actor: Actor, id: string, n: { body: string; version?: number }, now: Date) {
  return changeIn(tx, actor, id, n.version, now, async (tx, o) => {
    const noteId = uuidv7();
    await tx.insertInto('order_notes').values({ id: noteId, organization_id: o.organization_id, order_id: o.id, body: n.body, by_type: actor.type, by_id: actor.id, by_name: actor.name, created_at: now }).execute();
    return { action: 'note-added', audit: { note: noteId } };
  });
}

/** The passcode and unlock pattern, for who repairs the device; each reading is audited. */
export async function revealPasscode(db: Db, ring: Keyring, actor: Actor, id: string) {
  return db.transaction().execute(async (tx) => {
    const o = await repo.getOrder(tx, actor.organizationId, id);
    if (!o) throw notFound('Service order');
    const w = await tx.selectFrom('order_workshop').select(['passcode', 'unlock_pattern', 'passcode_unsealed', 'unlock_pattern_unsealed']).where('organization_id', '=', o.organization_id).where('order_id', '=', o.id).executeTakeFirst();
    const plain = openRow(ring, o.organization_id, o.id, w);
    await audit(tx, actor, { entityType: repo.SUBJECT_TYPE, entityId: o.id, action: 'service-order.passcode-read', after: { set: !!(plain.passcode || plain.unlockPattern) } });
    return plain;
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
