// An audit of the rules that live in the service layer (RULES.md), through the HTTP API only: each
// rule's edge cases as a tester reads them from the rule text. Time is the harness's clock.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { snapshot, type TestContext } from '../../../test/db.ts';
import { clockedApp, type ClockedApp, type Json } from '../../../test/app.ts';
import { systemActor } from '../../core/actor.ts';
import * as devices from '../devices/devices.service.ts';
import * as purchases from '../purchases/purchases.service.ts';
import { sweepDueTimers } from '../../core/timers.ts';

let h: ClockedApp;
let t: TestContext;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

beforeAll(async () => {
  h = await clockedApp(new Date('2026-03-02T09:00:00Z'));
  t = h.t;
});
afterAll(async () => {
  await h?.close();
});

const at = (iso: string) => (h.now = new Date(iso));
const later = (ms: number) => (h.now = new Date(h.now.getTime() + ms));
const call = (method: 'GET' | 'POST' | 'DELETE', url: string, cookie?: string, payload?: object) => h.call(method, url, cookie, payload);
const staff = (org: string) => t.cookies[org]['front-desk'];
const workOrder = { termsAccepted: true, accessories: [], complete: true, visibleCondition: 'as new', dataBackedUp: true, passwordsRemoved: true, problemInClientsWords: 'It does not start', signedBy: 'Client' };
let serialNo = 0;
const serial = (p: string) => `AUDIT-${p}-${++serialNo}`;

