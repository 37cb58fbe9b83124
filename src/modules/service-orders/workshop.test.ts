// Issue 16, "workshop basics" and "message the client": the workshop card of an order (technician,
// priority, promised date, contact channel, passcode, pre-check, internal notes) through the API, its
// roles, its 4xx naming the field, optimistic versions and Idempotency-Key; the passcode never leaves
// the staff's card (order view, order page, documents, messages, audit).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freshDatabase, setupApp, snapshot, type TestContext } from '../../../test/db.ts';
import { buildApp } from '../../server/app.ts';
import { DiskStorage } from '../../storage/index.ts';
import { createDb } from '../../db/index.ts';
import { listMigrations, migrate } from '../../db/migrate.ts';
import { keyring, keyringOf, newMasterKey, open, parseMasterKey, SEALED_PATTERN } from '../../core/secrets.ts';
import { sealStoredPasscodes } from './workshop.ts';
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

describe('the workshop card given with the claim (one transaction)', () => {
  const claim = (serial: string, workshop: object) => ({
    channel: 'walk-in',
    customer: { name: 'Intake Client', phone: '+44 7700 900124', email: `intake-${serial}@example.com`, preferredLanguage: 'en' },
    device: { serial, manufacturer: 'Lenovo', model: 'T14', category: 'laptop' },
    problem: 'Does not charge',
    workOrder: { termsAccepted: true, accessories: ['charger'], complete: true, visibleCondition: 'scratched lid', dataBackedUp: true, passwordsRemoved: false, problemInClientsWords: 'Does not charge', signedBy: 'I. Client' },
    workshop,
  });

  test('technician, priority, promised date, channel, passcode, pre-check and a note arrive with the claim; a retry with the same key is one order and one card', async () => {
    const tech = await t.db.selectFrom('staff_users').select(['id', 'name']).where('organization_id', '=', t.orgs[org]).where('role', '=', 'technician').executeTakeFirstOrThrow();
    const body = claim('WS-INTAKE-1', { technicianId: tech.id, priority: 'high', promisedOn: '2026-11-28', contactChannel: 'sms', passcode: PASSCODE, unlockPattern: '3-5-7', precheck: { 'powers-on': 'ok', charging: 'fault' }, note: 'Charger port wobbly.' });
    const key = { 'idempotency-key': 'intake-ws-1' };
    const first = await call('front-desk', 'POST', '/api/v1/claims', body, key);
    expect(first.statusCode, first.body).toBe(201);
    const again = await call('front-desk', 'POST', '/api/v1/claims', body, key);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    const { order } = first.json();
    expect(JSON.stringify(first.json())).not.toContain(PASSCODE);
    expect(await t.db.selectFrom('service_orders').select('id').where('organization_id', '=', t.orgs[org]).where('id', '=', order.id).execute()).toHaveLength(1);
    expect(await t.db.selectFrom('devices').select('id').where('serial', '=', 'WS-INTAKE-1').execute()).toHaveLength(1);
    expect(await t.db.selectFrom('order_workshop').select('order_id').where('order_id', '=', order.id).execute()).toHaveLength(1);
    expect(await t.db.selectFrom('order_notes').select('id').where('order_id', '=', order.id).execute()).toHaveLength(1);

    const w = (await call('front-desk', 'GET', `/api/v1/service-orders/${order.id}/workshop`)).json();
    expect(w).toMatchObject({ technician: { id: tech.id }, priority: 'high', promisedOn: '2026-11-28', contactChannel: 'sms', passcodeSet: true, category: 'laptop', version: order.version, notes: [{ body: 'Charger port wobbly.' }] });
    expect(w.precheck.find((p: { code: string }) => p.code === 'charging').result).toBe('fault');
    expect((await call('technician', 'GET', `/api/v1/service-orders/${order.id}/workshop/passcode`)).json()).toEqual({ passcode: PASSCODE, unlockPattern: '3-5-7' });
    // The order says SMS, and the audit has the intake, then the card and the note, each once.
    const audit = await t.db.selectFrom('audit_events').select('action').where('entity_id', '=', order.id).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['service-order.created', 'service-order.workshop-updated', 'service-order.note-added', 'service-order.passcode-read']);
  });

  test.each([
    ['an item not on the category’s pre-check list', { precheck: { sim: 'ok' } }, 422, 'body.workshop.precheck.sim'],
    ['an unknown technician', { technicianId: '00000000-0000-7000-8000-000000000000' }, 422, 'body.workshop.technicianId'],
    ['a date that does not exist', { promisedOn: '2026-02-30' }, 400, 'body.workshop.promisedOn'],
    ['an unlock pattern off the grid', { unlockPattern: '0-1' }, 400, 'body.workshop.unlockPattern'],
    ['a field the card does not have', { colour: 'red' }, 400, 'body.workshop'],
  ])('a bad workshop field (%s) refuses the whole intake with a problem naming it; nothing is saved', async (_what, workshop, status, field) => {
    const before = await snapshot(t.db);
    const r = await call('front-desk', 'POST', '/api/v1/claims', claim(`WS-BAD-${field.length}`, workshop), { 'idempotency-key': `bad-${field}` });
    expect(r.statusCode, r.body).toBe(status);
    expect(r.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await snapshot(t.db)).toEqual(before);
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

describe('the passcode sealed at rest (AES-256-GCM, src/core/secrets.ts)', () => {
  test('the database holds only the envelope and the key id, never the passcode or the pattern', async () => {
    const { order } = await intake();
    const r = await call('front-desk', 'PATCH', `/api/v1/service-orders/${order.id}/workshop`, { version: order.version, passcode: PASSCODE, unlockPattern: '1-5-9-6' });
    expect(r.statusCode, r.body).toBe(200);
    const row = await t.db.selectFrom('order_workshop').selectAll().where('order_id', '=', order.id).executeTakeFirstOrThrow();
    expect(row.passcode).toMatch(SEALED_PATTERN);
    expect(row.unlock_pattern).toMatch(SEALED_PATTERN);
    expect(row.secret_key_id).toBe(keyringOf(t.config).current.id);
    expect(JSON.stringify(row)).not.toContain(PASSCODE);
    expect(JSON.stringify(row)).not.toContain('1-5-9-6');
    // Nowhere in the database as text, in any table (the audit, the outbox, the idempotency answers).
    const dump = await t.db.selectFrom('audit_events').select('after').execute();
    expect(JSON.stringify(dump)).not.toContain(PASSCODE);
    // The database itself refuses a plain value (migration 0028's check).
    await expect(t.db.updateTable('order_workshop').set({ passcode: PASSCODE }).where('order_id', '=', order.id).execute()).rejects.toThrow(/order_workshop_passcode_sealed/);
    // Removing it empties the columns and the key id.
    await call('front-desk', 'PATCH', `/api/v1/service-orders/${order.id}/workshop`, { version: r.json().version, passcode: null, unlockPattern: '' });
    const gone = await t.db.selectFrom('order_workshop').selectAll().where('order_id', '=', order.id).executeTakeFirstOrThrow();
    expect(gone).toMatchObject({ passcode: null, unlock_pattern: null, secret_key_id: null });
  });

  test('a server with another key answers a clear 500 naming the key, never garbage; with the old key kept it reads, and the start reseals', async () => {
    const { order } = await intake();
    await call('front-desk', 'PATCH', `/api/v1/service-orders/${order.id}/workshop`, { version: order.version, passcode: PASSCODE });
    const oldId = keyringOf(t.config).current.id;
    const newKey = newMasterKey();
    const serve = async (config: Partial<typeof t.config>) => {
      const app = await buildApp({ db: t.db, pool: t.pool, config: { ...t.config, ...config }, storage: new DiskStorage(t.config.filesDir) });
      const r = await app.inject({ url: `/api/v1/service-orders/${order.id}/workshop/passcode`, headers: { cookie: t.cookies[org].technician } });
      await app.close();
      return r;
    };
    const wrong = await serve({ secretKey: newKey });
    expect(wrong.statusCode).toBe(500);
    expect(wrong.json()).toMatchObject({ code: 'secret-key-unavailable', keyId: oldId });
    expect(wrong.json().detail).toContain(`sealed with key ${oldId}, which this server does not have`);
    expect(wrong.body).not.toContain(PASSCODE);

    // Rotation: the new key with the old one kept opens it; the start's reseal moves it to the new key.
    const rotated = { secretKey: newKey, oldSecretKeys: [t.config.secretKey!] };
    expect((await serve(rotated)).json()).toEqual({ passcode: PASSCODE, unlockPattern: null });
    const ring = keyringOf(rotated as typeof t.config);
    expect(await sealStoredPasscodes(t.db, ring)).toBeGreaterThanOrEqual(1);
    const row = await t.db.selectFrom('order_workshop').select(['passcode', 'secret_key_id']).where('order_id', '=', order.id).executeTakeFirstOrThrow();
    expect(row.secret_key_id).toBe(ring.current.id);
    expect((await serve({ secretKey: newKey })).json()).toEqual({ passcode: PASSCODE, unlockPattern: null });
    // Back to the tests' key for the other tests.
    await sealStoredPasscodes(t.db, keyring(parseMasterKey(t.config.secretKey!)!, [parseMasterKey(newKey)!]));
  });
});

test('migration 0028 moves the plain passcodes stored before it aside, and the starting server seals them', async () => {
  // A database migrated up to 0027, with a plain passcode as 0025 stored it.
  const db = await freshDatabase();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aftercare-mig-'));
  const c = new pg.Client({ connectionString: db.url });
  try {
    await c.connect();
    await c.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    const all = listMigrations();
    const put = (m: (typeof all)[number]) => fs.writeFileSync(path.join(dir, `${m.version}_${m.name}.sql`), m.sql);
    all.filter((m) => m.version < '0028').forEach(put);
    await migrate(db.url, dir);
    const orgId = '00000000-0000-7000-8000-0000000000a1';
    const orderId = '00000000-0000-7000-8000-0000000000b1';
    await c.query("SET session_replication_role = replica"); // the row alone, without its order
    await c.query('INSERT INTO order_workshop (organization_id, order_id, passcode, unlock_pattern) VALUES ($1, $2, $3, $4)', [orgId, orderId, 'PLAIN-4711', '1-2-3']);
    all.filter((m) => m.version >= '0028').forEach(put);
    expect(await migrate(db.url, dir)).toContain('0028');
    const moved = (await c.query('SELECT passcode, unlock_pattern, passcode_unsealed, unlock_pattern_unsealed FROM order_workshop')).rows[0];
    expect(moved).toEqual({ passcode: null, unlock_pattern: null, passcode_unsealed: 'PLAIN-4711', unlock_pattern_unsealed: '1-2-3' });

    const h = createDb(db.url, 1);
    const ring = keyring(Buffer.alloc(32, 9));
    expect(await sealStoredPasscodes(h.db, ring)).toBe(1);
    expect(await sealStoredPasscodes(h.db, ring)).toBe(0);
    await h.close();
    const sealed = (await c.query('SELECT * FROM order_workshop')).rows[0];
    expect(JSON.stringify(sealed)).not.toContain('PLAIN-4711');
    expect(sealed).toMatchObject({ passcode_unsealed: null, unlock_pattern_unsealed: null, secret_key_id: ring.current.id });
    expect(open(ring, 'device-passcode', `order_workshop/${orgId}/${orderId}/passcode`, sealed.passcode)).toBe('PLAIN-4711');
    expect(open(ring, 'device-passcode', `order_workshop/${orgId}/${orderId}/unlock-pattern`, sealed.unlock_pattern)).toBe('1-2-3');
  } finally {
    await c.end();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
