// Issue 16: the customer page (every device and order of a client), the intake's suggestions of an
// existing client (by e-mail, phone however typed, or name), and merging duplicates with the audit.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_NOW, setupApp, snapshot, type TestContext } from '../../../test/db.ts';

let t: TestContext;
let cookie: string;
beforeAll(async () => {
  t = await setupApp({ now: () => DEMO_NOW });
  cookie = t.cookies['itema-pg']['front-desk'];
});
afterAll(() => t?.close());

const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, c = cookie) => t.app.inject({ method, url, headers: { cookie: c }, ...(payload ? { payload } : {}) });

describe('the customer page and duplicates (issue 16)', () => {
  test('the overview lists every device, order and purchase of the client', async () => {
    const ivan = (await api('GET', '/api/v1/customers?q=Иван')).json().items[0];
    const r = await api('GET', `/api/v1/customers/${ivan.id}/overview`);
    expect(r.statusCode).toBe(200);
    const o = r.json();
    expect(o.customer.name).toBe('Иван Петров');
    expect(o.devices.map((d: { serial: string }) => d.serial)).toContain('DEMO-ITEMA-LAPTOP');
    expect(o.orders.length).toBeGreaterThan(0);
    expect(o.orders[0].number).toMatch(/^SO-/);
    expect(o.purchases.map((p: { documentNumber: string }) => p.documentNumber)).toContain('0000012345');
  });

  test('intake suggests the existing client: a local phone form matches the stored international one, and the e-mail any case', async () => {
    const byPhone = (await api('GET', `/api/v1/customers/matches?phone=${encodeURIComponent('088 123 4567')}`)).json();
    expect(byPhone.items[0]).toMatchObject({ customer: { name: 'Иван Петров' }, matchedBy: ['phone'] });
    const byMail = (await api('GET', '/api/v1/customers/matches?email=IVAN.PETROV@example.bg&name=Иван')).json();
    expect(byMail.items[0].matchedBy).toEqual(['email', 'name']);
    const none = (await api('GET', '/api/v1/customers/matches?phone=12')).json();
    expect(none.items).toEqual([]);
  });

  test('merging a duplicate moves its devices and orders, fills empty fields, keeps it marked merged, and audits both', async () => {
    const keep = (await api('POST', '/api/v1/customers', { name: 'Мария Иванова', email: 'maria@example.bg' })).json();
    const dup = (await api('POST', '/api/v1/customers', { name: 'Мария Иванова', phone: '+359 87 111 2222', address: 'ул. Оборище 3' })).json();
    const dev = await api('POST', '/api/v1/devices', { customerId: dup.id, serial: 'MERGE-1', manufacturer: 'Asus', model: 'ZenBook', category: 'laptop' });
    expect(dev.statusCode, dev.body).toBe(201);
    const claim = await api('POST', '/api/v1/claims', { channel: 'phone', customerId: dup.id, deviceId: dev.json().id, problem: 'Не се включва' });
    expect(claim.statusCode, claim.body).toBe(201);
    const orderVersion = claim.json().order.version;
    // Stale versions change nothing.
    const before = await snapshot(t.db);
    const stale = await api('POST', `/api/v1/customers/${keep.id}/merge`, { duplicateId: dup.id, version: keep.version, duplicateVersion: dup.version + 5 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().errors[0].field).toBe('body.duplicateVersion');
    const self = await api('POST', `/api/v1/customers/${keep.id}/merge`, { duplicateId: keep.id, version: keep.version, duplicateVersion: keep.version });
    expect(self.statusCode).toBe(422);
    expect(self.json().errors[0].field).toBe('body.duplicateId');
    expect(await snapshot(t.db)).toEqual(before);
    const m = await api('POST', `/api/v1/customers/${keep.id}/merge`, { duplicateId: dup.id, version: keep.version, duplicateVersion: dup.version });
    expect(m.statusCode, m.body).toBe(200);
    expect(m.json().moved).toMatchObject({ devices: 1, service_orders: 1 });
    expect(m.json().customer).toMatchObject({ email: 'maria@example.bg', phone: '+359 87 111 2222', address: 'ул. Оборище 3', version: keep.version + 1 });
    expect(m.json().duplicate.mergedIntoId).toBe(keep.id);
    const page = (await api('GET', `/api/v1/customers/${keep.id}/overview`)).json();
    expect(page.devices.map((d: { serial: string }) => d.serial)).toEqual(['MERGE-1']);
    expect(page.orders.map((o: { number: string }) => o.number)).toEqual([claim.json().order.number]);
    // An editor holding the order's old version gets 409, not a lost update.
    const order = (await api('GET', `/api/v1/service-orders/${claim.json().order.id}`)).json();
    expect(order.version).toBe(orderVersion + 1);
    expect(order.customerId).toBe(keep.id);
    // The duplicate is kept (never deleted), no longer listed, and refuses edits.
    expect((await api('GET', `/api/v1/customers/${dup.id}`)).json().mergedIntoId).toBe(keep.id);
    expect((await api('GET', '/api/v1/customers?q=Мария')).json().items.map((c: { id: string }) => c.id)).toEqual([keep.id]);
    const edit = await api('PATCH', `/api/v1/customers/${dup.id}`, { version: dup.version + 1, name: 'x' });
    expect(edit.statusCode).toBe(409);
    expect(edit.json()).toMatchObject({ code: 'customer-merged', mergedIntoId: keep.id });
    const again = await api('POST', `/api/v1/customers/${keep.id}/merge`, { duplicateId: dup.id, version: keep.version + 1, duplicateVersion: dup.version + 1 });
    expect(again.json().code).toBe('customer-merged');
    const audit = await t.db.selectFrom('audit_events').select(['entity_id', 'action', 'after']).where('entity_id', 'in', [keep.id, dup.id]).where('action', 'like', 'customer.merged%').orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['customer.merged', 'customer.merged-into']);
    expect((audit[0].after as { moved: Record<string, number> }).moved.devices).toBe(1);
  });

  test('a technician may see the page but not merge', async () => {
    const ivan = (await api('GET', '/api/v1/customers?q=Иван')).json().items[0];
    const tech = t.cookies['itema-pg'].technician;
    expect((await api('GET', `/api/v1/customers/${ivan.id}/overview`, undefined, tech)).statusCode).toBe(200);
    expect((await api('POST', `/api/v1/customers/${ivan.id}/merge`, { duplicateId: ivan.id, version: 1, duplicateVersion: 1 }, tech)).statusCode).toBe(403);
  });
});
