// Contracts and the desk for ITMall (ITM-1, ITM-2) and the service center's free advice (SC-1); a
// contract's renewal, cancellation, stale versions and bad input. Every moment is pinned.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sweepDueTimers } from '../../core/timers.ts';
import { buildApp } from '../../server/app.ts';
import { DiskStorage } from '../../storage/index.ts';
import { setupApp, snapshot, type TestContext } from '../../../test/db.ts';
import { startSmtp } from '../../../test/smtp.ts';
import { DeliveryWorker } from '../notifications/delivery-worker.ts';

let t: TestContext;
let app: Awaited<ReturnType<typeof buildApp>>;
let clock = new Date('2026-11-21T08:00:00Z');
const ids: Record<string, string> = {};
beforeAll(async () => {
  t = await setupApp();
  app = await buildApp({ db: t.db, pool: t.pool, config: t.config, storage: new DiskStorage(t.config.filesDir), now: () => clock });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});
const call = async (method: 'GET' | 'POST', url: string, payload?: object, cookie = t.cookies.itmall.manager, headers: Record<string, string> = {}) => {
  const r = await app.inject({ method, url, payload, headers: { cookie, ...headers } });
  return { status: r.statusCode, body: r.json() };
};
const device = (org: string, serial: string) => t.db.selectFrom('devices').select(['id', 'customer_id']).where('organization_id', '=', t.orgs[org]).where('serial', '=', serial).executeTakeFirstOrThrow();

