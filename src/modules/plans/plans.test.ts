// Warranty plans (ITS-3, ITS-10, ITEMA-29; issue 14): sold at the counter or bought online through
// the Stripe stand-in, a paid plan is the device event the engine applies, and after expiry the
// clients are offered the plans the pack sells then, once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NOW, setupApp, snapshot, type TestContext } from '../../../test/db.ts';
import { startStripeStandIn, type StandIn } from '../../../test/stripe-stand-in.ts';
import { newToken, sha256 } from '../../server/auth.ts';
import { offerAfterExpiry } from './plans.service.ts';

const SECRET = 'whsec_plans';
const now = new Date(DEMO_NOW.getTime()); // 2026-11-21 in New York
let t: TestContext;
let s: StandIn;
let clientCookie: string;
const CLINIC = 'office@riverside-dental.example.com';

beforeAll(async () => {
  s = await startStripeStandIn({ secret: SECRET, clock: () => Math.floor(now.getTime() / 1000) });
  t = await setupApp({ config: { stripe: { secretKey: 'sk_test_plans', webhookSecret: SECRET, apiUrl: s.url } }, now: () => now });
  const token = newToken();
  await t.db.insertInto('client_sessions').values({ token_hash: sha256(token), organization_id: t.orgs.its, email: CLINIC, expires_at: new Date('2099-01-01T00:00:00Z') }).execute();
  clientCookie = `aftercare_client=${token}`;
});
afterAll(async () => {
  await t?.close();
  await s?.close();
});

const staff = (method: 'GET' | 'POST', url: string, payload?: object, headers: Record<string, string> = {}) => t.app.inject({ method, url, headers: { cookie: t.cookies.its['front-desk'], ...headers }, ...(payload ? { payload } : {}) });
const deviceId = async (serial: string) => (await t.db.selectFrom('devices').select('id').where('serial', '=', serial).executeTakeFirstOrThrow()).id;
const endOf = async (serial: string) => (await staff('GET', `/api/v1/warranty?serial=${serial}&at=2026-11-21`)).json().coverage.device.end as string;

async function expiredDevice(serial: string, installedDaysAgo: number) {
  const customer = await t.db.selectFrom('customers').select('id').where('organization_id', '=', t.orgs.its).where('email', '=', CLINIC).executeTakeFirstOrThrow();
  const r = await staff('POST', '/api/v1/devices', { serial, manufacturer: 'iTS', category: 'network', kind: 'device', customerId: customer.id });
  expect(r.statusCode).toBe(201);
  const date = new Date(now.getTime() - installedDaysAgo * 86400_000).toISOString().slice(0, 10);
  expect((await staff('POST', `/api/v1/devices/${r.json().id}/events`, { type: 'installation', date })).statusCode).toBe(201);
  return r.json().id as string;
}