async function claim(org: string, body: Json, expected = 201) {
  const r = await call('POST', '/api/v1/claims', staff(org), body);
  expect(r.status, JSON.stringify(r.body)).toBe(expected);
  return r.body;
}
/** A walk-in with the signed work order, for a device the shop registers now. */
async function walkIn(org: string, extra: Json = {}) {
  const s = serial(org);
  return claim(org, {
    channel: 'walk-in',
    customer: { name: `Client ${s}`, email: `${s.toLowerCase()}@example.com`, phone: '+44 20 7946 0000' },
    device: { serial: s, manufacturer: 'Lenovo', model: 'T14', category: 'laptop' },
    problem: 'Does not start',
    workOrder,
    ...extra,
  });
}
const get = async (org: string, id: string) => (await call('GET', `/api/v1/service-orders/${id}`, staff(org))).body;
async function act(org: string, id: string, body: Json, expected = 200) {
  const cur = await get(org, id);
  const r = await call('POST', `/api/v1/service-orders/${id}/actions`, staff(org), { version: cur.version, ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(expected);
  return r.body;
}
const clock = async (org: string, id: string, clockId: string) => (await get(org, id)).clocks.find((c: Json) => c.id === clockId);
const outbox = async (id: string) =>
  (await t.db.selectFrom('outbox').select(['topic', 'payload']).where('aggregate_id', '=', id).orderBy('created_at').orderBy('id').execute()).map((r): Json => ({ topic: r.topic, ...(r.payload as Json) }));

/** Diagnosis and a paid quote: the order waits for the client. */
async function quoted(org: string, id: string, amountMinor = 10000) {
  await act(org, id, { action: 'start-diagnosis' });
  await act(org, id, { action: 'diagnose', findings: ['physical-damage'] });
  return act(org, id, { action: 'quote', amountMinor, duration: '3 working days', advice: 'Worth it', worthRepairing: true });
}
/** From the quote to the ready notice. */
async function repaired(org: string, id: string) {
  await act(org, id, { action: 'accept', via: 'in-person' });
  await act(org, id, { action: 'start-repair', works: ['board'] });
  await act(org, id, { action: 'start-testing' });
  return act(org, id, { action: 'test-passed', report: 'stress test passed' });
}

/** An ITEMA-PG device sold here `soldDaysAgo` days before the harness's now, with its invoice. */
async function itemaDevice(soldDaysAgo: number, condition: 'new' | 'refurbished' | 'used' = 'refurbished') {
  const org = t.orgs['itema-pg'];
  const a = systemActor(org, 'test');
  const s = serial('ITEMA');
  const soldOn = new Date(h.now.getTime() - soldDaysAgo * DAY).toISOString().slice(0, 10);
  return t.db.transaction().execute(async (tx) => {
    const c = await tx.selectFrom('customers').select('id').where('organization_id', '=', org).where('email', '=', 'ivan.petrov@example.bg').executeTakeFirstOrThrow();
    const d = await devices.insert(tx, a, { serial: s, manufacturer: 'Dell', model: 'Latitude 5490', category: 'laptop', condition, term: '12 months', customerId: c.id, parts: [{ id: 'ssd-1', category: 'ssd' }] });
    await purchases.insert(tx, a, { deviceId: d.id, customerId: c.id, documentType: 'invoice', documentNumber: s, soldOn, place: 'ITEMA-PG Sofia' });
    return { id: d.id, serial: s, customerId: c.id };
  });
}
/** A covered ITEMA-PG warranty job, taken in now; returns the order after approval. */
async function itemaWarrantyJob(dev: { id: string; customerId: string }) {
  const { order } = await claim('itema-pg', { channel: 'walk-in', deviceId: dev.id, customerId: dev.customerId, problem: 'Не стартира', proofs: { warrantyCard: true }, workOrder });
  await act('itema-pg', order.id, { action: 'start-diagnosis' });
  const d = await act('itema-pg', order.id, { action: 'diagnose', findings: [], hardwareDefectConfirmed: true });
  expect(d.decision.outcome).toBe('covered');
  return act('itema-pg', order.id, { action: 'approve-warranty' });
}
async function finishRepair(org: string, id: string) {
  await act(org, id, { action: 'start-repair' });
  await act(org, id, { action: 'start-testing' });
  return act(org, id, { action: 'test-passed', report: 'ok' });
}

describe('SC-2, ITEMA-11, ITEMA-29: the signed work order', () => {
  test.each([
    ['service-center', 'termsAccepted', 'SC-2'],
    ['itema-pg', 'termsAccepted', 'ITEMA-11'],
    ['itema-pg', 'dataBackedUp', 'ITEMA-29'],
    ['itema-pg', 'passwordsRemoved', 'ITEMA-29'],
  ])('%s: a work order without %s is refused at intake and at open, and nothing is written (%s)', async (org, field, rule) => {
    at('2026-03-02T09:00:00Z');
    const before = await snapshot(t.db);
    const bad = await call('POST', '/api/v1/claims', staff(org), { channel: 'walk-in', customer: { name: 'X', email: 'x-wo@example.com' }, device: { serial: serial('WO'), manufacturer: 'HP', category: 'laptop' }, problem: 'x', workOrder: { ...workOrder, [field]: false } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe(`body.workOrder.${field}`);
    expect(bad.body.errors[0].message).toContain(rule);
    expect(await snapshot(t.db)).toEqual(before);
    // The same at `open` of a claim taken by phone.
    const { order } = await claim(org, { channel: 'phone', customer: { name: 'Phone Client', phone: '+44 20 7946 0001' }, device: { serial: serial('WO'), manufacturer: 'HP', category: 'laptop' }, problem: 'x' });
    if (order.preAuthorization.required) await act(org, order.id, { action: 'authorize' });
    const open = await act(org, order.id, { action: 'open', workOrder: { ...workOrder, [field]: false } }, 422);
    expect(open.errors[0].field).toBe(`body.workOrder.${field}`);
    expect((await get(org, order.id)).state).toBe('claimed');
  });

  test('every missing confirmation is named at once, not one per attempt (SC-2, ITEMA-29)', async () => {
    at('2026-03-02T09:00:00Z');
    const bad = await call('POST', '/api/v1/claims', staff('itema-pg'), { channel: 'walk-in', customer: { name: 'X', email: 'x-all@example.com' }, device: { serial: serial('WO'), manufacturer: 'HP', category: 'laptop' }, problem: 'x', workOrder: { ...workOrder, termsAccepted: false, dataBackedUp: false, passwordsRemoved: false } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: Json) => e.field)).toEqual(['body.workOrder.termsAccepted', 'body.workOrder.dataBackedUp', 'body.workOrder.passwordsRemoved']);
  });

  test('the work order exists only once signed: its document is listed after open, not before (SC-2)', async () => {
    at('2026-03-02T09:00:00Z');
    const { order } = await claim('service-center', { channel: 'phone', customer: { name: 'Later Signer', phone: '+44 20 7946 0002' }, device: { serial: serial('SC'), manufacturer: 'HP', category: 'laptop' }, problem: 'x' });
    const docs = async () => (await call('GET', `/api/v1/service-orders/${order.id}/documents`, staff('service-center'))).body;
    expect(JSON.stringify(await docs())).not.toContain('work-order');
    expect((await call('GET', `/api/v1/service-orders/${order.id}/documents/work-order.pdf`, staff('service-center'))).status).toBe(409);
    const opened = await act('service-center', order.id, { action: 'open', workOrder: { ...workOrder, signedBy: 'Later Signer' } });
    expect(opened).toMatchObject({ state: 'received', workOrder: { termsAccepted: true, signedBy: 'Later Signer' } });
    expect(JSON.stringify(await docs())).toContain('work-order');
  });
});

describe('SC-3, SC-7: the order page and the channels of consent', () => {
  test('the order page shows progress and refuses a decision before there is a quote (SC-3)', async () => {
    at('2026-03-02T09:00:00Z');
    const { order, orderPage } = await walkIn('service-center');
    const page = async () => (await call('GET', `/api/v1/order-page/${orderPage.token}`)).body;
    expect(await page()).toMatchObject({ state: 'received', canDecide: false, quote: null });
    const before = await snapshot(t.db);
    const early = await call('POST', `/api/v1/order-page/${orderPage.token}/decision`, undefined, { decision: 'accept', version: (await page()).version });
    expect(early.status).toBe(409);
    expect(await snapshot(t.db)).toEqual(before);
    await quoted('service-center', order.id, 8000);
    const p = await page();
    expect(p).toMatchObject({ state: 'awaiting-decision', canDecide: true, quote: { amountMinor: 8000, duration: '3 working days', advice: 'Worth it' } });
    expect(p.timeline.map((e: Json) => e.state)).toEqual(['received', 'diagnosing', 'diagnosing', 'awaiting-decision']);
  });

  test('the client refuses on the order page: recorded as order-page, diagnosis owed (SC-3, SC-7, SC-12)', async () => {
    const { order, orderPage } = await walkIn('service-center');
    const q = await quoted('service-center', order.id);
    const r = await call('POST', `/api/v1/order-page/${orderPage.token}/decision`, undefined, { decision: 'refuse', version: q.version });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ state: 'refused', canDecide: false, due: { balanceMinor: 2500 } });
    const o = await get('service-center', order.id);
    expect(o.clientDecision).toMatchObject({ decision: 'refused', via: 'order-page' });
    expect(o.timeline.at(-1)).toMatchObject({ action: 'refuse', channel: 'order-page' });
  });

  test('the client accepts by order number and phone (SC-3)', async () => {
    const { order } = await walkIn('service-center');
    const q = await quoted('service-center', order.id);
    const r = await call('POST', '/api/v1/order-page/lookup/decision', undefined, { number: order.number, contact: '+44 20 7946 0000', decision: 'accept', version: q.version });
    expect(r.status).toBe(200);
    expect((await get('service-center', order.id)).clientDecision).toMatchObject({ decision: 'accepted', via: 'order-page' });
  });

  test.each(['email', 'phone', 'in-person'])('consent by %s is recorded with its channel (SC-7)', async (via) => {
    const { order } = await walkIn('service-center');
    await quoted('service-center', order.id);
    const o = await act('service-center', order.id, { action: 'accept', via });
    expect(o.clientDecision).toMatchObject({ decision: 'accepted', via });
    const d = await get('service-center', order.id);
    expect(d.timeline.at(-1)).toMatchObject({ action: 'accept', channel: via });
    expect((await outbox(order.id)).find((m) => m.topic === 'order.decision-recorded')).toMatchObject({ decision: 'accepted', via });
  });

  test('a decision without a channel, or by an unknown one, is refused (SC-7)', async () => {
    const { order } = await walkIn('service-center');
    const q = await quoted('service-center', order.id);
    for (const body of [{ action: 'refuse' }, { action: 'refuse', via: 'sms' }, { action: 'accept', via: 'carrier-pigeon' }]) {
      const r = await call('POST', `/api/v1/service-orders/${order.id}/actions`, staff('service-center'), { ...body, version: q.version });
      expect(r.status).toBe(400);
      expect(r.body.errors.map((e: Json) => e.field)).toContain('body.via');
    }
  });
});

describe('SC-4, SC-5: diagnosis and the quote', () => {
  test('the diagnosis clock runs 2 working days from intake, the quote meets it (SC-4)', async () => {
    at('2026-03-05T09:00:00Z'); // Thursday 10:00 in Berlin
    const { order } = await walkIn('service-center');
    const c = await clock('service-center', order.id, 'diagnosis');
    expect(c).toMatchObject({ rule: 'SC-4', status: 'running', stoppedAt: null });
    expect(Date.parse(c.due)).toBe(Date.parse('2026-03-07T10:00:00+01:00')); // Saturday is a working day there
    later(DAY);
    await quoted('service-center', order.id);
    expect((await clock('service-center', order.id, 'diagnosis')).status).toBe('met');
  });

  test('a diagnosis not done in 2 working days is breached and staff are told (SC-4)', async () => {
    at('2026-03-05T09:00:00Z');
    const { order } = await walkIn('service-center');
    await act('service-center', order.id, { action: 'start-diagnosis' });
    h.now = new Date('2026-03-09T09:00:00Z');
    expect((await clock('service-center', order.id, 'diagnosis')).status).toBe('breached');
    await sweepDueTimers(t.db, h.now);
    expect((await outbox(order.id)).filter((m) => m.topic === 'deadline.breached')).toEqual([expect.objectContaining({ clock: 'diagnosis', rule: 'SC-4' })]);
  });

  test('the quote carries cost, duration and advice, and the client is told (SC-5)', async () => {
    at('2026-03-02T09:00:00Z');
    const { order } = await walkIn('service-center');
    await act('service-center', order.id, { action: 'start-diagnosis' });
    await act('service-center', order.id, { action: 'diagnose', findings: ['physical-damage'] });
    for (const missing of ['amountMinor', 'duration', 'advice', 'worthRepairing']) {
      const body: Json = { action: 'quote', amountMinor: 9900, duration: '2 days', advice: 'Not worth it: the board costs more than the phone', worthRepairing: false };
      delete body[missing];
      const r = await call('POST', `/api/v1/service-orders/${order.id}/actions`, staff('service-center'), { ...body, version: (await get('service-center', order.id)).version });
      expect(r.status, missing).toBe(400);
      expect(r.body.errors.map((e: Json) => e.field)).toContain(`body.${missing}`);
    }
    const q = await act('service-center', order.id, { action: 'quote', amountMinor: 9900, duration: '2 days', advice: 'Not worth it: the board costs more than the phone', worthRepairing: false });
    expect(q.quote).toMatchObject({ amountMinor: 9900, currency: 'GBP', duration: '2 days', worthRepairing: false, rule: 'SC-5' });
    expect((await outbox(order.id)).find((m) => m.topic === 'order.quote-ready')).toMatchObject({ amountMinor: 9900, currency: 'GBP' });
  });
});

describe('SC-6: the 6-month decision window', () => {
  test('the window is 6 months from the quote and does not pause while the client thinks (SC-6)', async () => {
    at('2026-03-02T09:00:00Z');
    const { order } = await walkIn('service-center');
    await quoted('service-center', order.id);
    later(30 * DAY);
    const c = await clock('service-center', order.id, 'decision-window');
    expect(c).toMatchObject({ rule: 'SC-6', status: 'running', pausedMs: 0 });
    expect(Date.parse(c.due)).toBe(Date.parse('2026-09-02T10:00:00+02:00')); // the same wall-clock time in Berlin
  });

  test('a decision on the last moment of the window is taken; one after it is refused, on the order page too (SC-6)', async () => {
    at('2026-03-02T09:00:00Z');
    const a = await walkIn('service-center');
    const b = await walkIn('service-center');
    await quoted('service-center', a.order.id);
    const qb = await quoted('service-center', b.order.id);
    const due = Date.parse((await clock('service-center', a.order.id, 'decision-window')).due);
    h.now = new Date(due);
    expect((await act('service-center', a.order.id, { action: 'accept', via: 'phone' })).state).toBe('accepted');
    h.now = new Date(due + 1000);
    const before = await snapshot(t.db);
    const late = await act('service-center', b.order.id, { action: 'accept', via: 'email' }, 422);
    expect(late).toMatchObject({ code: 'decision-window-expired', rule: 'SC-6' });
    const page = await call('POST', `/api/v1/order-page/${b.orderPage.token}/decision`, undefined, { decision: 'accept', version: qb.version });
    expect(page.status).toBe(422);
    expect(page.body.code).toBe('decision-window-expired');
    expect(await snapshot(t.db)).toEqual(before);
    // The order page says so before the client tries: refusing is still offered, accepting is not.
    const view = (await call('GET', `/api/v1/order-page/${b.orderPage.token}`)).body;
    expect(view).toMatchObject({ canDecide: true, canAccept: false, decisionWindow: { rule: 'SC-6' } });
  });

  test('a new quote does not reopen an expired window (SC-6)', async () => {
    at('2026-03-02T09:00:00Z');
    const { order } = await walkIn('service-center');
    await quoted('service-center', order.id);
    later(200 * DAY);
    await act('service-center', order.id, { action: 'quote', amountMinor: 5000, duration: '1 day', advice: 'Cheaper now', worthRepairing: true });
    expect((await act('service-center', order.id, { action: 'accept', via: 'phone' }, 422)).code).toBe('decision-window-expired');
  });
});

describe('SC-8, SC-9: the stress test and the ready notice', () => {
  test('a failed test goes back to repair without a ready notice; ready only through a passed test (SC-8)', async () => {
    at('2026-03-02T09:00:00Z');
    const { order } = await walkIn('service-center');
    await quoted('service-center', order.id);
    await act('service-center', order.id, { action: 'accept', via: 'phone' });
    await act('service-center', order.id, { action: 'start-repair' });
    expect((await act('service-center', order.id, { action: 'test-passed', report: 'skipped' }, 409)).code).toBe('illegal-transition');
    await act('service-center', order.id, { action: 'start-testing' });
    const failed = await act('service-center', order.id, { action: 'test-failed', report: 'Reboots under load' });
    expect(failed).toMatchObject({ state: 'in-repair', testResult: { passed: false, report: 'Reboots under load', rule: 'SC-8' } });
    expect((await outbox(order.id)).map((m) => m.topic)).not.toContain('order.ready');
    const ev = await t.db.selectFrom('device_events').select('type').where('order_ref', '=', order.number).execute();
    expect(ev.map((e) => e.type)).not.toContain('repair-completed');
    expect((await get('service-center', order.id)).clocks.map((c: Json) => c.id)).not.toContain('disposal');
    expect((await act('service-center', order.id, { action: 'test-failed', report: 'x' }, 409)).code).toBe('illegal-transition');
  });

  test.each([
    ['e-mail', { email: 'ready-mail@example.com' }, 'email'],
    ['phone only', { phone: '+44 20 7946 0100' }, 'phone'],
  ])('the ready notice goes to the client (%s) with the balance (SC-9)', async (_label, contact, channel) => {
    at('2026-03-02T09:00:00Z');
    const { order } = await claim('service-center', { channel: 'walk-in', customer: { name: 'Ready Client', ...contact }, device: { serial: serial('SC9'), manufacturer: 'HP', category: 'laptop' }, problem: 'x', workOrder });
    await quoted('service-center', order.id, 4200);
    await repaired('service-center', order.id);
    expect((await outbox(order.id)).filter((m) => m.topic === 'order.ready')).toEqual([expect.objectContaining({ number: order.number, channel, balanceDueMinor: 4200, currency: 'GBP' })]);
  });
});

describe('SC-10, SC-11, SC-12: handover, disposal, refusal', () => {
  test('no handover until the balance is paid in full; then certificate and receipt, and the device has its warranty card (SC-10)', async () => {
    at('2026-03-02T09:00:00Z');
    const { order, orderPage } = await walkIn('service-center');
    await quoted('service-center', order.id, 10000);
    await repaired('service-center', order.id);
    const pay = async (amountMinor: number) => call('POST', `/api/v1/service-orders/${order.id}/payments`, staff('service-center'), { amountMinor, method: 'cash', version: (await get('service-center', order.id)).version });
    expect((await pay(9999)).status).toBe(200);
    expect((await act('service-center', order.id, { action: 'hand-over' }, 422)).code).toBe('balance-due');
    expect((await pay(2)).status).toBe(422);
    expect((await pay(1)).status).toBe(200);
    const o = await act('service-center', order.id, { action: 'hand-over' });
    expect(o.state).toBe('handed-over');
    const docs = (await call('GET', `/api/v1/order-page/${orderPage.token}`)).body.documents.map((d: Json) => d.kind);
    expect(docs).toEqual(expect.arrayContaining(['completion-certificate', 'payment-receipt']));
    const card = await h.app.inject({ method: 'GET', url: `/api/v1/devices/${order.deviceId}/documents/warranty-card.pdf`, headers: { cookie: staff('service-center') } });
    expect(card.statusCode).toBe(200);
    expect(card.headers['content-type']).toContain('application/pdf');
    // Nothing more on a handed-over order.
    expect((await pay(1)).status).toBe(409);
  });

  test('disposal: a reminder before, unclaimed at 6 months of the ready notice, never before (SC-11)', async () => {
    at('2026-03-02T09:00:00Z');
    const { order } = await walkIn('service-center');
    await quoted('service-center', order.id, 0);
    await repaired('service-center', order.id);
    const c = await clock('service-center', order.id, 'disposal');
    expect(c).toMatchObject({ rule: 'SC-11', status: 'running' });
    expect(Date.parse(c.due)).toBe(Date.parse('2026-09-02T10:00:00+02:00')); // the same wall-clock time in Berlin
    expect((await act('service-center', order.id, { action: 'dispose' }, 409)).code).toBe('illegal-transition');
    await sweepDueTimers(t.db, new Date('2026-08-25T09:00:00Z'));
    expect((await outbox(order.id)).filter((m) => m.topic === 'order.disposal-reminder')).toEqual([expect.objectContaining({ clock: 'disposal', rule: 'SC-11' })]);
    expect((await get('service-center', order.id)).state).toBe('ready');
    await sweepDueTimers(t.db, new Date('2026-09-02T09:00:01Z'));
    expect((await get('service-center', order.id)).state).toBe('unclaimed');
  });

  test('a device collected in time gets no reminder and is never unclaimed (SC-11)', async () => {
    at('2026-03-02T09:00:00Z');
    const { order } = await walkIn('service-center');
    await quoted('service-center', order.id, 0);
    await repaired('service-center', order.id);
    later(DAY);
    await act('service-center', order.id, { action: 'hand-over' });
    await sweepDueTimers(t.db, new Date('2026-12-01T00:00:00Z'));
    expect((await outbox(order.id)).map((m) => m.topic)).not.toContain('order.disposal-reminder');
    expect((await get('service-center', order.id)).state).toBe('handed-over');
  });

  test('on refusal the diagnosis is owed, the return waits for it, certificate and receipt follow (SC-12)', async () => {
    at('2026-03-02T09:00:00Z');
    const { order } = await walkIn('service-center');
    await quoted('service-center', order.id);
    const r = await act('service-center', order.id, { action: 'refuse', via: 'phone' });
    expect(r.charges).toEqual([expect.objectContaining({ kind: 'diagnosis', amountMinor: 2500, rule: 'SC-12' })]);
    expect((await act('service-center', order.id, { action: 'return' }, 422)).code).toBe('balance-due');
    await call('POST', `/api/v1/service-orders/${order.id}/payments`, staff('service-center'), { amountMinor: 2500, method: 'card-terminal', version: (await get('service-center', order.id)).version });
    expect((await act('service-center', order.id, { action: 'return' })).state).toBe('returned');
    const docs = (await call('GET', `/api/v1/service-orders/${order.id}/documents`, staff('service-center'))).body;
    expect(JSON.stringify(docs)).toContain('completion-certificate');
    expect(JSON.stringify(docs)).toContain('payment-receipt');
  });

  test('a refused device not collected within 6 months is unclaimed, then may be disposed of (SC-12, SC-11)', async () => {
    at('2026-03-02T09:00:00Z');
    const { order } = await walkIn('service-center');
    await quoted('service-center', order.id);
    await act('service-center', order.id, { action: 'refuse', via: 'email' });
    expect(await clock('service-center', order.id, 'disposal')).toMatchObject({ rule: 'SC-11', status: 'running' });
    await sweepDueTimers(t.db, new Date('2026-09-02T09:00:01Z'));
    expect((await get('service-center', order.id)).state).toBe('unclaimed');
    h.now = new Date('2026-09-03T09:00:00Z');
    expect((await act('service-center', order.id, { action: 'dispose' })).state).toBe('disposed');
  });
});

describe('ITEMA-10, ITEMA-27, ITEMA-28: what a claim carries, pre-authorization', () => {
  test('a web claim with the bare minimum lists every missing detail and proof back, each with its rule (ITEMA-27, ITEMA-10)', async () => {
    at('2026-03-02T09:00:00Z');
    const r = await call('POST', '/api/v1/web-claims/itema-pg', undefined, { name: 'Петър Петров', email: 'petar.audit@example.bg', phone: '+359 88 123 0001', serial: serial('WEB'), problem: 'Не стартира' });
    expect(r.status).toBe(201);
    const missing = r.body.order.missing as Json[];
    const fields = missing.map((m) => m.field);
    expect(fields).toEqual(expect.arrayContaining(['details.address', 'details.purchaseDate', 'details.purchasePlace', 'proofs.warrantyCard']));
    expect(fields.some((f) => /invoice|receipt/.test(f))).toBe(true);
    for (const m of missing) expect(m.rule).toMatch(/^ITEMA-(27|10)$/);
    expect(missing.find((m) => m.field === 'proofs.warrantyCard')?.rule).toBe('ITEMA-10');
  });

  test('a claim with every detail and proof has nothing missing (ITEMA-27)', async () => {
    at('2026-03-02T09:00:00Z');
    const r = await call('POST', '/api/v1/web-claims/itema-pg', undefined, {
      name: 'Пълна Заявка', email: 'full.audit@example.bg', phone: '+359 88 123 0002', address: 'ул. Витоша 1, София',
      serial: serial('WEB'), manufacturer: 'Dell', model: 'Latitude 5490', category: 'laptop', purchaseDate: '2026-01-10', purchasePlace: 'ITEMA-PG Sofia',
      problem: 'Не стартира', proofs: { receipt: true, warrantyCard: true },
    });
    expect(r.status).toBe(201);
    expect(r.body.order.missing).toEqual([]);
  });

  test.each([
    ['itema-pg', 'phone', true],
    ['itema-pg', 'email', true],
    ['itema-pg', 'walk-in', false],
    ['service-center', 'phone', false],
  ])('%s, a claim by %s: pre-authorization required = %s (ITEMA-28)', async (org, channel, required) => {
    at('2026-03-02T09:00:00Z');
    const { order } = await claim(org, { channel, customer: { name: 'Pre Auth', email: `pre-${org}-${channel}@example.com` }, device: { serial: serial('PA'), manufacturer: 'HP', category: 'laptop' }, problem: 'x' });
    expect(order.preAuthorization).toMatchObject({ required, rule: required ? 'ITEMA-28' : null, authorizedAt: null });
    if (required) {
      const before = await snapshot(t.db);
      expect(await act(org, order.id, { action: 'open', workOrder }, 409)).toMatchObject({ code: 'pre-authorization-required', rule: 'ITEMA-28' });
      expect(await snapshot(t.db)).toEqual(before);
      await act(org, order.id, { action: 'authorize' });
      expect((await act(org, order.id, { action: 'authorize' }, 409)).code).toBe('not-awaiting-authorization');
    } else {
      expect((await act(org, order.id, { action: 'authorize' }, 409)).code).toBe('not-awaiting-authorization');
    }
    expect((await act(org, order.id, { action: 'open', workOrder })).state).toBe('received');
  });

  test('the client tracks the repair by its service order number, and the request form downloads (ITEMA-28)', async () => {
    at('2026-03-02T09:00:00Z');
    const { order } = await claim('itema-pg', { channel: 'phone', customer: { name: 'Номер', phone: '+359 88 123 0003' }, device: { serial: serial('NR'), manufacturer: 'HP', category: 'laptop' }, problem: 'x' });
    expect(order.number).toMatch(/^SO-2026-\d{6}$/);
    const page = await call('POST', '/api/v1/order-page/lookup', undefined, { number: order.number, contact: '+359 88 123 0003' });
    expect(page.body).toMatchObject({ number: order.number, state: 'claimed' });
    const form = await h.app.inject({ method: 'GET', url: '/api/v1/documents/warranty-request-form.pdf?org=itema-pg&lang=bg' });
    expect(form.statusCode).toBe(200);
    expect(form.headers['content-type']).toContain('application/pdf');
  });
});

describe('ITEMA-12: courier deliveries', () => {
  test('without an objection within 1 day the terms stand; a later objection is refused (ITEMA-12)', async () => {
    at('2026-03-02T09:00:00Z');
    const { order } = await claim('itema-pg', { channel: 'phone', customer: { name: 'Куриер', phone: '+359 88 123 0004' }, device: { serial: serial('CR'), manufacturer: 'HP', category: 'laptop' }, problem: 'x' });
    const url = (k: string) => `/api/v1/service-orders/${order.id}/courier-${k}`;
    expect((await call('POST', url('delivery'), staff('itema-pg'), { version: 1 })).status).toBe(200);
    const c = await clock('itema-pg', order.id, 'courier-objection');
    expect(c.rule).toBe('ITEMA-12');
    expect(Date.parse(c.due) - h.now.getTime()).toBe(DAY);
    later(DAY + HOUR);
    const before = await snapshot(t.db);
    const late = await call('POST', url('objection'), staff('itema-pg'), { version: 2, note: 'too late' });
    expect(late.status).toBe(422);
    expect(late.body).toMatchObject({ code: 'objection-window-expired', rule: 'ITEMA-12' });
    expect(await snapshot(t.db)).toEqual(before);
  });

  test('an objection on the last moment of the day counts (ITEMA-12)', async () => {
    at('2026-03-02T09:00:00Z');
    const { order } = await claim('itema-pg', { channel: 'phone', customer: { name: 'Куриер 2', phone: '+359 88 123 0005' }, device: { serial: serial('CR'), manufacturer: 'HP', category: 'laptop' }, problem: 'x' });
    expect((await call('POST', `/api/v1/service-orders/${order.id}/courier-delivery`, staff('itema-pg'), { version: 1 })).status).toBe(200);
    later(DAY);
    expect((await call('POST', `/api/v1/service-orders/${order.id}/courier-objection`, staff('itema-pg'), { version: 2 })).status).toBe(200);
    expect((await clock('itema-pg', order.id, 'courier-objection')).status).toBe('met');
  });
});

describe('ITEMA-14, ITEMA-18, ITEMA-32: the warranty and the consumer rights after repairs', () => {
  test('a warranty repair extends the warranty by its days; a paid repair does not (ITEMA-14)', async () => {
    at('2026-03-02T09:00:00Z');
    const dev = await itemaDevice(60);
    const end = async () => (await call('GET', `/api/v1/warranty?serial=${dev.serial}`, staff('itema-pg'))).body.coverage.device.end as string;
    const before = await end();
    const o = await itemaWarrantyJob(dev);
    later(3 * DAY);
    const during = (await call('GET', `/api/v1/warranty?serial=${dev.serial}`, staff('itema-pg'))).body;
    expect(during.coverage.device.status).toBe('suspended');
    later(4 * DAY);
    await finishRepair('itema-pg', o.id);
    const after = await end();
    expect((Date.parse(after) - Date.parse(before)) / DAY).toBe(7);
    // A paid repair (not a warranty case) leaves the end where it is.
    const { order } = await claim('itema-pg', { channel: 'walk-in', deviceId: dev.id, customerId: dev.customerId, problem: 'Разлята вода', proofs: { warrantyCard: true }, workOrder });
    await act('itema-pg', order.id, { action: 'start-diagnosis' });
    expect((await act('itema-pg', order.id, { action: 'diagnose', findings: ['liquid-ingress'] })).underWarranty).toBe(false);
    await act('itema-pg', order.id, { action: 'quote', amountMinor: 5000, duration: '3 дни', advice: '-', worthRepairing: true });
    await act('itema-pg', order.id, { action: 'accept', via: 'in-person' });
    later(5 * DAY);
    await finishRepair('itema-pg', order.id);
    expect(await end()).toBe(after);
  });

  test('a month without a fix surfaces termination and price reduction on the order; a fix in time does not (ITEMA-18)', async () => {
    at('2026-03-02T09:00:00Z');
    const slow = await itemaWarrantyJob(await itemaDevice(30));
    const fast = await itemaWarrantyJob(await itemaDevice(30));
    later(10 * DAY);
    await finishRepair('itema-pg', fast.id);
    expect((await get('itema-pg', slow.id)).rights).toEqual([]);
    at('2026-04-03T09:00:00Z');
    const rights = (await get('itema-pg', slow.id)).rights.map((r: Json) => [r.type, r.rule]);
    expect(rights).toEqual(expect.arrayContaining([['terminate', 'ITEMA-18'], ['price-reduction', 'ITEMA-18']]));
    expect((await get('itema-pg', fast.id)).rights).toEqual([]);
    // The client sees the same rights on the order page, in the order's language.
    const page = (await call('POST', '/api/v1/order-page/lookup', undefined, { number: slow.number, contact: 'ivan.petrov@example.bg' })).body;
    expect(page.rights.map((r: Json) => [r.type, r.rule])).toEqual(expect.arrayContaining([['terminate', 'ITEMA-18'], ['price-reduction', 'ITEMA-18']]));
    if (slow.language === 'bg') expect(page.rights[0].text).toMatch(/[а-я]/);
    else expect(page.rights[0].text.length).toBeGreaterThan(10);
  });

  test('a fourth fault after three warranty repairs surfaces the refund; after two it does not (ITEMA-32)', async () => {
    at('2026-03-02T09:00:00Z');
    const dev = await itemaDevice(30);
    for (let i = 0; i < 3; i++) {
      const o = await itemaWarrantyJob(dev);
      later(3 * DAY);
      await finishRepair('itema-pg', o.id);
      await act('itema-pg', o.id, { action: 'hand-over' });
      later(DAY);
      if (i === 1) {
        const third = await itemaWarrantyJob(dev);
        expect((await get('itema-pg', third.id)).rights.map((r: Json) => r.type)).not.toContain('refund');
        later(3 * DAY);
        await finishRepair('itema-pg', third.id);
        await act('itema-pg', third.id, { action: 'hand-over' });
        later(DAY);
        break;
      }
    }
    const fourth = await itemaWarrantyJob(dev);
    expect((await get('itema-pg', fourth.id)).rights).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'refund', rule: 'ITEMA-32' })]));
    // Found insignificant at diagnosis: no refund (it is the contract's termination), and the reason says why.
    const { order } = await claim('itema-pg', { channel: 'walk-in', deviceId: dev.id, customerId: dev.customerId, problem: 'Скърца вентилатор', proofs: { warrantyCard: true }, workOrder });
    await act('itema-pg', order.id, { action: 'start-diagnosis' });
    const d = await act('itema-pg', order.id, { action: 'diagnose', findings: [], hardwareDefectConfirmed: true, insignificant: true });
    expect(d.insignificant).toBe(true);
    expect(d.decision.reasons.map((r: Json) => r.code)).toContain('insignificant-no-termination');
    expect((await get('itema-pg', order.id)).rights.map((r: Json) => r.type)).not.toContain('refund');
  });
});

