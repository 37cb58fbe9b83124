// A repair quote with lines and tax accepted and paid online from the order page, and a part refund
// through Stripe from the console (issue 14): the official SDK against the local stand-in, the exact
// requests checked, webhooks signed with the SDK's test-header helper. Money is never lost or
// doubled: a webhook delivered five times at once, a refund's answer and its webhook racing, a payment
// and a dashboard refund arriving together each leave exactly one record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestContext } from '../../../test/db.ts';
import { withStripeApp, type StandIn, type StripeApp } from '../../../test/stripe-stand-in.ts';
import { hasPdftotext, pdfText } from '../../../test/pdf-text.ts';
import fs from 'node:fs';
import path from 'node:path';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let x: StripeApp;
let t: TestContext;
let s: StandIn;

beforeAll(async () => {
  x = await withStripeApp({ name: 'orders', publicUrl: 'https://pg.example.bg' });
  ({ t, s } = x);
});
afterAll(() => x?.close());

const inject = async (method: 'GET' | 'POST', url: string, payload?: object, headers: Record<string, string> = {}, cookie: string | undefined = t.cookies['itema-pg']['front-desk']) => {
  const r = await t.app.inject({ method, url, headers: { ...(cookie ? { cookie } : {}), ...headers }, ...(payload ? { payload } : {}) });
  return { status: r.statusCode, body: r.body ? (r.json() as Json) : {} };
};
const deliver = (event: object) => x.deliver(event);
const LINES = [
  { kind: 'part', description: 'SSD 1 TB', unitMinor: 12000, partId: 'ssd-1tb' },
  { kind: 'labour', description: 'Подмяна и инсталация', quantity: 1.5, unitMinor: 3000 },
  { kind: 'discount', description: 'Отстъпка за редовен клиент', unitMinor: -1500 },
];
let n = 0;
async function acceptedOnline() {
  const c = await inject('POST', '/api/v1/claims', {
    channel: 'walk-in',
    customer: { name: 'Мария Иванова', email: `online${++n}@example.bg`, phone: '+359 88 123 4567', preferredLanguage: 'bg' },
    device: { serial: `ONLINE-${n}`, manufacturer: 'Lenovo', model: 'ThinkPad T14', category: 'laptop' },
    problem: 'Не зарежда',
    workOrder: { termsAccepted: true, accessories: [], complete: true, visibleCondition: 'добро', dataBackedUp: true, passwordsRemoved: true, problemInClientsWords: 'Не зарежда', signedBy: 'Мария Иванова' },
  });
  expect(c.status, JSON.stringify(c.body)).toBe(201);
  const id = c.body.order.id as string;
  const token = c.body.orderPage.token as string;
  const act = async (body: object) => {
    const cur = (await inject('GET', `/api/v1/service-orders/${id}`)).body;
    const r = await inject('POST', `/api/v1/service-orders/${id}/actions`, { version: cur.version, ...body });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };
  await act({ action: 'start-diagnosis' });
  await act({ action: 'quote', lines: LINES, duration: '3 работни дни', advice: 'Ремонтът си струва', worthRepairing: true });
  const page = (await inject('GET', `/api/v1/order-page/${token}`, undefined, {}, undefined)).body;
  const accepted = await inject('POST', `/api/v1/order-page/${token}/decision`, { decision: 'accept', version: page.version }, {}, undefined);
  expect(accepted.status).toBe(200);
  return { id, token, page: accepted.body };
}
const rows = async (id: string) => ({
  payments: await t.db.selectFrom('order_payments').selectAll().where('order_id', '=', id).execute(),
  refunds: await t.db.selectFrom('order_refunds').selectAll().where('order_id', '=', id).execute(),
  docs: await t.db.selectFrom('tax_documents').selectAll().where('subject_id', '=', id).orderBy('number').execute(),
});
const sessionOf = (url: string) => url.split('/pay/')[1];
/** The document's PDF (in the order's language) says these; kept under AFTERCARE_SCREENSHOTS to look at. */
async function pdfSays(id: string, words: string[]) {
  const r = await t.app.inject({ method: 'GET', url: `/api/v1/tax-documents/${id}/pdf`, headers: { cookie: t.cookies['itema-pg']['front-desk'] } });
  expect(r.statusCode).toBe(200);
  if (process.env.AFTERCARE_SCREENSHOTS) fs.writeFileSync(path.join(process.env.AFTERCARE_SCREENSHOTS, `tax-document-${id}.pdf`), r.rawPayload);
  if (!hasPdftotext) return;
  const text = pdfText(r.rawPayload).replace(/\s+/g, ' ');
  for (const w of words) expect(text).toContain(w);
}

