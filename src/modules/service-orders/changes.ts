// Changes to an order that are not a move of its state machine: parts used in the repair, payments,
// courier deliveries and objections (ITEMA-12), linking a public claim to its customer and device,
// and the client's page links. Each is written through
// the core's transition writer with the order's own state as the new one (version + 1, audit,
// clocks), so there is still one writer of a case.
import type { Db, Tx } from '../../db/index.ts';
import type { Actor } from '../../core/actor.ts';
import { audit } from '../../core/audit.ts';
import { clockRow } from '../../core/clocks.ts';
import { todayIn } from '../../core/day.ts';
import { badField, CoreErrors, notFound, problem, versionConflict, type ProblemCode } from '../../core/errors.ts';
import { orgAndPack } from '../../core/organization.ts';
import { newToken } from '../../core/tokens.ts';
import { writeTransition, type TransitionWrite } from '../../core/transitions.ts';
import * as customers from '../customers/customers.service.ts';
import * as billing from '../billing/billing.service.ts';
import * as devices from '../devices/devices.service.ts';
import { decideFor, plain, reasonsOf } from './decisions.ts';
import { claimDetails, claimProofs, requirementGaps, type WebClaimFields } from './intake.ts';
import { serviceOrderKind } from './kind.ts';
import { ServiceOrderErrors } from './service-orders.errors.ts';
import * as repo from './repository.ts';
import type { OrderRow } from './repository.ts';
import { linkEnd, orderClocks, view } from './views.ts';
import { versionAt } from '../../policy/index.ts';


/** What `addPart` can raise, for its route to declare. */
export const CHANGE_PROBLEMS = ['not-found', 'version-conflict', 'illegal-transition', 'validation-failed'] as const satisfies readonly ProblemCode[];
/** What a payment, a refund and an invoice can raise. */
export const PAYMENT_PROBLEMS = [...CHANGE_PROBLEMS, 'deposit-not-allowed', 'idempotency-key-reused'] as const satisfies readonly ProblemCode[];
export const REFUND_PROBLEMS = [...CHANGE_PROBLEMS, 'refund-over-payment', 'refund-exceeds-charges', 'no-overpayment', 'idempotency-key-reused'] as const satisfies readonly ProblemCode[];
export const INVOICE_PROBLEMS = ['not-found', 'already-invoiced', 'nothing-to-invoice', 'idempotency-key-reused'] as const satisfies readonly ProblemCode[];
/** A part also writes the device's history, which the engine must be able to read. */
export const PART_PROBLEMS = [...CHANGE_PROBLEMS, 'history-invalid'] as const satisfies readonly ProblemCode[];
/** What `recordCourier` can raise, per kind. */
export const COURIER_PROBLEMS = {
  delivery: ['not-found', 'version-conflict', 'illegal-transition', 'already-recorded'],
  objection: ['not-found', 'version-conflict', 'illegal-transition', 'already-recorded', 'no-courier-delivery', 'objection-window-expired'],
} as const satisfies Record<'delivery' | 'objection', readonly ProblemCode[]>;

/** Locks the order, checks the version the caller read, runs `body`, writes what it returns. */
export async function change(db: Db, actor: Actor, id: string, version: number | undefined, now: Date, body: (tx: Tx, o: OrderRow) => Promise<Omit<TransitionWrite, 'to'>>) {
  return db.transaction().execute((tx) => changeIn(tx, actor, id, version, now, body));
}

/** `change` in the caller's transaction (a request with an Idempotency-Key). Without `version`, no version check. */
export async function changeIn(tx: Tx, actor: Actor, id: string, version: number | undefined, now: Date, body: (tx: Tx, o: OrderRow) => Promise<Omit<TransitionWrite, 'to'>>) {
  const o = await repo.lockOrder(tx, actor.organizationId, id);
  if (!o) throw notFound('Service order');
  if (version !== undefined && o.version !== version) throw versionConflict(await view(tx, o));
  const w = await body(tx, o);
  const { pack } = await orgAndPack(tx, o.organization_id);
  return view(tx, await writeTransition(tx, actor, serviceOrderKind, o, { ...w, to: o.state }, pack, now));
}

export interface PartFields {
  partId: string;
  replacesPartId?: string;
  category: string;
  term?: string;
  version: number;
}

