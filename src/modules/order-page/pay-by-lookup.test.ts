// Paying online from the order page found by number and contact, and the online deposit (issue 14):
// the official SDK against the local Stripe stand-in, the exact requests checked, the webhook signed
// with the SDK's test-header helper. The lookup keeps issue 15's protections (its rate limits, a plain
// 404 for a wrong pair, no contact of the client given to Stripe); paying decides nothing, so no
// one-time code is asked. The deposit is the business's own setting (service-center's pack asks 30 %
// of an accepted quote; no seed asks one).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestContext } from '../../../test/db.ts';
import { withStripeApp, type StandIn, type StripeApp } from '../../../test/stripe-stand-in.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let x: StripeApp;
let t: TestContext;
let s: StandIn;

beforeAll(async () => {
  x = await withStripeApp({ name: 'lookup_pay', publicUrl: 'https://shop.example' });
  ({ t, s } = x);
});
afterAll(() => x?.close());

const inject = async (method: 'GET' | 'POST', url: string, payload?: object, cookie?: string) => {
  const r = await t.app.inject({ method, url, headers: { ...(cookie ? { cookie } : {}) }, ...(payload ? { payload } : {}) });
  return { status: r.statusCode, body: r.body ? (r.json() as Json) : {} };
};
const deliver = (event: object) => x.deliver(event);
let n = 0;
/** An order of `org` whose quote (`amount`) the client accepted on the order page. */
async function accepted(org: 'itema-pg' | 'service-center', amount: number, lang: 'bg' | 'en') {
  const staff = t.cookies[org]['front-desk'];
  const email = `lookup-pay${++n}@example.com`;
  const c = await inject(
    'POST',
    '/api/v1/claims',
    {
      channel: 'walk-in',
      customer: { name: 'Client Test', email, phone: `+44 20 7946 0${String(100 + n).padStart(3, '0')}`, preferredLanguage: lang },
      device: { serial: `LOOKUP-PAY-${n}`, manufacturer: 'Lenovo', model: 'ThinkPad T14', category: 'laptop' },
      problem: 'Does not charge',
      workOrder: { termsAccepted: true, accessories: [], complete: true, visibleCondition: 'good', dataBackedUp: true, passwordsRemoved: true, problemInClientsWords: 'Does not charge', signedBy: 'Client Test' },
    },
    staff,
  );
  expect(c.status, JSON.stringify(c.body)).toBe(201);
  const id = c.body.order.id as string;
  const act = async (body: object) => {
    const cur = (await inject('GET', `/api/v1/service-orders/${id}`, undefined, staff)).body;
    const r = await inject('POST', `/api/v1/service-orders/${id}/actions`, { version: cur.version, ...body }, staff);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };
  await act({ action: 'start-diagnosis' });
  await act({ action: 'quote', lines: [{ kind: 'labour', description: 'Charging port', unitMinor: amount }], duration: '2 days', advice: 'Worth it', worthRepairing: true });
  const token = c.body.orderPage.token as string;
  const page = (await inject('GET', `/api/v1/order-page/${token}`)).body;
  expect((await inject('POST', `/api/v1/order-page/${token}/decision`, { decision: 'accept', version: page.version })).status).toBe(200);
  const number = (await inject('GET', `/api/v1/service-orders/${id}`, undefined, staff)).body.number as string;
  return { id, token, number, email, staff };
}
const payments = (id: string) => t.db.selectFrom('order_payments').selectAll().where('order_id', '=', id).execute();

