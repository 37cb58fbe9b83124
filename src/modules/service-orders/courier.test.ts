// ITEMA-12: a courier delivery recorded for an order starts the client's 1-day objection clock; an
// objection stops it; the clock never pauses for the client and raises its breach on time.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { snapshot, type TestContext } from '../../../test/db.ts';
import { clockedApp, type ClockedApp, type Json } from '../../../test/app.ts';
import { sweepDueTimers } from '../../core/timers.ts';

let h: ClockedApp;
let t: TestContext;

beforeAll(async () => {
  h = await clockedApp(new Date('2026-07-01T08:00:00Z'));
  t = h.t;
});
afterAll(async () => {
  await h?.close();
});

const call = (method: 'GET' | 'POST' | 'DELETE', url: string, cookie?: string, payload?: object, headers?: Record<string, string>) =>
  h.call(method, url, cookie, payload, headers);

describe('ITEMA-12: the courier-objection clock', () => {
  test('ITEMA-12: a courier delivery starts the 1-day objection clock, an objection stops it; bad or repeated requests change nothing', async () => {
    const cookie = t.cookies['itema-pg']['front-desk'];
    const claim = await call('POST', '/api/v1/claims', cookie, { channel: 'phone', customer: { name: 'Куриер Тест', phone: '+359 88 000 3333' }, device: { serial: 'DEMO-ITEMA-LAPTOP' }, problem: 'Не зарежда' });
    expect(claim.status).toBe(201);
    const id = claim.body.order.id;
    const url = (k: string) => `/api/v1/service-orders/${id}/courier-${k}`;

    const before = await snapshot(t.db);
    expect((await call('POST', url('objection'), cookie, { version: 1 })).body.code).toBe('no-courier-delivery');
    expect((await call('POST', url('delivery'), cookie, { version: 7 })).status).toBe(409);
    const bad = await call('POST', url('delivery'), cookie, { version: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('body.version');
    expect(await snapshot(t.db)).toEqual(before);

    const delivered = await call('POST', url('delivery'), cookie, { version: 1, note: 'Speedy, waybill 123' });
    expect(delivered.status).toBe(200);
    expect(delivered.body.version).toBe(2);
    let o = (await call('GET', `/api/v1/service-orders/${id}`, cookie)).body;
    const c = o.clocks.find((x: Json) => x.id === 'courier-objection');
    expect(c).toMatchObject({ rule: 'ITEMA-12', stoppedAt: null });
    expect(new Date(c.start).getTime()).toBe(h.now.getTime());
    expect(new Date(c.due).getTime() - h.now.getTime()).toBeGreaterThanOrEqual(86_400_000 - 1000);
    expect(o.timeline.at(-1)).toMatchObject({ action: 'courier-delivery' });
    expect((await call('POST', url('delivery'), cookie, { version: 2 })).body.code).toBe('already-recorded');

    // Within the day the client objects: the clock stops, nothing is breached later.
    h.now = new Date(h.now.getTime() + 3_600_000);
    expect((await call('POST', url('objection'), cookie, { version: 2, note: 'Box damaged' })).status).toBe(200);
    o = (await call('GET', `/api/v1/service-orders/${id}`, cookie)).body;
    expect(o.clocks.find((x: Json) => x.id === 'courier-objection').stoppedAt).toBe(h.now.toISOString());
    expect((await call('POST', url('objection'), cookie, { version: 3 })).body.code).toBe('already-recorded');
    await sweepDueTimers(t.db, new Date(h.now.getTime() + 3 * 86_400_000));
    const breaches = await t.db.selectFrom('outbox').select('payload').where('aggregate_id', '=', id).where('topic', '=', 'deadline.breached').execute();
    expect(breaches.filter((b) => (b.payload as Json).clock === 'courier-objection')).toEqual([]);
  });

  test('ITEMA-12: without an objection the window closes on time (deadline.breached for courier-objection, once)', async () => {
    const cookie = t.cookies['itema-pg']['front-desk'];
    h.now = new Date('2026-07-10T08:00:00Z');
    const claim = await call('POST', '/api/v1/claims', cookie, { channel: 'phone', customer: { name: 'Без Възражение', phone: '+359 88 000 4444' }, device: { serial: 'DEMO-ITEMA-LAPTOP' }, problem: 'x' });
    const id = claim.body.order.id;
    expect((await call('POST', `/api/v1/service-orders/${id}/courier-delivery`, cookie, { version: 1 })).status).toBe(200);
    const later = new Date(h.now.getTime() + 2 * 86_400_000);
    await sweepDueTimers(t.db, later);
    await sweepDueTimers(t.db, later);
    const breaches = await t.db.selectFrom('outbox').select('payload').where('aggregate_id', '=', id).where('topic', '=', 'deadline.breached').execute();
    expect(breaches.filter((b) => (b.payload as Json).clock === 'courier-objection')).toHaveLength(1);
  });
});
