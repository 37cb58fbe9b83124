// Device registration (ITS-5, ITS-6; issue 14): the client registers a device of their account,
// uploads the invoice or service contract and pays the fee through Stripe Checkout (the official SDK
// against the local stand-in); the registration is valid only once the signed webhook confirms the
// payment, and then the warranty answer and the intake count ITS-5 and ITS-6 as satisfied.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NOW, setupApp, snapshot, type TestContext } from '../../../test/db.ts';
import { multipart, PDF } from '../../../test/multipart.ts';
import { startStripeStandIn, type StandIn } from '../../../test/stripe-stand-in.ts';
import { newToken, sha256 } from '../../server/auth.ts';
import { sweepDueTimers } from '../../core/timers.ts';

const SECRET = 'whsec_registrations';
const now = new Date(DEMO_NOW.getTime());
let t: TestContext;
let s: StandIn;
let clientCookie: string;
const CLINIC = 'office@riverside-dental.example.com';

async function clientSession(orgId: string, email: string) {
  const token = newToken();
  await t.db.insertInto('client_sessions').values({ token_hash: sha256(token), organization_id: orgId, email, expires_at: new Date('2099-01-01T00:00:00Z') }).execute();
  return `aftercare_client=${token}`;
}

beforeAll(async () => {
  s = await startStripeStandIn({ secret: SECRET, clock: () => Math.floor(now.getTime() / 1000) });
  t = await setupApp({ config: { stripe: { secretKey: 'sk_test_reg', webhookSecret: SECRET, apiUrl: s.url }, publicUrl: 'https://its.example.com' }, now: () => now });
  clientCookie = await clientSession(t.orgs.its, CLINIC);
});
afterAll(async () => {
  await t?.close();
  await s?.close();
});

const client = (method: 'GET' | 'POST', url: string, payload?: object) => t.app.inject({ method, url, headers: { cookie: clientCookie }, ...(payload ? { payload } : {}) });
const staff = (method: 'GET' | 'POST', url: string, payload?: object) => t.app.inject({ method, url, headers: { cookie: t.cookies.its['front-desk'] }, ...(payload ? { payload } : {}) });
async function deliver(event: object) {
  const payload = JSON.stringify(event);
  return t.app.inject({ method: 'POST', url: '/api/v1/stripe/webhook', headers: { 'content-type': 'application/json', 'stripe-signature': s.sign(payload) }, payload });
}
const warrantyOf = async (serial: string) => (await staff('GET', `/api/v1/warranty?serial=${serial}&at=2026-11-21`)).json();
const its5 = (w: { requirements: { rule: string; satisfied: boolean }[] }) => w.requirements.filter((r) => r.rule === 'ITS-5').map((r) => r.satisfied);

async function register(serial: string, body: Record<string, unknown> = {}) {
  const r = await client('POST', '/api/v1/client/registrations', { serial, serviceEvent: 'installation', serviceDate: '2026-10-12', documentType: 'invoice', ...body });
  expect([200, 201]).toContain(r.statusCode);
  const reg = r.json();
  const m = multipart('invoice.pdf', 'application/pdf', PDF);
  const up = await t.app.inject({ method: 'POST', url: `/api/v1/client/registrations/${reg.id}/document`, payload: m.payload, headers: { ...m.headers, cookie: clientCookie } });
  expect(up.statusCode).toBe(200);
  return up.json();
}

