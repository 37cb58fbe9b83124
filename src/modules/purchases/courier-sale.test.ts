// ITEMA-12 for sales: the one-day courier objection window starts from the delivery of a sale by
// courier (a purchase delivered by courier), not only from a service order's courier delivery.
import { describe, expect, test } from 'vitest';
import { snapshot } from '../../../test/db.ts';
import type { Json } from '../../../test/app.ts';
import { systemActor } from '../../core/actor.ts';
import * as devices from '../devices/devices.service.ts';
import { at, call, DAY, h, HOUR, serial, staff, t, useAuditApp } from '../service-orders/rules-audit.harness.ts';

useAuditApp();

async function device(org: string) {
  const a = systemActor(t.orgs[org], 'test');
  return t.db.transaction().execute((tx) => devices.insert(tx, a, { serial: serial('CSALE'), manufacturer: 'Dell', model: 'Latitude 5490', category: 'laptop', condition: 'refurbished', term: '12 months' }));
}
async function sale(org: string, extra: Json, expected = 201) {
  const d = await device(org);
  const r = await call('POST', '/api/v1/purchases', staff(org), { deviceId: d.id, documentNumber: serial('INV'), soldOn: '2026-03-02', ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(expected);
  return r.body;
}
const object = (org: string, p: Json, note = 'The box was damaged') => call('POST', `/api/v1/purchases/${p.id}/objection`, staff(org), { version: p.version, note });

describe('ITEMA-12: a sale delivered by courier', () => {
  test.each([
    // objection after the delivery, answer, window status after
    [HOUR, 200, 'objected'],
    [DAY - 60_000, 200, 'objected'],
    [DAY + 60_000, 422, 'terms-accepted'],
  ])('an objection %d ms after the courier delivery: %d (ITEMA-12)', async (after, status, windowStatus) => {
    at('2026-03-02T12:00:00Z');
    const p = await sale('itema-pg', { courierDeliveredAt: '2026-03-02T12:00:00Z' });
    expect(p.courierDeliveredAt).toBe('2026-03-02T12:00:00.000Z');
    expect(p.deliveredOn).toBe('2026-03-02'); // the delivery day (ITEMA-33 runs from it)
    expect(p.objectionWindow).toMatchObject({ rule: 'ITEMA-12', status: 'open' });
    expect(Date.parse(p.objectionWindow.due)).toBe(Date.parse('2026-03-03T12:00:00Z'));
    h.now = new Date(Date.parse('2026-03-02T12:00:00Z') + after);
    const before = await snapshot(t.db);
    const r = await object('itema-pg', p);
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    if (status === 422) {
      expect(r.body).toMatchObject({ code: 'objection-window-expired', rule: 'ITEMA-12' });
      expect(await snapshot(t.db)).toEqual(before);
    } else {
      expect(r.body.objection).toMatchObject({ note: 'The box was damaged' });
      const audit = await t.db.selectFrom('audit_events').select('after').where('entity_id', '=', p.id).where('action', '=', 'purchase.objection-recorded').executeTakeFirstOrThrow();
      expect(audit.after).toMatchObject({ rule: 'ITEMA-12' });
    }
    expect((await call('GET', `/api/v1/purchases/${p.id}`, staff('itema-pg'))).body.objectionWindow.status).toBe(windowStatus);
  });

  test('a second objection is refused as already recorded (ITEMA-12)', async () => {
    at('2026-03-02T12:00:00Z');
    const p = await sale('itema-pg', { courierDeliveredAt: '2026-03-02T11:00:00Z' });
    const first = await object('itema-pg', p);
    expect(first.status).toBe(200);
    expect((await object('itema-pg', first.body)).body.code).toBe('already-recorded');
  });

  test('a sale not delivered by courier has no objection window (ITEMA-12)', async () => {
    at('2026-03-02T12:00:00Z');
    const p = await sale('itema-pg', { deliveredOn: '2026-03-02' });
    expect(p.objectionWindow).toBeNull();
    const r = await object('itema-pg', p);
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('no-courier-delivery');
  });

  test('a business whose pack has no courier window records the delivery but opens no window (ITEMA-12)', async () => {
    at('2026-03-02T12:00:00Z');
    const p = await sale('service-center', { courierDeliveredAt: '2026-03-02T10:00:00Z' });
    expect(p.courierDeliveredAt).toBe('2026-03-02T10:00:00.000Z');
    expect(p.objectionWindow).toBeNull();
  });

  test.each([
    ['in the future', '2026-03-02T13:00:00Z', 'body.courierDeliveredAt'],
    ['before the sale', '2026-03-01T10:00:00Z', 'body.courierDeliveredAt'],
    ['not an instant', 'tomorrow', 'body.courierDeliveredAt'],
  ])('a courier delivery %s is refused on the field and nothing is saved (ITEMA-12)', async (_what, value, field) => {
    at('2026-03-02T12:00:00Z');
    const d = await device('itema-pg');
    const before = await snapshot(t.db);
    const r = await call('POST', '/api/v1/purchases', staff('itema-pg'), { deviceId: d.id, documentNumber: serial('INV'), soldOn: '2026-03-02', courierDeliveredAt: value });
    expect(r.status).toBe(422);
    expect(r.body.errors.map((e: Json) => e.field)).toEqual([field]);
    expect(await snapshot(t.db)).toEqual(before);
  });
});
