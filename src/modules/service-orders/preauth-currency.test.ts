// ITEMA-28: a claim that needs pre-authorization is not received before staff authorize it.
// One currency per order: the demo organizations' currencies are their packs', and quotes, the
// engine's charges (SC-12, ITEMA-22) and the balance are all in the order's currency.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { snapshot, type TestContext } from '../../../test/db.ts';
import { clockedApp, type ClockedApp, type Json } from '../../../test/app.ts';
import { getShippedPack, versionAt } from '../../policy/index.ts';
import { DEMO_ORGS } from '../demo/demo.seed.ts';

let h: ClockedApp;
let t: TestContext;

beforeAll(async () => {
  h = await clockedApp(new Date('2026-06-01T09:00:00Z'));
  t = h.t;
});
afterAll(async () => {
  await h?.close();
});

const call = (method: 'GET' | 'POST' | 'DELETE', url: string, cookie?: string, payload?: object, headers?: Record<string, string>) =>
  h.call(method, url, cookie, payload, headers);
const act = (cookie: string) => async (id: string, body: object, expected = 200) => {
  const cur = (await call('GET', `/api/v1/service-orders/${id}`, cookie)).body;
  const r = await call('POST', `/api/v1/service-orders/${id}/actions`, cookie, { version: cur.version, ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(expected);
  return r.body;
};
const workOrder = { termsAccepted: true, accessories: [], complete: true, visibleCondition: 'ok', dataBackedUp: true, passwordsRemoved: true, problemInClientsWords: 'It does not charge', signedBy: 'Client' };

describe('ITEMA-28: pre-authorization before the device is received', () => {
  test('ITEMA-28: opening an unauthorized claim is refused (409 naming what is missing) and changes nothing; after authorize it opens', async () => {
    const cookie = t.cookies['itema-pg']['front-desk'];
    const claim = await call('POST', '/api/v1/claims', cookie, { channel: 'phone', customer: { name: 'Пре Авторизация', phone: '+359 88 000 1111' }, device: { serial: 'DEMO-ITEMA-LAPTOP' }, problem: 'Не зарежда' });
    expect(claim.status).toBe(201);
    const o = claim.body.order;
    expect(o.preAuthorization).toMatchObject({ required: true, rule: 'ITEMA-28', authorizedAt: null });
    const before = await snapshot(t.db);
    const refused = await act(cookie)(o.id, { action: 'open', workOrder }, 409);
    expect(refused).toMatchObject({ code: 'pre-authorization-required', rule: 'ITEMA-28', missing: ['preAuthorization.authorizedAt'], current: { state: 'claimed', version: 1 } });
    expect(await snapshot(t.db)).toEqual(before);
    const authorized = await act(cookie)(o.id, { action: 'authorize' });
    expect(authorized.preAuthorization.authorizedAt).toBeTruthy();
    const opened = await act(cookie)(o.id, { action: 'open', workOrder });
    expect(opened).toMatchObject({ state: 'received', receivedOn: expect.any(String) });
  });

  test('ITEMA-28: a walk-in with its signed work order needs no pre-authorization', async () => {
    const cookie = t.cookies['itema-pg']['front-desk'];
    const claim = await call('POST', '/api/v1/claims', cookie, { channel: 'walk-in', customer: { name: 'Walk In', phone: '+359 88 000 2222' }, device: { serial: 'DEMO-ITEMA-LAPTOP' }, problem: 'x', workOrder });
    expect(claim.status).toBe(201);
    expect(claim.body.order).toMatchObject({ state: 'received', preAuthorization: { required: false } });
  });
});

describe('intake asks what the pack declares, never what another business asks (issue 10)', () => {
  test.each([
    ['its', 'DEMO-ITS-INSTALL'],
    ['itmall', 'DEMO-ITMALL-SWITCH'],
    ['vn', 'DEMO-VN-NAS'],
  ])('%s: no pre-authorization (ITEMA-28 is ITEMA-PG\'s) and no ITEMA-29 confirmations on its work order', async (org, serial) => {
    const cookie = t.cookies[org]['front-desk'];
    const claim = await call('POST', '/api/v1/claims', cookie, { channel: 'phone', customer: { name: 'Phone Client', phone: '+1 555 0100' }, device: { serial }, problem: 'x' });
    expect(claim.status).toBe(201);
    expect(claim.body.order.preAuthorization).toEqual({ required: false, rule: null, authorizedAt: null });
    const opened = await act(cookie)(claim.body.order.id, { action: 'open', workOrder: { ...workOrder, termsAccepted: false, dataBackedUp: false, passwordsRemoved: false } });
    expect(opened.state).toBe('received');
  });

  test('the pack names the rule of each confirmation it asks for (SC-2 at the service center, ITEMA-11/29 at ITEMA-PG)', () => {
    const asked = (id: string) => versionAt(getShippedPack(id), '2026-06-01T09:00:00Z').raw.intake.workOrderConfirmations.map((c) => `${c.field}:${c.rule}`);
    expect(asked('service-center')).toEqual(['termsAccepted:SC-2']);
    expect(asked('itema')).toEqual(['termsAccepted:ITEMA-11', 'dataBackedUp:ITEMA-29', 'passwordsRemoved:ITEMA-29']);
    expect(versionAt(getShippedPack('itema'), '2026-06-01T09:00:00Z').raw.intake.preAuthorization).toEqual({ rule: 'ITEMA-28', exceptChannels: ['walk-in'] });
  });
});

describe('one currency per order (the pack settings.currency)', () => {
  test("every demo organization's currency is its pack's", () => {
    for (const o of DEMO_ORGS) expect([o.slug, o.currency]).toEqual([o.slug, versionAt(getShippedPack(o.packId), '2026-06-01T09:00:00Z').raw.settings.currency]);
  });

  test('SC-12: the quote, the diagnosis charge from decide() and the balance are in the organization currency (service center: GBP)', async () => {
    const cookie = t.cookies['service-center']['front-desk'];
    const org = await t.db.selectFrom('organizations').select('currency').where('slug', '=', 'service-center').executeTakeFirstOrThrow();
    expect(org.currency).toBe('GBP');
    h.now = new Date('2026-06-01T09:00:00Z');
    const claim = await call('POST', '/api/v1/claims', cookie, { channel: 'walk-in', customer: { name: 'Pound Sterling', email: 'gbp@example.co.uk' }, device: { serial: 'SC-CUR-1', manufacturer: 'Lenovo', category: 'laptop' }, problem: 'Fan', workOrder });
    expect(claim.status).toBe(201);
    const id = claim.body.order.id;
    expect(claim.body.order.currency).toBe('GBP');
    const a = act(cookie);
    await a(id, { action: 'start-diagnosis' });
    await a(id, { action: 'diagnose', findings: ['physical-damage'] });
    const wrong = await a(id, { action: 'quote', amountMinor: 9000, currency: 'EUR', duration: '2 days', advice: 'ok', worthRepairing: true }, 422);
    expect(wrong.errors[0].field).toBe('body.currency');
    const quoted = await a(id, { action: 'quote', amountMinor: 9000, duration: '2 days', advice: 'ok', worthRepairing: true });
    expect(quoted.quote.currency).toBe('GBP');
    const refused = await a(id, { action: 'refuse', via: 'phone' });
    expect(refused.charges.length).toBeGreaterThan(0);
    expect(new Set([...refused.charges.map((c: Json) => c.currency), refused.balance.currency, refused.currency, quoted.quote.currency])).toEqual(new Set(['GBP']));
  });
});