describe('ITMall: premium maintenance and the 24/7 desk', () => {
  test('a qualified switch sold through ITMall comes with 3 years of premium maintenance from its shipping date, made at the sale (ITM-1)', async () => {
    const ws = await device('itmall', 'DEMO-ITMALL-WS');
    // The demo's workstation got its own when its sale was recorded.
    const shipped = (await t.db.selectFrom('device_events').select('date').where('device_id', '=', ws.id).where('type', '=', 'shipping').executeTakeFirstOrThrow()).date;
    const own = (await call('GET', `/api/v1/contracts?deviceId=${ws.id}`)).body.items;
    expect(own).toEqual([expect.objectContaining({ source: 'included', rule: 'ITM-1', tier: expect.objectContaining({ id: 'premium', calendar: '24/7' }), startsOn: shipped, status: 'active' })]);
    const end = new Date(`${shipped}T00:00:00Z`);
    end.setUTCFullYear(end.getUTCFullYear() + 3);
    end.setUTCDate(end.getUTCDate() - 1);
    expect(own[0].endsOn).toBe(end.toISOString().slice(0, 10));
    // A new switch: the purchase with its shipping date makes the contract, nothing else to do.
    const sw = await call('POST', '/api/v1/devices', { serial: 'C9300-NEW-1', manufacturer: 'Cisco', model: 'Catalyst 9300', category: 'switch', customerId: ws.customer_id });
    expect(sw.status).toBe(201);
    ids.newSwitch = sw.body.id;
    const sale = await call('POST', '/api/v1/purchases', { deviceId: sw.body.id, documentType: 'invoice', documentNumber: 'INV-SG-2026-0999', soldOn: '2026-10-01', shippedOn: '2026-10-03' });
    expect(sale.status).toBe(201);
    const made = (await call('GET', `/api/v1/contracts?deviceId=${sw.body.id}`)).body.items;
    expect(made).toEqual([expect.objectContaining({ source: 'included', rule: 'ITM-1', startsOn: '2026-10-03', endsOn: '2029-10-02', status: 'active', devices: [expect.objectContaining({ serial: 'C9300-NEW-1' })] })]);
    // Sold without a shipping date: nothing yet; the date recorded later makes it then.
    const later = await call('POST', '/api/v1/devices', { serial: 'C9300-NEW-2', manufacturer: 'Cisco', category: 'switch', customerId: ws.customer_id });
    const p = await call('POST', '/api/v1/purchases', { deviceId: later.body.id, documentType: 'invoice', documentNumber: 'INV-SG-2026-1000', soldOn: '2026-11-02' });
    expect((await call('GET', `/api/v1/contracts?deviceId=${later.body.id}`)).body.items).toEqual([]);
    const upd = await app.inject({ method: 'PATCH', url: `/api/v1/purchases/${p.body.id}`, payload: { version: p.body.version, shippedOn: '2026-11-05' }, headers: { cookie: t.cookies.itmall.manager } });
    expect(upd.statusCode).toBe(200);
    expect((await call('GET', `/api/v1/contracts?deviceId=${later.body.id}`)).body.items).toEqual([expect.objectContaining({ rule: 'ITM-1', startsOn: '2026-11-05' })]);
    // An accessory is not qualified: its sale makes no contract, and asking for one says why (ITM-1).
    const acc = await call('POST', '/api/v1/devices', { serial: 'SFP-1', manufacturer: 'Cisco', category: 'sfp', customerId: ws.customer_id });
    expect((await call('POST', '/api/v1/purchases', { deviceId: acc.body.id, documentType: 'invoice', documentNumber: 'INV-SG-2026-1001', soldOn: '2026-10-01', shippedOn: '2026-10-03' })).status).toBe(201);
    expect((await call('GET', `/api/v1/contracts?deviceId=${acc.body.id}`)).body.items).toEqual([]);
    expect((await call('POST', '/api/v1/contracts/included-maintenance', { deviceId: acc.body.id })).body).toMatchObject({ code: 'not-qualified', rule: 'ITM-1' });
    // Once per device.
    expect((await call('POST', '/api/v1/contracts/included-maintenance', { deviceId: sw.body.id })).body.code).toBe('already-exists');
  });

  test('a business whose policy includes no maintenance makes no contract at a sale (the pack decides, ITM-1)', async () => {
    const cookie = t.cookies.its.manager;
    const cust = (await t.db.selectFrom('customers').select('id').where('organization_id', '=', t.orgs.its).executeTakeFirstOrThrow()).id;
    const d = await call('POST', '/api/v1/devices', { serial: 'ITS-SW-1', manufacturer: 'Cisco', category: 'switch', customerId: cust }, cookie);
    expect((await call('POST', '/api/v1/purchases', { deviceId: d.body.id, documentType: 'invoice', documentNumber: 'ITS-INV-77', soldOn: '2026-10-01', shippedOn: '2026-10-03' }, cookie)).status).toBe(201);
    expect(await t.db.selectFrom('contract_devices').select('contract_id').where('device_id', '=', d.body.id).execute()).toEqual([]);
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

  test('an incident becomes an RMA or a service order, linked both ways, through their own intake (ITM-6)', async () => {
    clock = new Date('2026-11-21T08:00:00Z');
    const ws = await device('itmall', 'DEMO-ITMALL-WS');
    const open = async (subject: string) => (await call('POST', '/api/v1/support-tickets', { kind: 'incident', channel: 'phone', customerId: ws.customer_id, deviceId: ids.newSwitch, subject, description: 'PSU 1 failed; the switch runs on PSU 2.' })).body;
    const a = await open('PSU failure');
    const r = await call('POST', `/api/v1/support-tickets/${a.id}/actions`, { action: 'open-rma', version: a.version, fault: 'Power supply 1 dead' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ state: 'in-progress', rma: { id: expect.any(String), number: expect.stringMatching(/^RMA-/) } });
    expect(r.body.thread.at(-1)).toMatchObject({ direction: 'event', data: { rmaId: r.body.rma.id } });
    const rma = await call('GET', `/api/v1/rmas/${r.body.rma.id}`);
    expect(rma.body).toMatchObject({ number: r.body.rma.number, items: [expect.objectContaining({ serial: 'C9300-NEW-1' })] });
    // The other way: the RMA's ticket.
    expect((await call('GET', `/api/v1/support-tickets?rmaId=${r.body.rma.id}`)).body.items.map((x: { number: string }) => x.number)).toEqual([a.number]);
    // Once per ticket.
    expect((await call('POST', `/api/v1/support-tickets/${a.id}/actions`, { action: 'open-rma', version: r.body.version })).body.code).toBe('already-exists');
    const b = await open('Fan noise');
    const o = await call('POST', `/api/v1/support-tickets/${b.id}/actions`, { action: 'open-service-order', version: b.version });
    expect(o.body).toMatchObject({ serviceOrder: { id: o.body.serviceOrderId, number: expect.stringMatching(/^SO-/) } });
    expect((await call('GET', `/api/v1/support-tickets?serviceOrderId=${o.body.serviceOrderId}`)).body.items.map((x: { number: string }) => x.number)).toEqual([b.number]);
    // A question is not an incident: it becomes neither.
    const q = (await call('POST', '/api/v1/support-tickets', { kind: 'question', channel: 'phone', customerId: ws.customer_id, subject: 'VLAN?', description: 'How do I add a VLAN?' })).body;
    expect((await call('POST', `/api/v1/support-tickets/${q.id}/actions`, { action: 'open-rma', version: q.version })).body.code).toBe('not-an-incident');
  });

  test('a ticket is assigned to a person of the business and a level, and escalated by hand to L3 naming who was told (ITM-2)', async () => {
    const ws = await device('itmall', 'DEMO-ITMALL-WS');
    const staff = (await call('GET', '/api/v1/support-staff', undefined, t.cookies.itmall.technician)).body.items;
    const tech = staff.find((x: { role: string }) => x.role === 'technician');
    expect(tech).toMatchObject({ id: expect.any(String), name: expect.any(String) });
    expect(staff[0]).not.toHaveProperty('email');
    const k = (await call('POST', '/api/v1/support-tickets', { kind: 'incident', channel: 'phone', customerId: ws.customer_id, deviceId: ws.id, subject: 'Display flicker', description: 'The monitor flickers.' })).body;
    const as = await call('POST', `/api/v1/support-tickets/${k.id}/actions`, { action: 'assign', version: k.version, assigneeId: tech.id, level: 'L2' });
    expect(as.body).toMatchObject({ assignee: { id: tech.id }, level: 'L2' });
    const up = await call('POST', `/api/v1/support-tickets/${k.id}/actions`, { action: 'escalate', version: as.body.version, level: 'L3', reason: 'firmware bug suspected' });
    expect(up.body.level).toBe('L3');
    const ev = up.body.thread.at(-1);
    expect(ev.data).toMatchObject({ from: 'L2', to: 'L3', reason: 'firmware bug suspected' });
    expect(ev.data.told.map((x: { id: string }) => x.id)).toContain(tech.id);
    const out = await t.db.selectFrom('outbox').select('payload').where('aggregate_id', '=', k.id).where('topic', '=', 'support.escalated').executeTakeFirstOrThrow();
    expect((out.payload as { told: string[] }).told.length).toBe(ev.data.told.length);
    // Someone of another business cannot be assigned; a level the policy lacks is refused.
    const other = (await t.db.selectFrom('staff_users').select('id').where('organization_id', '=', t.orgs.vn).executeTakeFirstOrThrow()).id;
    expect((await call('POST', `/api/v1/support-tickets/${k.id}/actions`, { action: 'assign', version: up.body.version, assigneeId: other })).body).toMatchObject({ code: 'unknown-reference', errors: [{ field: 'body.assigneeId' }] });
    expect((await call('POST', `/api/v1/support-tickets/${k.id}/actions`, { action: 'assign', version: up.body.version, level: 'L9' })).body).toMatchObject({ code: 'unknown-level', errors: [{ field: 'body.level' }] });
  });

  test('renew and cancel with an Idempotency-Key: a retry gets the first answer; a cancelled contract covers no new incident and its stale reminders are not sent', async () => {
    clock = new Date('2026-11-21T08:00:00Z');
    const ws = await device('itmall', 'DEMO-ITMALL-WS');
    const c = (await call('POST', '/api/v1/contracts', { customerId: ws.customer_id, tier: 'premium', startsOn: '2026-01-01', endsOn: '2026-12-31', sites: ['Jurong DC'] })).body;
    const key = { 'idempotency-key': `renew-${c.id}` };
    const first = await call('POST', `/api/v1/contracts/${c.id}/actions`, { action: 'renew', version: 1, endsOn: '2027-06-30' }, undefined, key);
    const retry = await call('POST', `/api/v1/contracts/${c.id}/actions`, { action: 'renew', version: 1, endsOn: '2027-06-30' }, undefined, key);
    expect(first).toMatchObject({ status: 200, body: { version: 2, endsOn: '2027-06-30' } });
    expect(retry).toEqual(first);
    expect((await t.db.selectFrom('audit_events').select('action').where('entity_id', '=', c.id).where('action', '=', 'contract.renew').execute()).length).toBe(1);
    const inc = (await call('POST', '/api/v1/support-tickets', { kind: 'incident', channel: 'phone', customerId: ws.customer_id, contractId: c.id, site: 'Jurong DC', subject: 'Rack PDU alarm', description: 'PDU B alarms.' })).body;
    await call('POST', `/api/v1/contracts/${c.id}/actions`, { action: 'cancel', version: 2, reason: 'moved to another provider' }, undefined, { 'idempotency-key': `cancel-${c.id}` });
    const refused = await call('POST', '/api/v1/support-tickets', { kind: 'incident', channel: 'phone', customerId: ws.customer_id, contractId: c.id, site: 'Jurong DC', subject: 'Again', description: 'PDU B again.' });
    expect(refused).toMatchObject({ status: 422, body: { code: 'contract-expired', errors: [{ field: 'body.contractId' }] } });
    // Its history stays: the ticket is still there, on the contract.
    expect((await call('GET', `/api/v1/support-tickets?contractId=${c.id}`)).body.items.map((x: { id: string }) => x.id)).toEqual([inc.id]);
    // The reminders written before the cancellation compose to nothing.
    const { compose } = await import('../notifications/notifications.compose.ts');
    const reminders = await t.db.selectFrom('outbox').selectAll().where('aggregate_id', '=', c.id).where('topic', '=', 'contract.renewal-reminder').execute();
    expect(reminders).toHaveLength(2);
    for (const r of reminders) expect(await compose(t.db, t.config, r)).toEqual([]);
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
    // The consultant's answer leaves by e-mail to the address the asker gave, over real SMTP (SC-1).
    const box = await startSmtp();
    try {
      const w = new DeliveryWorker(t.db, { ...t.config, smtp: box.config, mailFrom: 'desk@aftercare.test', publicUrl: 'https://shop.example' }, { batchSize: 500 });
      while ((await w.runOnce()) > 0);
      await w.stop();
      const to = (m: { to?: unknown }) => (m.to && !Array.isArray(m.to) ? (m.to as { value: { address?: string }[] }).value[0].address : null);
      const mail = [...box.messages.values()].find((m) => to(m) === 'alex@example.org');
      expect(mail?.subject).toContain(`[${list[0].number}]`);
      expect(mail?.text).toContain('Yes: a battery is a tenth of a new laptop.');
      expect(mail?.text).toContain('Alex Gray');
    } finally {
      await box.close();
    }
    // ITS offers no consultant; an unknown business is not found.
    expect((await app.inject({ method: 'POST', url: '/api/v1/consultant/its', payload: { name: 'A', email: 'a@example.org', question: 'q' } })).json().code).toBe('support-not-offered');
    expect((await app.inject({ url: '/api/v1/consultant/no-such-shop' })).statusCode).toBe(404);
  });
});
