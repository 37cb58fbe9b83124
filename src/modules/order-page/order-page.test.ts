// Issue 15: the client's order page. The lookup by order number and contact is scoped to one
// business, limited per address, per order number and per contact, and a decision made there needs
// a one-time code sent to the contact on the order; page links stop working a while after the order
// closes, and staff renew them. Every moment is pinned (the suite also runs with the clock shifted).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { snapshot, type TestContext } from '../../../test/db.ts';
import { clockedApp, type ClockedApp, type Json } from '../../../test/app.ts';
import { compose } from '../notifications/notifications.compose.ts';

let h: ClockedApp;
let t: TestContext;
const DAY = 86_400_000;
const T0 = new Date('2026-11-23T09:00:00Z');
beforeAll(async () => {
  h = await clockedApp(T0);
  t = h.t;
});
afterAll(() => h?.close());

const staff = (org = 'service-center') => t.cookies[org]['front-desk'];
let n = 0;
/** A service-center walk-in with a quote waiting for the client. */
async function quoted(phone = `+44 20 7946 ${String(1000 + n + 1)}`) {
  n++;
  const workOrder = { termsAccepted: true, accessories: [], complete: true, visibleCondition: 'ok', dataBackedUp: true, passwordsRemoved: true, problemInClientsWords: 'x', signedBy: 'Client' };
  const { order, orderPage } = (await h.call('POST', '/api/v1/claims', staff(), { channel: 'walk-in', customer: { name: `Lookup ${n}`, email: `lookup${n}@example.com`, phone }, device: { serial: `LOOKUP-${n}`, manufacturer: 'HP', category: 'laptop' }, problem: 'x', workOrder })).body;
  let v = order.version;
  for (const body of [{ action: 'start-diagnosis' }, { action: 'diagnose', findings: [] }, { action: 'quote', amountMinor: 5000, duration: '1 day', advice: 'ok', worthRepairing: true }]) {
    const r = await h.call('POST', `/api/v1/service-orders/${order.id}/actions`, staff(), { ...body, version: v });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    v = r.body.version;
  }
  return { id: order.id as string, number: order.number as string, phone, token: orderPage.token as string, version: v as number };
}
let addr = 0;
/** From a new address each time unless given: the per-address limit is tested on its own. */
const post = async (url: string, payload: object, ip = `10.20.${Math.floor(++addr / 250)}.${addr % 250}`) => {
  const r = await h.app.inject({ method: 'POST', url, payload, remoteAddress: ip });
  return { status: r.statusCode, body: r.json() as Json };
};
const codes = async (orderId: string) =>
  (await t.db.selectFrom('outbox').select('payload').where('aggregate_id', '=', orderId).where('topic', '=', 'order.lookup-code').orderBy('id').execute()).map((r) => r.payload as Json);

