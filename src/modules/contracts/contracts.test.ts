// Contracts and the desk for ITMall (ITM-1, ITM-2) and the service center's free advice (SC-1); a
// contract's renewal, cancellation, stale versions and bad input. Every moment is pinned.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sweepDueTimers } from '../../core/timers.ts';
import { buildApp } from '../../server/app.ts';
import { DiskStorage } from '../../storage/index.ts';
import { setupApp, snapshot, type TestContext } from '../../../test/db.ts';

let t: TestContext;
let app: Awaited<ReturnType<typeof buildApp>>;
let clock = new Date('2026-11-21T08:00:00Z');
beforeAll(async () => {
  t = await setupApp();
  app = await buildApp({ db: t.db, pool: t.pool, config: t.config, storage: new DiskStorage(t.config.filesDir), now: () => clock });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});
const call = async (method: 'GET' | 'POST', url: string, payload?: object, cookie = t.cookies.itmall.manager) => {
  const r = await app.inject({ method, url, payload, headers: { cookie } });
  return { status: r.statusCode, body: r.json() };
};
const device = (org: string, serial: string) => t.db.selectFrom('devices').select(['id', 'customer_id']).where('organization_id', '=', t.orgs[org]).where('serial', '=', serial).executeTakeFirstOrThrow();

describe('ITMall: premium maintenance and the 24/7 desk', () => {
  test('qualified infrastructure comes with 3 years of premium maintenance from its shipping date, as a contract (ITM-1)', async () => {
    const sw = await device('itmall', 'DEMO-ITMALL-WS');
    const shipped = (await t.db.selectFrom('device_events').select('date').where('device_id', '=', sw.id).where('type', '=', 'shipping').executeTakeFirstOrThrow()).date;
    const r = await call('POST', '/api/v1/contracts/included-maintenance', { deviceId: sw.id });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ source: 'included', rule: 'ITM-1', tier: { id: 'premium', calendar: '24/7' }, startsOn: shipped, status: 'active', devices: [{ serial: 'DEMO-ITMALL-WS' }] });
    // The demo's switch got its own when the demo was loaded.
    const demo = (await call('GET', `/api/v1/contracts?deviceId=${(await device('itmall', 'DEMO-ITMALL-SWITCH')).id}`)).body.items;
    expect(demo).toEqual([expect.objectContaining({ source: 'included', rule: 'ITM-1' })]);
    const end = new Date(`${shipped}T00:00:00Z`);
    end.setUTCFullYear(end.getUTCFullYear() + 3);
    end.setUTCDate(end.getUTCDate() - 1);
    expect(r.body.endsOn).toBe(end.toISOString().slice(0, 10));
    // Once per device; an accessory is not qualified (ITM-1).
    expect((await call('POST', '/api/v1/contracts/included-maintenance', { deviceId: sw.id })).body.code).toBe('already-exists');
    const acc = await call('POST', '/api/v1/devices', { serial: 'SFP-1', manufacturer: 'Cisco', category: 'sfp', customerId: sw.customer_id });
    expect((await call('POST', '/api/v1/contracts/included-maintenance', { deviceId: acc.body.id })).body).toMatchObject({ code: 'not-qualified', rule: 'ITM-1' });
  });

  test('an incident on a Saturday night is due 4 hours later, around the clock, and at risk it goes straight to L3 (ITM-2)', async () => {
    const sw = await device('itmall', 'DEMO-ITMALL-SWITCH');
    clock = new Date('2026-11-21T15:00:00Z'); // Saturday 23:00 in Singapore
    const r = await call('POST', '/api/v1/support-tickets', { kind: 'incident', channel: 'phone', customerId: sw.customer_id, deviceId: sw.id, subject: 'Core switch down', description: 'Stack member 2 is not forwarding.' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ tier: 'premium', level: 'L1' });
    const d = (await call('GET', `/api/v1/support-tickets/${r.body.id}`)).body;
    const response = d.clocks.find((c: { id: string }) => c.id === 'tac-response');
    expect(response.rule).toBe('ITM-2');
    expect(new Date(response.due).toISOString()).toBe('2026-11-21T19:00:00.000Z'); // no weekend, no night: 24/7
    expect(new Date(d.clocks.find((c: { id: string }) => c.id === 'tac-resolution').due).toISOString()).toBe('2026-11-22T15:00:00.000Z');
    await sweepDueTimers(t.db, new Date('2026-11-21T18:00:00Z'));
    const after = (await call('GET', `/api/v1/support-tickets/${r.body.id}`)).body;
    expect(after.level).toBe('L3');
    expect(after.thread.find((m: { direction: string }) => m.direction === 'event').data).toMatchObject({ from: 'L1', to: 'L3', reason: expect.stringContaining('ITM-2') });
    // The queue shows it at risk, at L3.
    clock = new Date('2026-11-21T18:30:00Z');
    const queue = (await call('GET', '/api/v1/support-tickets?open=true&atRisk=true&level=L3')).body.items;
    expect(queue.map((x: { id: string }) => x.id)).toContain(r.body.id);
    // By hand, higher than the top is refused.
    const top = await call('POST', `/api/v1/support-tickets/${r.body.id}/actions`, { action: 'escalate', version: after.version, reason: 'more' });
    expect(top).toMatchObject({ status: 422, body: { code: 'unknown-level' } });
  });

  test('a contract is renewed (a new reminder) and cancelled through its transitions; a stale version is refused', async () => {
    clock = new Date('2026-11-21T08:00:00Z');
    const ws = await device('itmall', 'DEMO-ITMALL-WS');
    const c = await call('POST', '/api/v1/contracts', { customerId: ws.customer_id, tier: 'premium', startsOn: '2026-01-01', endsOn: '2026-12-31', deviceIds: [ws.id], priceMinor: 120000 });
    expect(c.status).toBe(201);
    const renewed = await call('POST', `/api/v1/contracts/${c.body.id}/actions`, { action: 'renew', version: 1, endsOn: '2027-12-31' });
    expect(renewed.body).toMatchObject({ endsOn: '2027-12-31', renewalOn: '2027-12-31', version: 2 });
    const reminders = await t.db.selectFrom('outbox').select(['available_at']).where('aggregate_id', '=', c.body.id).where('topic', '=', 'contract.renewal-reminder').orderBy('available_at').execute();
    expect(reminders).toHaveLength(2); // 60 days before each renewal date (ITM-1)
    expect((await call('POST', `/api/v1/contracts/${c.body.id}/actions`, { action: 'cancel', version: 1, reason: 'x' })).status).toBe(409);
    const cancelled = await call('POST', `/api/v1/contracts/${c.body.id}/actions`, { action: 'cancel', version: 2, reason: 'customer left' });
    expect(cancelled.body.status).toBe('cancelled');
    const actions = (await t.db.selectFrom('audit_events').select('action').where('entity_id', '=', c.body.id).orderBy('id').execute()).map((a) => a.action);
    expect(actions).toEqual(['contract.created', 'contract.renew', 'contract.cancel']);
  });

  test('bad contract input names the field and changes nothing', async () => {
    const ws = await device('itmall', 'DEMO-ITMALL-WS');
    const before = await snapshot(t.db);
    expect((await call('POST', '/api/v1/contracts', { customerId: ws.customer_id, tier: 'gold', startsOn: '2026-01-01', endsOn: '2026-12-31' })).body).toMatchObject({ code: 'validation-failed', errors: [{ field: 'body.tier' }] });
    expect((await call('POST', '/api/v1/contracts', { customerId: ws.customer_id, tier: 'premium', startsOn: '2026-12-01', endsOn: '2026-01-31' })).body).toMatchObject({ errors: [{ field: 'body.endsOn' }] });
    const other = await device('vn', 'DEMO-VN-NAS');
    expect((await call('POST', '/api/v1/contracts', { customerId: ws.customer_id, tier: 'premium', startsOn: '2026-01-01', endsOn: '2026-12-31', deviceIds: [other.id] })).body).toMatchObject({ code: 'unknown-reference', errors: [{ field: 'body.deviceIds.0' }] });
    expect(await snapshot(t.db)).toEqual(before);
  });
});

