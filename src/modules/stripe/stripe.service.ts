// Online payments through Stripe (issue 14; docs/payments.md). The public face other features use:
//
// - `createCheckout(deps, { orgId, subject, amountMinor, currency, description, idempotencyKey,
//   successUrl, cancelUrl })` asks Stripe for a Checkout Session and returns its URL;
// - `onStripePaid(kind, handler)` / `onStripeRefunded(kind, handler)`: a feature registers, once per
//   kind of thing it sells, what happens in the webhook's transaction when the payment is confirmed
//   or (part) refunded;
// - `createRefund(deps, { orgId, checkoutId, amountMinor, idempotencyKey })` refunds through Stripe;
// - `handleWebhook` (the route's): the signature checked by the official SDK, each event processed
//   once (its id stored in the same transaction as its effects), amounts checked against what we
//   asked for, unknown types acknowledged and ignored.
//
// Every call goes through the official `stripe` package; with STRIPE_API_URL it talks to another
// base (tests run a local stand-in answering Stripe's endpoints). Without keys nothing here is
// reachable and every feature takes staff-recorded payments only.
import Stripe from 'stripe';
import { sql } from 'kysely';
import type { Config, StripeConfig } from '../../config.ts';
import type { Db, Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import { systemActor } from '../../core/actor.ts';
import { audit } from '../../core/audit.ts';
import { CoreErrors, notFound, problem, type ProblemCode } from '../../core/errors.ts';
import { StripeErrors } from './stripe.errors.ts';
import * as repo from './stripe.repository.ts';

export type { CheckoutRow, RefundRow } from './stripe.repository.ts';

// ---------- the client ----------

const clients = new WeakMap<StripeConfig, Stripe>();

/** The SDK client for this configuration, or undefined without keys. */
export function stripeClient(config: Pick<Config, 'stripe'>): Stripe | undefined {
  const c = config.stripe;
  if (!c) return undefined;
  let s = clients.get(c);
  if (!s) {
    const base = c.apiUrl ? new URL(c.apiUrl) : undefined;
    s = new Stripe(c.secretKey, {
      maxNetworkRetries: 2,
      timeout: 20_000,
      telemetry: false,
      appInfo: { name: 'Aftercare', url: 'https://github.com/aftercare' },
      ...(base ? { host: base.hostname, port: base.port || (base.protocol === 'https:' ? 443 : 80), protocol: base.protocol === 'https:' ? 'https' : 'http' } : {}),
    });
    clients.set(c, s);
  }
  return s;
}

/** Whether online payment is offered (both keys set). */
export const stripeEnabled = (config: Pick<Config, 'stripe'>) => !!config.stripe;

function requireClient(config: Pick<Config, 'stripe'>) {
  const s = stripeClient(config);
  if (!s) throw problem(StripeErrors, 'stripe-not-configured', 'Online payment is not set up here; record the payment at the counter');
  return s;
}

function upstream(e: unknown): never {
  if (e instanceof Stripe.errors.StripeError) {
    throw problem(StripeErrors, 'stripe-unavailable', `Stripe refused or did not answer: ${e.message}`, { stripe: { type: e.type, code: e.code ?? null, statusCode: e.statusCode ?? null } });
  }
  throw e;
}

// ---------- the registry ----------

export interface StripeSubject {
  /** A kind registered with onStripePaid: 'registration', 'plan-sale', 'quote', ... */
  kind: string;
  id: string;
}

export interface PaidContext {
  orgId: string;
  subject: StripeSubject;
  checkoutId: string;
  amountMinor: number;
  currency: string;
  paymentIntentId: string | null;
  paidAt: Date;
}

export interface RefundedContext {
  orgId: string;
  subject: StripeSubject;
  checkoutId: string;
  /** Our refund record's id, and Stripe's re_... */
  refundId: string;
  stripeRefundId: string | null;
  /** The key the feature gave createRefund (null for a refund made in Stripe's dashboard). */
  idempotencyKey: string | null;
  amountMinor: number;
  currency: string;
  /** All refunds of this payment so far, this one included. */
  totalRefundedMinor: number;
  fullyRefunded: boolean;
  at: Date;
}

export interface RefundFailedContext {
  orgId: string;
  subject: StripeSubject;
  checkoutId: string;
  /** Our refund record's id, and Stripe's re_... (null when Stripe refused to make it at all). */
  refundId: string;
  stripeRefundId: string | null;
  /** The key the feature gave createRefund (null for a refund made in Stripe's dashboard). */
  idempotencyKey: string | null;
  amountMinor: number;
  currency: string;
  /** Stripe's failure_reason (`expired_or_canceled_card`, `lost_or_stolen_card`, `declined`, `unknown`, ...), or `canceled`. */
  reason: string;
  /** The refund had succeeded (its refunded handler ran) before Stripe reported it failed. */
  wasApplied: boolean;
  at: Date;
}

export type PaidHandler = (tx: Tx, ctx: PaidContext) => Promise<void>;
export type RefundedHandler = (tx: Tx, ctx: RefundedContext) => Promise<void>;
export type RefundFailedHandler = (tx: Tx, ctx: RefundFailedContext) => Promise<void>;

const paidHandlers = new Map<string, PaidHandler>();
const refundedHandlers = new Map<string, RefundedHandler>();
const refundFailedHandlers = new Map<string, RefundFailedHandler>();

/** What a confirmed payment of `kind` does, in the webhook's transaction (once per payment). */
export function onStripePaid(kind: string, handler: PaidHandler) {
  const had = paidHandlers.get(kind);
  if (had && had !== handler) throw new Error(`onStripePaid: kind "${kind}" has a handler already`);
  paidHandlers.set(kind, handler);
}

/** What a succeeded refund of a payment of `kind` does (once per refund, always after the payment's handler). */
export function onStripeRefunded(kind: string, handler: RefundedHandler) {
  const had = refundedHandlers.get(kind);
  if (had && had !== handler) throw new Error(`onStripeRefunded: kind "${kind}" has a handler already`);
  refundedHandlers.set(kind, handler);
}

/**
 * What a refund Stripe reports failed (or canceled) does, once per refund, in the webhook's (or the
 * answer's) transaction: give the feature's record its money back as it was before the refund.
 */
export function onStripeRefundFailed(kind: string, handler: RefundFailedHandler) {
  const had = refundFailedHandlers.get(kind);
  if (had && had !== handler) throw new Error(`onStripeRefundFailed: kind "${kind}" has a handler already`);
  refundFailedHandlers.set(kind, handler);
}

// ---------- checkout ----------

export interface CheckoutInput {
  orgId: string;
  subject: StripeSubject;
  /** Integer minor units (cents), > 0. */
  amountMinor: number;
  /** ISO 4217, e.g. 'USD'. */
  currency: string;
  /** The line the client sees on Stripe's page. */
  description: string;
  /** The caller's key: the same key gives the same session, never a second charge. */
  idempotencyKey: string;
  successUrl: string;
  cancelUrl: string;
  customerEmail?: string;
}

export interface CheckoutStarted {
  checkoutId: string;
  sessionId: string;
  url: string;
}

export const CHECKOUT_PROBLEMS = ['stripe-not-configured', 'stripe-unavailable', 'idempotency-key-reused'] as const satisfies readonly ProblemCode[];

const metadataOf = (orgId: string, checkoutId: string, s: StripeSubject) => ({ aftercare_org: orgId, aftercare_checkout: checkoutId, aftercare_kind: s.kind, aftercare_subject: s.id });

/**
 * The row a card payment is asked under, claimed by its Idempotency-Key (a retry finds the same row);
 * the same key for another subject, amount or currency is refused. Checkout and Payment Links share it.
 */
async function claimPayment(db: Db, what: string, input: Pick<CheckoutInput, 'orgId' | 'subject' | 'amountMinor' | 'currency' | 'description' | 'idempotencyKey'>) {
  if (!Number.isInteger(input.amountMinor) || input.amountMinor <= 0) throw new Error(`${what}: amountMinor must be a positive integer, not ${input.amountMinor}`);
  const currency = input.currency.toUpperCase();
  const row = await repo.claimCheckout(db, {
    id: uuidv7(),
    organization_id: input.orgId,
    subject_kind: input.subject.kind,
    subject_id: input.subject.id,
    amount_minor: input.amountMinor,
    currency,
    description: input.description,
    idempotency_key: input.idempotencyKey,
  });
  if (row.subject_kind !== input.subject.kind || row.subject_id !== input.subject.id || row.amount_minor !== input.amountMinor || row.currency !== currency) {
    throw problem(CoreErrors, 'idempotency-key-reused', 'This Idempotency-Key was used for another payment');
  }
  return { row, currency };
}

/**
 * Asks Stripe for a Checkout Session (one line, the amount asked) and records what was asked.
 * Called outside any open transaction: the record is written first (so a retry, even after a crash
 * between the two, finds it), then Stripe is asked with an idempotency key derived from it.
 */
export async function createCheckout(deps: { db: Db; config: Pick<Config, 'stripe'> }, input: CheckoutInput): Promise<CheckoutStarted> {
  const stripe = requireClient(deps.config);
  const { row, currency } = await claimPayment(deps.db, 'createCheckout', input);
  if (row.session_id && row.url) return { checkoutId: row.id, sessionId: row.session_id, url: row.url };
  const metadata = metadataOf(input.orgId, row.id, input.subject);
  let session: Stripe.Checkout.Session;
  try {
    session = await stripe.checkout.sessions.create(
      {
        mode: 'payment',
        client_reference_id: row.id,
        line_items: [{ quantity: 1, price_data: { currency: currency.toLowerCase(), unit_amount: input.amountMinor, product_data: { name: input.description } } }],
        success_url: input.successUrl,
        cancel_url: input.cancelUrl,
        metadata,
        payment_intent_data: { metadata },
        ...(input.customerEmail ? { customer_email: input.customerEmail } : {}),
      },
      { idempotencyKey: `aftercare-checkout-${row.id}` },
    );
  } catch (e) {
    upstream(e);
  }
  if (!session.url) throw problem(StripeErrors, 'stripe-unavailable', 'Stripe gave no Checkout URL');
  await repo.setSession(deps.db, input.orgId, row.id, session.id, session.url);
  return { checkoutId: row.id, sessionId: session.id, url: session.url };
}

/** The paid checkout behind a payment Stripe made (its PaymentIntent), for refunding it. */
export const checkoutOfPaymentIntent = (db: Db | Tx, orgId: string, paymentIntentId: string) =>
  db.selectFrom('stripe_checkouts').selectAll().where('organization_id', '=', orgId).where('payment_intent_id', '=', paymentIntentId).executeTakeFirst();

/** The checkouts asked for a subject, newest first (for views). */
export const checkoutsOf = (db: Db | Tx, orgId: string, subject: StripeSubject) => repo.checkoutsOf(db, orgId, subject);

// ---------- payment links ----------

export interface PaymentLinkInput {
  orgId: string;
  subject: StripeSubject;
  /** Integer minor units (cents), > 0. */
  amountMinor: number;
  /** ISO 4217. */
  currency: string;
  /** The line the client sees on Stripe's page (the Price's product name). */
  description: string;
  /** The caller's key: the same key gives the same link, never a second one. */
  idempotencyKey: string;
  /** Where Stripe sends the client after paying (`after_completion` redirect). */
  redirectUrl: string;
}

export interface PaymentLinkMade {
  checkoutId: string;
  paymentLinkId: string;
  url: string;
}

export const PAYMENT_LINK_PROBLEMS = ['stripe-not-configured', 'stripe-unavailable', 'idempotency-key-reused'] as const satisfies readonly ProblemCode[];

/**
 * A Stripe Payment Link for one amount (a second card channel beside Checkout, for staff to send):
 * a Price (`prices.create` with product_data) and the link on it (`paymentLinks.create`, one
 * completed session at most, our metadata on it, its sessions and their PaymentIntents, back to
 * `redirectUrl`). Like createCheckout, the record is written first and Stripe is asked with keys
 * derived from it (`aftercare-price-<id>`, `aftercare-link-<id>`), so a retry gets the same link.
 * Paid when checkout.session.completed carries the link (the webhook, once; amount checked).
 */
export async function createPaymentLink(deps: { db: Db; config: Pick<Config, 'stripe'> }, input: PaymentLinkInput): Promise<PaymentLinkMade> {
  const stripe = requireClient(deps.config);
  const { row, currency } = await claimPayment(deps.db, 'createPaymentLink', input);
  if (row.payment_link_id && row.url) return { checkoutId: row.id, paymentLinkId: row.payment_link_id, url: row.url };
  const metadata = metadataOf(input.orgId, row.id, input.subject);
  let link: Stripe.PaymentLink;
  try {
    const price = await stripe.prices.create({ currency: currency.toLowerCase(), unit_amount: input.amountMinor, product_data: { name: input.description }, metadata }, { idempotencyKey: `aftercare-price-${row.id}` });
    link = await stripe.paymentLinks.create(
      {
        line_items: [{ price: price.id, quantity: 1 }],
        metadata,
        payment_intent_data: { metadata },
        after_completion: { type: 'redirect', redirect: { url: input.redirectUrl } },
        restrictions: { completed_sessions: { limit: 1 } },
      },
      { idempotencyKey: `aftercare-link-${row.id}` },
    );
  } catch (e) {
    upstream(e);
  }
  await repo.setPaymentLink(deps.db, input.orgId, row.id, link.id, link.url);
  return { checkoutId: row.id, paymentLinkId: link.id, url: link.url };
}

/**
 * Switches a Payment Link off in Stripe (`paymentLinks.update(id, { active: false })`); an unpaid
 * one's record becomes `deactivated` (a paid one stays paid). Answers the record.
 */
export async function deactivatePaymentLink(deps: { db: Db; config: Pick<Config, 'stripe'>; now?: () => Date }, orgId: string, checkoutId: string) {
  const stripe = requireClient(deps.config);
  const c = await repo.checkoutById(deps.db, orgId, checkoutId);
  if (!c?.payment_link_id) throw notFound('Payment link');
  try {
    await stripe.paymentLinks.update(c.payment_link_id, { active: false }, { idempotencyKey: `aftercare-link-off-${c.id}` });
  } catch (e) {
    upstream(e);
  }
  return deps.db.transaction().execute(async (tx) => {
    const locked = (await repo.lockCheckout(tx, orgId, checkoutId))!;
    if (locked.state !== 'open') return locked;
    return repo.markCheckout(tx, locked.id, { state: 'deactivated', updated_at: (deps.now ?? (() => new Date()))() });
  });
}

// ---------- refunds ----------

export const REFUND_PROBLEMS = ['stripe-not-configured', 'stripe-unavailable', 'not-found', 'checkout-not-paid', 'refund-exceeds-payment', 'idempotency-key-reused'] as const satisfies readonly ProblemCode[];

/**
 * Refunds (part of) a payment through Stripe. Our record is written first under the payment's lock
 * (so two refunds racing cannot both pass the "what is left" check); Stripe is asked with a key
 * derived from it; its answer, or the webhook that reports the same refund (whichever comes first),
 * completes the same record and runs the refund handlers once.
 */
export async function createRefund(deps: { db: Db; config: Pick<Config, 'stripe'>; now?: () => Date }, input: { orgId: string; checkoutId: string; amountMinor: number; idempotencyKey: string }): Promise<repo.RefundRow> {
  const stripe = requireClient(deps.config);
  const now = deps.now ?? (() => new Date());
  const pending = await deps.db.transaction().execute(async (tx) => {
    const c = await repo.lockCheckout(tx, input.orgId, input.checkoutId);
    if (!c) throw notFound('Payment');
    const existing = await repo.refundByKey(tx, input.orgId, input.idempotencyKey);
    if (existing) {
      if (existing.checkout_id !== c.id || existing.amount_minor !== input.amountMinor) throw problem(CoreErrors, 'idempotency-key-reused', 'This Idempotency-Key was used for another refund');
      return { c, r: existing };
    }
    if (c.state !== 'paid' || !c.payment_intent_id) throw problem(StripeErrors, 'checkout-not-paid', 'Stripe has not confirmed this payment');
    const left = (c.amount_paid_minor ?? 0) - (await repo.refundsClaimedMinor(tx, input.orgId, c.id));
    if (input.amountMinor > left) throw problem(StripeErrors, 'refund-exceeds-payment', `At most ${left} can be refunded`, { refundableMinor: left, errors: [{ field: 'body.amountMinor', message: `at most ${left}` }] });
    const r = await repo.insertRefund(tx, { id: uuidv7(), organization_id: input.orgId, checkout_id: c.id, refund_id: null, idempotency_key: input.idempotencyKey, amount_minor: input.amountMinor, state: 'pending' });
    return { c, r };
  });
  if (pending.r.refund_id && pending.r.state !== 'pending') return pending.r;
  let re: Stripe.Refund;
  try {
    re = await stripe.refunds.create(
      { payment_intent: pending.c.payment_intent_id!, amount: input.amountMinor, metadata: { aftercare_org: input.orgId, aftercare_checkout: pending.c.id, aftercare_refund: pending.r.id } },
      { idempotencyKey: `aftercare-refund-${pending.r.id}` },
    );
  } catch (e) {
    // Stripe refused it outright (a 4xx: nothing was refunded, and the same key would get the same
    // refusal): the refund failed, with Stripe's code. A timeout or a 5xx may have refunded: the row
    // stays pending, and asking again with the same key gets Stripe's first answer.
    if (e instanceof Stripe.errors.StripeError && e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      await deps.db.transaction().execute(async (tx) => {
        const c = (await repo.lockCheckout(tx, input.orgId, input.checkoutId))!;
        const r = await repo.refundById(tx, input.orgId, pending.r.id);
        if (r && !FAILED.includes(r.state) && r.state !== 'succeeded') {
          const failed = await repo.updateRefund(tx, r.id, { state: 'failed', failure_reason: e.code ?? e.type ?? 'refused', updated_at: now() });
          await failRefund(tx, c, failed, now());
        }
      });
    }
    upstream(e);
  }
  return deps.db.transaction().execute(async (tx) => {
    const c = (await repo.lockCheckout(tx, input.orgId, input.checkoutId))!;
    return recordRefund(tx, c, re, now(), pending.r.id);
  });
}

const FAILED = ['failed', 'canceled'];
const REFUND_STATES = ['pending', 'succeeded', 'failed', 'canceled', 'requires_action'] as const;

/**
 * Records Stripe's refund on our row (found by Stripe's id, or by ours in its metadata) and applies it
 * once it succeeded. States only move forward, whatever order the answer and the events come in:
 * failed and canceled are final, and succeeded gives way only to them (Stripe can still fail a
 * refund it reported succeeded, e.g. to a closed card). Entering failed runs the failure handlers once.
 */
async function recordRefund(tx: Tx, c: repo.CheckoutRow, re: Stripe.Refund, now: Date, ourId?: string): Promise<repo.RefundRow> {
  const mine = ourId ?? (typeof re.metadata?.aftercare_refund === 'string' ? re.metadata.aftercare_refund : undefined);
  let r = (await repo.refundByStripeId(tx, re.id)) ?? (mine ? await repo.refundById(tx, c.organization_id, mine) : undefined);
  const state: string = REFUND_STATES.includes(re.status as never) ? (re.status as string) : 'pending';
  const failure = state === 'failed' ? (re.failure_reason ?? 'unknown') : state === 'canceled' ? 'canceled' : null;
  if (!r) {
    // A refund we hear of first from Stripe (made in its dashboard); one that already failed gave nothing back.
    r = await repo.insertRefund(tx, { id: uuidv7(), organization_id: c.organization_id, checkout_id: c.id, refund_id: re.id, idempotency_key: null, amount_minor: re.amount, state, failure_reason: failure });
  } else {
    const was = r.state;
    const next = FAILED.includes(was) ? was : was === 'succeeded' && !FAILED.includes(state) ? 'succeeded' : state;
    r = await repo.updateRefund(tx, r.id, { refund_id: r.refund_id ?? re.id, state: next, failure_reason: FAILED.includes(next) ? (r.failure_reason ?? failure) : null, updated_at: now });
    if (!FAILED.includes(was) && FAILED.includes(next)) return failRefund(tx, c, r, now);
  }
  if (r.state === 'succeeded' && !r.applied_at && c.state === 'paid') r = await applyRefund(tx, c, r, now);
  return r;
}

/** A refund Stripe did not make: what it had given back is taken back, audited, and the feature's failure handler runs (once). */
async function failRefund(tx: Tx, c: repo.CheckoutRow, r: repo.RefundRow, now: Date): Promise<repo.RefundRow> {
  const wasApplied = !!r.applied_at;
  if (wasApplied) {
    await repo.addRefunded(tx, c.id, -r.amount_minor, now);
    c.amount_refunded_minor -= r.amount_minor;
  }
  const reason = r.failure_reason ?? 'unknown';
  await audit(tx, systemActor(c.organization_id, 'stripe'), { action: 'stripe.refund-failed', entityType: c.subject_kind, entityId: c.subject_id, after: { checkoutId: c.id, refundId: r.id, stripeRefundId: r.refund_id, amountMinor: r.amount_minor, currency: c.currency, reason, wasApplied } });
  const h = refundFailedHandlers.get(c.subject_kind);
  // A refund reported failed before its payment reached us was never applied: nothing to undo.
  if (h && c.state === 'paid') {
    await h(tx, { orgId: c.organization_id, subject: { kind: c.subject_kind, id: c.subject_id }, checkoutId: c.id, refundId: r.id, stripeRefundId: r.refund_id, idempotencyKey: r.idempotency_key, amountMinor: r.amount_minor, currency: c.currency, reason, wasApplied, at: now });
  }
  return r;
}

/** Runs the refund's handlers once (the payment's ran before). */
async function applyRefund(tx: Tx, c: repo.CheckoutRow, r: repo.RefundRow, now: Date): Promise<repo.RefundRow> {
  const total = c.amount_refunded_minor + r.amount_minor;
  await repo.addRefunded(tx, c.id, r.amount_minor, now);
  c.amount_refunded_minor = total;
  const applied = await repo.updateRefund(tx, r.id, { applied_at: now, updated_at: now });
  await audit(tx, systemActor(c.organization_id, 'stripe'), { action: 'stripe.refunded', entityType: c.subject_kind, entityId: c.subject_id, after: { checkoutId: c.id, refundId: r.id, stripeRefundId: r.refund_id, amountMinor: r.amount_minor, currency: c.currency, totalRefundedMinor: total } });
  const h = refundedHandlers.get(c.subject_kind);
  if (h) {
    await h(tx, {
      orgId: c.organization_id,
      subject: { kind: c.subject_kind, id: c.subject_id },
      checkoutId: c.id,
      refundId: r.id,
      stripeRefundId: r.refund_id,
      idempotencyKey: r.idempotency_key,
      amountMinor: r.amount_minor,
      currency: c.currency,
      totalRefundedMinor: total,
      fullyRefunded: total >= (c.amount_paid_minor ?? c.amount_minor),
      at: now,
    });
  }
  return applied;
}

// ---------- the webhook ----------

export const WEBHOOK_PROBLEMS = ['stripe-not-configured', 'webhook-signature-invalid'] as const satisfies readonly ProblemCode[];

export interface WebhookResult {
  received: true;
  /** processed | duplicate | ignored | amount-mismatch */
  outcome: string;
}

/**
 * One webhook delivery: verified with the SDK (tolerance 5 minutes around `now`), then processed
 * in one transaction that first stores the event's id: a repeated delivery (Stripe retries, or two
 * at once) finds it and changes nothing. A bad signature is refused before anything is read.
 */
export async function handleWebhook(deps: { db: Db; config: Pick<Config, 'stripe'> }, raw: Buffer, signature: string | undefined, now: Date): Promise<WebhookResult> {
  const stripe = requireClient(deps.config);
  let event: Stripe.Event;
  try {
    event = await stripe.webhooks.constructEventAsync(raw, signature ?? '', deps.config.stripe!.webhookSecret, stripe.webhooks.DEFAULT_TOLERANCE, undefined, now.getTime());
  } catch (e) {
    if (e instanceof Stripe.errors.StripeSignatureVerificationError || e instanceof SyntaxError) {
      throw problem(StripeErrors, 'webhook-signature-invalid', 'The Stripe-Signature header does not verify', { errors: [{ field: 'headers.stripe-signature', message: 'missing, malformed, too old or not made with this webhook secret' }] });
    }
    throw e;
  }
  const done = await deps.db.transaction().execute(async (tx) => {
    if (!(await repo.claimEvent(tx, event.id, event.type, now))) return { outcome: 'duplicate' } as Dispatched;
    const r = await dispatch(tx, stripe, event, now);
    await repo.finishEvent(tx, event.id, r.outcome, r.orgId ?? null);
    return r;
  });
  // A Payment Link paid once is switched off (it also allows one completed session only), after the
  // payment is committed; if Stripe does not answer now, a repeat of the event finds it paid and asks again.
  if (done.linkPaid) await switchOff(stripe, done.linkPaid);
  return { received: true as const, outcome: done.outcome };
}

async function switchOff(stripe: Stripe, c: { id: string; payment_link_id: string }) {
  try {
    await stripe.paymentLinks.update(c.payment_link_id, { active: false }, { idempotencyKey: `aftercare-link-off-${c.id}` });
  } catch (e) {
    if (!(e instanceof Stripe.errors.StripeError)) throw e;
  }
}

type Dispatched = { outcome: string; orgId?: string; linkPaid?: { id: string; payment_link_id: string } };

async function dispatch(tx: Tx, stripe: Stripe, event: Stripe.Event, now: Date): Promise<Dispatched> {
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
      return sessionPaid(tx, event.data.object, now);
    case 'checkout.session.expired':
      return sessionExpired(tx, event.data.object, now);
    case 'refund.created':
    case 'refund.updated':
    case 'refund.failed':
    case 'charge.refund.updated':
      return refundEvent(tx, stripe, event.data.object, now);
    default:
      // Acknowledged so Stripe stops sending it; nothing of ours depends on it.
      return { outcome: 'ignored' };
  }
}

