// Online payments (issue 14): the official SDK against a local stand-in answering Stripe's
// endpoints, webhooks signed with the SDK's own test-header helper. Checks the exact requests
// (amounts, currency, metadata, idempotency keys) and that money is never lost or doubled.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NOW, setupApp, snapshot, type TestContext } from '../../../test/db.ts';
import { startStripeStandIn, type StandIn } from '../../../test/stripe-stand-in.ts';
import { createCheckout, createRefund, onStripePaid, onStripeRefunded } from './stripe.service.ts';
import type { Config } from '../../config.ts';

const SECRET = 'whsec_testsecret';
const NOW = new Date(DEMO_NOW.getTime());
const seconds = () => Math.floor(NOW.getTime() / 1000);

let t: TestContext;
let s: StandIn;
let stripeConfig: Config['stripe'];
let org: string;

// A test-only kind of thing paid for: each handler call leaves one row.
onStripePaid('test-thing', async (tx, c) => {
  await sql`insert into test_stripe_effects (kind, checkout_id, amount) values ('paid', ${c.checkoutId}, ${c.amountMinor})`.execute(tx);
});
onStripeRefunded('test-thing', async (tx, c) => {
  await sql`insert into test_stripe_effects (kind, checkout_id, amount) values ('refunded', ${c.checkoutId}, ${c.amountMinor})`.execute(tx);
});

beforeAll(async () => {
  s = await startStripeStandIn({ secret: SECRET, clock: seconds });
  stripeConfig = { secretKey: 'sk_test_aftercare', webhookSecret: SECRET, apiUrl: s.url };
  t = await setupApp({ config: { stripe: stripeConfig }, now: () => NOW });
  org = t.orgs.its;
  await sql`create table test_stripe_effects (id serial primary key, kind text not null, checkout_id uuid not null, amount integer not null)`.execute(t.db);
});
afterAll(async () => {
  await t?.close();
  await s?.close();
});

const deps = () => ({ db: t.db, config: { stripe: stripeConfig }, now: () => NOW });
const subjectId = () => crypto.randomUUID();
const effects = async (checkoutId: string) => (await sql<{ kind: string; amount: number }>`select kind, amount from test_stripe_effects where checkout_id = ${checkoutId} order by id`.execute(t.db)).rows;

async function deliver(event: object, signature?: string) {
  const payload = JSON.stringify(event);
  return t.app.inject({ method: 'POST', url: '/api/v1/stripe/webhook', headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signature ?? s.sign(payload) }, payload });
}

async function paidCheckout(amount = 4900) {
  const c = await createCheckout(deps(), { orgId: org, subject: { kind: 'test-thing', id: subjectId() }, amountMinor: amount, currency: 'USD', description: 'Extended warranty, 6 months', idempotencyKey: `k-${subjectId()}`, successUrl: 'http://localhost/ok', cancelUrl: 'http://localhost/cancel' });
  const ev = s.complete(c.sessionId);
  return { c, ev };
}