describe('lookup by order number and contact (issue 15)', () => {
  test('is scoped to the business named: the same number and contact at another business find nothing', async () => {
    h.now = T0;
    const o = await quoted();
    const here = await post('/api/v1/order-page/lookup', { organization: 'service-center', number: o.number, contact: o.phone });
    expect(here.status).toBe(200);
    expect(here.body).toMatchObject({ number: o.number, openedBy: 'lookup', link: null, canDecide: true });
    const elsewhere = await post('/api/v1/order-page/lookup', { organization: 'itema-pg', number: o.number, contact: o.phone });
    expect(elsewhere.body).toMatchObject({ status: 404, code: 'not-found' });
    const noBusiness = await post('/api/v1/order-page/lookup', { number: o.number, contact: o.phone });
    expect(noBusiness.body).toMatchObject({ status: 400, errors: [{ field: 'body.organization' }] });
  });

  test('finds the order by a lowercase number and the phone as the client types it locally (libphonenumber-js, issue 16)', async () => {
    h.now = T0;
    const o = await quoted('+359888123456');
    for (const [number, contact] of [
      [o.number.toLowerCase(), '0888 123 456'],
      [` ${o.number.toLowerCase().replace(/-/g, ' ')} `, '+359 88 812 3456'],
      [o.number, '00359888123456'],
    ]) {
      const r = await post('/api/v1/order-page/lookup', { organization: 'service-center', number, contact });
      expect(r.status, `${number} / ${contact}`).toBe(200);
      expect(r.body.number).toBe(o.number);
    }
    // A London shop's own clients type their local form too (the business's country, from its calendar).
    const uk = await quoted('+44 20 7946 0018');
    expect((await post('/api/v1/order-page/lookup', { organization: 'service-center', number: uk.number, contact: '020 7946 0018' })).status).toBe(200);
    // Another number is still no match.
    expect((await post('/api/v1/order-page/lookup', { organization: 'service-center', number: o.number, contact: '0888 123 457' })).status).toBe(404);
  });

  test('a decision needs the one-time code sent to the contact: none, a wrong one or a used one changes nothing', async () => {
    h.now = T0;
    const o = await quoted();
    const lookup = { organization: 'service-center', number: o.number, contact: o.phone };
    const before = await snapshot(t.db);
    const without = await post('/api/v1/order-page/lookup/decision', { ...lookup, decision: 'accept', version: o.version });
    expect(without.body).toMatchObject({ status: 400, errors: [{ field: 'body.code' }] });
    const guessed = await post('/api/v1/order-page/lookup/decision', { ...lookup, code: '123456', decision: 'accept', version: o.version });
    expect(guessed.body).toMatchObject({ status: 422, code: 'invalid-code', errors: [{ field: 'body.code' }] });
    expect(await snapshot(t.db)).toEqual(before);

    const sent = await post('/api/v1/order-page/lookup/code', lookup);
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual({ sentVia: 'sms', expiresAt: new Date(T0.getTime() + 10 * 60_000).toISOString() });
    const [msg] = await codes(o.id);
    expect(msg).toMatchObject({ orderId: o.id, channel: 'sms', to: o.phone });
    expect(msg.code).toMatch(/^\d{6}$/);
    // The notifications worker sends it by SMS to the phone on the order, with the code in its words.
    const row = await t.db.selectFrom('outbox').selectAll().where('aggregate_id', '=', o.id).where('topic', '=', 'order.lookup-code').executeTakeFirstOrThrow();
    const [m] = await compose(t.db, t.config, row);
    expect(m).toMatchObject({ channel: 'sms', recipient: '+442079461' + o.phone.slice(-3), audience: 'client' });
    expect(m.body).toContain(msg.code);
    // Only the hash is stored.
    expect(JSON.stringify(await t.db.selectFrom('order_lookup_codes').selectAll().where('order_id', '=', o.id).execute())).not.toContain(msg.code);

    const ok = await post('/api/v1/order-page/lookup/decision', { ...lookup, code: msg.code, decision: 'accept', version: o.version });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ state: 'accepted', openedBy: 'lookup' });
    const again = await post('/api/v1/order-page/lookup/decision', { ...lookup, code: msg.code, decision: 'refuse', version: ok.body.version });
    expect(again.body.code).toBe('invalid-code');
    const audit = await t.db.selectFrom('audit_events').selectAll().where('entity_id', '=', o.id).where('action', '=', 'service-order.accept').executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_id: 'order-page', after: { via: 'order-page' } });
  });

  test('a code works for 10 minutes; a code asked by e-mail goes to the e-mail on the order', async () => {
    h.now = T0;
    const o = await quoted();
    const lookup = { organization: 'service-center', number: o.number, contact: `LOOKUP${n}@example.com` };
    const sent = await post('/api/v1/order-page/lookup/code', lookup);
    expect(sent.body.sentVia).toBe('email');
    const [msg] = await codes(o.id);
    expect(msg).toMatchObject({ channel: 'email', to: `lookup${n}@example.com` });
    h.now = new Date(T0.getTime() + 10 * 60_000 + 1000);
    const late = await post('/api/v1/order-page/lookup/decision', { ...lookup, code: msg.code, decision: 'refuse', version: o.version });
    expect(late.body.code).toBe('invalid-code');
    h.now = T0;
  });

  test('attempts are limited per order number, per contact and per address; a known phone cannot walk the numbers', async () => {
    h.now = T0;
    const o = await quoted();
    // Per order number: 10 in 15 minutes, whatever the address; then even the right contact waits.
    for (let i = 0; i < 10; i++) expect((await post('/api/v1/order-page/lookup', { organization: 'service-center', number: o.number, contact: `+44 20 0000 ${1000 + i}` })).status).toBe(404);
    const locked = await post('/api/v1/order-page/lookup', { organization: 'service-center', number: o.number, contact: o.phone });
    expect(locked.body).toMatchObject({ status: 429, code: 'rate-limited' });

    // Per contact: a known phone tried against many numbers, each from another address.
    const p = await quoted();
    const year = p.number.slice(0, 8);
    for (let i = 0; i < 10; i++) expect((await post('/api/v1/order-page/lookup', { organization: 'service-center', number: `${year}9${String(i).padStart(5, '0')}`, contact: p.phone })).status).toBe(404);
    expect((await post('/api/v1/order-page/lookup', { organization: 'service-center', number: p.number, contact: p.phone })).body.code).toBe('rate-limited');

    // Per address: 20 lookups, whatever they ask.
    for (let i = 0; i < 20; i++) expect((await post('/api/v1/order-page/lookup', { organization: 'service-center', number: `${year}8${String(i).padStart(5, '0')}`, contact: `x${i}@example.com` }, '10.99.0.1')).status).toBe(404);
    expect((await post('/api/v1/order-page/lookup', { organization: 'service-center', number: `${year}700000`, contact: 'y@example.com' }, '10.99.0.1')).body.code).toBe('rate-limited');

    // Code guesses: 5 per order in the window.
    const q = await quoted();
    const lookup = { organization: 'service-center', number: q.number, contact: q.phone };
    await post('/api/v1/order-page/lookup/code', lookup);
    for (let i = 0; i < 5; i++) expect((await post('/api/v1/order-page/lookup/decision', { ...lookup, code: String(100000 + i), decision: 'accept', version: q.version })).body.code).toBe('invalid-code');
    const [msg] = await codes(q.id);
    expect((await post('/api/v1/order-page/lookup/decision', { ...lookup, code: msg.code, decision: 'accept', version: q.version })).body.code).toBe('rate-limited');
  });
});

