// The service order's transitions: the table (state-machine.ts: from → action → to, and the pack
// clock events each action produces) and, per action, its guard and effects (`EFFECTS`). An effect
// decides column values, device events, charges, audit data and outbox messages; the core's
// transition writer (src/core/transitions.ts) writes them with the new state, the clocks, the audit
// row and the outbox rows, in the caller's transaction.
import type { Db, Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import type { Actor } from '../../core/actor.ts';
import { badField, CoreErrors, notFound, problem, versionConflict, type ProblemCode } from '../../core/errors.ts';
import { orgAndPack, type Org } from '../../core/organization.ts';
import { todayIn } from '../../core/day.ts';
import type { OutboxMessage } from '../../core/outbox.ts';
import { writeTransition } from '../../core/transitions.ts';
import type { CompiledPack, Decision } from '../../policy/index.ts';
import * as billing from '../billing/billing.service.ts';
import * as devices from '../devices/devices.service.ts';
import { decideFor, plain, reasonsOf } from './decisions.ts';
import { checkWorkOrder, type WorkOrder } from './intake.ts';
import { serviceOrderKind } from './kind.ts';
import { ServiceOrderErrors } from './service-orders.errors.ts';
import * as repo from './repository.ts';
import type { OrderRow } from './repository.ts';
import { CLOCK_EVENTS, TERMINAL, transition, type Action, type State } from './state-machine.ts';
import { extras, orderClocks, orderPolicy, view } from './views.ts';

/** SC-7: how the client's consent or refusal reached us. */
export const DECISION_CHANNELS = ['order-page', 'email', 'phone', 'in-person'] as const;

export type ActionBody =
  | { action: 'authorize' }
  | { action: 'open'; workOrder: WorkOrder }
  | { action: 'start-diagnosis' }
  | { action: 'diagnose'; findings: string[]; hardwareDefectConfirmed?: boolean; insignificant?: boolean; note?: string } & DiagnosisFacts
  | { action: 'approve-warranty' }
  | { action: 'quote'; amountMinor?: number; lines?: billing.LineInput[]; currency?: string; duration: string; advice: string; worthRepairing: boolean }
  | { action: 'accept'; via: (typeof DECISION_CHANNELS)[number]; note?: string }
  | { action: 'refuse'; via: (typeof DECISION_CHANNELS)[number]; note?: string }
  | { action: 'start-repair'; works?: string[] }
  | { action: 'start-testing' }
  | { action: 'test-failed'; report: string }
  | { action: 'test-passed'; report: string }
  | { action: 'hand-over'; findingsProtocol?: string }
  | { action: 'return' }
  | { action: 'mark-unclaimed'; clock?: string }
  | { action: 'dispose'; note?: string }
  | { action: 'cancel'; reason: string }
  | RemedyBody;

/** What a diagnosis records for the rules (issue 16): dead pixels by type (ITEMA-16), the country of use (ITEMA-5), the part the claim is about (ITEMA-7, ITM-10). */
export interface DiagnosisFacts {
  deadPixels?: { brightPixels?: number; darkPixels?: number; defectiveSubpixels?: number; subpixelClusters?: number; pixelClusters5x5?: number };
  country?: string;
  partId?: string;
}

/** Issue 12: executing a remedy the engine offers. Money goes back through billing (a credit note). */
export type RemedyBody =
  | { action: 'replace'; type: 'replacement' | 'replacement-other-model'; replacement: { serial: string; manufacturer?: string; model?: string }; surchargeMinor?: number; via?: (typeof DECISION_CHANNELS)[number]; note?: string }
  | { action: 'reduce-price' | 'terminate' | 'buy-back' | 'refund'; amountMinor: number; method: (typeof billing.REFUND_METHODS)[number]; via?: (typeof DECISION_CHANNELS)[number]; note?: string };

/**
 * The problems `act` can raise: the lock and the version, the table, each action's guard and
 * effects (the work order's confirmations, the engine's decision, the device history), for the
 * routes that call it to declare.
 */
export const ACT_PROBLEMS = [
  'not-found',
  'version-conflict',
  'illegal-transition',
  'validation-failed',
  'not-awaiting-authorization',
  'pre-authorization-required',
  'not-under-warranty',
  'decision-window-expired',
  'currency-mismatch',
  'balance-due',
  'policy-input-invalid',
  'history-invalid',
  'remedy-not-offered',
  'serial-taken',
] as const satisfies readonly ProblemCode[];
/** What `act` can raise for the client's accept or refuse (the order page). */
export const CLIENT_DECISION_PROBLEMS = ['not-found', 'version-conflict', 'illegal-transition', 'decision-window-expired', 'currency-mismatch', 'policy-input-invalid', 'history-invalid'] as const satisfies readonly ProblemCode[];

/** What an effect sees and fills in. */
interface Ctx {
  tx: Tx;
  actor: Actor;
  o: OrderRow;
  org: Org;
  pack: CompiledPack;
  now: Date;
  today: string;
  /** Column values (objects; the jsonb ones are serialized by `columns`). */
  set: Partial<OrderRow>;
  decision?: Decision;
  outbox: OutboxMessage[];
  data: Record<string, unknown>;
  base: Record<string, unknown>;
}

type Effect<A extends Action> = (c: Ctx, body: Extract<ActionBody, { action: A }>) => Promise<void> | void;

const current = async (c: Ctx) => ({ current: await view(c.tx, c.o) });

/** The device's history, written by the order (ITEMA-14 suspends the term while a warranty repair runs). */
async function deviceEvent(c: Ctx, type: 'repair-accepted' | 'repair-completed', date: string) {
  if (!c.o.device_id) return;
  await devices.addEvent(c.tx, c.actor, c.o.device_id, { type, date, underWarranty: c.o.under_warranty ?? (c.set.under_warranty as boolean | undefined) ?? false, orderRef: c.o.number, note: `service order ${c.o.number}` });
}

async function decisionWindowClosed(c: Ctx) {
  const window = (await orderClocks(c.tx, c.pack, c.o, c.now)).find((k) => k.id === 'decision-window');
  return window && (window.status === 'breached' || window.status === 'escalated') ? window : undefined;
}

const EFFECTS: { [A in Action]?: Effect<A> } = {
  async authorize(c) {
    if (!c.o.pre_authorization_required || c.o.pre_authorized_at) throw problem(ServiceOrderErrors, 'not-awaiting-authorization', 'This claim needs no (further) pre-authorization', await current(c));
    c.set.pre_authorized_at = c.now;
  },
  async open(c, body) {
    // ITEMA-28: a claim that needs pre-authorization is not received (no work order, no device
    // taken in) until staff have authorized it.
    if (c.o.pre_authorization_required && !c.o.pre_authorized_at) {
      const rule = c.o.pre_authorization_rule;
      throw problem(ServiceOrderErrors, 'pre-authorization-required', `This claim needs pre-authorization (${rule}) before the device is received; authorize it first`, {
        ...(await current(c)),
        rule,
        missing: ['preAuthorization.authorizedAt'],
        allowed: ['authorize', 'cancel'],
      });
    }
    checkWorkOrder(c.pack, c.now, body.workOrder, 'body.workOrder');
    c.set.work_order = body.workOrder;
    c.set.received_on = c.today;
  },
  async diagnose(c, body) {
    if (!c.o.device_id) throw badField('deviceId', 'the order has no device on record; register the device first', 'required');
    // What the diagnosis recorded for the rules (issue 16); what it does not say stays as recorded before.
    const facts = {
      dead_pixels: body.deadPixels !== undefined ? body.deadPixels : c.o.dead_pixels,
      use_country: body.country !== undefined ? body.country.trim() || null : c.o.use_country,
      claim_part_id: body.partId !== undefined ? body.partId.trim() || null : c.o.claim_part_id,
    };
    const d = await decideFor(c.tx, { ...c.o, ...facts, findings: body.findings, decision_final: true, insignificant: body.insignificant === true }, c.pack, c.org, { diagnosed: true, findings: body.findings, hardwareDefectConfirmed: body.hardwareDefectConfirmed }, c.now);
    c.decision = d;
    c.set.dead_pixels = facts.dead_pixels ? JSON.stringify(facts.dead_pixels) : null;
    c.set.use_country = facts.use_country;
    c.set.claim_part_id = facts.claim_part_id;
    if (body.deadPixels) c.data.deadPixels = body.deadPixels;
    if (body.country) c.data.country = body.country;
    if (body.partId) c.data.partId = body.partId;
    c.set.findings = body.findings;
    c.set.insignificant = body.insignificant === true;
    if (body.insignificant) c.data.insignificant = true;
    c.set.decision = plain(d);
    c.set.decision_final = true;
    c.set.under_warranty = d!.outcome === 'covered';
    c.data.outcome = d!.outcome;
    c.data.findings = body.findings;
    if (body.note) c.data.note = body.note;
  },
  async 'approve-warranty'(c) {
    const d = c.o.decision as { outcome?: string } | null;
    if (!c.o.decision_final || d?.outcome !== 'covered') {
      throw problem(ServiceOrderErrors, 'not-under-warranty', 'Only a claim the engine decided as covered after diagnosis is a warranty repair; quote it instead', await current(c));
    }
    c.set.under_warranty = true;
    // ITEMA-14: the term stands still from the day the order was accepted.
    await deviceEvent(c, 'repair-accepted', c.o.received_on ?? c.o.claim_date);
    // Issue 16: a message per step, by the order's channel.
    c.outbox.push({ topic: 'order.warranty-approved', payload: c.base });
  },
  quote(c, body) {
    if (body.currency && body.currency !== c.o.currency) throw badField('body.currency', `the order is in ${c.o.currency}`, 'invalid');
    if ((body.amountMinor === undefined) === (body.lines === undefined)) throw badField('body.lines', 'give the quote as lines, or as one amount (amountMinor)', 'required');
    // Issue 14: lines (parts, labour, fees, discounts) with the business's tax on the day of the quote.
    const priced = billing.priceQuote(billing.taxSetting(c.pack, c.now), body);
    c.set.quote = { ...priced, currency: c.o.currency, duration: body.duration, advice: body.advice, worthRepairing: body.worthRepairing, quotedAt: c.now.toISOString(), rule: 'SC-5' };
    c.set.under_warranty = false;
    c.outbox.push({ topic: 'order.quote-ready', payload: { ...c.base, amountMinor: priced.amountMinor, currency: c.o.currency } });
  },
  async accept(c, body) {
    const closed = await decisionWindowClosed(c);
    if (closed) throw problem(ServiceOrderErrors, 'decision-window-expired', `The decision window closed on ${closed.due} (${closed.rule}); the quote can no longer be accepted`, { ...(await current(c)), rule: closed.rule });
    recordDecision(c, 'accepted', body);
    const q = c.o.quote as { amountMinor: number } | null;
    if (q && q.amountMinor > 0) await billing.insertCharge(c.tx, c.o, { kind: 'repair', amountMinor: q.amountMinor, rule: 'SC-5', note: 'accepted quote' }, c.now);
    c.set.under_warranty = false;
    // The paid repair enters the history (it suspends nothing: underWarranty false).
    await deviceEvent(c, 'repair-accepted', c.o.received_on ?? c.o.claim_date);
  },
  async refuse(c, body) {
    recordDecision(c, 'refused', body);
    // ITEMA-22 / SC-12: what a refusal owes comes from the engine's charges.
    c.decision = await decideFor(c.tx, c.o, c.pack, c.org, { clientRefusesPaidRepair: true, diagnosed: true }, c.now);
    for (const ch of c.decision?.charges ?? []) {
      if (ch.payer !== 'client' || ch.when !== 'on-refusal' || !ch.amount) continue;
      // One currency per order: the pack's (settings.currency), as the quote. A pack charge in
      // another currency is a pack error, never mixed into the balance.
      if (ch.currency && ch.currency !== c.o.currency) throw problem(ServiceOrderErrors, 'currency-mismatch', `The policy charges ${ch.type} in ${ch.currency}, the order is in ${c.o.currency}`, { rule: ch.rule, ...(await current(c)) });
      await billing.insertCharge(c.tx, c.o, { kind: ch.type === 'diagnosis' ? 'diagnosis' : 'transport', amountMinor: ch.amount, rule: (ch.rules ?? [ch.rule]).join(', '), note: ch.text.en }, c.now);
    }
  },
  'start-repair'(c, body) {
    // The works agreed, kept in the audit event for the completion certificate (SC-8, SC-10).
    if (body.works?.length) c.data.works = body.works;
    c.outbox.push({ topic: 'order.repair-started', payload: c.base });
  },
  async 'test-failed'(c, body) {
    c.set.test_result = { passed: false, report: body.report, at: c.now.toISOString(), rule: 'SC-8' };
  },
  async 'test-passed'(c, body) {
    c.set.test_result = { passed: true, report: body.report, at: c.now.toISOString(), rule: 'SC-8' };
    // ITEMA-14 / ITS-2: the day the client is notified of the fix (SC-9).
    await deviceEvent(c, 'repair-completed', c.today);
    c.outbox.push({ topic: 'order.ready', payload: { ...c.base, balanceDueMinor: (await extras(c.tx, c.o)).balance, currency: c.o.currency } });
  },
  async 'hand-over'(c, body) {
    await paidInFull(c);
    // ITEMA-23: a disagreement at handover is written into a findings protocol.
    if (body.findingsProtocol) c.set.findings_protocol = body.findingsProtocol;
    c.outbox.push({ topic: 'order.handed-over', payload: c.base });
  },
  async return(c) {
    await paidInFull(c);
    c.outbox.push({ topic: 'order.returned', payload: c.base });
  },
  'mark-unclaimed'(c, body) {
    c.outbox.push({ topic: 'order.unclaimed', payload: { ...c.base, clock: body.clock ?? null } });
  },
  cancel(c, body) {
    c.data.reason = body.reason;
    // The reason stays with staff (the audit): the client is told the order is cancelled.
    c.outbox.push({ topic: 'order.cancelled', payload: c.base });
  },
  replace: replaceEffect,
  'reduce-price': (c, body) => payoutEffect(c, 'reduce-price', body as never),
  terminate: (c, body) => payoutEffect(c, 'terminate', body as never),
  'buy-back': (c, body) => payoutEffect(c, 'buy-back', body as never),
  refund: (c, body) => payoutEffect(c, 'refund', body as never),
};

// ---------- remedies (issue 12) ----------

/** Which remedy of the engine's decision each action executes. */
const REMEDY_OF: Record<RemedyBody['action'], readonly string[]> = {
  replace: ['replacement', 'replacement-other-model'],
  'reduce-price': ['price-reduction'],
  terminate: ['terminate'],
  'buy-back': ['buy-back'],
  refund: ['refund'],
};

/**
 * The remedy as the engine offers it now (the order's decision as of this moment: a right after no
 * fix within a month, ITEMA-18/31, arises with time; the repair count of ITEMA-32 from the history),
 * or 422 remedy-not-offered naming those that are.
 */
async function openRemedy(c: Ctx, action: RemedyBody['action'], type: string) {
  if (!c.o.decision_final) throw problem(ServiceOrderErrors, 'remedy-not-offered', 'A remedy is executed after diagnosis, on the engine\'s final decision', { ...(await current(c)), open: [] });
  const fixedOn = await repo.repairCompletedOn(c.tx, c.o);
  const d = await decideFor(c.tx, c.o, c.pack, c.org, { diagnosed: true, ...(fixedOn ? { fixedOn } : {}) }, c.now);
  c.decision = d;
  const open = (d?.remedies ?? []).map((r) => ({ type: r.type, rule: r.rule, chosenBy: r.chosenBy ?? 'business' }));
  const r = (d?.remedies ?? []).find((x) => x.type === type && REMEDY_OF[action].includes(x.type));
  if (!r) throw problem(ServiceOrderErrors, 'remedy-not-offered', `The policy does not offer ${type} for this order now`, { ...(await current(c)), open });
  return r;
}

/** ITEMA-30: under the legal guarantee the consumer chooses; how the choice reached us is recorded. */
function consumerChoice(c: Ctx, r: { chosenBy?: string; rule: string }, body: { via?: string }) {
  if (r.chosenBy !== 'consumer') return;
  if (!body.via) throw badField('body.via', `the consumer chooses this remedy (${r.rule}): say how their choice reached us`, 'required');
  c.data.via = body.via;
  c.data.chosenBy = 'consumer';
}

async function remedyRow(c: Ctx, type: string, rule: string, details: Record<string, unknown>) {
  await c.tx.insertInto('order_remedies').values({ id: uuidv7(), organization_id: c.o.organization_id, order_id: c.o.id, type, rule, details: JSON.stringify(details), created_by: `${c.actor.type}:${c.actor.id}`, created_at: c.now }).execute();
  c.data.remedy = type;
  c.data.rule = rule;
}

async function replaceEffect(c: Ctx, body: Extract<RemedyBody, { action: 'replace' }>) {
  const r = await openRemedy(c, 'replace', body.type);
  consumerChoice(c, r, body);
  if (body.type === 'replacement' && body.surchargeMinor) throw badField('body.surchargeMinor', 'a replacement with the same model has no surcharge (ITEMA-17)', 'invalid');
  if (!c.o.device_id) throw badField('deviceId', 'the order has no device on record', 'required');
  // ITEMA-17 / ITM-9: the replacement keeps the original terms (the engine reads the event). The
  // device record follows the unit the client now holds (its serial, and its model for another
  // model); its history stays, with a device-replaced event naming both serials.
  await devices.replaceUnit(c.tx, c.actor, c.o.device_id, {
    serial: body.replacement.serial,
    model: body.replacement.model ?? null,
    manufacturer: body.replacement.manufacturer ?? null,
    date: c.today,
    orderRef: c.o.number,
    field: 'body.replacement.serial',
    at: c.now,
    note: r.rule,
    underWarranty: true,
  });
  // Another model with a surcharge: owed before the handover (SC-10).
  if (body.surchargeMinor) await billing.insertCharge(c.tx, c.o, { kind: 'surcharge', amountMinor: body.surchargeMinor, rule: r.rule, note: `Surcharge: ${body.replacement.model ?? body.replacement.serial}` }, c.now);
  await remedyRow(c, body.type, r.rule, { replacement: body.replacement, surchargeMinor: body.surchargeMinor ?? 0, note: body.note ?? null });
}

const PAYOUT_TEXT: Record<string, string> = { 'price-reduction': 'Price reduction', terminate: 'Termination: the price refunded', 'buy-back': 'Buy-back', refund: 'Refund after repairs' };

async function payoutEffect(c: Ctx, action: 'reduce-price' | 'terminate' | 'buy-back' | 'refund', body: Extract<RemedyBody, { amountMinor: number }>) {
  const type = REMEDY_OF[action][0];
  const r = await openRemedy(c, action, type);
  consumerChoice(c, r, body);
  const { creditNote } = await billing.remedyPayout(c.tx, c.actor, c.o, { amountMinor: body.amountMinor, method: body.method, remedy: type, rule: r.rule, description: `${PAYOUT_TEXT[type]} (${c.o.number})`, reason: body.note ?? PAYOUT_TEXT[type] }, c.now);
  // The device passes to the business when the contract ends or it is bought back.
  if (action !== 'reduce-price' && c.o.device_id) {
    await devices.addEvent(c.tx, c.actor, c.o.device_id, { type: 'ownership-transferred', date: c.today, orderRef: c.o.number, note: `taken back by the business (${type}, ${r.rule})` });
  }
  await remedyRow(c, type, r.rule, { amountMinor: body.amountMinor, method: body.method, creditNote: creditNote.number, note: body.note ?? null });
  c.data.creditNote = creditNote.number;
}

function recordDecision(c: Ctx, decision: 'accepted' | 'refused', body: { via: string; note?: string }) {
  c.set.client_decision = { decision, via: body.via, at: c.now.toISOString(), recordedBy: `${c.actor.type}:${c.actor.id}`, ...(body.note ? { note: body.note } : {}) };
  c.data.via = body.via;
  c.outbox.push({ topic: 'order.decision-recorded', payload: { ...c.base, decision, via: body.via } });
}

/**
 * SC-10: handover (or return) only after full payment. The order's invoice for what it charged is
 * issued then, unless staff issued it before (issue 14).
 */
async function paidInFull(c: Ctx) {
  const x = await extras(c.tx, c.o);
  if (x.balance > 0) {
    throw problem(ServiceOrderErrors, 'balance-due', `The client still owes ${x.balance} (minor units, ${c.o.currency}); handover only after full payment (SC-10)`, { ...(await current(c)), balanceDue: x.balance });
  }
  const invoiced = (await billing.documentsOf(c.tx, c.o.organization_id, 'service-order', c.o.id)).some((d) => d.kind === 'invoice');
  if (!invoiced && x.charges.some((ch) => ch.kind !== 'credit')) c.data.invoice = (await billing.issueInvoice(c.tx, c.actor, c.o, c.now)).number;
}

const JSON_COLUMNS = ['work_order', 'decision', 'quote', 'client_decision', 'test_result'] as const;

/** Column values for the writer: the jsonb columns as JSON text. */
export function columns(set: Partial<OrderRow>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...set };
  for (const k of JSON_COLUMNS) if (set[k] !== undefined) out[k] = set[k] === null ? null : JSON.stringify(set[k]);
  return out;
}

