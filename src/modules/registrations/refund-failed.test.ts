// A refund Stripe did not make of a registration's fee or a plan's price (issue 14): refund.failed,
// signed with the SDK's test-header helper and delivered to the app against the local Stripe
// stand-in, shows on the registration / the plan sale itself (Stripe's reason and when, for staff in
// the console), not only in the audit. A refund that had succeeded first (the registration refunded,
// the plan withdrawn) is undone: the registration is valid again (ITS-5), the plan extends the
// warranty again (ITS-3). Delivered five times: one outcome.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestContext } from '../../../test/db.ts';
import { multipart, PDF } from '../../../test/multipart.ts';
import { withStripeApp, type StandIn, type StripeApp } from '../../../test/stripe-stand-in.ts';
import { newToken, sha256 } from '../../server/auth.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const CLINIC = 'office@riverside-dental.example.com';
let x: StripeApp;
let t: TestContext;
let s: StandIn;
let clientCookie: string;

beforeAll(async () => {
  x = await withStripeApp({ name: 'subject_refund_failures', publicUrl: 'https://its.example.com' });
  ({ t, s } = x);
  const token = newToken();
  await t.db.insertInto('client_sessions').values({ token_hash: sha256(token), organization_id: t.orgs.its, email: CLINIC, expires_at: new Date('2099-01-01T00:00:00Z') }).execute();
  clientCookie = `aftercare_client=${token}`;
});
afterAll(() => x?.close());

const client = async (method: 'GET' | 'POST', url: string, payload?: object) => {
  const r = await t.app.inject({ method, url, headers: { cookie: clientCookie }, ...(payload ? { payload } : {}) });
  return { status: r.statusCode, body: r.json() as Json };
};
const staff = async (method: 'GET' | 'POST', url: string, payload?: object) => {
  const r = await t.app.inject({ method, url, headers: { cookie: t.cookies.its['front-desk'] }, ...(payload ? { payload } : {}) });
  return { status: r.statusCode, body: r.json() as Json };
};
const refundOf = (pi: string) => [...s.refunds.values()].find((r) => r.payment_intent === pi)!;

/** A registration of `serial` paid online; answers it and its session. */
async function paidRegistration(serial: string) {
  const r = await client('POST', '/api/v1/client/registrations', { serial, serviceEvent: 'installation', serviceDate: '2026-10-12', documentType: 'invoice' });
  expect([200, 201], JSON.stringify(r.body)).toContain(r.status);
  const m = multipart('invoice.pdf', 'application/pdf', PDF);
  const up = await t.app.inject({ method: 'POST', url: `/api/v1/client/registrations/${r.body.id}/document`, payload: m.payload, headers: { ...m.headers, cookie: clientCookie } });
  expect(up.statusCode).toBe(200);
  const co = await client('POST', `/api/v1/client/registrations/${r.body.id}/checkout`);
  expect(co.status).toBe(200);
  expect((await x.deliver(s.complete(co.body.sessionId))).json().outcome).toBe('processed');
  const reg = (await staff('GET', `/api/v1/registrations/${r.body.id}`)).body;
  expect(reg).toMatchObject({ state: 'paid', paymentMethod: 'stripe', refundFailure: null });
  return { reg, sessionId: co.body.sessionId as string };
}