describe('a quote paid online from the order page (issue 14)', () => {
  it('asks Stripe for exactly the quote’s total, and the webhook delivered five times at once records one payment with its receipt', async () => {
    const { id, token, page } = await acceptedOnline();
    expect(page).toMatchObject({ onlinePayment: true, due: { balanceMinor: 15000, currency: 'EUR' } });
    const before = s.requests.length;
    const co = await inject('POST', `/api/v1/order-page/${token}/checkout`, undefined, {}, undefined);
    expect(co.status, JSON.stringify(co.body)).toBe(200);
    const sent = s.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0].path).toBe('/v1/checkout/sessions');
    expect(sent[0].idempotencyKey).toMatch(/^aftercare-checkout-[0-9a-f-]{36}$/);
    expect(sent[0].form).toMatchObject({
      mode: 'payment',
      'line_items[0][price_data][unit_amount]': '15000',
      'line_items[0][price_data][currency]': 'eur',
      'metadata[aftercare_kind]': 'service-order',
      'metadata[aftercare_subject]': id,
      'payment_intent_data[metadata][aftercare_subject]': id,
      success_url: `https://pg.example.bg/order/${token}?lang=bg&paid=1`,
      cancel_url: `https://pg.example.bg/order/${token}?lang=bg`,
    });
    // The client presses twice: the same page, no second session.
    expect((await inject('POST', `/api/v1/order-page/${token}/checkout`, undefined, {}, undefined)).body.url).toBe(co.body.url);
    expect(s.requests.length).toBe(before + 1);
    expect((await rows(id)).payments).toHaveLength(0);

    const event = s.complete(sessionOf(co.body.url));
    const answers = await Promise.all(Array.from({ length: 5 }, () => deliver(event)));
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.map((a) => a.json().outcome).sort()).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'processed']);
    const r = await rows(id);
    expect(r.payments).toHaveLength(1);
    expect(r.payments[0]).toMatchObject({ method: 'stripe', amount_minor: 15000, external_ref: expect.stringMatching(/^pi_test_/) });
    const receipts = r.docs.filter((d) => d.kind === 'receipt');
    expect(receipts).toHaveLength(1);
    // The receipt's line in the order's language (Bulgarian), not English.
    expect(JSON.stringify(receipts[0])).toContain('Плащане по сервизна поръчка');
    await pdfSays(receipts[0].id, ['Плащане по сервизна поръчка', 'с карта онлайн', '150,00']);
    const after = (await inject('GET', `/api/v1/order-page/${token}`, undefined, {}, undefined)).body;
    expect(after.due).toMatchObject({ paidMinor: 15000, balanceMinor: 0 });
    // Nothing left to pay online.
    expect((await inject('POST', `/api/v1/order-page/${token}/checkout`, undefined, {}, undefined)).body).toMatchObject({ code: 'nothing-due' });
  });

  it('a part refund from the console goes back through Stripe once: its answer and its webhook (five times) complete one refund with one credit note', async () => {
    const { id, token } = await acceptedOnline();
    const co = await inject('POST', `/api/v1/order-page/${token}/checkout`, undefined, {}, undefined);
    await deliver(s.complete(sessionOf(co.body.url)));
    const payment = (await rows(id)).payments[0];

    const before = s.requests.length;
    const body = { paymentId: payment.id, amountMinor: 3000, reason: 'Отстъпка за забавяне' };
    const res = await inject('POST', `/api/v1/service-orders/${id}/refunds`, body, { 'idempotency-key': `refund-${id}` });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const sent = s.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: 'POST', path: '/v1/refunds', form: { payment_intent: payment.external_ref, amount: '3000' } });
    const r1 = await rows(id);
    expect(r1.refunds).toHaveLength(1);
    expect(sent[0].idempotencyKey).toMatch(/^aftercare-refund-/);
    expect(sent[0].form['metadata[aftercare_subject]'] ?? sent[0].form['metadata[aftercare_checkout]']).toBeTruthy();
    expect(r1.refunds[0]).toMatchObject({ status: 'done', method: 'stripe', amount_minor: 3000, external_ref: expect.stringMatching(/^re_test_/) });
    expect(r1.docs.filter((d) => d.kind === 'credit-note')).toHaveLength(1);
    await pdfSays(r1.docs.find((d) => d.kind === 'credit-note')!.id, ['Отстъпка за забавяне', '30,00']);
    expect(res.body.balance).toMatchObject({ due: 0 });

    // Stripe's own report of the same refund, five times at once, and a retried request: nothing more.
    const re = s.refunds.get(r1.refunds[0].external_ref!)!;
    const ev = s.event('refund.created', re);
    await Promise.all([...Array.from({ length: 5 }, () => deliver(ev)), inject('POST', `/api/v1/service-orders/${id}/refunds`, body, { 'idempotency-key': `refund-${id}` })]);
    const r2 = await rows(id);
    expect(r2.refunds).toHaveLength(1);
    expect(r2.docs.filter((d) => d.kind === 'credit-note')).toHaveLength(1);
    expect(s.requests.slice(before).filter((q) => q.path === '/v1/refunds')).toHaveLength(1);

    // More than is left of the payment: refused, nothing asked of Stripe.
    const over = await inject('POST', `/api/v1/service-orders/${id}/refunds`, { ...body, amountMinor: 12001 });
    expect(over.status).toBe(422);
    expect(over.body.code).toBe('refund-over-payment');
    expect(s.requests.slice(before).filter((q) => q.path === '/v1/refunds')).toHaveLength(1);
  });

  it('a payment and a refund made in Stripe’s dashboard racing (each delivered five times) leave exactly one payment and one refund', async () => {
    const { id, token } = await acceptedOnline();
    const co = await inject('POST', `/api/v1/order-page/${token}/checkout`, undefined, {}, undefined);
    const sid = sessionOf(co.body.url);
    const paid = s.complete(sid);
    const refunded = s.event('refund.created', s.dashboardRefund(sid, 2000));
    const all = await Promise.all(Array.from({ length: 5 }, () => [deliver(refunded), deliver(paid)]).flat());
    expect(all.every((a) => a.statusCode === 200)).toBe(true);
    const r = await rows(id);
    expect(r.payments).toHaveLength(1);
    expect(r.refunds).toHaveLength(1);
    expect(r.refunds[0]).toMatchObject({ amount_minor: 2000, method: 'stripe', status: 'done', kind: 'credit' });
    expect(r.docs.filter((d) => d.kind === 'credit-note')).toHaveLength(1);
    const page = (await inject('GET', `/api/v1/order-page/${token}`, undefined, {}, undefined)).body;
    expect(page.due).toMatchObject({ balanceMinor: 0 });
  });
});
