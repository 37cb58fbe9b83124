import { afterAll, beforeAll, expect, test } from 'vitest';
import { setupApp, snapshot, type TestContext } from '../../../test/db.ts';

let t: TestContext;
let cookie: string;
beforeAll(async () => {
  t = await setupApp();
  cookie = t.cookies['itema-pg'].manager;
});
afterAll(() => t?.close());

const create = (payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/devices', headers: { cookie }, payload });

test('a device with parts; its serial is unique per manufacturer', async () => {
  const res = await create({ serial: 'SN-1', manufacturer: 'Lenovo', model: 'T14', category: 'laptop', condition: 'refurbished', term: '12 months', parts: [{ id: 'battery-1', category: 'battery', term: '6 months' }] });
  expect(res.statusCode).toBe(201);
  expect(res.json()).toMatchObject({ serial: 'SN-1', kind: 'device', condition: 'refurbished', parts: [{ id: 'battery-1', category: 'battery', term: '6 months' }] });
  const dup = await create({ serial: 'SN-1', manufacturer: 'lenovo', category: 'laptop' });
  expect(dup.statusCode).toBe(409);
  expect(dup.json()).toMatchObject({ code: 'serial-taken', errors: [{ field: 'body.serial' }] });
  const otherMaker = await create({ serial: 'SN-1', manufacturer: 'Dell', category: 'laptop' });
  expect(otherMaker.statusCode).toBe(201);
  const ambiguous = await t.app.inject({ url: '/api/v1/warranty?serial=SN-1', headers: { cookie } });
  expect(ambiguous.statusCode).toBe(409);
  expect(ambiguous.json().code).toBe('ambiguous-serial');
  const list = await t.app.inject({ url: '/api/v1/devices?serial=SN-1&manufacturer=dell', headers: { cookie } });
  expect(list.json().items).toHaveLength(1);
});

test('a discounted device must name its defect (ITEMA-8); bad terms and kinds are refused by field', async () => {
  const before = await snapshot(t.db);
  const res = await create({ serial: 'SN-2', manufacturer: 'Dell', category: 'monitor', kind: 'gadget', term: 'forever' });
  expect(res.statusCode).toBe(400);
  expect(res.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.kind', 'body.term']);
  const res2 = await create({ serial: 'SN-2', manufacturer: 'Dell', category: 'monitor', condition: 'discounted', parts: [{ id: 'a', category: 'x' }, { id: 'a', category: 'y' }] });
  expect(res2.statusCode).toBe(400);
  expect(res2.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.discountDefect', 'body.parts.1.id']);
  const unknownCustomer = await create({ serial: 'SN-3', manufacturer: 'Dell', category: 'monitor', customerId: '00000000-0000-7000-8000-000000000000' });
  expect(unknownCustomer.statusCode).toBe(422);
  expect(unknownCustomer.json().errors[0].field).toBe('body.customerId');
  expect(await snapshot(t.db)).toEqual(before);
});

test('events are recorded in the history in date order and move the warranty', async () => {
  const d = (await create({ serial: 'SN-EV', manufacturer: 'Asus', category: 'laptop', condition: 'refurbished', term: '12 months' })).json();
  const ev = (payload: object) => t.app.inject({ method: 'POST', url: `/api/v1/devices/${d.id}/events`, headers: { cookie: t.cookies['itema-pg'].technician }, payload });
  expect((await ev({ type: 'sale', date: '2025-01-10' })).statusCode).toBe(201);
  expect((await ev({ type: 'repair-completed', date: '2025-03-20', orderRef: 'SO-1' })).statusCode).toBe(201);
  expect((await ev({ type: 'repair-accepted', date: '2025-03-01', orderRef: 'SO-1' })).statusCode).toBe(201);
  const bad = await ev({ type: 'exploded', date: '2025-02-30' });
  expect(bad.statusCode).toBe(400);
  expect(bad.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.date', 'body.type']);
  const hist = (await t.app.inject({ url: `/api/v1/devices/${d.id}/events`, headers: { cookie } })).json().items;
  expect(hist.map((e: { type: string }) => e.type)).toEqual(['sale', 'repair-accepted', 'repair-completed']);
  // ITEMA-14: 19 days in repair (accepted 03-01 .. notified 03-20) extend the 12 months.
  const w = (await t.app.inject({ url: `/api/v1/devices/${d.id}/warranty?at=2025-06-01`, headers: { cookie } })).json();
  expect(w.covered).toBe(true);
  expect(w.coverage.device.end > '2026-01-10').toBe(true);
});

test('a stale device update is refused with the current state', async () => {
  const d = (await create({ serial: 'SN-V', manufacturer: 'HP', category: 'laptop' })).json();
  const ok = await t.app.inject({ method: 'PATCH', url: `/api/v1/devices/${d.id}`, headers: { cookie }, payload: { version: 1, model: 'EliteBook' } });
  expect(ok.json().version).toBe(2);
  const stale = await t.app.inject({ method: 'PATCH', url: `/api/v1/devices/${d.id}`, headers: { cookie }, payload: { version: 1, model: 'ProBook' } });
  expect(stale.statusCode).toBe(409);
  expect(stale.json().current).toMatchObject({ model: 'EliteBook', version: 2 });
});

test('search finds devices by any part of the serial or model, any case, only in its own organization', async () => {
  await create({ serial: 'PF-3XK9-7781', manufacturer: 'Lenovo', model: 'ThinkPad X1', category: 'laptop' });
  await create({ serial: 'PF-3XK9-7782', manufacturer: 'Lenovo', model: 'ThinkPad T14', category: 'laptop' });
  await create({ serial: '100%_OK', manufacturer: 'Acme', category: 'accessory' });
  const search = (q: string, slug = 'itema-pg') => t.app.inject({ url: `/api/v1/devices?q=${encodeURIComponent(q)}`, headers: { cookie: t.cookies[slug].manager } });
  const serials = async (q: string, slug?: string) => (await search(q, slug)).json().items.map((d: { serial: string }) => d.serial).sort();
  expect(await serials('7781')).toEqual(['PF-3XK9-7781']); // the last digits read off a label
  expect(await serials('pf-3xk9')).toEqual(['PF-3XK9-7781', 'PF-3XK9-7782']);
  expect(await serials('thinkpad t1')).toEqual(['PF-3XK9-7782']); // by model
  expect(await serials('%_')).toEqual(['100%_OK']); // LIKE's wildcards are plain characters
  expect(await serials('7781', 'its')).toEqual([]); // another organization sees none of them
  const short = await search('7');
  expect(short.statusCode).toBe(400);
  expect(short.json().errors[0].field).toBe('querystring.q');
});

test('an event the engine cannot read (replacing a part the device does not have) is refused naming the field; the warranty still answers', async () => {
  const dev = (await create({ serial: 'SN-HIST', manufacturer: 'Lenovo', category: 'laptop', condition: 'refurbished', term: '12 months', parts: [{ id: 'battery-1', category: 'battery' }] })).json();
  const post = (payload: object) => t.app.inject({ method: 'POST', url: `/api/v1/devices/${dev.id}/events`, headers: { cookie }, payload });
  expect((await post({ type: 'sale', date: '2026-03-01' })).statusCode).toBe(201);
  const before = await snapshot(t.db);
  const bad = await post({ type: 'part-replaced', date: '2026-05-01', partId: 'battery-2', replacesPartId: 'battery-9', category: 'battery' });
  expect(bad.statusCode).toBe(422);
  expect(bad.json()).toMatchObject({ code: 'history-invalid', errors: [{ field: 'body.replacesPartId' }] });
  expect(await snapshot(t.db)).toEqual(before);
  const w = await t.app.inject({ url: `/api/v1/devices/${dev.id}/warranty?at=2026-06-01`, headers: { cookie } });
  expect(w.statusCode).toBe(200);
  // The right part is accepted.
  expect((await post({ type: 'part-replaced', date: '2026-05-01', partId: 'battery-2', replacesPartId: 'battery-1', category: 'battery' })).statusCode).toBe(201);
});
