// Issue 16, "workshop basics" and "message the client": the workshop card of an order (technician,
// priority, promised date, contact channel, passcode, pre-check, internal notes) through the API, its
// roles, its 4xx naming the field, optimistic versions and Idempotency-Key; the passcode never leaves
// the staff's card (order view, order page, documents, messages, audit).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setupApp, type TestContext } from '../../../test/db.ts';
import { hasPdftotext, pdfText } from '../../../test/pdf-text.ts';
import { compose } from '../notifications/notifications.compose.ts';

let t: TestContext;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(() => t?.close());

const org = 'service-center';
type Role = 'owner' | 'manager' | 'front-desk' | 'technician';
const call = (role: Role, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, headers: Record<string, string> = {}) =>
  t.app.inject({ method, url, headers: { cookie: t.cookies[org][role], ...headers }, payload });
const PASSCODE = '4711-secret';

async function intake() {
  const r = await call('front-desk', 'POST', '/api/v1/claims', {
    channel: 'walk-in',
    customer: { name: 'Workshop Client', phone: '+44 7700 900123', email: 'workshop@example.com', preferredLanguage: 'en' },
    device: { serial: `WS-${Math.random().toString(36).slice(2, 8)}`, manufacturer: 'Apple', model: 'iPhone 12', category: 'phone' },
    problem: 'Cracked screen',
    workOrder: { termsAccepted: true, accessories: ['case', 'charger'], complete: true, visibleCondition: 'cracked glass', dataBackedUp: true, passwordsRemoved: false, problemInClientsWords: 'Cracked screen', signedBy: 'W. Client' },
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { order: { id: string; version: number; number: string }; orderPage: { token: string } };
}

describe('the workshop card', () => {
  test('the front desk assigns a technician, priority, promised date, channel and passcode; the pre-check is the category’s list', async () => {
    const { order, orderPage } = await intake();
    const tech = await t.db.selectFrom('staff_users').select(['id', 'name']).where('organization_id', '=', t.orgs[org]).where('role', '=', 'technician').executeTakeFirstOrThrow();
    const r = await call('front-desk', 'PATCH', `/api/v1/service-orders/${order.id}/workshop`, {
      version: order.version,
      technicianId: tech.id,
      priority: 'urgent',
      promisedOn: '2026-11-25',
      contactChannel: 'sms',
      passcode: PASSCODE,
      unlockPattern: '1-5-9-6',
      precheck: { 'powers-on': 'ok', screen: 'fault', camera: 'ok' },
    });
    expect(r.statusCode, r.body).toBe(200);
    const w = r.json();
    expect(w).toMatchObject({ technician: { id: tech.id, name: tech.name }, priority: 'urgent', promisedOn: '2026-11-25', contactChannel: 'sms', passcodeSet: true, passcodeReadable: false, category: 'phone', version: order.version + 1 });
    expect(w.precheck.map((p: { code: string }) => p.code)).toEqual(['powers-on', 'screen', 'touch', 'camera', 'charging', 'battery', 'buttons', 'speakers', 'microphone', 'sim']);
    expect(w.precheck.find((p: { code: string }) => p.code === 'screen').result).toBe('fault');
    expect(w.precheck.find((p: { code: string }) => p.code === 'sim').result).toBe('not-checked');
    expect(JSON.stringify(w)).not.toContain(PASSCODE);

    // The passcode: the front desk entered it but does not read it back; the technician does, audited.
    expect((await call('front-desk', 'GET', `/api/v1/service-orders/${order.id}/workshop/passcode`)).statusCode).toBe(403);
    const read = await call('technician', 'GET', `/api/v1/service-orders/${order.id}/workshop/passcode`);
    expect(read.json()).toEqual({ passcode: PASSCODE, unlockPattern: '1-5-9-6' });
    expect(read.headers['cache-control']).toBe('no-store');
    const audit = await t.db.selectFrom('audit_events').select(['action', 'after']).where('entity_id', '=', order.id).execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['service-order.workshop-updated', 'service-order.passcode-read']));
    expect(JSON.stringify(audit)).not.toContain(PASSCODE);
    expect(audit.find((a) => a.action === 'service-order.workshop-updated')!.after).toMatchObject({ passcode: 'changed', unlockPattern: 'changed', priority: 'urgent' });

    // Never on the order view, the client's order page, the work order or a message.
    const staffView = await call('manager', 'GET', `/api/v1/service-orders/${order.id}`);
    expect(staffView.body).not.toContain(PASSCODE);
    const page = await t.app.inject({ url: `/api/v1/order-page/${orderPage.token}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain(PASSCODE);
    expect(page.body).not.toContain('1-5-9-6');
    if (hasPdftotext) {
      const pdf = await call('front-desk', 'GET', `/api/v1/service-orders/${order.id}/documents/work-order.pdf?lang=en`);
      expect(pdf.statusCode).toBe(200);
      const text = pdfText(pdf.rawPayload);
      expect(text).toContain('case, charger'); // the accessories left with the device are printed
      expect(text).not.toContain(PASSCODE);
    }
    const rows = await t.db.selectFrom('outbox').selectAll().where('aggregate_id', '=', order.id).execute();
    expect(JSON.stringify(rows)).not.toContain(PASSCODE);
  });

  test('a technician records the pre-check and notes, not the assignment (403 naming the field); bad input names the field; a stale version is 409', async () => {
    const { order } = await intake();
    const url = `/api/v1/service-orders/${order.id}/workshop`;
    const refused = await call('technician', 'PATCH', url, { version: order.version, priority: 'high' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'forbidden', errors: [{ field: 'body.priority' }] });
    expect((await call('technician', 'PATCH', url, { version: order.version, precheck: { 'powers-on': 'ok' } })).statusCode).toBe(200);
    const before = await t.db.selectFrom('service_orders').select('version').where('id', '=', order.id).executeTakeFirstOrThrow();
    const unknown = await call('technician', 'PATCH', url, { version: before.version, precheck: { keyboard: 'ok' } });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors[0].field).toBe('body.precheck.keyboard');
    const badDate = await call('front-desk', 'PATCH', url, { version: before.version, promisedOn: '2026-02-30' });
    expect(badDate.statusCode).toBe(400);
    expect(badDate.json().errors[0].field).toBe('body.promisedOn');
    const badPattern = await call('front-desk', 'PATCH', url, { version: before.version, unlockPattern: '0-5-x' });
    expect(badPattern.json().errors[0].field).toBe('body.unlockPattern');
    const stranger = await call('front-desk', 'PATCH', url, { version: before.version, technicianId: '00000000-0000-7000-8000-000000000000' });
    expect(stranger.statusCode).toBe(422);
    expect(stranger.json().errors[0].field).toBe('body.technicianId');
    const stale = await call('front-desk', 'PATCH', url, { version: order.version, priority: 'low' });
    expect(stale.statusCode).toBe(409);
    expect((await t.db.selectFrom('service_orders').select('version').where('id', '=', order.id).executeTakeFirstOrThrow()).version).toBe(before.version);

    const note = { body: 'Screen connector loose; ordered part.' };
    const key = { 'idempotency-key': 'note-1' };
    const first = await call('technician', 'POST', `/api/v1/service-orders/${order.id}/notes`, note, key);
    expect(first.statusCode, first.body).toBe(200);
    const again = await call('technician', 'POST', `/api/v1/service-orders/${order.id}/notes`, note, key);
    expect(again.json().notes).toHaveLength(1);
    expect(first.json().notes[0]).toMatchObject({ body: note.body });
  });
});

describe('message the client', () => {
  test("goes out by the order's channel (SMS here) with the order page link, once per Idempotency-Key; the technician may not send", async () => {
    const { order } = await intake();
    await call('front-desk', 'PATCH', `/api/v1/service-orders/${order.id}/workshop`, { version: order.version, contactChannel: 'sms', passcode: PASSCODE });
    const url = `/api/v1/service-orders/${order.id}/messages`;
    const text = 'The new screen arrives tomorrow; we will call you.';
    expect((await call('technician', 'POST', url, { text })).statusCode).toBe(403);
    const empty = await call('front-desk', 'POST', url, { text: '  ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errors[0].field).toBe('body.text');
    const key = { 'idempotency-key': 'msg-1' };
    expect((await call('front-desk', 'POST', url, { text }, key)).statusCode).toBe(200);
    expect((await call('front-desk', 'POST', url, { text }, key)).statusCode).toBe(200);
    const rows = await t.db.selectFrom('outbox').selectAll().where('aggregate_id', '=', order.id).where('topic', '=', 'order.message').execute();
    expect(rows).toHaveLength(1);
    const [sms] = await compose(t.db, t.config, rows[0]);
    expect(sms).toMatchObject({ audience: 'client', channel: 'sms', recipient: '+447700900123' });
    expect(sms.body).toContain(text);
    expect(sms.body).not.toContain(PASSCODE);
  });
});
