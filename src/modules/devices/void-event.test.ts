// Issue 16: correcting a device's history. A wrong event is voided with a reason, never deleted; the
// engine stops reading it at once; one bad event (an import, an old release) never locks the device.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DEMO_NOW, setupApp, snapshot, type TestContext } from '../../../test/db.ts';
import { uuidv7 } from '../../db/ids.ts';

let t: TestContext;
let cookie: string;
beforeAll(async () => {
  t = await setupApp({ now: () => DEMO_NOW });
  cookie = t.cookies['itema-pg']['front-desk'];
});
afterAll(() => t?.close());

const api = (method: 'GET' | 'POST', url: string, payload?: object, c = cookie) => t.app.inject({ method, url, headers: { cookie: c }, ...(payload ? { payload } : {}) });

test('a bad event in the history is voided with a reason: kept, struck out of what the engine reads, audited; the device is never locked (ITEMA-25)', async () => {
  const dev = (await api('POST', '/api/v1/devices', { serial: 'VOID-1', manufacturer: 'Lenovo', model: 'T14', category: 'laptop', parts: [{ id: 'battery-1', category: 'battery' }] })).json();
  expect((await api('POST', '/api/v1/purchases', { deviceId: dev.id, documentNumber: 'INV-V1', soldOn: '2026-05-02' })).statusCode).toBe(201);
  // An event the engine cannot read, as an old import could leave it: a replacement of a part the device never had.
  const bad = uuidv7();
  await t.db.insertInto('device_events').values({ id: bad, organization_id: dev.organizationId ?? (await t.db.selectFrom('devices').select('organization_id').where('id', '=', dev.id).executeTakeFirstOrThrow()).organization_id, device_id: dev.id, type: 'part-replaced', date: '2026-06-01', part_id: 'ssd-2', replaces_part_id: 'ssd-9', category: 'ssd' }).execute();
  const broken = await api('GET', `/api/v1/devices/${dev.id}/warranty`);
  expect(broken.statusCode).toBe(422);
  // Another, good event is still recorded: the old bad one does not lock the device.
  const good = await api('POST', `/api/v1/devices/${dev.id}/events`, { type: 'repair-completed', date: '2026-07-01', underWarranty: false, note: 'cleaned the fan' });
  expect(good.statusCode, good.body).toBe(201);
  // A new bad event is still refused, naming its field.
  const worse = await api('POST', `/api/v1/devices/${dev.id}/events`, { type: 'part-replaced', date: '2026-07-02', partId: 'x-1', replacesPartId: 'nope', category: 'ssd' });
  expect(worse.statusCode).toBe(422);
  expect(worse.json().code).toBe('history-invalid');
  // Void it: the reason is required, the engine reads the history again.
  const before = await snapshot(t.db);
  const noReason = await api('POST', `/api/v1/devices/${dev.id}/events/${bad}/void`, {});
  expect(noReason.statusCode).toBe(400);
  expect(noReason.json().errors[0].field).toBe('body.reason');
  expect(await snapshot(t.db)).toEqual(before);
  const v = await api('POST', `/api/v1/devices/${dev.id}/events/${bad}/void`, { reason: 'Entered on the wrong device by the import' });
  expect(v.statusCode, v.body).toBe(200);
  expect(v.json().voided).toMatchObject({ reason: 'Entered on the wrong device by the import', by: expect.stringMatching(/^staff:/) });
  expect((await api('GET', `/api/v1/devices/${dev.id}/warranty`)).statusCode).toBe(200);
  const events = (await api('GET', `/api/v1/devices/${dev.id}/events`)).json().items;
  expect(events.find((e: { id: string }) => e.id === bad).voided).not.toBeNull();
  expect(await t.db.selectFrom('device_events').select('id').where('id', '=', bad).executeTakeFirst()).toBeTruthy();
  const again = await api('POST', `/api/v1/devices/${dev.id}/events/${bad}/void`, { reason: 'twice' });
  expect(again.statusCode).toBe(409);
  expect(again.json().code).toBe('event-voided');
  const audit = await t.db.selectFrom('audit_events').select(['action', 'before', 'after']).where('entity_id', '=', dev.id).where('action', '=', 'device-event.voided').execute();
  expect(audit).toHaveLength(1);
  // A technician may not correct the history.
  const sale = events.find((e: { type: string }) => e.type === 'sale');
  expect((await api('POST', `/api/v1/devices/${dev.id}/events/${sale.id}/void`, { reason: 'wrong' }, t.cookies['itema-pg'].technician)).statusCode).toBe(403);
});