/** A part used in the repair: the device history gets part-replaced / module-added (ITEMA-25, ITM-10). */
export async function addPart(db: Db, actor: Actor, id: string, p: PartFields, now: Date) {
  return change(db, actor, id, p.version, now, async (tx, o) => {
    if (o.state !== 'in-repair') throw problem(CoreErrors, 'illegal-transition', `Parts are recorded while the order is in-repair, not ${o.state}`, { current: await view(tx, o) });
    if (!o.device_id) throw badField('deviceId', 'the order has no device on record', 'required');
    const { org } = await orgAndPack(tx, o.organization_id);
    const underWarranty = o.under_warranty === true;
    await devices.addEvent(tx, actor, o.device_id, {
      type: p.replacesPartId ? 'part-replaced' : 'module-added',
      date: todayIn(org.time_zone, now),
      partId: p.partId,
      replacesPartId: p.replacesPartId ?? null,
      category: p.category,
      underWarranty,
      term: p.term ?? null,
      orderRef: o.number,
    });
    // ITEMA-23 / ITM-11: the removed part stays with the business.
    await repo.insertPart(tx, o, { action: p.replacesPartId ? 'replaced' : 'added', partId: p.partId, replacesPartId: p.replacesPartId ?? null, category: p.category, underWarranty, removedPartRetained: !!p.replacesPartId });
    return { action: 'part-recorded', audit: { part: p.partId, replaces: p.replacesPartId ?? null, removedPartRetained: !!p.replacesPartId } };
  });
}

const CLOSED = ['handed-over', 'returned', 'disposed', 'cancelled', 'settled'];

/**
 * A payment or a deposit at the counter (issue 14; the ledger and its rules are billing's:
 * src/modules/billing/ledger.ts), with its receipt. Under the order's lock, so a payment and a
 * refund racing are each checked against what the other left.
 */
export async function addPayment(tx: Tx, actor: Actor, id: string, p: billing.PaymentFields & { version?: number }, now: Date) {
  return changeIn(tx, actor, id, p.version, now, async (tx, o) => {
    if (CLOSED.includes(o.state)) throw problem(CoreErrors, 'illegal-transition', `The order is ${o.state}; no payment can be taken`, { current: await view(tx, o) });
    const { payment, receipt } = await billing.recordPayment(tx, actor, o, p, now);
    return { action: 'payment-received', audit: { amountMinor: p.amountMinor, method: p.method, kind: payment.kind, payment: payment.id, receipt: receipt.number } };
  });
}

/** A refund of (part of) a payment: of what was charged with a credit note, or of an overpayment. */
export async function addRefund(tx: Tx, actor: Actor, id: string, r: billing.RefundFields & { version?: number }, now: Date) {
  return changeIn(tx, actor, id, r.version, now, async (tx, o) => {
    const refund = await billing.recordRefund(tx, actor, o, r, now);
    const note = refund.credit_note_id ? await billing.documentById(tx, o.organization_id, refund.credit_note_id) : undefined;
    return { action: 'refund-made', audit: { amountMinor: refund.amount_minor, kind: refund.kind, payment: refund.payment_id, refund: refund.id, creditNote: note?.number ?? null, reason: r.reason } };
  });
}

/** The order's invoice for what it charges (also issued at handover when there is none). */
export async function addInvoice(tx: Tx, actor: Actor, id: string, now: Date) {
  return changeIn(tx, actor, id, undefined, now, async (tx, o) => {
    const inv = await billing.issueInvoice(tx, actor, o, now);
    return { action: 'invoiced', audit: { invoice: inv.number, totalMinor: inv.total_minor } };
  });
}

const NO_DELIVERY: readonly string[] = ['cancelled', 'disposed'];

/**
 * ITEMA-12: a courier delivery for the order starts the client's objection clock (the pack's
 * `courier-objection`, startsAt courier-delivered); an objection stops it (objection-received).
 */