describe('checkout', () => {
  it('asks Stripe for a one-line Checkout Session with the amount, currency, metadata and an idempotency key derived from our record', async () => {
    const id = subjectId();
    const before = s.requests.length;
    const c = await createCheckout(deps(), { orgId: org, subject: { kind: 'test-thing', id }, amountMinor: 4900, currency: 'usd', description: 'Registration fee', idempotencyKey: 'reg-1', successUrl: 'http://localhost/ok?s={CHECKOUT_SESSION_ID}', cancelUrl: 'http://localhost/cancel', customerEmail: 'ann@example.com' });
    const sent = s.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: 'POST', path: '/v1/checkout/sessions', idempotencyKey: `aftercare-checkout-${c.checkoutId}`, authorization: 'Bearer sk_test_aftercare' });
    const meta = { aftercare_org: org, aftercare_checkout: c.checkoutId, aftercare_kind: 'test-thing', aftercare_subject: id };
    expect(sent[0].form).toEqual({
      mode: 'payment',
      client_reference_id: c.checkoutId,
      'line_items[0][quantity]': '1',
      'line_items[0][price_data][currency]': 'usd',
      'line_items[0][price_data][unit_amount]': '4900',
      'line_items[0][price_data][product_data][name]': 'Registration fee',
      success_url: 'http://localhost/ok?s={CHECKOUT_SESSION_ID}',
      cancel_url: 'http://localhost/cancel',
      customer_email: 'ann@example.com',
      ...Object.fromEntries(Object.entries(meta).map(([k, v]) => [`metadata[${k}]`, v])),
      ...Object.fromEntries(Object.entries(meta).map(([k, v]) => [`payment_intent_data[metadata][${k}]`, v])),
    });
    expect(c.url).toBe(`${s.url}/pay/${c.sessionId}`);
    const row = await t.db.selectFrom('stripe_checkouts').selectAll().where('id', '=', c.checkoutId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ organization_id: org, amount_minor: 4900, currency: 'USD', state: 'open', session_id: c.sessionId });
  });

  it('gives the same session for the same key, asking Stripe once; another payment under that key is refused', async () => {
    const id = subjectId();
    const input = { orgId: org, subject: { kind: 'test-thing', id }, amountMinor: 1500, currency: 'USD', description: 'Fee', idempotencyKey: 'same-key', successUrl: 'http://localhost/ok', cancelUrl: 'http://localhost/c' };
    const before = s.requests.length;
    const [a, b] = await Promise.all([createCheckout(deps(), input), createCheckout(deps(), input)]);
    const c = await createCheckout(deps(), input);
    expect(new Set([a.checkoutId, b.checkoutId, c.checkoutId]).size).toBe(1);
    expect(c.sessionId).toBe(a.sessionId);
    // Two racing first calls may both ask Stripe, with one idempotency key: Stripe answers one session.
    const asked = s.requests.slice(before);
    expect(new Set(asked.map((r) => r.idempotencyKey))).toEqual(new Set([`aftercare-checkout-${a.checkoutId}`]));
    expect(await t.db.selectFrom('stripe_checkouts').select('id').where('idempotency_key', '=', 'same-key').execute()).toHaveLength(1);
    await expect(createCheckout(deps(), { ...input, amountMinor: 1600 })).rejects.toMatchObject({ code: 'idempotency-key-reused' });
  });

  it('refuses without keys: online payment is not offered', async () => {
    await expect(createCheckout({ db: t.db, config: {} }, { orgId: org, subject: { kind: 'test-thing', id: subjectId() }, amountMinor: 100, currency: 'USD', description: 'x', idempotencyKey: 'nokeys', successUrl: 'http://x/', cancelUrl: 'http://x/' })).rejects.toMatchObject({ code: 'stripe-not-configured', status: 404 });
  });
});