describe('a refund Stripe did not make, on the registration and the plan sale (issue 14)', () => {
  it('a refused registration whose refund fails shows Stripe’s reason on the registration, and stays refused (five deliveries, one outcome)', async () => {
    const { reg, sessionId } = await paidRegistration('DEMO-ITS-SERVER');
    const refused = await staff('POST', `/api/v1/registrations/${reg.id}/actions`, { action: 'refuse', reason: 'The invoice names another device', version: reg.version });
    expect(refused.body).toMatchObject({ state: 'refused', refundFailure: null });
    const re = refundOf(s.sessions.get(sessionId)!.payment_intent as string);
    const failed = s.failRefund(re.id as string, 'lost_or_stolen_card');
    const ev = s.event('refund.failed', failed);
    await Promise.all(Array.from({ length: 5 }, () => x.deliver(ev)));
    const after = (await staff('GET', `/api/v1/registrations/${reg.id}`)).body;
    expect(after).toMatchObject({ state: 'refused', refundFailure: { reason: 'lost_or_stolen_card', at: x.now.toISOString() }, version: refused.body.version + 1 });
    const audit = await t.db.selectFrom('audit_events').select('action').where('entity_id', '=', reg.id).where('action', 'in', ['registration.refund-failed', 'stripe.refund-failed']).execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['registration.refund-failed', 'stripe.refund-failed']);
    // The list staff see says it too.
    const list = (await staff('GET', '/api/v1/registrations?state=refused')).body;
    expect(list.items.find((r: Json) => r.id === reg.id).refundFailure).toMatchObject({ reason: 'lost_or_stolen_card' });
  });

  it('a registration refunded in full whose refund Stripe then fails is valid again, with its proofs (ITS-5)', async () => {
    const { reg, sessionId } = await paidRegistration('DEMO-ITS-AP');
    const re = s.dashboardRefund(sessionId, reg.feeMinor);
    expect((await x.deliver(s.event('refund.created', re))).json().outcome).toBe('processed');
    expect((await staff('GET', `/api/v1/registrations/${reg.id}`)).body).toMatchObject({ state: 'refunded', proofs: {} });
    await x.deliver(s.event('refund.failed', s.failRefund(re.id as string)));
    const back = (await staff('GET', `/api/v1/registrations/${reg.id}`)).body;
    expect(back).toMatchObject({ state: 'paid', refundFailure: { reason: 'expired_or_canceled_card' }, proofs: reg.proofs });
  });

  it('a plan bought online and refunded in full whose refund Stripe then fails is paid again and extends the warranty again (ITS-3)', async () => {
    const device = (await client('GET', '/api/v1/client/account')).body.devices.find((d: Json) => d.serial === 'DEMO-ITS-SERVER');
    const offers = (await client('GET', `/api/v1/client/devices/${device.id}/plans`)).body;
    const offer = offers.offers.find((o: Json) => o.priceMinor !== undefined);
    expect(offer, JSON.stringify(offers)).toBeDefined();
    const co = await client('POST', `/api/v1/client/devices/${device.id}/plans/checkout`, { planId: offer.id });
    expect(co.status, JSON.stringify(co.body)).toBe(200);
    expect((await x.deliver(s.complete(co.body.sessionId))).json().outcome).toBe('processed');
    const salesOf = async () => (await staff('GET', `/api/v1/devices/${device.id}/plans`)).body;
    const paid = await salesOf();
    const sale = paid.sales.find((x: Json) => x.state === 'paid' && x.channel === 'portal');
    expect(sale).toMatchObject({ refundFailure: null, deviceEventId: expect.any(String) });
    const end = paid.coverage.end;

    const re = s.dashboardRefund(co.body.sessionId, sale.priceMinor);
    await x.deliver(s.event('refund.created', re));
    const refunded = await salesOf();
    expect(refunded.sales.find((x: Json) => x.id === sale.id)).toMatchObject({ state: 'refunded' });
    expect(refunded.coverage.end).not.toBe(end);

    const ev = s.event('refund.failed', s.failRefund(re.id as string, 'declined'));
    await Promise.all(Array.from({ length: 5 }, () => x.deliver(ev)));
    const again = await salesOf();
    expect(again.sales.find((x: Json) => x.id === sale.id)).toMatchObject({ state: 'paid', refundFailure: { reason: 'declined', at: x.now.toISOString() }, deviceEventId: expect.any(String) });
    expect(again.coverage.end).toBe(end);
    const rows = await t.db.selectFrom('audit_events').select('action').where('action', '=', 'plan.refund-failed').execute();
    expect(rows).toHaveLength(1);
  });
});