/** Our checkout of a session: by our id in its metadata (cross-checked with the organization and the session id). */
async function checkoutOfSession(tx: Tx, s: Stripe.Checkout.Session) {
  const link = typeof s.payment_link === 'string' ? s.payment_link : (s.payment_link?.id ?? null);
  // A session a Payment Link made: the link is ours (its plink_... is unique), whatever the metadata says.
  if (link) return repo.lockCheckoutByPaymentLink(tx, link);
  const id = s.metadata?.aftercare_checkout ?? s.client_reference_id;
  const org = s.metadata?.aftercare_org;
  if (!isId(id) || !isId(org)) return undefined;
  const c = await repo.lockCheckout(tx, org, id);
  if (!c || c.payment_link_id || (c.session_id && c.session_id !== s.id)) return undefined;
  return c;
}

async function sessionPaid(tx: Tx, s: Stripe.Checkout.Session, now: Date): Promise<Dispatched> {
  const c = await checkoutOfSession(tx, s);
  if (!c) return { outcome: 'ignored' };
  // Paid by a method that settles later: checkout.session.async_payment_succeeded follows.
  if (s.payment_status !== 'paid') return { outcome: 'ignored', orgId: c.organization_id };
  const link = c.payment_link_id ? { id: c.id, payment_link_id: c.payment_link_id } : undefined;
  if (c.state === 'paid' || c.state === 'mismatch') {
    // A Payment Link paid through a second session (before Stripe switched it off): money taken that
    // nothing asked for, kept for staff to give back, never applied twice.
    if (link && c.session_id && c.session_id !== s.id) {
      await audit(tx, systemActor(c.organization_id, 'stripe'), { action: 'stripe.payment-link-paid-again', entityType: c.subject_kind, entityId: c.subject_id, after: { checkoutId: c.id, paymentLinkId: c.payment_link_id, sessionId: s.id, amountMinor: s.amount_total, currency: s.currency } });
      return { outcome: 'processed', orgId: c.organization_id, linkPaid: link };
    }
    return { outcome: 'duplicate', orgId: c.organization_id, linkPaid: link };
  }
  const paymentIntentId = typeof s.payment_intent === 'string' ? s.payment_intent : (s.payment_intent?.id ?? null);
  const actor = systemActor(c.organization_id, 'stripe');
  // What Stripe took must be what we asked for; anything else is recorded and applied to nothing.
  if (s.amount_total !== c.amount_minor || (s.currency ?? '').toUpperCase() !== c.currency) {
    await repo.markCheckout(tx, c.id, { state: 'mismatch', session_id: s.id, payment_intent_id: paymentIntentId, amount_paid_minor: s.amount_total ?? null, updated_at: now });
    await audit(tx, actor, { action: 'stripe.amount-mismatch', entityType: c.subject_kind, entityId: c.subject_id, after: { checkoutId: c.id, asked: { amountMinor: c.amount_minor, currency: c.currency }, paid: { amountMinor: s.amount_total, currency: s.currency } } });
    return { outcome: 'amount-mismatch', orgId: c.organization_id, linkPaid: link };
  }
  const paid = await repo.markCheckout(tx, c.id, { state: 'paid', session_id: s.id, payment_intent_id: paymentIntentId, amount_paid_minor: s.amount_total, paid_at: now, updated_at: now });
  await audit(tx, actor, { action: 'stripe.paid', entityType: c.subject_kind, entityId: c.subject_id, after: { checkoutId: c.id, sessionId: s.id, paymentIntentId, amountMinor: c.amount_minor, currency: c.currency } });
  const h = paidHandlers.get(c.subject_kind);
  if (h) await h(tx, { orgId: c.organization_id, subject: { kind: c.subject_kind, id: c.subject_id }, checkoutId: c.id, amountMinor: c.amount_minor, currency: c.currency, paymentIntentId, paidAt: now });
  // Refunds reported before the payment (events out of order) apply now, after it.
  for (const r of await repo.unappliedRefunds(tx, c.organization_id, c.id)) await applyRefund(tx, paid, r, now);
  return { outcome: 'processed', orgId: c.organization_id, linkPaid: link };
}