describe('ITEMA-2, ITEMA-20, ITEMA-29: the length of a job', () => {
  test('a job is 48 hours at the least: ready sooner is flagged too early, later is met (ITEMA-20)', async () => {
    at('2026-03-02T09:00:00Z');
    const fast = await itemaWarrantyJob(await itemaDevice(30));
    const slow = await walkIn('itema-pg'); // not a warranty job: the same minimum
    const c = await clock('itema-pg', slow.order.id, 'min-job');
    expect(c.rule).toBe('ITEMA-20');
    expect(Date.parse(c.due) - h.now.getTime()).toBe(48 * HOUR);
    later(24 * HOUR);
    await finishRepair('itema-pg', fast.id);
    expect((await clock('itema-pg', fast.id, 'min-job')).status).toBe('too-early');
    await quoted('itema-pg', slow.order.id);
    later(25 * HOUR);
    await repaired('itema-pg', slow.order.id);
    expect((await clock('itema-pg', slow.order.id, 'min-job')).status).toBe('met');
  });

  test('a repair is due within 30 days of acceptance; past it, staff are told (ITEMA-2, ITEMA-29)', async () => {
    at('2026-04-06T09:00:00Z');
    const o = await itemaWarrantyJob(await itemaDevice(30));
    const c = await clock('itema-pg', o.id, 'max-repair');
    expect(c.rule).toBe('ITEMA-2');
    expect(Date.parse(c.due)).toBe(Date.parse('2026-05-06T09:00:00Z'));
    at('2026-05-06T09:00:01Z');
    await sweepDueTimers(t.db, h.now);
    expect((await clock('itema-pg', o.id, 'max-repair')).status).toBe('breached');
    expect((await outbox(o.id)).filter((m) => m.topic === 'deadline.breached' && m.clock === 'max-repair')).toEqual([expect.objectContaining({ rule: 'ITEMA-2' })]);
  });
});

