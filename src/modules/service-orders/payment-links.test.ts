// Stripe Payment Links for an order's balance (issue 14): staff send the link, the official SDK
// against the local Stripe stand-in (the exact requests: the Price's amount and currency, the link's
// metadata, redirect and idempotency keys), the message by the order's channel in the client's
// language over real SMTP, the client pays (checkout.session.completed carrying `payment_link`,
// signed with the SDK's test-header helper, delivered five times at once: one payment), the link then
// switched off. Sending again re-sends the same link; a changed balance switches the old one off and
// makes a new one; without Stripe keys nothing is offered (409 naming why).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config.ts';
import { setupApp, type TestContext } from '../../../test/db.ts';
import { startSmtp, type Mailbox } from '../../../test/smtp.ts';
import { withStripeApp, type StandIn, type StripeApp } from '../../../test/stripe-stand-in.ts';
import { DeliveryWorker } from '../notifications/delivery-worker.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let x: StripeApp;
let t: TestContext;
let s: StandIn;
let box: Mailbox;

beforeAll(async () => {
  x = await withStripeApp({ name: 'payment_links', publicUrl: 'https://pg.example.bg' });
  ({ t, s } = x);
  box = await startSmtp();
});
afterAll(async () => {
  await box?.close();
  await x?.close();
});