describe('registration in the portal (ITS-5, ITS-6)', () => {
  it('the client registers a device, pays by Stripe Checkout, and the signed webhook makes ITS-5 and ITS-6 satisfied', async () => {
    expect(its5(await warrantyOf('DEMO-ITS-SERVER'))).toEqual([false, false]);
    const list = (await client('GET', '/api/v1/client/registrations')).json();
    expect(list.terms).toMatchObject({ rule: 'ITS-5', feeMinor: 1500, currency: 'USD', serviceEvents: ['installation', 'repair-completed'] });
    expect(list.onlinePayment).toBe(true);

    const reg = await register('demo-its-server');
    expect(reg).toMatchObject({ state: 'pending', number: expect.stringMatching(/^REG-2026-\d{6}$/), feeMinor: 1500, device: { serial: 'DEMO-ITS-SERVER' }, document: { type: 'invoice', filename: 'invoice.pdf' } });

    const before = s.requests.length;
    const co = await client('POST', `/api/v1/client/registrations/${reg.id}/checkout`);
    expect(co.statusCode).toBe(200);
    const sent = s.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0].form).toMatchObject({
      'line_items[0][price_data][unit_amount]': '1500',
      'line_items[0][price_data][currency]': 'usd',
      'metadata[aftercare_kind]': 'registration',
      'metadata[aftercare_subject]': reg.id,
      success_url: `https://its.example.com/account/its?registration=${reg.id}&paid=1`,
      customer_email: CLINIC,
    });
    // A retry gets the same page; nothing is paid until Stripe says so.
    expect((await client('POST', `/api/v1/client/registrations/${reg.id}/checkout`)).json().url).toBe(co.json().url);
    expect((await staff('GET', `/api/v1/registrations/${reg.id}`)).json().state).toBe('pending');
    expect(its5(await warrantyOf('DEMO-ITS-SERVER'))).toEqual([false, false]);

    const ev = s.complete(co.json().sessionId);
    for (let i = 0; i < 5; i++) expect((await deliver(ev)).statusCode).toBe(200);
    const paid = (await staff('GET', `/api/v1/registrations/${reg.id}`)).json();
    expect(paid).toMatchObject({ state: 'paid', paymentMethod: 'stripe', proofs: { accountRegistered: true, paymentConfirmed: true, itemsNamed: true, invoice: true }, version: 3 });
    const w = await warrantyOf('DEMO-ITS-SERVER');
    expect(w.requirements.map((r: { rule: string; satisfied: boolean }) => [r.rule, r.satisfied])).toEqual([['ITS-5', true], ['ITS-5', true], ['ITS-6', true], ['ITS-6', true]]);
    // The client's account shows the same answer.
    const account = (await client('GET', '/api/v1/client/account')).json();
    expect(account.devices.find((d: { serial: string }) => d.serial === 'DEMO-ITS-SERVER').warranty.requirements.every((r: { satisfied: boolean }) => r.satisfied)).toBe(true);
    // Exactly one audit row of the move, however many deliveries.
    const moves = await t.db.selectFrom('audit_events').select('action').where('entity_id', '=', reg.id).where('action', '=', 'registration.confirm-online-payment').execute();
    expect(moves).toHaveLength(1);
    // A claim for the device needs no ITS-5/ITS-6 proof any more.
    const claim = await staff('POST', '/api/v1/claims', { channel: 'phone', deviceId: reg.device.id, customerId: reg.customer.id, problem: 'No backups since Monday' });
    expect(claim.statusCode).toBe(201);
    const missing: { rule: string }[] = claim.json().order.missing;
    expect(missing.filter((m) => m.rule === 'ITS-5' || m.rule === 'ITS-6')).toEqual([]);
    // Registered already: a second registration is refused.
    const again = await client('POST', '/api/v1/client/registrations', { serial: 'DEMO-ITS-SERVER', serviceEvent: 'installation', serviceDate: '2026-10-12', documentType: 'invoice' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'already-registered', existing: { id: reg.id } });
  });

  it('refuses bad input naming the field and changes nothing', async () => {
    const before = await snapshot(t.db);
    const cases: [Record<string, unknown>, string, number][] = [
      [{ serial: 'NOT-MINE' }, 'body.serial', 422],
      [{ serial: 'DEMO-ITS-AP', serviceEvent: 'sale' }, 'body.serviceEvent', 422],
      [{ serial: 'DEMO-ITS-AP', documentType: 'receipt' }, 'body.documentType', 422],
      [{ serial: 'DEMO-ITS-AP', serviceDate: '2027-01-01' }, 'body.serviceDate', 422],
      [{ serial: 'DEMO-ITS-AP', serviceDate: '2026-02-30' }, 'body.serviceDate', 400],
    ];
    for (const [body, field, status] of cases) {
      const r = await client('POST', '/api/v1/client/registrations', { serial: 'DEMO-ITS-AP', serviceEvent: 'installation', serviceDate: '2026-10-12', documentType: 'invoice', ...body });
      expect(r.statusCode, JSON.stringify(body)).toBe(status);
      expect(r.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect(await snapshot(t.db)).toEqual(before);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/client/registrations' })).json()).toMatchObject({ code: 'client-not-signed-in' });
  });

  it('no payment before the document is there; a pending registration is answered again, not duplicated', async () => {
    const a = await client('POST', '/api/v1/client/registrations', { serial: 'DEMO-ITS-AP', serviceEvent: 'installation', serviceDate: '2026-07-24', documentType: 'service-contract' });
    expect(a.statusCode).toBe(201);
    const b = await client('POST', '/api/v1/client/registrations', { serial: 'DEMO-ITS-AP', serviceEvent: 'installation', serviceDate: '2026-07-24', documentType: 'service-contract' });
    expect(b.statusCode).toBe(200);
    expect(b.json().id).toBe(a.json().id);
    const co = await client('POST', `/api/v1/client/registrations/${a.json().id}/checkout`);
    expect(co.statusCode).toBe(422);
    expect(co.json()).toMatchObject({ code: 'document-missing', errors: [{ field: 'body.file' }] });
  });
});