describe('webhook', () => {
  it('confirms a payment once: the same event delivered 5 times, then 5 at once, leaves one payment and one effect', async () => {
    const { c, ev } = await paidCheckout();
    const first = await deliver(ev);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ received: true, outcome: 'processed' });
    for (let i = 0; i < 4; i++) expect((await deliver(ev)).json()).toEqual({ received: true, outcome: 'duplicate' });
    const again = await Promise.all(Array.from({ length: 5 }, () => deliver(ev)));
    expect(again.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(await effects(c.checkoutId)).toEqual([{ kind: 'paid', amount: 4900 }]);
    const row = await t.db.selectFrom('stripe_checkouts').selectAll().where('id', '=', c.checkoutId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'paid', amount_paid_minor: 4900 });
    expect(row.payment_intent_id).toMatch(/^pi_test_/);
    expect(await t.db.selectFrom('stripe_events').selectAll().where('id', '=', ev.id as string).execute()).toHaveLength(1);
  });

  it('a second event for the same payment (async_payment_succeeded after completed) changes nothing', async () => {
    const { c, ev } = await paidCheckout();
    await deliver(ev);
    const second = s.event('checkout.session.async_payment_succeeded', (ev as { data: { object: object } }).data.object as Record<string, unknown>);
    expect((await deliver(second)).json()).toEqual({ received: true, outcome: 'duplicate' });
    expect(await effects(c.checkoutId)).toHaveLength(1);
  });

  it('refuses a bad signature with 400 and changes nothing', async () => {
    const { c, ev } = await paidCheckout();
    const payload = JSON.stringify(ev);
    const before = await snapshot(t.db);
    const events = await t.db.selectFrom('stripe_events').select('id').execute();
    for (const sig of [s.sign(payload, 'whsec_other'), 't=1,v1=00', '', s.sign(payload.replace('4900', '4901'))]) {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/stripe/webhook', headers: { 'content-type': 'application/json', 'stripe-signature': sig }, payload });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ code: 'webhook-signature-invalid', errors: [{ field: 'headers.stripe-signature' }] });
    }
    // Signed, but too old (the SDK's tolerance is 5 minutes around the moment received).
    const old = (await import('stripe')).default.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp: seconds() - 3600 });
    expect((await deliver(ev, old)).statusCode).toBe(400);
    expect(await snapshot(t.db)).toEqual(before);
    expect(await t.db.selectFrom('stripe_events').select('id').execute()).toEqual(events);
    expect(await effects(c.checkoutId)).toEqual([]);
  });

  it('acknowledges and ignores event types it does not use, and sessions that are not ours', async () => {
    expect((await deliver(s.event('customer.created', { id: 'cus_1', object: 'customer' }))).json()).toEqual({ received: true, outcome: 'ignored' });
    expect((await deliver(s.event('checkout.session.completed', { id: 'cs_elsewhere', object: 'checkout.session', metadata: {}, payment_status: 'paid', amount_total: 100, currency: 'usd' }))).json()).toEqual({ received: true, outcome: 'ignored' });
  });

  it('does not confirm a payment whose amount or currency differs from what was asked', async () => {
    const { c, ev } = await paidCheckout(4900);
    const obj = (ev as { data: { object: Record<string, unknown> } }).data.object;
    const tampered = s.event('checkout.session.completed', { ...obj, amount_total: 100 });
    expect((await deliver(tampered)).json()).toEqual({ received: true, outcome: 'amount-mismatch' });
    expect(await effects(c.checkoutId)).toEqual([]);
    expect(await t.db.selectFrom('stripe_checkouts').select('state').where('id', '=', c.checkoutId).executeTakeFirstOrThrow()).toEqual({ state: 'mismatch' });
    const other = await paidCheckout(4900);
    const eur = s.event('checkout.session.completed', { ...(other.ev as { data: { object: Record<string, unknown> } }).data.object, currency: 'eur' });
    expect((await deliver(eur)).json()).toMatchObject({ outcome: 'amount-mismatch' });
  });

  it('waits for an asynchronous payment method: a completed but unpaid session confirms nothing', async () => {
    const c = await createCheckout(deps(), { orgId: org, subject: { kind: 'test-thing', id: subjectId() }, amountMinor: 700, currency: 'USD', description: 'x', idempotencyKey: `k-${subjectId()}`, successUrl: 'http://x/', cancelUrl: 'http://x/' });
    const ev = s.complete(c.sessionId, { payment_status: 'unpaid' });
    expect((await deliver(ev)).json()).toMatchObject({ outcome: 'ignored' });
    expect(await effects(c.checkoutId)).toEqual([]);
    const obj = (ev as { data: { object: Record<string, unknown> } }).data.object;
    expect((await deliver(s.event('checkout.session.async_payment_succeeded', { ...obj, payment_status: 'paid' }))).json()).toMatchObject({ outcome: 'processed' });
    expect(await effects(c.checkoutId)).toEqual([{ kind: 'paid', amount: 700 }]);
  });
});