describe('ITEMA-22, ITEMA-23, ITEMA-24, ITM-11: refusal, parts, collection', () => {
  test('a refused non-warranty job on a device sold here owes diagnosis and transport (ITEMA-22)', async () => {
    at('2026-03-02T09:00:00Z');
    const dev = await itemaDevice(30);
    const { order } = await claim('itema-pg', { channel: 'walk-in', deviceId: dev.id, customerId: dev.customerId, problem: 'Разлята вода', proofs: { warrantyCard: true }, workOrder });
    await act('itema-pg', order.id, { action: 'start-diagnosis' });
    await act('itema-pg', order.id, { action: 'diagnose', findings: ['liquid-ingress'] });
    await act('itema-pg', order.id, { action: 'quote', amountMinor: 30000, duration: '5 дни', advice: 'Скъпо', worthRepairing: false });
    const r = await act('itema-pg', order.id, { action: 'refuse', via: 'phone' });
    expect(r.charges.map((c: Json) => c.kind).sort()).toEqual(['diagnosis', 'transport']);
    expect(r.charges.every((c: Json) => c.rule.includes('ITEMA-22'))).toBe(true);
  });

  test.each([
    ['itema-pg', 'ITEMA-23'],
    ['itmall', 'ITM-11'],
  ])('%s: a replaced part stays with the business, an added module removes nothing (%s)', async (org) => {
    at('2026-03-02T09:00:00Z');
    const { order } = await walkIn(org);
    await quoted(org, order.id, 1000);
    await act(org, order.id, { action: 'accept', via: 'in-person' });
    await act(org, order.id, { action: 'start-repair' });
    let v = (await get(org, order.id)).version;
    const a = await call('POST', `/api/v1/service-orders/${order.id}/parts`, staff(org), { partId: 'psu-new', replacesPartId: 'psu-old', category: 'psu', version: v });
    expect(a.status).toBe(200);
    v = a.body.version;
    const b = await call('POST', `/api/v1/service-orders/${order.id}/parts`, staff(org), { partId: 'ram-2', category: 'memory', version: v });
    expect(b.body.parts.map((p: Json) => [p.partId, p.removedPartRetained])).toEqual([['psu-new', true], ['ram-2', false]]);
  });

  test('a disagreement at handover is written into a findings protocol; none without one (ITEMA-23)', async () => {
    at('2026-03-02T09:00:00Z');
    const docsOf = async (id: string) => ((await call('GET', `/api/v1/service-orders/${id}/documents`, staff('itema-pg'))).body as Json).documents ?? (await call('GET', `/api/v1/service-orders/${id}/documents`, staff('itema-pg'))).body;
    const kinds = async (id: string) => JSON.stringify(await docsOf(id));
    const a = await itemaWarrantyJob(await itemaDevice(30));
    const b = await itemaWarrantyJob(await itemaDevice(30));
    later(3 * DAY);
    for (const o of [a, b]) await finishRepair('itema-pg', o.id);
    const withProtocol = await act('itema-pg', a.id, { action: 'hand-over', findingsProtocol: 'Клиентът твърди, че липсва винт.' });
    expect(withProtocol.findingsProtocol).toContain('винт');
    await act('itema-pg', b.id, { action: 'hand-over' });
    expect(await kinds(a.id)).toContain('findings-protocol');
    expect(await kinds(b.id)).not.toContain('findings-protocol');
    expect((await call('GET', `/api/v1/service-orders/${b.id}/documents/findings-protocol.pdf`, staff('itema-pg'))).status).toBe(409);
  });

  test('a device not collected within 30 days: reminder before, unclaimed after (ITEMA-24)', async () => {
    at('2026-04-06T09:00:00Z');
    const o = await itemaWarrantyJob(await itemaDevice(30));
    later(3 * DAY);
    await finishRepair('itema-pg', o.id);
    const c = await clock('itema-pg', o.id, 'collection');
    expect(c.rule).toBe('ITEMA-24');
    expect(Date.parse(c.due) - h.now.getTime()).toBe(30 * DAY);
    await sweepDueTimers(t.db, new Date(h.now.getTime() + 24 * DAY));
    expect((await outbox(o.id)).filter((m) => m.topic === 'order.disposal-reminder')).toEqual([expect.objectContaining({ rule: 'ITEMA-24' })]);
    expect((await get('itema-pg', o.id)).state).toBe('ready');
    await sweepDueTimers(t.db, new Date(h.now.getTime() + 30 * DAY + 1000));
    expect((await get('itema-pg', o.id)).state).toBe('unclaimed');
  });
});

