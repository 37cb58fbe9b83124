// The rules audit, SC-2..12 (the repair counter): each rule's edge cases as a tester reads them
// from RULES.md, through the HTTP API only. Time is the harness's clock (rules-audit.harness.ts).
import { describe, expect, test } from 'vitest';
import { snapshot } from '../../../test/db.ts';
import { sweepDueTimers } from '../../core/timers.ts';
import type { Json } from '../../../test/app.ts';
import { DAY, act, at, call, claim, clock, get, h, later, outbox, quoted, repaired, serial, staff, t, useAuditApp, walkIn, workOrder } from './rules-audit.harness.ts';

useAuditApp();

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
    const lookup = { organization: 'service-center', number: order.number, contact: '+44 20 7946 0000' };
    // A decision by number and contact needs the one-time code sent to that contact (issue 15).
    expect((await call('POST', '/api/v1/order-page/lookup/code', undefined, lookup)).status).toBe(202);
    const { code } = (await outbox(order.id)).find((m) => m.topic === 'order.lookup-code')!;
    const r = await call('POST', '/api/v1/order-page/lookup/decision', undefined, { ...lookup, code, decision: 'accept', version: q.version });
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

  test('a diagnosis past 2 working days is over its target, shown to staff, and raises no breach (SC-4)', async () => {
    at('2026-03-05T09:00:00Z');
    const { order } = await walkIn('service-center');
    await act('service-center', order.id, { action: 'start-diagnosis' });
    h.now = new Date('2026-03-09T09:00:00Z');
    const c = await clock('service-center', order.id, 'diagnosis');
    // "1–2 days on average" is a target, not a promise to the client.
    expect(c.status).toBe('over-target');
    expect(c.reasons.find((r: Json) => r.code === 'over-target')?.rule).toBe('SC-4');
    await sweepDueTimers(t.db, h.now);
    expect((await outbox(order.id)).filter((m) => m.topic === 'deadline.breached' || m.topic === 'deadline.at-risk')).toEqual([]);
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
