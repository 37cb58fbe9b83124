// A refund Stripe rejects later (issue 14): refund.failed, refund.updated and charge.refund.updated
// with status failed, signed with the SDK's test-header helper and delivered to the app, against the
// local Stripe stand-in. The pending refund becomes failed with Stripe's failure_reason, no credit
// note is issued (one issued when Stripe first said succeeded is taken back), the balance is what it
// was before the refund, and staff can try again with a new Idempotency-Key; the same key still
// answers the first answer and asks Stripe nothing. Delivered five times, or before the refund's own
// answer, one outcome.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestContext } from '../../../test/db.ts';
import { withStripeApp, type StandIn, type StripeApp } from '../../../test/stripe-stand-in.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let x: StripeApp;
let t: TestContext;
let s: StandIn;
let now: Date;

beforeAll(async () => {
  x = await withStripeApp({ name: 'refund_failures', publicUrl: 'https://pg.example.bg' });
  ({ t, s, now } = x);
});
afterAll(() => x?.close());
beforeEach(() => {
  s.refundStatus = 'succeeded';
  s.beforeRefundAnswer = undefined;
});

const inject = async (method: 'GET' | 'POST', url: string, payload?: object, headers: Record<string, string> = {}, cookie: string | undefined = t.cookies['itema-pg']['front-desk']) => {
  const r = await t.app.inject({ method, url, headers: { ...(cookie ? { cookie } : {}), ...headers }, ...(payload ? { payload } : {}) });
  return { status: r.statusCode, body: r.body ? (r.json() as Json) : {} };
};
const deliver = (event: object) => x.deliver(event);
let n = 0;
/** An order whose quote (150,00 EUR) the client accepted and paid online; answers the payment. */
async function paidOnline() {
  const c = await inject('POST', '/api/v1/claims', {
    channel: 'walk-in',
    customer: { name: 'Мария Иванова', email: `refund-fail${++n}@example.bg`, phone: '+359 88 123 4567', preferredLanguage: 'bg' },
    device: { serial: `REFUND-FAIL-${n}`, manufacturer: 'Lenovo', model: 'ThinkPad T14', category: 'laptop' },
    problem: 'Не зарежда',
    workOrder: { termsAccepted: true, accessories: [], complete: true, visibleCondition: 'добро', dataBackedUp: true, passwordsRemoved: true, problemInClientsWords: 'Не зарежда', signedBy: 'Мария Иванова' },
  });
  expect(c.status, JSON.stringify(c.body)).toBe(201);
  const id = c.body.order.id as string;
  const token = c.body.orderPage.token as string;
  const act = async (body: object) => {
    const cur = (await inject('GET', `/api/v1/service-orders/${id}`)).body;
    expect((await inject('POST', `/api/v1/service-orders/${id}/actions`, { version: cur.version, ...body })).status).toBe(200);
  };
  await act({ action: 'start-diagnosis' });
  await act({ action: 'quote', lines: [{ kind: 'labour', description: 'Подмяна на букса', unitMinor: 15000 }], duration: '2 работни дни', advice: 'Ремонтът си струва', worthRepairing: true });
  const page = (await inject('GET', `/api/v1/order-page/${token}`, undefined, {}, undefined)).body;
  expect((await inject('POST', `/api/v1/order-page/${token}/decision`, { decision: 'accept', version: page.version }, {}, undefined)).status).toBe(200);
  const co = await inject('POST', `/api/v1/order-page/${token}/checkout`, undefined, {}, undefined);
  expect(co.status).toBe(200);
  expect((await deliver(s.complete(co.body.url.split('/pay/')[1]))).json().outcome).toBe('processed');
  const order = (await inject('GET', `/api/v1/service-orders/${id}`)).body;
  expect(order.payments).toHaveLength(1);
  return { id, payment: order.payments[0] as Json, balance: order.balance as Json };
}
const rows = async (id: string) => ({
  refunds: await t.db.selectFrom('order_refunds').selectAll().where('order_id', '=', id).orderBy('created_at').orderBy('id').execute(),
  creditNotes: await t.db.selectFrom('tax_documents').selectAll().where('subject_id', '=', id).where('kind', '=', 'credit-note').execute(),
  audit: (await t.db.selectFrom('audit_events').select(['action', 'after']).where('entity_id', '=', id).execute()).map((a) => a.action),
});
const refundsAsked = (from: number) => s.requests.slice(from).filter((q) => q.path === '/v1/refunds');