async function sessionExpired(tx: Tx, s: Stripe.Checkout.Session, now: Date): Promise<Dispatched> {
  const c = await checkoutOfSession(tx, s);
  if (!c) return { outcome: 'ignored' };
  // One of a Payment Link's sessions lapsing leaves the link itself usable.
  if (c.state === 'open' && !c.payment_link_id) await repo.markCheckout(tx, c.id, { state: 'expired', updated_at: now });
  return { outcome: 'processed', orgId: c.organization_id };
}

const isId = (x: unknown): x is string => typeof x === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(x);

async function refundEvent(tx: Tx, stripe: Stripe, re: Stripe.Refund, now: Date): Promise<Dispatched> {
  let c: repo.CheckoutRow | undefined;
  const ours = (m: Stripe.Metadata | null | undefined) => (isId(m?.aftercare_checkout) && isId(m?.aftercare_org) ? repo.lockCheckout(tx, m.aftercare_org, m.aftercare_checkout) : undefined);
  c = await ours(re.metadata);
  const pi = typeof re.payment_intent === 'string' ? re.payment_intent : re.payment_intent?.id;
  // A refund made in Stripe's dashboard carries no metadata of ours: found by its payment, which
  // carries ours (asked for at checkout) even when its own event has not reached us yet.
  if (!c && pi) c = await repo.lockCheckoutByPaymentIntent(tx, pi);
  if (!c && pi) {
    try {
      c = await ours((await stripe.paymentIntents.retrieve(pi)).metadata);
    } catch (e) {
      if (!(e instanceof Stripe.errors.StripeError)) throw e;
    }
  }
  if (!c) return { outcome: 'ignored' };
  await recordRefund(tx, c, re, now);
  return { outcome: 'processed', orgId: c.organization_id };
}

// Kept for tests and the demo: the handlers registered so far.
export const registeredStripeKinds = () => ({ paid: [...paidHandlers.keys()], refunded: [...refundedHandlers.keys()] });
// The one query others may want: what was paid online for a subject.
export async function paidOnline(db: Db | Tx, orgId: string, subject: StripeSubject) {
  const r = await sql<{ paid: number; refunded: number }>`select coalesce(sum(amount_paid_minor), 0)::int as paid, coalesce(sum(amount_refunded_minor), 0)::int as refunded
    from stripe_checkouts where organization_id = ${orgId} and subject_kind = ${subject.kind} and subject_id = ${subject.id} and state = 'paid'`.execute(db);
  return r.rows[0];
}