describe('the service center: free advice with an online consultant (SC-1)', () => {
  test('anyone asks the online consultant: a free advice ticket under SC-1, answered by staff; a business without one says so', async () => {
    const offer = await app.inject({ url: '/api/v1/consultant/service-center' });
    expect(offer.json()).toMatchObject({ available: true, rule: 'SC-1' });
    const ask = await app.inject({ method: 'POST', url: '/api/v1/consultant/service-center', payload: { name: 'Alex Gray', email: 'alex@example.org', question: 'Is a new battery worth it for a 2019 laptop?' } });
    expect(ask.statusCode).toBe(201);
    expect(ask.json()).toMatchObject({ rule: 'SC-1', sent: { name: 'Alex Gray' } });
    const cookie = t.cookies['service-center'].manager;
    const list = (await call('GET', '/api/v1/support-tickets?kind=advice', undefined, cookie)).body.items;
    expect(list[0]).toMatchObject({ kind: 'advice', channel: 'consultant', customer: null, contact: { name: 'Alex Gray' }, billing: { billable: false, rule: 'SC-1' } });
    const answered = await call('POST', `/api/v1/support-tickets/${list[0].id}/actions`, { action: 'reply', version: 1, body: 'Yes: a battery is a tenth of a new laptop.' }, cookie);
    expect(answered.body).toMatchObject({ state: 'in-progress' });
    // ITS offers no consultant; an unknown business is not found.
    expect((await app.inject({ method: 'POST', url: '/api/v1/consultant/its', payload: { name: 'A', email: 'a@example.org', question: 'q' } })).json().code).toBe('support-not-offered');
    expect((await app.inject({ url: '/api/v1/consultant/no-such-shop' })).statusCode).toBe(404);
  });
});