describe('page links have a lifetime after the order closes (issue 15)', () => {
  test('a link works while the order is open and ORDER_PAGE_LINK_DAYS after it closes; then it says so; staff renew it', async () => {
    h.now = T0;
    const days = t.config.orderPageLinkDays;
    expect(days).toBe(183);
    const { order, orderPage } = (await h.call('POST', '/api/v1/claims', staff(), { channel: 'phone', customer: { name: 'Lifetime', phone: '+44 20 7946 0999' }, device: { serial: 'LIFE-1', manufacturer: 'HP', category: 'laptop' }, problem: 'x' })).body;
    const open = await h.call('GET', `/api/v1/order-page/${orderPage.token}`);
    expect(open.body).toMatchObject({ openedBy: 'link', link: { expiresAt: null, daysAfterClose: days } });

    h.now = new Date(T0.getTime() + 30 * DAY);
    const closedAt = h.now;
    expect((await h.call('POST', `/api/v1/service-orders/${order.id}/actions`, staff(), { action: 'cancel', reason: 'client withdrew', version: order.version })).status).toBe(200);
    const ends = new Date(closedAt.getTime() + days * DAY).toISOString();
    const detail = (await h.call('GET', `/api/v1/service-orders/${order.id}`, staff())).body;
    expect(detail).toMatchObject({ state: 'cancelled', closedAt: closedAt.toISOString(), pageLinks: { daysAfterClose: days, expiresAt: ends } });

    h.now = new Date(closedAt.getTime() + days * DAY - 1000);
    expect((await h.call('GET', `/api/v1/order-page/${orderPage.token}`)).body.link).toEqual({ expiresAt: ends, daysAfterClose: days });

    h.now = new Date(closedAt.getTime() + days * DAY + 1000);
    const expired = await h.call('GET', `/api/v1/order-page/${orderPage.token}`);
    expect(expired.body).toMatchObject({ status: 404, code: 'page-link-expired', expiredAt: ends, organization: 'service-center' });
    expect(JSON.stringify(expired.body)).not.toContain('LIFE-1');
    // Nothing else opens with it either: its documents, a decision.
    expect((await h.call('GET', `/api/v1/order-page/${orderPage.token}/documents`)).status).toBe(404);
    expect((await h.call('POST', `/api/v1/order-page/${orderPage.token}/decision`, undefined, { decision: 'refuse', version: 2 })).body.code).toBe('page-link-expired');

    // Staff issue a new link: it works for the lifetime from now; the old one stays expired.
    const renewed = await h.call('POST', `/api/v1/service-orders/${order.id}/page-links`, staff());
    expect(renewed.status).toBe(201);
    expect(renewed.body.expiresAt).toBe(new Date(h.now.getTime() + days * DAY).toISOString());
    expect((await h.call('GET', `/api/v1/order-page/${renewed.body.token}`)).body).toMatchObject({ state: 'cancelled', link: { expiresAt: renewed.body.expiresAt } });
    expect((await h.call('GET', `/api/v1/order-page/${orderPage.token}`)).body.code).toBe('page-link-expired');
    h.now = T0;
  });
});
