import { afterAll, beforeAll, expect, test } from 'vitest';
import { setupApp, snapshot, type TestContext } from '../../../test/db.ts';
import { multipart, PDF } from '../../../test/multipart.ts';

let t: TestContext;
let cookie: string;
let deviceId: string;
beforeAll(async () => {
  t = await setupApp();
  cookie = t.cookies.itmall['front-desk'];
  deviceId = (await t.app.inject({ method: 'POST', url: '/api/v1/devices', headers: { cookie }, payload: { serial: 'FW-1', manufacturer: 'Fortinet', category: 'firewall' } })).json().id;
});
afterAll(() => t?.close());

const create = (payload: object, headers: Record<string, string> = {}) => t.app.inject({ method: 'POST', url: '/api/v1/purchases', headers: { cookie, ...headers }, payload });

test("a purchase's dates become the device's events, and coverage starts from shipping (ITM-4)", async () => {
  const res = await create({ deviceId, documentNumber: 'INV-1', soldOn: '2025-01-02', shippedOn: '2025-01-06', priceMinor: 129900, currency: 'USD', place: 'Singapore' });
  expect(res.statusCode).toBe(201);
  const p = res.json();
  expect(p).toMatchObject({ documentType: 'invoice', priceMinor: 129900, currency: 'USD', documents: [] });
  const events = (await t.app.inject({ url: `/api/v1/devices/${deviceId}/events`, headers: { cookie } })).json().items;
  expect(events.map((e: { type: string; date: string }) => `${e.type} ${e.date}`)).toEqual(['sale 2025-01-02', 'shipping 2025-01-06']);
  // Correcting the shipping date replaces the events the purchase made.
  const fixed = await t.app.inject({ method: 'PATCH', url: `/api/v1/purchases/${p.id}`, headers: { cookie }, payload: { version: 1, shippedOn: '2025-01-08' } });
  expect(fixed.statusCode).toBe(200);
  const after = (await t.app.inject({ url: `/api/v1/devices/${deviceId}/events`, headers: { cookie } })).json().items;
  expect(after.map((e: { type: string; date: string }) => `${e.type} ${e.date}`)).toEqual(['sale 2025-01-02', 'shipping 2025-01-08']);
  const w = (await t.app.inject({ url: '/api/v1/warranty?serial=FW-1&at=2027-06-01', headers: { cookie } })).json();
  expect(w.coverage.device.start).toBe('2025-01-08');
  const list = await t.app.inject({ url: `/api/v1/purchases?deviceId=${deviceId}&soldFrom=2025-01-01&soldTo=2025-12-31`, headers: { cookie } });
  expect(list.json().items).toHaveLength(1);
});

test('bad purchases are refused by field and write nothing', async () => {
  const before = await snapshot(t.db);
  const a = await create({ deviceId, documentNumber: 'INV-2', soldOn: '2025-13-01', priceMinor: 12.5, currency: 'usd' });
  expect(a.statusCode).toBe(400);
  expect(a.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.currency', 'body.priceMinor', 'body.soldOn']);
  const b = await create({ deviceId, documentNumber: 'INV-2', soldOn: '2025-02-01', shippedOn: '2025-01-01' });
  expect(b.statusCode).toBe(422);
  expect(b.json().errors[0].field).toBe('body.shippedOn');
  const c = await create({ deviceId, documentNumber: 'INV-2', soldOn: '2025-02-01', priceMinor: 100 });
  expect(c.statusCode).toBe(400);
  expect(c.json().errors[0].field).toBe('body.currency');
  const d = await create({ deviceId: '00000000-0000-7000-8000-000000000000', documentNumber: 'INV-2', soldOn: '2025-02-01' });
  expect(d.statusCode).toBe(422);
  expect(d.json().errors[0].field).toBe('body.deviceId');
  expect(await snapshot(t.db)).toEqual(before);
});

test('proof documents: PDF and images accepted, other types and oversize files refused', async () => {
  const p = (await create({ deviceId, documentNumber: 'INV-3', soldOn: '2025-03-01' })).json();
  const upload = (name: string, type: string, data: Buffer) => {
    const m = multipart(name, type, data);
    return t.app.inject({ method: 'POST', url: `/api/v1/purchases/${p.id}/documents`, payload: m.payload, headers: { ...m.headers, cookie } });
  };
  const ok = await upload('invoice.pdf', 'application/pdf', PDF);
  expect(ok.statusCode).toBe(201);
  expect(ok.json()).toMatchObject({ filename: 'invoice.pdf', contentType: 'application/pdf', sizeBytes: PDF.length });
  const content = await t.app.inject({ url: `/api/v1/documents/${ok.json().id}/content`, headers: { cookie } });
  expect(content.statusCode).toBe(200);
  expect(content.rawPayload.equals(PDF)).toBe(true);
  const before = await snapshot(t.db);
  const exe = await upload('tool.exe', 'application/octet-stream', Buffer.from('MZ....'));
  expect(exe.statusCode).toBe(415);
  const fake = await upload('fake.pdf', 'application/pdf', Buffer.from('not a pdf'));
  expect(fake.statusCode).toBe(415);
  const big = await upload('big.pdf', 'application/pdf', Buffer.concat([PDF, Buffer.alloc(300_000)]));
  expect(big.statusCode).toBe(413);
  expect(big.headers['content-type']).toContain('application/problem+json');
  const json = await t.app.inject({ method: 'POST', url: `/api/v1/purchases/${p.id}/documents`, headers: { cookie }, payload: { file: 'x' } });
  expect(json.statusCode).toBe(415);
  expect(await snapshot(t.db)).toEqual(before);
  const got = (await t.app.inject({ url: `/api/v1/purchases/${p.id}`, headers: { cookie } })).json();
  expect(got.documents).toHaveLength(1);
});

test('a retried purchase create with the same Idempotency-Key records one purchase and one set of events', async () => {
  const body = { deviceId, documentNumber: 'INV-4', soldOn: '2025-04-01' };
  const a = await create(body, { 'idempotency-key': 'p-1' });
  const b = await create(body, { 'idempotency-key': 'p-1' });
  expect(b.json().id).toBe(a.json().id);
  const n = await t.db.selectFrom('device_events').select('id').where('purchase_id', '=', a.json().id).execute();
  expect(n).toHaveLength(1);
});