export async function recordCourier(db: Db, actor: Actor, id: string, kind: 'delivery' | 'objection', p: { note?: string; version: number }, now: Date) {
  return change(db, actor, id, p.version, now, async (tx, o) => {
    if (NO_DELIVERY.includes(o.state)) throw problem(CoreErrors, 'illegal-transition', `The order is ${o.state}; no courier delivery is recorded for it`, { current: await view(tx, o) });
    const clock = await clockRow(tx, repo.subjectOf(o), 'courier-objection');
    if (kind === 'delivery' && clock) throw problem(ServiceOrderErrors, 'already-recorded', 'A courier delivery is already recorded for this order (ITEMA-12)', { current: await view(tx, o), rule: 'ITEMA-12' });
    if (kind === 'objection' && (!clock || clock.stopped_at)) {
      const current = { current: await view(tx, o), rule: 'ITEMA-12' };
      throw clock
        ? problem(ServiceOrderErrors, 'already-recorded', 'The objection is already recorded (ITEMA-12)', current)
        : problem(ServiceOrderErrors, 'no-courier-delivery', 'Record the courier delivery first: the objection window runs from it (ITEMA-12)', current);
    }
    if (kind === 'objection') {
      // ITEMA-12: no objection within the day means the terms were accepted; a later one changes nothing.
      const { pack } = await orgAndPack(tx, o.organization_id);
      const window = (await orderClocks(tx, pack, o, now)).find((c) => c.id === 'courier-objection');
      if (window && (window.status === 'breached' || window.status === 'escalated')) {
        throw problem(ServiceOrderErrors, 'objection-window-expired', `The objection window closed on ${window.due} (${window.rule}); the terms are accepted`, { current: await view(tx, o), rule: window.rule });
      }
    }
    return {
      action: `courier-${kind}`,
      clockEvents: [kind === 'delivery' ? 'courier-delivered' : 'objection-received'],
      audit: { rule: 'ITEMA-12', by: `${actor.type}:${actor.id}`, ...(p.note ? { note: p.note } : {}) },
    };
  });
}

// ---------- linking a public claim (issue 15) ----------

export interface LinkFields {
  version: number;
  /** An existing customer; without it, a new customer record from what the client sent. */
  customerId?: string;
  /** An existing device; or `device` to register the serial the client sent; or neither: no device yet. */
  deviceId?: string;
  device?: { manufacturer: string; model?: string | null; category: string };
}

/** What `linkClaim` can raise, for its route to declare. */
export const LINK_PROBLEMS = ['not-found', 'version-conflict', 'not-awaiting-link', 'unknown-reference', 'validation-failed', 'already-exists', 'policy-input-invalid'] as const satisfies readonly ProblemCode[];

/**
 * Staff match a public claim to a customer and a device: chosen by staff, who may see our records
 * (the public form never matched anything). The ITEMA-27 details are then completed from the
 * records, the proof of the purchase on record counts (ITEMA-10), the engine gives its provisional
 * decision, and from now on the order page shows the linked device like any other order's.
 */