describe('a refund Stripe rejects later (issue 14)', () => {
  it('a pending refund that Stripe reports failed (five times, and as refund.updated and charge.refund.updated) fails once with Stripe’s reason: no credit note, the balance as before', async () => {
    const { id, payment, balance } = await paidOnline();
    s.refundStatus = 'pending';
    const before = s.requests.length;
    const body = { paymentId: payment.id, amountMinor: 3000, reason: 'Отстъпка за забавяне' };
    const first = await inject('POST', `/api/v1/service-orders/${id}/refunds`, body, { 'idempotency-key': `refund-a-${id}` });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const asked = refundsAsked(before);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ method: 'POST', path: '/v1/refunds', idempotencyKey: expect.stringMatching(/^aftercare-refund-[0-9a-f-]{36}$/), form: { payment_intent: expect.stringMatching(/^pi_test_/), amount: '3000', 'metadata[aftercare_checkout]': expect.any(String), 'metadata[aftercare_refund]': expect.any(String) } });
    expect(first.body.refunds).toMatchObject([{ status: 'pending', amountMinor: 3000, failureReason: null }]);
    // While the money travels the balance does not swing.
    expect(first.body.balance.due).toBe(balance.due);
    expect((await rows(id)).creditNotes).toHaveLength(0);

    const reId = (await t.db.selectFrom('stripe_refunds').select('refund_id').where('idempotency_key', '=', `order-refund:${(await rows(id)).refunds[0].id}`).executeTakeFirstOrThrow()).refund_id!;
    const failed = s.failRefund(reId, 'expired_or_canceled_card');
    const events = [s.event('refund.failed', failed), s.event('refund.updated', failed), s.event('charge.refund.updated', failed)];
    const answers = await Promise.all([...Array.from({ length: 5 }, () => deliver(events[0])), deliver(events[1]), deliver(events[2])]);
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200, 200, 200]);
    expect(answers.slice(0, 5).map((a) => a.json().outcome).sort()).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'processed']);

    const r = await rows(id);
    expect(r.refunds).toHaveLength(1);
    expect(r.refunds[0]).toMatchObject({ status: 'failed', failure_reason: 'expired_or_canceled_card', credit_note_id: null });
    expect(r.creditNotes).toHaveLength(0);
    expect(r.audit.filter((a) => a === 'service-order.refund-failed')).toHaveLength(1);
    expect(r.audit.filter((a) => a === 'stripe.refund-failed')).toHaveLength(1);
    const order = (await inject('GET', `/api/v1/service-orders/${id}`)).body;
    expect(order.balance).toEqual(balance);
    expect(order.payments[0].refundedMinor).toBe(0);
    expect(order.refunds[0]).toMatchObject({ status: 'failed', failureReason: 'expired_or_canceled_card', failedAt: now.toISOString() });
    const stripeRow = await t.db.selectFrom('stripe_refunds').selectAll().where('refund_id', '=', reId).executeTakeFirstOrThrow();
    expect(stripeRow).toMatchObject({ state: 'failed', failure_reason: 'expired_or_canceled_card', applied_at: null });

    // The same Idempotency-Key again: the first answer, and Stripe is asked nothing.
    const again = await inject('POST', `/api/v1/service-orders/${id}/refunds`, body, { 'idempotency-key': `refund-a-${id}` });
    expect(again.status).toBe(200);
    expect(again.body.refunds).toMatchObject([{ status: 'pending' }]);
    expect(refundsAsked(before)).toHaveLength(1);

    // Trying again from the console: a new Idempotency-Key, a new refund, a new key at Stripe; it succeeds with its credit note.
    s.refundStatus = 'succeeded';
    const retry = await inject('POST', `/api/v1/service-orders/${id}/refunds`, body, { 'idempotency-key': `refund-b-${id}` });
    expect(retry.status, JSON.stringify(retry.body)).toBe(200);
    const asked2 = refundsAsked(before);
    expect(asked2).toHaveLength(2);
    expect(asked2[1].idempotencyKey).toMatch(/^aftercare-refund-/);
    expect(asked2[1].idempotencyKey).not.toBe(asked2[0].idempotencyKey);
    expect(asked2[1].form).toMatchObject({ amount: '3000' });
    expect(retry.body.refunds.map((x: Json) => x.status)).toEqual(['failed', 'done']);
    expect((await rows(id)).creditNotes).toHaveLength(1);
    expect(retry.body.balance).toMatchObject({ charged: balance.charged - 3000, paid: balance.paid - 3000, due: balance.due });
  });

  it('refund.failed arriving before the refund’s own answer (which still says pending) leaves it failed, once', async () => {
    const { id, payment, balance } = await paidOnline();
    s.refundStatus = 'pending';
    const outcomes: string[] = [];
    s.beforeRefundAnswer = async (re) => {
      const failed = s.failRefund(re.id as string, 'lost_or_stolen_card');
      const ev = s.event('refund.failed', failed);
      for (const a of await Promise.all(Array.from({ length: 5 }, () => deliver(ev)))) outcomes.push(a.json().outcome);
    };
    const res = await inject('POST', `/api/v1/service-orders/${id}/refunds`, { paymentId: payment.id, amountMinor: 15000, reason: 'Отказ от ремонта' }, { 'idempotency-key': `refund-c-${id}` });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(outcomes.sort()).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'processed']);
    expect(res.body.refunds).toMatchObject([{ status: 'failed', failureReason: 'lost_or_stolen_card' }]);
    expect(res.body.balance).toEqual(balance);
    const r = await rows(id);
    expect(r.refunds).toHaveLength(1);
    expect(r.creditNotes).toHaveLength(0);
    expect(r.audit.filter((a) => a === 'service-order.refund-failed')).toHaveLength(1);
    // The stale "pending" answer did not bring it back.
    expect(await t.db.selectFrom('stripe_refunds').select(['state', 'failure_reason']).where('idempotency_key', '=', `order-refund:${r.refunds[0].id}`).executeTakeFirstOrThrow()).toEqual({ state: 'failed', failure_reason: 'lost_or_stolen_card' });
  });

  it('a refund Stripe first reported succeeded and then failed takes its credit note’s credit back: the balance is as before, and no second credit note', async () => {
    const { id, payment, balance } = await paidOnline();
    const res = await inject('POST', `/api/v1/service-orders/${id}/refunds`, { paymentId: payment.id, amountMinor: 5000, reason: 'Отстъпка' }, { 'idempotency-key': `refund-d-${id}` });
    expect(res.body.refunds).toMatchObject([{ status: 'done' }]);
    const note = (await rows(id)).creditNotes[0];
    expect(note).toBeDefined();
    const reId = (await rows(id)).refunds[0].external_ref!;
    const ev = s.event('refund.failed', s.failRefund(reId, 'declined'));
    await Promise.all(Array.from({ length: 5 }, () => deliver(ev)));
    const order = (await inject('GET', `/api/v1/service-orders/${id}`)).body;
    expect(order.balance).toEqual(balance);
    expect(order.refunds).toMatchObject([{ status: 'failed', failureReason: 'declined', creditNoteId: note.id }]);
    expect(order.charges.filter((c: Json) => c.kind === 'credit').map((c: Json) => c.amountMinor).sort()).toEqual([-5000, 5000]);
    expect(order.charges.find((c: Json) => c.kind === 'credit' && c.amountMinor === 5000).note).toContain(note.number);
    const r = await rows(id);
    expect(r.creditNotes).toHaveLength(1);
    expect(r.audit.filter((a) => a === 'service-order.refund-failed')).toHaveLength(1);
    const checkout = await t.db.selectFrom('stripe_checkouts').select('amount_refunded_minor').where('subject_id', '=', id).executeTakeFirstOrThrow();
    expect(checkout.amount_refunded_minor).toBe(0);
  });
});