describe('refunds', () => {
  it('refunds part of a payment through Stripe with the exact request; the webhook reporting it adds nothing', async () => {
    const { c, ev } = await paidCheckout(4900);
    await deliver(ev);
    const before = s.requests.length;
    const r = await createRefund(deps(), { orgId: org, checkoutId: c.checkoutId, amountMinor: 1000, idempotencyKey: 'refund-1' });
    const sent = s.requests.slice(before);
    const pi = (await t.db.selectFrom('stripe_checkouts').select('payment_intent_id').where('id', '=', c.checkoutId).executeTakeFirstOrThrow()).payment_intent_id;
    expect(sent).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/v1/refunds',
        idempotencyKey: `aftercare-refund-${r.id}`,
        form: { payment_intent: pi, amount: '1000', 'metadata[aftercare_org]': org, 'metadata[aftercare_checkout]': c.checkoutId, 'metadata[aftercare_refund]': r.id },
      }),
    ]);
    expect(r).toMatchObject({ state: 'succeeded', amount_minor: 1000 });
    const re = s.refunds.get(r.refund_id!)!;
    for (let i = 0; i < 5; i++) await deliver(s.event('refund.created', re));
    await deliver(s.event('refund.updated', re));
    expect(await effects(c.checkoutId)).toEqual([{ kind: 'paid', amount: 4900 }, { kind: 'refunded', amount: 1000 }]);
    expect(await t.db.selectFrom('stripe_refunds').select('id').where('checkout_id', '=', c.checkoutId).execute()).toHaveLength(1);
    // The same key again: the same refund, Stripe not asked twice.
    const n = s.requests.length;
    expect((await createRefund(deps(), { orgId: org, checkoutId: c.checkoutId, amountMinor: 1000, idempotencyKey: 'refund-1' })).id).toBe(r.id);
    expect(s.requests.length).toBe(n);
    await expect(createRefund(deps(), { orgId: org, checkoutId: c.checkoutId, amountMinor: 4000, idempotencyKey: 'refund-2' })).rejects.toMatchObject({ code: 'refund-exceeds-payment', extra: { refundableMinor: 3900 } });
    expect((await t.db.selectFrom('stripe_checkouts').select('amount_refunded_minor').where('id', '=', c.checkoutId).executeTakeFirstOrThrow()).amount_refunded_minor).toBe(1000);
  });

  it('a payment and a refund racing (the refund reported first, then both again at once) leave one payment and one refund, the refund applied after the payment', async () => {
    const { c, ev } = await paidCheckout(2500);
    const sessionId = (ev as { data: { object: { id: string } } }).data.object.id;
    const re = s.dashboardRefund(sessionId, 2500);
    const refundEv = s.event('refund.created', re);
    // Out of order: the refund first (found through its payment's metadata), then the payment.
    expect((await deliver(refundEv)).json()).toMatchObject({ outcome: 'processed' });
    expect(await effects(c.checkoutId)).toEqual([]);
    const all = await Promise.all([deliver(ev), deliver(refundEv), deliver(ev), deliver(s.event('refund.updated', re)), deliver(ev)]);
    expect(all.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(await effects(c.checkoutId)).toEqual([{ kind: 'paid', amount: 2500 }, { kind: 'refunded', amount: 2500 }]);
    expect(await t.db.selectFrom('stripe_refunds').select(['refund_id', 'state']).where('checkout_id', '=', c.checkoutId).execute()).toEqual([{ refund_id: re.id, state: 'succeeded' }]);
  });

  it('our refund and its webhook racing leave one refund record', async () => {
    const { c, ev } = await paidCheckout(3000);
    await deliver(ev);
    // The webhook for the refund may arrive while our request to Stripe is still waiting for its answer.
    const deliveries: Promise<unknown>[] = [];
    const seen = s.refunds.size;
    const refund = createRefund(deps(), { orgId: org, checkoutId: c.checkoutId, amountMinor: 3000, idempotencyKey: 'race-1' });
    const timer = setInterval(() => {
      if (s.refunds.size > seen) {
        clearInterval(timer);
        const re = [...s.refunds.values()].at(-1)!;
        deliveries.push(deliver(s.event('refund.created', re)), deliver(s.event('refund.created', re)));
      }
    }, 1);
    await refund;
    clearInterval(timer);
    await Promise.all(deliveries);
    expect(await t.db.selectFrom('stripe_refunds').select('id').where('checkout_id', '=', c.checkoutId).execute()).toHaveLength(1);
    expect(await effects(c.checkoutId)).toEqual([{ kind: 'paid', amount: 3000 }, { kind: 'refunded', amount: 3000 }]);
  });
});

describe('without keys', () => {
  it('the webhook answers 404 stripe-not-configured', async () => {
    const u = await setupApp({ demo: false });
    try {
      const r = await u.app.inject({ method: 'POST', url: '/api/v1/stripe/webhook', headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' }, payload: '{}' });
      expect(r.statusCode).toBe(404);
      expect(r.json()).toMatchObject({ code: 'stripe-not-configured' });
    } finally {
      await u.close();
    }
  });
});