const inject = async (method: 'GET' | 'POST', url: string, payload?: object, headers: Record<string, string> = {}, cookie: string | undefined = t.cookies['itema-pg']['front-desk']) => {
  const r = await t.app.inject({ method, url, headers: { ...(cookie ? { cookie } : {}), ...headers }, ...(payload ? { payload } : {}) });
  return { status: r.statusCode, body: r.body ? (r.json() as Json) : {} };
};
let n = 0;
/** An order of itema-pg whose quote (150,00 EUR) the client accepted; `lang` the client's. */
async function accepted(lang: 'bg' | 'en' | 'vi' = 'bg', contact: { email?: string; phone?: string; contactChannel?: 'sms' | 'email' } = {}) {
  const c = await inject('POST', '/api/v1/claims', {
    channel: 'walk-in',
    customer: { name: 'Мария Иванова', email: contact.email ?? `link${++n}@example.bg`, phone: contact.phone ?? '+359 88 123 4567', preferredLanguage: lang },
    ...(contact.contactChannel ? { workshop: { contactChannel: contact.contactChannel } } : {}),
    device: { serial: `LINK-${++n}`, manufacturer: 'Lenovo', model: 'ThinkPad T14', category: 'laptop' },
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
  await act({ action: 'quote', lines: [{ kind: 'labour', description: 'Подмяна на букса', unitMinor: 15000 }], duration: '2 работни дни', advice: 'Ремонтът си струва', worthRepairing: true });
  const page = (await inject('GET', `/api/v1/order-page/${token}`, undefined, {}, undefined)).body;
  expect((await inject('POST', `/api/v1/order-page/${token}/decision`, { decision: 'accept', version: page.version }, {}, undefined)).status).toBe(200);
  return { id, token };
}
const send = (id: string, headers: Record<string, string> = {}, cookie?: string) => inject('POST', `/api/v1/service-orders/${id}/payment-links`, undefined, headers, cookie ?? t.cookies['itema-pg']['front-desk']);
const linksOf = async (id: string) => (await inject('GET', `/api/v1/service-orders/${id}/payment-links`)).body;
const messages = (id: string) => t.db.selectFrom('outbox').selectAll().where('aggregate_id', '=', id).where('topic', '=', 'order.payment-link').orderBy('created_at').execute();
const payments = (id: string) => t.db.selectFrom('order_payments').selectAll().where('order_id', '=', id).execute();
const plink = (url: string) => url.split('/link/')[1];

describe('a Stripe Payment Link for an order’s balance (issue 14)', () => {
  it('asks Stripe for a Price of exactly the balance and a link on it (our metadata, one session, back to the order page), and sends it by e-mail in the client’s language', async () => {
    const { id, token } = await accepted('bg');
    expect(await linksOf(id)).toMatchObject({ available: true, unavailable: null, dueMinor: 15000, currency: 'EUR', links: [] });
    const before = s.requests.length;
    const r = await send(id);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ channel: 'email', resent: false, link: { state: 'sent', amountMinor: 15000, currency: 'EUR', url: expect.stringContaining('/link/plink_test_') } });
    const checkout = r.body.link.id as string;
    const sent = s.requests.slice(before);
    expect(sent.map((q) => `${q.method} ${q.path}`)).toEqual(['POST /v1/prices', 'POST /v1/payment_links']);
    expect(sent[0].idempotencyKey).toBe(`aftercare-price-${checkout}`);
    expect(sent[0].form).toMatchObject({ currency: 'eur', unit_amount: '15000', 'product_data[name]': expect.stringContaining('SO-') });
    expect(sent[1].idempotencyKey).toBe(`aftercare-link-${checkout}`);
    const org = t.orgs['itema-pg'];
    expect(sent[1].form).toEqual({
      'line_items[0][price]': expect.stringMatching(/^price_test_/),
      'line_items[0][quantity]': '1',
      'metadata[aftercare_org]': org,
      'metadata[aftercare_checkout]': checkout,
      'metadata[aftercare_kind]': 'service-order',
      'metadata[aftercare_subject]': id,
      'payment_intent_data[metadata][aftercare_org]': org,
      'payment_intent_data[metadata][aftercare_checkout]': checkout,
      'payment_intent_data[metadata][aftercare_kind]': 'service-order',
      'payment_intent_data[metadata][aftercare_subject]': id,
      'after_completion[type]': 'redirect',
      'after_completion[redirect][url]': `https://pg.example.bg/order/${token}?lang=bg&paid=1`,
      'restrictions[completed_sessions][limit]': '1',
    });
    expect(sent[0].authorization).toBe('Bearer sk_test_payment_links');

    // The message: by e-mail (the order's channel), in Bulgarian, with the link, over real SMTP.
    const [m] = await messages(id);
    expect(m.payload).toMatchObject({ paymentUrl: r.body.link.url, amountMinor: 15000, currency: 'EUR', channel: 'email' });
    const config: Config = { ...t.config, smtp: box.config, mailFrom: 'service@aftercare.test' };
    const w = new DeliveryWorker(t.db, config);
    await w.runOnce();
    await w.stop();
    const [note] = await t.db.selectFrom('notifications').selectAll().where('outbox_id', '=', m.id).execute();
    expect(note).toMatchObject({ status: 'sent', channel: 'email', language: 'bg' });
    const mail = box.messages.get(`<${note.message_key}>`)!;
    expect(mail.subject).toContain('плащане на 150,00');
    expect(mail.text).toContain('По Вашата сервизна поръчка');
    expect(mail.text).toContain(r.body.link.url);

    // Sent again while it is active: the same link, nothing asked of Stripe, the message again.
    const again = await send(id);
    expect(again.body).toMatchObject({ resent: true, link: { id: checkout, url: r.body.link.url, state: 'sent' } });
    expect(s.requests.length).toBe(before + 2);
    expect(await messages(id)).toHaveLength(2);
    expect((await linksOf(id)).links).toHaveLength(1);
  });

  it('the client pays: the webhook delivered five times at once records one payment of exactly what was asked, then the link is switched off', async () => {
    const { id } = await accepted('en');
    const r = await send(id);
    const link = plink(r.body.link.url);
    const event = s.payLink(link);
    expect((event.data as Json).object).toMatchObject({ payment_link: link, amount_total: 15000, currency: 'eur', metadata: { aftercare_subject: id } });
    const before = s.requests.length;
    const answers = await Promise.all(Array.from({ length: 5 }, () => x.deliver(event)));
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.map((a) => a.json().outcome).sort()).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'processed']);
    const paid = await payments(id);
    expect(paid).toHaveLength(1);
    expect(paid[0]).toMatchObject({ method: 'stripe', amount_minor: 15000, external_ref: expect.stringMatching(/^pi_test_/) });
    // Switched off in Stripe (each delivery may ask; the same key, the same answer).
    const off = s.requests.slice(before).filter((q) => q.path === `/v1/payment_links/${link}`);
    expect(off.length).toBeGreaterThanOrEqual(1);
    for (const q of off) expect(q).toMatchObject({ method: 'POST', form: { active: 'false' }, idempotencyKey: `aftercare-link-off-${r.body.link.id}` });
    expect(s.paymentLinks.get(link)!.active).toBe(false);
    expect((await linksOf(id))).toMatchObject({ available: false, unavailable: 'nothing-due', dueMinor: 0, links: [{ state: 'paid', paidAt: expect.any(String) }] });
    expect((await inject('GET', `/api/v1/service-orders/${id}`)).body.balance).toMatchObject({ due: 0, paid: 15000 });
    // Nothing is due now: no link to send.
    const none = await send(id);
    expect(none.status).toBe(409);
    expect(none.body.code).toBe('nothing-due');
  });

  it('a balance that changed switches the old link off and sends a new one for the new amount; the old one can no longer be paid', async () => {
    const { id } = await accepted('vi', { contactChannel: 'sms' });
    const first = (await send(id)).body;
    expect(first.channel).toBe('sms');
    const cur = (await inject('GET', `/api/v1/service-orders/${id}`)).body;
    const counter = await inject('POST', `/api/v1/service-orders/${id}/payments`, { version: cur.version, amountMinor: 5000, method: 'cash' }, { 'idempotency-key': `cash-${id}` });
    expect(counter.status, JSON.stringify(counter.body)).toBe(200);
    const before = s.requests.length;
    const second = await send(id);
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body).toMatchObject({ resent: false, channel: 'sms', link: { amountMinor: 10000, state: 'sent' } });
    expect(second.body.link.id).not.toBe(first.link.id);
    const asked = s.requests.slice(before);
    expect(asked.map((q) => `${q.method} ${q.path}`)).toEqual([`POST /v1/payment_links/${plink(first.link.url)}`, 'POST /v1/prices', 'POST /v1/payment_links']);
    expect(asked[0]).toMatchObject({ form: { active: 'false' }, idempotencyKey: `aftercare-link-off-${first.link.id}` });
    expect(asked[1].form).toMatchObject({ unit_amount: '10000', currency: 'eur' });
    expect((await linksOf(id)).links.map((l: Json) => [l.amountMinor, l.state])).toEqual([
      [10000, 'sent'],
      [15000, 'deactivated'],
    ]);
    expect(() => s.payLink(plink(first.link.url))).toThrow(/not active/);
    // The SMS, in Vietnamese, carries the new link.
    const ms = await messages(id);
    expect(ms.map((m) => (m.payload as Json).paymentUrl)).toEqual([first.link.url, second.body.link.url]);
    expect((ms[1].payload as Json).channel).toBe('sms');
  });

  it('Stripe taking another amount than the link asked records nothing (amount-mismatch), and the link is switched off', async () => {
    const { id } = await accepted('bg');
    const r = await send(id);
    const event = s.payLink(plink(r.body.link.url), { amount_total: 100 });
    expect((await x.deliver(event)).json()).toMatchObject({ outcome: 'amount-mismatch' });
    expect(await payments(id)).toHaveLength(0);
    expect((await linksOf(id)).links[0].state).toBe('mismatch');
  });

  it('a retry with the same Idempotency-Key sends nothing again; bad input is a 4xx naming the field; technicians cannot send links', async () => {
    const { id } = await accepted('bg');
    const a = await send(id, { 'idempotency-key': `link-${id}` });
    const b = await send(id, { 'idempotency-key': `link-${id}` });
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.body).toEqual(a.body);
    expect(await messages(id)).toHaveLength(1);
    const bad = await inject('POST', '/api/v1/service-orders/not-an-id/payment-links');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.errors)).toContain('params.id');
    const longKey = await send(id, { 'idempotency-key': 'k'.repeat(201) });
    expect(longKey.status).toBe(400);
    expect(JSON.stringify(longKey.body.errors)).toContain('idempotency-key');
    expect((await inject('POST', '/api/v1/service-orders/00000000-0000-7000-8000-000000000000/payment-links')).status).toBe(404);
    expect((await send(id, {}, t.cookies['itema-pg'].technician)).status).toBe(403);
    expect(await messages(id)).toHaveLength(1);
  });
});

describe('without Stripe keys (issue 14)', () => {
  it('offers no link: GET says why, POST is 409 payment-link-unavailable naming the setting, nothing is written', async () => {
    const u = await setupApp();
    try {
      const order = await u.db.selectFrom('service_orders').select(['id', 'organization_id']).where('organization_id', '=', u.orgs['itema-pg']).executeTakeFirstOrThrow();
      const get = await u.app.inject({ method: 'GET', url: `/api/v1/service-orders/${order.id}/payment-links`, headers: { cookie: u.cookies['itema-pg']['front-desk'] } });
      expect(get.json()).toMatchObject({ available: false, unavailable: 'payment-link-unavailable', links: [] });
      const post = await u.app.inject({ method: 'POST', url: `/api/v1/service-orders/${order.id}/payment-links`, headers: { cookie: u.cookies['itema-pg']['front-desk'] } });
      expect(post.statusCode).toBe(409);
      expect(post.json()).toMatchObject({ code: 'payment-link-unavailable', errors: [{ field: 'config.stripe' }] });
      expect(await u.db.selectFrom('stripe_checkouts').selectAll().execute()).toHaveLength(0);
    } finally {
      await u.close();
    }
  });
});