export async function linkClaim(db: Db, actor: Actor, id: string, f: LinkFields, now: Date) {
  return change(db, actor, id, f.version, now, async (tx, o) => {
    if (!o.awaiting_link) throw problem(ServiceOrderErrors, 'not-awaiting-link', 'This order is not a public claim waiting to be linked', { current: await view(tx, o) });
    if (f.deviceId && f.device) throw badField('body.device', 'give deviceId or device, not both');
    const sent = (o.submitted ?? {}) as Partial<WebClaimFields>;
    const read = await repo.readIntake(tx, o.organization_id, { deviceId: f.deviceId ?? null, serial: null, manufacturer: null, customerId: f.customerId ?? null, email: null });
    const { org, pack } = await orgAndPack(tx, o.organization_id);
    if (f.customerId && !read.customer) throw problem(CoreErrors, 'unknown-reference', 'No such customer', { errors: [{ field: 'body.customerId', message: 'no such customer' }] });
    if (f.deviceId && !read.devices.length) throw problem(CoreErrors, 'unknown-reference', 'No such device', { errors: [{ field: 'body.deviceId', message: 'no such device' }] });
    const customer =
      read.customer ??
      (await customers.insert(tx, actor, { name: sent.name ?? 'Client', email: sent.email ?? null, phone: sent.phone ?? null, address: sent.address ?? null, preferredLanguage: sent.language ?? null, preferredChannel: sent.email ? 'email' : sent.phone ? 'phone' : null }));
    const preferredChannel = 'preferred_channel' in customer ? customer.preferred_channel : customer.preferredChannel;
    let deviceId: string | null = read.devices[0]?.id ?? null;
    if (f.device) {
      if (!sent.serial) throw badField('body.device', 'the claim names no serial to register');
      deviceId = (await devices.insert(tx, actor, { serial: sent.serial, manufacturer: f.device.manufacturer, model: f.device.model ?? sent.model ?? null, category: f.device.category, customerId: customer.id }, 'body.device.category')).id;
    }
    const device = deviceId ? (read.devices[0] ?? (await devices.get(tx, actor, deviceId))) : undefined;
    const purchase = f.deviceId && read.purchase?.device_id === f.deviceId ? read.purchase : undefined;
    const details = claimDetails(customer, device, sent, purchase, o.problem);
    const proofs = claimProofs(sent.proofs, purchase);
    const linked: OrderRow = { ...o, customer_id: customer.id, device_id: deviceId, details, proofs };
    const decision = await decideFor(tx, linked, pack, org, {}, now);
    const v = versionAt(pack, now.toISOString());
    const missing = decision ? decision.missing.map((m) => ({ field: m.field, rule: m.rule })) : requirementGaps(v.raw.requirements, details, proofs);
    if (!deviceId) missing.unshift({ field: 'device', rule: v.raw.requirements.details?.rule ?? v.raw.requirements.proofs[0]?.rule ?? '' });
    return {
      action: 'linked',
      set: {
        customer_id: customer.id,
        device_id: deviceId,
        details: JSON.stringify(details),
        proofs: JSON.stringify(proofs),
        missing: JSON.stringify(missing),
        decision: decision ? JSON.stringify(plain(decision)) : null,
        ...(decision ? { policy_version: decision.policyVersion } : {}),
        contact_channel: preferredChannel ?? o.contact_channel,
        awaiting_link: false,
      },
      audit: { customerId: customer.id, deviceId, newCustomer: !read.customer, newDevice: !!f.device, outcome: decision?.outcome ?? null, reasons: reasonsOf(decision) },
    };
  });
}

/** The customers and devices a public claim may be about (by its e-mail, phone and serial), for staff to choose from. */
export async function linkCandidates(db: Db, actor: Actor, id: string) {
  const o = await repo.getOrder(db, actor.organizationId, id);
  if (!o) throw notFound('Service order');
  const sent = (o.submitted ?? {}) as Partial<WebClaimFields>;
  const r = await repo.linkCandidates(db, o.organization_id, sent);
  return {
    customers: r.customers.map((c) => ({ id: c.id, name: c.name, email: c.email, phone: c.phone, address: c.address })),
    devices: r.devices.map((d) => ({ id: d.id, serial: d.serial, manufacturer: d.manufacturer, model: d.model, category: d.category, customerId: d.customer_id })),
  };
}

// ---------- order-page links ----------

/** ≥128 bits: 32 random bytes; only the sha256 is stored. */
export async function issueToken(tx: Tx, orgId: string, orderId: string, now: Date) {
  const token = newToken();
  await repo.insertPageToken(tx, orgId, orderId, token, now);
  return token;
}

/**
 * A new link to the client's page (also how staff renew one after the order closed): it works
 * while the order is open, then `linkDays` after the close or after now, whichever is later.
 */
export async function newPageToken(db: Db, actor: Actor, id: string, now: Date, linkDays: number) {
  return db.transaction().execute(async (tx) => {
    const o = await repo.lockOrder(tx, actor.organizationId, id);
    if (!o) throw notFound('Service order');
    const token = await issueToken(tx, o.organization_id, o.id, now);
    const expiresAt = linkEnd(o.closed_at, now, linkDays)?.toISOString() ?? null;
    await audit(tx, actor, { action: 'service-order.page-link-issued', entityType: repo.SUBJECT_TYPE, entityId: o.id, after: { state: o.state, expiresAt } });
    return { token, path: `/api/v1/order-page/${token}`, expiresAt };
  });
}

export async function revokePageTokens(db: Db, actor: Actor, id: string, now: Date) {
  return db.transaction().execute(async (tx) => {
    const o = await repo.lockOrder(tx, actor.organizationId, id);
    if (!o) throw notFound('Service order');
    const revoked = await repo.revokePageTokensOf(tx, o, now);
    await audit(tx, actor, { action: 'service-order.page-links-revoked', entityType: repo.SUBJECT_TYPE, entityId: o.id, after: { state: o.state, revoked } });
    return { revoked };
  });
}