describe('paying from the order page found by number and contact (issue 14, issue 15)', () => {
  it('shows "pay by card" there too, and asks Stripe for exactly what is due, with no contact of the client, back to the lookup', async () => {
    const { id, number, email } = await accepted('itema-pg', 15000, 'bg');
    const who = { organization: 'itema-pg', number, contact: email };
    const page = await inject('POST', '/api/v1/order-page/lookup', who);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ openedBy: 'lookup', onlinePayment: true, due: { balanceMinor: expect.any(Number) } });
    const due = page.body.due.balanceMinor as number;
    expect(due).toBeGreaterThan(0);

    const before = s.requests.length;
    const co = await inject('POST', '/api/v1/order-page/lookup/checkout', who);
    expect(co.status, JSON.stringify(co.body)).toBe(200);
    const sent = s.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0].path).toBe('/v1/checkout/sessions');
    expect(sent[0].idempotencyKey).toMatch(/^aftercare-checkout-[0-9a-f-]{36}$/);
    expect(sent[0].form).toMatchObject({
      mode: 'payment',
      'line_items[0][price_data][unit_amount]': String(due),
      'line_items[0][price_data][currency]': 'eur',
      'metadata[aftercare_kind]': 'service-order',
      'metadata[aftercare_subject]': id,
      success_url: 'https://shop.example/order?org=itema-pg&lang=bg&paid=1',
      cancel_url: 'https://shop.example/order?org=itema-pg&lang=bg',
    });
    expect(sent[0].form.customer_email).toBeUndefined();
    expect(Object.values(sent[0].form).join(' ')).not.toContain(email);
    // Pressed again: the same page.
    expect((await inject('POST', '/api/v1/order-page/lookup/checkout', who)).body.url).toBe(co.body.url);
    expect(s.requests.length).toBe(before + 1);

    const answers = await Promise.all(Array.from({ length: 5 }, () => deliver(s.complete(co.body.url.split('/pay/')[1]))));
    expect(answers.every((a) => a.statusCode === 200)).toBe(true);
    expect(await payments(id)).toHaveLength(1);
    expect((await inject('POST', '/api/v1/order-page/lookup', who)).body.due.balanceMinor).toBe(0);
  });

  it('a wrong contact is a plain 404 and Stripe is asked nothing; bad input names the field', async () => {
    const { number } = await accepted('itema-pg', 9000, 'bg');
    const before = s.requests.length;
    const wrong = await inject('POST', '/api/v1/order-page/lookup/checkout', { organization: 'itema-pg', number, contact: 'someone.else@example.com' });
    expect(wrong.status).toBe(404);
    expect(wrong.body.code).toBe('not-found');
    const bad = await inject('POST', '/api/v1/order-page/lookup/checkout', { organization: 'itema-pg', number, contact: 'x@example.com', what: 'everything' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.errors)).toContain('body.what');
    const noContact = await inject('POST', '/api/v1/order-page/lookup/checkout', { organization: 'itema-pg', number });
    expect(noContact.status).toBe(400);
    expect(JSON.stringify(noContact.body.errors)).toContain('body.contact');
    expect(s.requests.length).toBe(before);
  });
});

describe('an online deposit (issue 14; the business’s own setting)', () => {
  it('service-center asks 30 % of the accepted quote: the order page offers it, Stripe is asked for exactly that, the webhook records a deposit once', async () => {
    const { id, token } = await accepted('service-center', 12000, 'en');
    const page = (await inject('GET', `/api/v1/order-page/${token}`)).body;
    expect(page.deposit).toEqual({ percent: 30, amountMinor: 3600, dueMinor: 3600 });
    const before = s.requests.length;
    const co = await inject('POST', `/api/v1/order-page/${token}/checkout`, { what: 'deposit' });
    expect(co.status, JSON.stringify(co.body)).toBe(200);
    const sent = s.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0].form).toMatchObject({
      'line_items[0][price_data][unit_amount]': '3600',
      'line_items[0][price_data][currency]': 'gbp',
      'line_items[0][price_data][product_data][name]': expect.stringMatching(/^Deposit for service order /),
      'metadata[aftercare_kind]': 'service-order-deposit',
      'metadata[aftercare_subject]': id,
      success_url: `https://shop.example/order/${token}?lang=en&paid=1`,
    });
    const ev = s.complete(co.body.url.split('/pay/')[1]);
    await Promise.all(Array.from({ length: 5 }, () => deliver(ev)));
    const p = await payments(id);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({ kind: 'deposit', method: 'stripe', amount_minor: 3600 });
    const after = (await inject('GET', `/api/v1/order-page/${token}`)).body;
    expect(after.deposit).toEqual({ percent: 30, amountMinor: 3600, dueMinor: 0 });
    expect(after.due.balanceMinor).toBe(12000 - 3600);
    // Paid: asking again is refused, nothing asked of Stripe.
    const again = await inject('POST', `/api/v1/order-page/${token}/checkout`, { what: 'deposit' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('nothing-due');
    expect(s.requests.length).toBe(before + 1);
    // The console shows it as a deposit paid by card online.
    const staffView = (await inject('GET', `/api/v1/service-orders/${id}`, undefined, t.cookies['service-center']['front-desk'])).body;
    expect(staffView.payments).toMatchObject([{ kind: 'deposit', method: 'stripe', amountMinor: 3600 }]);
  });

  it('a business that asks no deposit offers none: 409 nothing-due naming body.what', async () => {
    const { token } = await accepted('itema-pg', 5000, 'bg');
    expect((await inject('GET', `/api/v1/order-page/${token}`)).body.deposit).toBeNull();
    const r = await inject('POST', `/api/v1/order-page/${token}/checkout`, { what: 'deposit' });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: 'nothing-due' });
    expect(JSON.stringify(r.body.errors)).toContain('body.what');
  });
});
