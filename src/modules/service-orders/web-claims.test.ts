// Issue 15: the public claim form never answers with, nor attaches the claim to, what we have on
// record. A claim from the web form keeps what the client sent and waits for staff to link it; its
// page (by the link it answers with) shows nothing stored until they do. The moment is pinned.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { snapshot, type TestContext } from '../../../test/db.ts';
import { clockedApp, type ClockedApp, type Json } from '../../../test/app.ts';
import { compose } from '../notifications/notifications.compose.ts';

let h: ClockedApp;
let t: TestContext;
beforeAll(async () => {
  h = await clockedApp(new Date('2026-11-23T09:00:00Z'));
  t = h.t;
});
afterAll(() => h?.close());

const staff = () => t.cookies['itema-pg']['front-desk'];
/** Each claim from its own address: the web form is rate-limited per address. */
let ip = 0;
const webClaim = async (body: Json) => {
  const r = await h.app.inject({ method: 'POST', url: '/api/v1/web-claims/itema-pg', payload: body, remoteAddress: `10.15.0.${++ip}` });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as Json;
};
const orderOf = async (number: string) => (await h.call('GET', `/api/v1/service-orders?number=${number}`, staff())).body.items[0] as Json;
const ivan = () => t.db.selectFrom('customers').selectAll().where('email', '=', 'ivan.petrov@example.bg').executeTakeFirstOrThrow();
const laptop = () => t.db.selectFrom('devices').selectAll().where('serial', '=', 'DEMO-ITEMA-LAPTOP').executeTakeFirstOrThrow();

/** What we hold on Ivan and his laptop (the demo's), none of which the public may learn from a form. */
async function stored() {
  const c = await ivan();
  const d = await laptop();
  const p = await t.db.selectFrom('purchases').selectAll().where('device_id', '=', d.id).executeTakeFirstOrThrow();
  return [c.name, c.phone!, c.address!, d.model!, d.manufacturer, p.place!, String(p.sold_on), p.document_number!];
}
const leaks = (text: string, secrets: string[]) => secrets.filter((s) => text.includes(s));