describe('at the counter (ITS-3)', () => {
  it('offers the plans the pack sells during coverage, and a sale moves the coverage end by the plan (12 months)', async () => {
    const id = await deviceId('DEMO-ITS-SERVER');
    const plans = (await staff('GET', `/api/v1/devices/${id}/plans`)).json();
    expect(plans.coverage).toEqual({ status: 'active', end: '2027-01-10', rule: 'ITS-2' });
    expect(plans.offers.map((o: { id: string; window: string; priceMinor: number }) => [o.id, o.window, o.priceMinor])).toEqual([
      ['plus-6-months', 'during-coverage', 4900],
      ['plus-12-months', 'during-coverage', 8900],
    ]);
    expect(await endOf('DEMO-ITS-SERVER')).toBe('2027-01-10');
    const key = { 'idempotency-key': 'sell-server-1' };
    const sold = await staff('POST', `/api/v1/devices/${id}/plans`, { planId: 'plus-12-months', method: 'card-terminal' }, key);
    expect(sold.statusCode).toBe(201);
    expect(sold.json()).toMatchObject({ planId: 'plus-12-months', state: 'paid', channel: 'counter', paymentMethod: 'card-terminal', priceMinor: 8900, currency: 'USD', paidOn: '2026-11-21', window: 'during-coverage' });
    // A retry with the key answers the same sale and adds nothing.
    const again = await staff('POST', `/api/v1/devices/${id}/plans`, { planId: 'plus-12-months', method: 'card-terminal' }, key);
    expect(again.json().id).toBe(sold.json().id);
    expect(await endOf('DEMO-ITS-SERVER')).toBe('2028-01-10');
    const events = await t.db.selectFrom('device_events').select(['type', 'plan_id', 'date']).where('device_id', '=', id).where('type', '=', 'extension-purchased').execute();
    expect(events).toEqual([{ type: 'extension-purchased', plan_id: 'plus-12-months', date: '2026-11-21' }]);
    const w = (await staff('GET', `/api/v1/warranty?serial=DEMO-ITS-SERVER&at=2026-11-21`)).json();
    expect(w.coverage.device.changes.at(-1)).toMatchObject({ rule: 'ITS-3', code: 'extension', newEnd: '2028-01-10' });
  });

  it('refuses a plan the pack does not sell now, naming body.planId, and changes nothing', async () => {
    const expired = await expiredDevice('ITS-OLD-1', 120);
    const before = await snapshot(t.db);
    const r = await staff('POST', `/api/v1/devices/${expired}/plans`, { planId: 'plus-6-months', method: 'cash' });
    expect(r.statusCode).toBe(422);
    expect(r.json()).toMatchObject({ code: 'plan-not-offered', errors: [{ field: 'body.planId' }], offered: ['plus-12-months'] });
    expect((await staff('POST', `/api/v1/devices/${expired}/plans`, { planId: 'no-such-plan', method: 'cash' })).statusCode).toBe(422);
    expect((await staff('POST', `/api/v1/devices/${expired}/plans`, { planId: 'plus-12-months', method: 'bitcoin' })).statusCode).toBe(400);
    expect(await snapshot(t.db)).toEqual(before);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/devices/${expired}/plans`, headers: { cookie: t.cookies.its.technician }, payload: { planId: 'plus-12-months', method: 'cash' } })).statusCode).toBe(403);
  });

  it('ITEMA-29: the extended warranty is sold on some products only, with the product', async () => {
    const org = t.orgs['itema-pg'];
    const laptop = (await t.db.selectFrom('devices').select('id').where('organization_id', '=', org).where('serial', '=', 'DEMO-ITEMA-LAPTOP').executeTakeFirstOrThrow()).id;
    const monitor = (await t.db.selectFrom('devices').select('id').where('organization_id', '=', org).where('serial', '=', 'DEMO-ITEMA-MONITOR').executeTakeFirstOrThrow()).id;
    const get = (id: string) => t.app.inject({ url: `/api/v1/devices/${id}/plans`, headers: { cookie: t.cookies['itema-pg'].owner } });
    expect((await get(monitor)).json().offers).toEqual([]);
    // The laptop was sold months ago: not "at sale" any more.
    expect((await get(laptop)).json().offers).toEqual([]);
  });
});

describe('online (ITS-3 through Stripe)', () => {
  it('the client buys a plan by Stripe Checkout; the plan applies once when the signed webhook confirms', async () => {
    const id = await deviceId('DEMO-ITS-INSTALL');
    const before = await endOf('DEMO-ITS-INSTALL');
    const list = await t.app.inject({ url: `/api/v1/client/devices/${id}/plans`, headers: { cookie: clientCookie } });
    expect(list.json()).toMatchObject({ onlinePayment: true, offers: [{ id: 'plus-6-months' }, { id: 'plus-12-months' }] });
    const n = s.requests.length;
    const co = await t.app.inject({ method: 'POST', url: `/api/v1/client/devices/${id}/plans/checkout`, headers: { cookie: clientCookie }, payload: { planId: 'plus-6-months' } });
    expect(co.statusCode).toBe(200);
    expect(s.requests.slice(n)[0].form).toMatchObject({ 'line_items[0][price_data][unit_amount]': '4900', 'line_items[0][price_data][currency]': 'usd', 'metadata[aftercare_kind]': 'plan-sale' });
    expect(await endOf('DEMO-ITS-INSTALL')).toBe(before);
    const ev = s.complete(co.json().sessionId);
    const payload = JSON.stringify(ev);
    for (let i = 0; i < 5; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/stripe/webhook', headers: { 'content-type': 'application/json', 'stripe-signature': s.sign(payload) }, payload });
      expect(r.statusCode).toBe(200);
    }
    expect(await endOf('DEMO-ITS-INSTALL')).toBe('2027-07-10');
    expect(await t.db.selectFrom('device_events').select('id').where('device_id', '=', id).where('type', '=', 'extension-purchased').execute()).toHaveLength(1);
    const other = await t.db.selectFrom('devices').select('id').where('organization_id', '=', t.orgs.itmall).executeTakeFirstOrThrow();
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/client/devices/${other.id}/plans/checkout`, headers: { cookie: clientCookie }, payload: { planId: 'plus-6-months' } })).statusCode).toBe(404);
  });
});

describe('after expiry (ITS-10)', () => {
  it('offers the plans buyable after expiry to clients whose devices just left coverage, once', async () => {
    const fresh = await expiredDevice('ITS-JUST-ENDED', 93); // 90 days ended 3 days ago
    await expiredDevice('ITS-LONG-AGO', 200);
    const first = await offerAfterExpiry(t.db, now);
    expect(first).toBe(1);
    const rows = await t.db.selectFrom('outbox').select(['topic', 'payload', 'aggregate_id']).where('topic', '=', 'plan.after-expiry-offer').execute();
    expect(rows).toEqual([{ topic: 'plan.after-expiry-offer', aggregate_id: fresh, payload: expect.objectContaining({ deviceId: fresh, plans: ['plus-12-months'], rule: 'ITS-10' }) }]);
    expect(await offerAfterExpiry(t.db, now)).toBe(0);
  });
});
