// Device registration (ITS-5, ITS-6; issue 14). In the portal the client registers a device of
// their account (its serial, the installation or repair date, the invoice or service contract as a
// file) and pays the fee the pack names by Stripe Checkout; the registration becomes valid when
// Stripe's signed webhook confirms the payment (or when staff record it paid at the counter), and
// from then on gives the claim proofs the pack lists (`registration.proves` and the document's), which
// the warranty answer and the intake read (ITS-5/ITS-6 satisfied). Staff list pending, paid,
// refused and expired registrations and may refuse one. An unpaid registration lapses on the pack's
// payment clock.
import crypto from 'node:crypto';
import type { Config } from '../../config.ts';
import type { Db, Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import { systemActor, type Actor } from '../../core/actor.ts';
import { audit } from '../../core/audit.ts';
import { clocksInsertSql, planNewClocks } from '../../core/clocks.ts';
import { decodeCursor, encodeCursor } from '../../core/cursors.ts';
import { CoreErrors, notFound, problem, versionConflict, type ProblemCode } from '../../core/errors.ts';
import { caseNumberSql } from '../../core/numbers.ts';
import { orgAndPack } from '../../core/organization.ts';
import { insertTimers } from '../../core/timers.ts';
import { todayIn } from '../../core/day.ts';
import { versionAt, type CompiledPack } from '../../policy/index.ts';
import type { FileStorage } from '../../storage/index.ts';
import { sql } from 'kysely';
import { checkFileType } from '../purchases/purchases.service.ts';
import { CHECKOUT_PROBLEMS, checkoutsOf, createCheckout, createRefund, onStripePaid, onStripeRefundFailed, onStripeRefunded, stripeEnabled } from '../stripe/stripe.service.ts';
import { RegistrationErrors } from './registrations.errors.ts';
import * as repo from './repository.ts';
import { staffActions, type RegistrationState } from './state-machine.ts';
import { actOnRegistration } from './transitions.ts';
import './kind.ts';

export type { RegistrationRow } from './repository.ts';
export const proofsOfDevice = repo.proofsOfDevice;

/** What the business asks of a registration, from its pack (undefined: it takes none). */
export function registrationTerms(pack: CompiledPack, now: Date) {
  const v = versionAt(pack, now.toISOString());
  const r = v.raw.registration;
  if (!r) return undefined;
  return {
    rule: r.rule,
    feeMinor: r.fee.amount,
    currency: r.fee.currency ?? v.raw.settings.currency ?? 'EUR',
    serviceEvents: r.serviceEvents,
    documents: r.documents,
    proves: r.proves,
    text: r.text,
    policyVersion: v.version,
  };
}

const terms = (pack: CompiledPack, now: Date) => {
  const t = registrationTerms(pack, now);
  if (!t) throw problem(RegistrationErrors, 'registration-not-offered', "This business's policy has no device registration");
  return t;
};

export function view(r: repo.ListedRow) {
  return {
    id: r.id,
    number: r.number,
    state: r.state as RegistrationState,
    channel: r.channel,
    device: { id: r.device_id, serial: r.serial, manufacturer: r.manufacturer, model: r.model },
    customer: { id: r.customer_id, name: r.customer_name, email: r.customer_email },
    serviceEvent: r.service_event,
    serviceDate: r.service_date,
    document: { type: r.document_type, filename: r.document_filename, contentType: r.document_content_type, sizeBytes: r.document_size_bytes },
    feeMinor: r.fee_minor,
    currency: r.currency,
    paymentMethod: r.payment_method,
    paidAt: r.paid_at?.toISOString() ?? null,
    proofs: r.proofs,
    refusalReason: r.refusal_reason,
    /** A refund of the fee Stripe did not make (refund.failed): Stripe's reason and when; null otherwise. */
    refundFailure: r.refund_failed_at ? { reason: r.refund_failure_reason ?? 'unknown', at: r.refund_failed_at.toISOString() } : null,
    rule: r.rule,
    policyVersion: r.policy_version,
    allowedActions: staffActions(r.state),
    version: r.version,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}
export type RegistrationView = ReturnType<typeof view>;

async function viewOf(db: Db | Tx, orgId: string, id: string) {
  const r = await repo.get(db, orgId, id);
  if (!r) throw notFound('Registration');
  return view(r);
}

// ---------- the client's side (portal) ----------

export interface ClientCtx {
  organization_id: string;
  email: string;
}

const clientActor = (c: ClientCtx): Actor => ({ ...systemActor(c.organization_id, 'portal'), type: 'system', id: `client:${crypto.createHash('sha256').update(c.email).digest('hex').slice(0, 16)}`, name: 'client' });

async function customersOf(db: Db | Tx, c: ClientCtx) {
  return (
    await db
      .selectFrom('customers')
      .select('id')
      .where('organization_id', '=', c.organization_id)
      .where((eb) => eb(eb.fn('lower', ['email']), '=', c.email))
      .execute()
  ).map((x) => x.id);
}

export const CREATE_PROBLEMS = ['registration-not-offered', 'device-not-on-account', 'already-registered', 'validation-failed'] as const satisfies readonly ProblemCode[];

export interface RegistrationFields {
  serial: string;
  serviceEvent: string;
  serviceDate: string;
  documentType: string;
}

/**
 * Opens a registration for one of the client's devices. A pending one for the same device is
 * answered again (a retry or a second tab creates nothing); a valid one is a 409.
 */
export async function createForClient(db: Db, c: ClientCtx, f: RegistrationFields, now: Date): Promise<{ created: boolean; registration: RegistrationView }> {
  return db.transaction().execute(async (tx) => {
    const { org, pack } = await orgAndPack(tx, c.organization_id);
    const t = terms(pack, now);
    const errors: { field: string; message: string }[] = [];
    if (!(t.serviceEvents as readonly string[]).includes(f.serviceEvent)) errors.push({ field: 'body.serviceEvent', message: `must be one of ${t.serviceEvents.join(', ')}` });
    if (!t.documents.some((d) => d.type === f.documentType)) errors.push({ field: 'body.documentType', message: `must be one of ${t.documents.map((d) => d.type).join(', ')}` });
    if (f.serviceDate > todayIn(org.time_zone, now)) errors.push({ field: 'body.serviceDate', message: 'must not be in the future' });
    if (errors.length) throw problem(CoreErrors, 'validation-failed', 'The request has invalid fields', { errors }, { status: 422 });
    const customers = await customersOf(tx, c);
    const device = customers.length
      ? await tx
          .selectFrom('devices')
          .select(['id', 'customer_id'])
          .where('organization_id', '=', c.organization_id)
          .where('customer_id', 'in', customers)
          .where((eb) => eb(eb.fn('lower', ['serial']), '=', f.serial.trim().toLowerCase()))
          .forUpdate()
          .executeTakeFirst()
      : undefined;
    if (!device) throw problem(RegistrationErrors, 'device-not-on-account', 'No device with this serial is on your account', { errors: [{ field: 'body.serial', message: 'not a device on your account' }] });
    const live = await repo.liveOfDevice(tx, c.organization_id, device.id);
    if (live?.state === 'paid') throw problem(RegistrationErrors, 'already-registered', 'The device is registered already', { existing: await viewOf(tx, c.organization_id, live.id) });
    if (live) return { created: false, registration: await viewOf(tx, c.organization_id, live.id) };
    const id = await insertRegistration(tx, clientActor(c), pack, { customerId: device.customer_id!, deviceId: device.id, channel: 'portal', ...f, serial: f.serial }, now);
    return { created: true, registration: await viewOf(tx, c.organization_id, id) };
  });
}

/** The row, its payment clock and timers, and the audit row, in the caller's transaction (portal, demo). */
export async function insertRegistration(tx: Tx, actor: Actor, pack: CompiledPack, f: RegistrationFields & { customerId: string; deviceId: string; channel: string }, now: Date) {
  const t = terms(pack, now);
  const { org } = await orgAndPack(tx, actor.organizationId);
  const id = uuidv7();
  const year = Number(todayIn(org.time_zone, now).slice(0, 4));
  await repo.insert(
    tx,
    { id, organization_id: actor.organizationId, customer_id: f.customerId, device_id: f.deviceId, state: 'pending', channel: f.channel, service_event: f.serviceEvent, service_date: f.serviceDate, document_type: f.documentType, fee_minor: t.feeMinor, currency: t.currency, rule: t.rule, policy_version: t.policyVersion, created_at: now, updated_at: now },
    caseNumberSql(repo.SUBJECT_TYPE, 'REG', actor.organizationId, year),
  );
  const subject = { type: repo.SUBJECT_TYPE, id, organizationId: actor.organizationId };
  const { clocks, timers } = planNewClocks(pack, ['registration-submitted'], now);
  if (clocks.length) await sql`${clocksInsertSql(subject, clocks)}`.execute(tx);
  await insertTimers(tx, subject, timers);
  await audit(tx, actor, { action: 'registration.created', entityType: repo.SUBJECT_TYPE, entityId: id, after: { state: 'pending', deviceId: f.deviceId, serviceEvent: f.serviceEvent, serviceDate: f.serviceDate, documentType: f.documentType, feeMinor: t.feeMinor, currency: t.currency, rule: t.rule } });
  return id;
}

export async function listForClient(db: Db, c: ClientCtx, now: Date) {
  const { pack } = await orgAndPack(db, c.organization_id);
  const customers = await customersOf(db, c);
  const rows = await repo.list(db, c.organization_id, { customerIds: customers, limit: 200 });
  return { terms: registrationTerms(pack, now) ?? null, items: rows.map((r) => view(r)) };
}

async function clientRow(tx: Tx, c: ClientCtx, id: string) {
  const r = await repo.lock(tx, c.organization_id, id);
  if (!r || !(await customersOf(tx, c)).includes(r.customer_id)) throw notFound('Registration');
  return r;
}

export const DOCUMENT_PROBLEMS = ['not-found', 'illegal-transition', 'unsupported-file-type'] as const satisfies readonly ProblemCode[];

/** The invoice or service contract (ITS-6): PDF or image, checked by its first bytes; a new one replaces the old. */
export async function attachDocument(db: Db, storage: FileStorage, c: ClientCtx, id: string, file: { filename: string; contentType: string; data: Buffer }, now: Date) {
  const type = checkFileType(file);
  const key = `${c.organization_id}/registration-${id}-${uuidv7()}.${type.ext}`;
  await storage.put(key, file.data);
  try {
    return await db.transaction().execute(async (tx) => {
      const r = await clientRow(tx, c, id);
      const { pack } = await orgAndPack(tx, c.organization_id);
      const sha = crypto.createHash('sha256').update(file.data).digest('hex');
      await actOnRegistration(tx, clientActor(c), r, 'attach-document', pack, now, {
        set: { document_filename: file.filename.slice(0, 255), document_content_type: file.contentType, document_size_bytes: file.data.length, document_sha256: sha, document_storage_key: key },
        audit: { document: { filename: file.filename.slice(0, 255), contentType: file.contentType, sizeBytes: file.data.length, sha256: sha } },
      });
      return viewOf(tx, c.organization_id, id);
    });
  } catch (e) {
    await storage.delete(key).catch(() => {});
    throw e;
  }
}

export const CLIENT_CHECKOUT_PROBLEMS = ['not-found', 'illegal-transition', 'document-missing', ...CHECKOUT_PROBLEMS] as const satisfies readonly ProblemCode[];

/** Sends the client to Stripe Checkout for the fee (the same session for a retry). */
export async function startCheckout(deps: { db: Db; config: Pick<Config, 'stripe'> }, c: ClientCtx, id: string, urls: { base: string; slug: string }) {
  const r = await deps.db.transaction().execute((tx) => clientRow(tx, c, id));
  if (r.state !== 'pending') throw problem(CoreErrors, 'illegal-transition', `The registration is ${r.state}`, { current: { id: r.id, state: r.state, version: r.version } });
  if (!r.document_storage_key) throw problem(RegistrationErrors, 'document-missing', 'Upload the invoice or service contract first', { errors: [{ field: 'body.file', message: 'missing' }] });
  const d = await repo.get(deps.db, c.organization_id, id);
  const back = `${urls.base}/account/${urls.slug}?registration=${r.id}`;
  return createCheckout(deps, {
    orgId: c.organization_id,
    subject: { kind: repo.SUBJECT_TYPE, id: r.id },
    amountMinor: r.fee_minor,
    currency: r.currency,
    description: `Device registration ${r.number} (${d!.manufacturer} ${d!.serial})`,
    idempotencyKey: `registration:${r.id}`,
    successUrl: `${back}&paid=1`,
    cancelUrl: back,
    ...(c.email ? { customerEmail: c.email } : {}),
  });
}

// ---------- staff ----------

export async function list(db: Db, actor: Actor, f: { state?: string; cursor?: string; limit: number }) {
  const after = decodeCursor(f.cursor);
  const rows = await repo.list(db, actor.organizationId, { state: f.state, after, limit: f.limit + 1 });
  const items = rows.slice(0, f.limit).map((r) => view(r));
  return { items, nextCursor: rows.length > f.limit ? encodeCursor(items[items.length - 1].id) : null, counts: await repo.counts(db, actor.organizationId) };
}

export const get = (db: Db, actor: Actor, id: string) => viewOf(db, actor.organizationId, id);

export const ACT_PROBLEMS = ['not-found', 'version-conflict', 'illegal-transition', 'stripe-unavailable', 'checkout-not-paid', 'refund-exceeds-payment', 'stripe-not-configured', 'idempotency-key-reused'] as const satisfies readonly ProblemCode[];

export type StaffAction = { action: 'record-payment'; method: 'cash' | 'card-terminal'; version: number } | { action: 'refuse'; reason: string; version: number };

/** Staff record the fee paid at the counter, or refuse the registration (a fee paid online is refunded through Stripe). */
export async function act(deps: { db: Db; config: Pick<Config, 'stripe'>; now?: () => Date }, actor: Actor, id: string, a: StaffAction) {
  const now = (deps.now ?? (() => new Date()))();
  const refused = await deps.db.transaction().execute(async (tx) => {
    const r = await repo.lock(tx, actor.organizationId, id);
    if (!r) throw notFound('Registration');
    if (r.version !== a.version) throw versionConflict(await viewOf(tx, actor.organizationId, id));
    const { pack } = await orgAndPack(tx, actor.organizationId);
    if (a.action === 'record-payment') {
      await markPaid(tx, actor, r, pack, 'record-payment', a.method, now);
      return undefined;
    }
    await actOnRegistration(tx, actor, r, 'refuse', pack, now, {
      set: { refusal_reason: a.reason, proofs: '{}' },
      audit: { reason: a.reason },
      outbox: [{ topic: 'registration.refused', payload: { registrationId: r.id, number: r.number, customerId: r.customer_id, rule: r.rule, portal: true } }],
    });
    return r;
  });
  if (refused && refused.payment_method === 'stripe' && stripeEnabled(deps.config)) {
    const paid = (await checkoutsOf(deps.db, actor.organizationId, { kind: repo.SUBJECT_TYPE, id })).find((c) => c.state === 'paid');
    if (paid && paid.amount_refunded_minor < (paid.amount_paid_minor ?? 0)) {
      await createRefund(deps, { orgId: actor.organizationId, checkoutId: paid.id, amountMinor: (paid.amount_paid_minor ?? 0) - paid.amount_refunded_minor, idempotencyKey: `registration-refused:${id}` });
    }
  }
  return viewOf(deps.db, actor.organizationId, id);
}

/** Valid from now: the payment recorded, the payment clock stopped, the proofs the pack lists given. */
/** The claim proofs a paid registration gives: the pack's, and its document's. */
function proofsOf(pack: CompiledPack, r: repo.RegistrationRow, now: Date) {
  const t = terms(pack, now);
  const proofs: Record<string, boolean> = {};
  for (const p of t.proves) proofs[p] = true;
  const doc = t.documents.find((d) => d.type === r.document_type);
  if (doc) proofs[doc.proof] = true;
  return proofs;
}

async function markPaid(tx: Tx, actor: Actor, r: repo.RegistrationRow, pack: CompiledPack, action: 'record-payment' | 'confirm-online-payment', method: string, now: Date) {
  const proofs = proofsOf(pack, r, now);
  return actOnRegistration(tx, actor, r, action, pack, now, {
    set: { payment_method: method, paid_at: now, proofs: JSON.stringify(proofs) },
    audit: { paymentMethod: method, feeMinor: r.fee_minor, currency: r.currency, proofs, rule: r.rule },
    outbox: [{ topic: 'registration.valid', payload: { registrationId: r.id, number: r.number, customerId: r.customer_id, deviceId: r.device_id, rule: r.rule, amountMinor: r.fee_minor, currency: r.currency, portal: true } }],
  });
}

export async function openDocument(db: Db, storage: FileStorage, actor: Actor, id: string) {
  const r = await repo.get(db, actor.organizationId, id);
  if (!r || !r.document_storage_key) throw notFound('Registration document');
  return { doc: { content_type: r.document_content_type!, filename: r.document_filename! }, stream: await storage.get(r.document_storage_key) };
}

// ---------- Stripe ----------

// ITS-5: "a payment confirmed through Stripe" — only the signed webhook makes it so.
onStripePaid(repo.SUBJECT_TYPE, async (tx, p) => {
  const r = await repo.lock(tx, p.orgId, p.subject.id);
  if (!r || r.state === 'paid') return;
  const { pack } = await orgAndPack(tx, p.orgId);
  const actor = systemActor(p.orgId, 'stripe');
  if (r.state === 'pending' || r.state === 'expired') {
    await markPaid(tx, actor, r, pack, 'confirm-online-payment', 'stripe', p.paidAt);
    return;
  }
  // Refused meanwhile: the money is not kept for nothing; staff see it in the audit and refund it.
  await audit(tx, actor, { action: 'registration.paid-after-refusal', entityType: repo.SUBJECT_TYPE, entityId: r.id, after: { checkoutId: p.checkoutId, amountMinor: p.amountMinor, currency: p.currency } });
});

onStripeRefunded(repo.SUBJECT_TYPE, async (tx, x) => {
  if (!x.fullyRefunded) return;
  const r = await repo.lock(tx, x.orgId, x.subject.id);
  if (!r || r.state !== 'paid') return;
  const { pack } = await orgAndPack(tx, x.orgId);
  await actOnRegistration(tx, systemActor(x.orgId, 'stripe'), r, 'refund', pack, x.at, { set: { proofs: '{}' }, audit: { refundId: x.refundId, amountMinor: x.amountMinor } });
});

// A refund of the fee Stripe did not make (refund.failed, or refused outright): the registration
// keeps Stripe's reason (staff see "refund failed: <reason>" in the console), through its one writer.
// One that had succeeded first (the registration was refunded) gives the fee back to the business: the
// registration is valid again, with the proofs it gave.
onStripeRefundFailed(repo.SUBJECT_TYPE, async (tx, f) => {
  const r = await repo.lock(tx, f.orgId, f.subject.id);
  if (!r) return;
  const { pack } = await orgAndPack(tx, f.orgId);
  const actor = systemActor(f.orgId, 'stripe');
  const set = { refund_failure_reason: f.reason, refund_failed_at: f.at };
  const auditRow = { refundId: f.refundId, stripeRefundId: f.stripeRefundId, amountMinor: f.amountMinor, reason: f.reason, wasApplied: f.wasApplied };
  if (f.wasApplied && r.state === 'refunded') {
    await actOnRegistration(tx, actor, r, 'refund-undone', pack, f.at, { set: { ...set, proofs: JSON.stringify(proofsOf(pack, r, f.at)) }, audit: auditRow });
    return;
  }
  await actOnRegistration(tx, actor, r, 'refund-failed', pack, f.at, { set, audit: auditRow });
});

// ---------- demo ----------

/** A registration as the demo shows it: opened at `at`, then paid at the counter, refused or lapsed. */
export async function demoRegistration(tx: Tx, actor: Actor, f: RegistrationFields & { customerId: string; deviceId: string; channel: string }, at: Date, then?: { to: 'paid' | 'refused' | 'expired'; at: Date; reason?: string }) {
  const { pack } = await orgAndPack(tx, actor.organizationId);
  const id = await insertRegistration(tx, actor, pack, f, at);
  if (!then) return id;
  const r = (await repo.lock(tx, actor.organizationId, id))!;
  if (then.to === 'paid') await markPaid(tx, actor, r, pack, 'record-payment', 'cash', then.at);
  else if (then.to === 'refused') await actOnRegistration(tx, actor, r, 'refuse', pack, then.at, { set: { refusal_reason: then.reason ?? 'refused' }, audit: { reason: then.reason } });
  else await actOnRegistration(tx, systemActor(actor.organizationId, 'jobs'), r, 'expire', pack, then.at);
  return id;
}