describe('staff', () => {
  it('record a fee paid at the counter, see registrations by state, and refuse one (a fee paid online is refunded through Stripe)', async () => {
    const reg = (await client('GET', '/api/v1/client/registrations')).json().items.find((r: { device: { serial: string }; state: string }) => r.device.serial === 'DEMO-ITS-AP' && r.state === 'pending');
    const stale = await staff('POST', `/api/v1/registrations/${reg.id}/actions`, { action: 'record-payment', method: 'cash', version: reg.version - 1 });
    expect(stale.statusCode).toBe(409);
    const paid = await staff('POST', `/api/v1/registrations/${reg.id}/actions`, { action: 'record-payment', method: 'cash', version: reg.version });
    expect(paid.json()).toMatchObject({ state: 'paid', paymentMethod: 'cash', proofs: { serviceContract: true, paymentConfirmed: true } });
    const list = (await staff('GET', '/api/v1/registrations?state=paid')).json();
    expect(list.items.map((r: { id: string }) => r.id)).toContain(reg.id);
    expect(list.counts.paid).toBeGreaterThanOrEqual(2);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/registrations/${reg.id}/actions`, headers: { cookie: t.cookies.its.technician }, payload: { action: 'refuse', reason: 'x', version: 1 } })).statusCode).toBe(403);

    const online = (await staff('GET', '/api/v1/registrations?state=paid')).json().items.find((r: { paymentMethod: string }) => r.paymentMethod === 'stripe');
    const n = s.requests.length;
    const refused = await staff('POST', `/api/v1/registrations/${online.id}/actions`, { action: 'refuse', reason: 'The invoice names another device', version: online.version });
    expect(refused.statusCode).toBe(200);
    expect(refused.json()).toMatchObject({ state: 'refused', refusalReason: 'The invoice names another device', proofs: {} });
    expect(s.requests.slice(n).map((r) => [r.path, r.form.amount])).toEqual([['/v1/refunds', '1500']]);
    expect(its5(await warrantyOf('DEMO-ITS-SERVER'))).toEqual([false, false]);
    const doc = await staff('GET', `/api/v1/registrations/${online.id}/document`);
    expect(doc.statusCode).toBe(200);
    expect(doc.headers['content-disposition']).toContain('attachment');
  });

  it('an unpaid registration lapses on the pack’s payment clock (7 days, ITS-5), with a reminder before', async () => {
    const org = t.orgs.its;
    const customer = await t.db.selectFrom('customers').select('id').where('organization_id', '=', org).where('email', '=', CLINIC).executeTakeFirstOrThrow();
    const device = await t.db.insertInto('devices').values({ id: crypto.randomUUID(), organization_id: org, customer_id: customer.id, serial: 'ITS-LAPSE-1', manufacturer: 'iTS', category: 'network', kind: 'device', condition: 'new' }).returning('id').executeTakeFirstOrThrow();
    void device;
    const reg = (await client('POST', '/api/v1/client/registrations', { serial: 'ITS-LAPSE-1', serviceEvent: 'installation', serviceDate: '2026-11-01', documentType: 'invoice' })).json();
    await sweepDueTimers(t.db, new Date(now.getTime() + 5.5 * 86400_000));
    const topics = async () => (await t.db.selectFrom('outbox').select('topic').where('aggregate_id', '=', reg.id).execute()).map((o) => o.topic);
    expect(await topics()).toEqual(['registration.payment-reminder']);
    await Promise.all([sweepDueTimers(t.db, new Date(now.getTime() + 8 * 86400_000)), sweepDueTimers(t.db, new Date(now.getTime() + 8 * 86400_000))]);
    expect((await staff('GET', `/api/v1/registrations/${reg.id}`)).json().state).toBe('expired');
    expect(await topics()).toEqual(['registration.payment-reminder', 'registration.expired']);
    expect((await staff('GET', '/api/v1/registrations?state=expired')).json().items.map((r: { id: string }) => r.id)).toContain(reg.id);
  });
});