const pageVia = (actor: Actor) => (actor.id === 'order-page' ? 'order-page' : undefined);

/**
 * One transition in one transaction. `version` is the version the caller read (409 when stale).
 * `guard` runs in the transaction once the order is locked (the order page's one-time code is
 * consumed there, so a refused decision leaves it unused).
 */
export async function act(db: Db, actor: Actor, id: string, body: ActionBody & { version: number }, now: Date, guard?: (tx: Tx, o: OrderRow) => Promise<void>) {
  return db.transaction().execute(async (tx) => {
    const o = await repo.lockOrder(tx, actor.organizationId, id);
    if (!o) throw notFound('Service order');
    await guard?.(tx, o);
    return actOn(tx, actor, o, body, now);
  });
}

/** A transition of an order the caller has locked (the job runner, the demo seed, `act`). */
export async function actOn(tx: Tx, actor: Actor, o: OrderRow, body: ActionBody & { version?: number }, now: Date) {
  if (body.version !== undefined && o.version !== body.version) throw versionConflict(await view(tx, o));
  const from = o.state as State;
  const { org, pack } = await orgAndPack(tx, o.organization_id);
  // ITEMA-24 / SC-11: `dispose` only where the business's policy disposes of uncollected equipment.
  const t = transition(from, body.action as Action, orderPolicy(pack, now));
  if (!t.ok) throw problem(CoreErrors, 'illegal-transition', t.message, { current: await view(tx, o), allowed: t.allowed });
  const c: Ctx = {
    tx,
    actor,
    o,
    org,
    pack,
    now,
    today: todayIn(org.time_zone, now),
    set: {},
    outbox: [],
    data: {},
    base: { orderId: o.id, number: o.number, customerId: o.customer_id, language: o.language, channel: o.contact_channel },
  };
  const effect = EFFECTS[body.action] as Effect<Action> | undefined;
  await effect?.(c, body as never);
  if (c.decision) c.set.policy_version = c.decision.policyVersion;
  // The order's page links work for a while after it closes (issue 15): from this moment.
  if (TERMINAL.includes(t.to) && !o.closed_at) c.set.closed_at = now;
  const updated = await writeTransition(tx, actor, serviceOrderKind, o, {
    action: body.action,
    to: t.to,
    set: columns(c.set),
    clockEvents: CLOCK_EVENTS[body.action as Action] ?? [],
    audit: { via: c.data.via ?? pageVia(actor) ?? actor.channel, by: `${actor.type}:${actor.id}`, policyVersion: c.set.policy_version ?? o.policy_version, reasons: reasonsOf(c.decision), ...c.data },
    outbox: c.outbox,
  }, pack, now);
  return view(tx, updated);
}