describe('ITS-7, ITS-8, VN-2, ITM-2: channels and first response', () => {
  test.each(['api', 'phone', 'email', 'walk-in'])('a claim by %s is recorded with its channel (ITS-7)', async (channel) => {
    at('2026-03-02T09:00:00Z');
    const { order } = await claim('its', { channel, customer: { name: 'Channel Client', email: `its-${channel}@example.com` }, device: { serial: serial('ITS'), manufacturer: 'Ubiquiti', category: 'network' }, problem: 'Drops' });
    expect(order.channel).toBe(channel);
    expect((await get('its', order.id)).timeline[0]).toMatchObject({ action: 'created', channel });
  });

  test('a web report is recorded as web-form; a report without the device lists it as missing (ITS-7)', async () => {
    at('2026-03-02T09:00:00Z');
    const web = await call('POST', '/api/v1/web-claims/its', undefined, { name: 'Web Client', email: 'its-web@example.com', phone: '+1 555 010 9999', serial: serial('ITS'), problem: 'Drops' });
    expect(web.status).toBe(201);
    expect(web.body.order.channel).toBe('web-form');
    const { order } = await claim('its', { channel: 'email', customer: { name: 'No Device', email: 'its-nodev@example.com' }, problem: 'Something broke' });
    expect(order.missing).toEqual(expect.arrayContaining([{ field: 'device', rule: 'ITS-7' }]));
    const empty = await call('POST', '/api/v1/claims', staff('its'), { channel: 'email', customer: { name: 'No Problem', email: 'its-noprob@example.com' }, problem: '' });
    expect(empty.status).toBe(400);
    expect(empty.body.errors[0].field).toBe('body.problem');
  });

  test('first response within 24 calendar hours, a weekend included; breached after (ITS-8)', async () => {
    at('2026-03-07T15:00:00Z'); // a Saturday
    const { order } = await claim('its', { channel: 'phone', customer: { name: 'Weekend', email: 'its-weekend@example.com' }, device: { serial: serial('ITS'), manufacturer: 'Ubiquiti', category: 'network' }, problem: 'Down' });
    const c = await clock('its', order.id, 'first-response');
    expect(c.rule).toBe('ITS-8');
    expect(Date.parse(c.due)).toBe(Date.parse('2026-03-08T15:00:00Z'));
    await sweepDueTimers(t.db, new Date('2026-03-08T15:00:01Z'));
    expect((await outbox(order.id)).filter((m) => m.topic === 'deadline.breached')).toEqual([expect.objectContaining({ clock: 'first-response', rule: 'ITS-8' })]);
    const met = (await claim('its', { channel: 'phone', customer: { name: 'Weekend 2', email: 'its-weekend2@example.com' }, problem: 'Down' })).order;
    later(HOUR);
    await act('its', met.id, { action: 'open', workOrder });
    expect((await clock('its', met.id, 'first-response')).status).toBe('met');
  });

  test.each([
    ['a Thursday morning: 24 h', '2026-03-05T03:00:00Z', '2026-03-06T10:00:00+07:00'],
    ['a Saturday (a day off): 48 h', '2026-03-07T03:00:00Z', '2026-03-09T10:00:00+07:00'],
    ['a Friday afternoon, 24 h would end on Saturday: 48 h', '2026-03-06T08:00:00Z', '2026-03-08T15:00:00+07:00'],
  ])('a report on %s (VN-2)', async (_label, reported, due) => {
    at(reported);
    const dev = await t.db.selectFrom('devices').select(['id', 'customer_id']).where('serial', '=', 'DEMO-VN-NAS').executeTakeFirstOrThrow();
    const { order } = await claim('vn', { channel: 'phone', deviceId: dev.id, customerId: dev.customer_id, problem: 'Lỗi' });
    const c = await clock('vn', order.id, 'first-response');
    expect(c.rule).toBe('VN-2');
    expect(Date.parse(c.due)).toBe(Date.parse(due));
  });

  test('ITMall answers around the clock: a Saturday-night report is due 24 hours later (ITM-2)', async () => {
    at('2026-03-07T23:30:00Z');
    const { order } = await claim('itmall', { channel: 'email', customer: { name: 'Night Ops', email: 'itm-night@example.com' }, device: { serial: serial('ITM'), manufacturer: 'Cisco', category: 'switch' }, problem: 'Port down' });
    const c = await clock('itmall', order.id, 'first-response');
    expect(c.rule).toBe('ITM-2');
    expect(Date.parse(c.due)).toBe(Date.parse('2026-03-08T23:30:00Z'));
    expect(Date.parse(c.atRiskFrom)).toBe(Date.parse('2026-03-08T19:30:00Z'));
  });
});