describe('the public claim form (issue 15)', () => {
  test("a known client's e-mail: the answer and the page repeat only what was sent; the claim is not attached to their record", async () => {
    const secrets = await stored();
    const before = await t.db.selectFrom('service_orders').select('id').where('customer_id', '=', (await ivan()).id).execute();
    const sent = { name: 'Someone Else', email: 'ivan.petrov@example.bg', phone: '+359 88 000 1111', serial: 'WEB-PRIV-1', problem: 'Does not start' };
    const r = await webClaim(sent);
    expect(Object.keys(r).sort()).toEqual(['missing', 'number', 'orderPage', 'sent', 'state']);
    expect(r.sent).toMatchObject(sent);
    expect(r.number).toMatch(/^SO-2026-\d{6}$/);
    expect(leaks(JSON.stringify(r), secrets)).toEqual([]);
    // The address the client did not give is missing, not filled in from Ivan's record (ITEMA-27).
    expect(r.missing.map((m: Json) => m.field)).toContain('details.address');

    const page = await h.call('GET', `/api/v1/order-page/${r.orderPage.token}`);
    expect(page.status).toBe(200);
    expect(leaks(JSON.stringify(page.body), secrets)).toEqual([]);
    expect(page.body.device).toEqual({ manufacturer: '', model: null, serial: 'WEB-PRIV-1' });

    const o = await orderOf(r.number);
    expect(o).toMatchObject({ channel: 'web-form', awaitingLink: true, customerId: null, deviceId: null, decision: null, submitted: sent });
    expect(o.details).toMatchObject({ name: 'Someone Else', email: 'ivan.petrov@example.bg', phone: '+359 88 000 1111' });
    expect(await t.db.selectFrom('service_orders').select('id').where('customer_id', '=', (await ivan()).id).execute()).toEqual(before);

    // Its messages go to the contact sent with it, in the claim's own words, not to Ivan's record.
    const msg = await t.db.selectFrom('outbox').selectAll().where('aggregate_id', '=', o.id).where('topic', '=', 'claim.received').executeTakeFirstOrThrow();
    const [m] = await compose(t.db, t.config, msg);
    expect(m).toMatchObject({ channel: 'email', recipient: 'ivan.petrov@example.bg', customerId: null });
    expect(m.body).toContain('Someone Else');
    expect(leaks(m.body, secrets)).toEqual([]);
  });

  test("only another client's serial: no model, purchase date, shop or warranty comes back, on the answer, the page or its documents", async () => {
    const secrets = await stored();
    const r = await webClaim({ name: 'Curious', email: 'curious@example.com', phone: '+359 88 000 2222', serial: 'DEMO-ITEMA-LAPTOP', problem: 'What is this laptop?' });
    const text = JSON.stringify(r);
    expect(leaks(text, secrets)).toEqual([]);
    expect(text).not.toMatch(/covered|coverage|ITEMA-6|ITEMA-14|12 months/);

    const page = (await h.call('GET', `/api/v1/order-page/${r.orderPage.token}`)).body;
    expect(leaks(JSON.stringify(page), secrets)).toEqual([]);
    expect(page).toMatchObject({ device: { manufacturer: '', model: null, serial: 'DEMO-ITEMA-LAPTOP' }, underWarranty: null, rights: [], documents: [], quote: null });
    const docs = await h.call('GET', `/api/v1/order-page/${r.orderPage.token}/documents`);
    expect(docs.body.items).toEqual([]);

    const o = await orderOf(r.number);
    expect(o).toMatchObject({ awaitingLink: true, deviceId: null, decision: null });
    expect(o.missing[0]).toMatchObject({ field: 'device' });
    // Staff find it in the queue of claims to link.
    const queue = (await h.call('GET', '/api/v1/service-orders?queue=to-link&limit=50', staff())).body.items.map((x: Json) => x.number);
    expect(queue).toContain(r.number);
    expect((await h.call('GET', '/api/v1/service-orders/queues', staff())).body['to-link']).toBeGreaterThanOrEqual(1);
  });

  test('staff link the claim to the customer and device (audited, through the transition writer); then the page shows the device', async () => {
    const r = await webClaim({ name: 'Иван П.', email: 'ivan.p.other@example.bg', phone: '+359 88 123 4567', serial: 'DEMO-ITEMA-LAPTOP', problem: 'Няма образ' });
    const o = await orderOf(r.number);
    const cookie = staff();
    // Candidates by the phone and serial the claim names.
    const cand = (await h.call('GET', `/api/v1/service-orders/${o.id}/link-candidates`, cookie)).body;
    const me = await ivan();
    const dev = await laptop();
    expect(cand.customers.map((c: Json) => c.id)).toContain(me.id);
    expect(cand.devices.map((d: Json) => d.id)).toContain(dev.id);
    // A technician may not link; a stale version is refused; a failed link writes nothing.
    expect((await h.call('POST', `/api/v1/service-orders/${o.id}/link`, t.cookies['itema-pg'].technician, { customerId: me.id, deviceId: dev.id, version: o.version })).status).toBe(403);
    const before = await snapshot(t.db);
    const stale = await h.call('POST', `/api/v1/service-orders/${o.id}/link`, cookie, { customerId: me.id, deviceId: dev.id, version: o.version + 1 });
    expect(stale.body).toMatchObject({ status: 409, code: 'version-conflict' });
    const otherOrg = (await t.db.selectFrom('devices').select('id').where('organization_id', '=', t.orgs.itmall).executeTakeFirstOrThrow()).id;
    const foreign = await h.call('POST', `/api/v1/service-orders/${o.id}/link`, cookie, { customerId: me.id, deviceId: otherOrg, version: o.version });
    expect(foreign.body).toMatchObject({ status: 422, code: 'unknown-reference', errors: [{ field: 'body.deviceId' }] });
    expect(await snapshot(t.db)).toEqual(before);

    const linked = await h.call('POST', `/api/v1/service-orders/${o.id}/link`, cookie, { customerId: me.id, deviceId: dev.id, version: o.version });
    expect(linked.status, JSON.stringify(linked.body)).toBe(200);
    expect(linked.body).toMatchObject({ awaitingLink: false, customerId: me.id, deviceId: dev.id, version: o.version + 1, state: o.state });
    // ITEMA-27 details completed from the record now; the engine decides on the device's history.
    expect(linked.body.details).toMatchObject({ name: 'Иван Петров', address: 'ул. Шипка 12, София', model: 'ThinkPad T480' });
    expect(linked.body.decision.outcome).toBeTruthy();
    expect(linked.body.submitted.name).toBe('Иван П.'); // what the client sent stays as sent
    const audit = await t.db.selectFrom('audit_events').selectAll().where('entity_id', '=', o.id).where('action', '=', 'service-order.linked').executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_type: 'staff', channel: 'console', before: { state: o.state, version: o.version }, after: { customerId: me.id, deviceId: dev.id, newCustomer: false, newDevice: false } });
    expect((await h.call('GET', `/api/v1/service-orders/${o.id}`, cookie)).body.timeline.map((e: Json) => e.action)).toContain('linked');
    // Linked once: again is refused; it left the queue.
    expect((await h.call('POST', `/api/v1/service-orders/${o.id}/link`, cookie, { version: o.version + 1 })).body.code).toBe('not-awaiting-link');
    expect((await h.call('GET', '/api/v1/service-orders?queue=to-link&limit=50', cookie)).body.items.map((x: Json) => x.id)).not.toContain(o.id);
    // Staff linked it: the page shows the device as we have it.
    expect((await h.call('GET', `/api/v1/order-page/${r.orderPage.token}`)).body.device).toEqual({ manufacturer: 'Lenovo', model: 'ThinkPad T480', serial: 'DEMO-ITEMA-LAPTOP' });
  });

  test('a claim of a new client and device: staff create the customer from what was sent and register the serial', async () => {
    const r = await webClaim({ name: 'Нов Клиент', email: 'nov.klient@example.bg', phone: '+359 88 000 3333', address: 'Пловдив', serial: 'WEB-NEW-1', manufacturer: 'Acer', model: 'Swift 3', problem: 'Пука', proofs: { receipt: true } });
    const o = await orderOf(r.number);
    const linked = await h.call('POST', `/api/v1/service-orders/${o.id}/link`, staff(), { device: { manufacturer: 'Acer', category: 'laptop' }, version: o.version });
    expect(linked.status, JSON.stringify(linked.body)).toBe(200);
    const c = await t.db.selectFrom('customers').selectAll().where('id', '=', linked.body.customerId).executeTakeFirstOrThrow();
    expect(c).toMatchObject({ name: 'Нов Клиент', email: 'nov.klient@example.bg', phone: '+359 88 000 3333', address: 'Пловдив', preferred_channel: 'email' });
    const d = await t.db.selectFrom('devices').selectAll().where('id', '=', linked.body.deviceId).executeTakeFirstOrThrow();
    expect(d).toMatchObject({ serial: 'WEB-NEW-1', manufacturer: 'Acer', model: 'Swift 3', category: 'laptop', customer_id: c.id });
    expect(linked.body.decision).not.toBeNull();
    // A staff intake was never waiting to be linked.
    const walkIn = (await h.call('POST', '/api/v1/claims', staff(), { channel: 'phone', customer: { name: 'Staff Intake', email: 'staff.intake@example.bg' }, problem: 'x' })).body.order;
    expect(walkIn.awaitingLink).toBe(false);
    expect((await h.call('POST', `/api/v1/service-orders/${walkIn.id}/link`, staff(), { version: 1 })).body).toMatchObject({ status: 409, code: 'not-awaiting-link' });
  });
});
