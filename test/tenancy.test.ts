// No request can read or change another organization's data: every route that takes an id is called
// by ITMall's owner with an id that belongs to ITEMA-PG, and must answer 404 and change nothing.
import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { systemActor } from '../src/core/actor.ts';
import { insertApiKey } from '../src/modules/auth/auth.service.ts';
import { issueCreditNote } from '../src/modules/billing/billing.service.ts';
import { DEMO_NOW, newId, setupApp, snapshot, type TestContext } from './db.ts';
import { multipart, PDF } from './multipart.ts';

let t: TestContext;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await setupApp();
  const org = t.orgs['itema-pg'];
  const one = async (table: 'customers' | 'devices' | 'purchases' | 'locations' | 'api_keys') =>
    (await t.db.selectFrom(table).select('id').where('organization_id', '=', org).executeTakeFirstOrThrow()).id;
  await insertApiKey(t.db, org, 'itema integration', 'manager', 'ak_itema_tenancy_test_token');
  ids.customers = await one('customers');
  ids.devices = await one('devices');
  ids.purchases = await one('purchases');
  ids.locations = await one('locations');
  ids['api-keys'] = await one('api_keys');
  // An event of that device (`:eventId` in /devices/:id/events/:eventId/void).
  const ev = await t.db.selectFrom('device_events').select('id').where('organization_id', '=', org).where('device_id', '=', ids.devices).executeTakeFirst();
  ids.eventId = ev?.id ?? (await t.db.insertInto('device_events').values({ organization_id: org, device_id: ids.devices, type: 'sale', date: '2026-01-02' }).returning('id').executeTakeFirstOrThrow()).id;
  ids['staff-users'] = (await t.db.selectFrom('staff_users').select('id').where('organization_id', '=', org).where('role', '=', 'technician').executeTakeFirstOrThrow()).id;
  const m = multipart('invoice.pdf', 'application/pdf', PDF);
  const r = await t.app.inject({ method: 'POST', url: `/api/v1/purchases/${ids.purchases}/documents`, payload: m.payload, headers: { ...m.headers, cookie: t.cookies['itema-pg'].owner } });
  expect(r.statusCode).toBe(201);
  ids.documents = r.json().id;
  // Registrations (ITS-5) exist only where the pack takes them: iTS's, also not ITMall's.
  ids.registrations = (await t.db.selectFrom('device_registrations').select('id').where('organization_id', '=', t.orgs.its).executeTakeFirstOrThrow()).id;
  ids['service-orders'] = (await t.db.selectFrom('service_orders').select('id').where('organization_id', '=', org).executeTakeFirstOrThrow()).id;
  // An ITEMA-PG credit note (`/tax-documents/:id`).
  ids['tax-documents'] = (
    await t.db.transaction().execute((tx) =>
      issueCreditNote(tx, systemActor(org, 'test'), { subject: { type: 'service-order', id: ids['service-orders'], number: 'SO' }, customerId: null, language: 'bg', currency: 'EUR', amountMinor: 100, description: 'x', reason: 'x' }, new Date('2026-11-21T08:00:00Z')),
    )
  ).id;
  // A proof file sent with an ITEMA-PG web claim (`:proofId` in /service-orders/:id/proofs/:proofId).
  const claim = await t.app.inject({ method: 'POST', url: '/api/v1/web-claims/itema-pg', payload: { name: 'Tenancy', email: 'tenancy@example.bg', phone: '+359 88 000 0000', serial: 'DEMO-ITEMA-LAPTOP', problem: 'x' } });
  expect(claim.statusCode).toBe(201);
  const pm = multipart('receipt.pdf', 'application/pdf', PDF);
  const proof = await t.app.inject({ method: 'POST', url: `/api/v1/order-page/${claim.json().orderPage.token}/proofs`, payload: pm.payload, headers: pm.headers });
  expect(proof.statusCode).toBe(201);
  ids.proofId = proof.json().id;
  // An intake photo of an ITEMA-PG order (`:photoId` in /service-orders/:id/photos/:photoId).
  const ph = multipart('photo.jpg', 'image/jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00]));
  const photo = await t.app.inject({ method: 'POST', url: `/api/v1/service-orders/${ids['service-orders']}/photos`, payload: ph.payload, headers: { ...ph.headers, cookie: t.cookies['itema-pg'].owner } });
  expect(photo.statusCode, photo.body).toBe(201);
  ids.photoId = photo.json().id;
  // The support desk's records (ITEMA-PG's pack has no support desk: written directly).
  const itemaCustomer = ids.customers;
  ids.contracts = newId();
  await t.db.insertInto('contracts').values({ id: ids.contracts, organization_id: org, number: 'CT-2026-900001', customer_id: itemaCustomer, tier: 'x', starts_on: '2026-01-01', ends_on: '2026-12-31', renewal_on: '2026-12-31', currency: 'EUR' }).execute();
  ids['support-tickets'] = newId();
  await t.db.insertInto('support_tickets').values({ id: ids['support-tickets'], organization_id: org, number: 'TK-2026-900001', kind: 'question', customer_id: itemaCustomer, channel: 'phone', subject: 's', description: 'd', language: 'bg', tier: 'x', level: 'L1', state: 'open', currency: 'EUR', created_at: new Date(DEMO_NOW), updated_at: new Date(DEMO_NOW) }).execute();
  ids['support-messages'] = newId();
  ids.attachmentId = `${ids['support-messages']}-0`;
  await t.db.insertInto('support_messages').values({ id: ids['support-messages'], organization_id: org, ticket_id: null, direction: 'in', channel: 'email', body: 'b', triage: 'open', triage_reason: 'unknown-sender', attachments: JSON.stringify([{ id: ids.attachmentId, filename: 'a.txt', contentType: 'text/plain', size: 1, key: 'support/x/0' }]), created_at: new Date(DEMO_NOW) }).execute();
  ids['support-triage'] = ids['support-messages'];
  ids['training-sessions'] = newId();
  await t.db.insertInto('training_sessions').values({ id: ids['training-sessions'], organization_id: org, number: 'TR-2026-900001', contract_id: ids.contracts, topic: 't', channel: 'online', starts_at: new Date('2026-11-26T08:00:00Z'), local_date: '2026-11-26', duration_minutes: 60, state: 'scheduled', created_at: new Date(DEMO_NOW), updated_at: new Date(DEMO_NOW) }).execute();
  // An RMA of ITEMA-PG and an account suspension on it (its pack runs no RMAs: written as rows).
  const rma = { id: crypto.randomUUID(), organization_id: org, number: 'RMA-2026-999999', state: 'authorized', channel: 'api', customer_id: ids.customers, language: 'bg', created_at: new Date(DEMO_NOW), updated_at: new Date(DEMO_NOW) };
  await t.db.insertInto('rmas').values(rma).execute();
  ids.rmas = rma.id;
  ids.fileId = crypto.randomUUID();
  ids.itemId = crypto.randomUUID(); // an RMA item (`/rmas/:id/items/:itemId/...`): the RMA itself is not found first
  ids['rma-holds'] = crypto.randomUUID();
  await t.db.insertInto('rma_account_holds').values({ id: ids['rma-holds'], organization_id: org, customer_id: ids.customers, rma_id: rma.id, rule: 'ITM-12', created_at: new Date(DEMO_NOW) }).execute();
});
afterAll(() => t?.close());

const bodies: Record<string, unknown> = {
  'PATCH /api/v1/customers/:id': { version: 1, name: 'hijacked' },
  'PATCH /api/v1/devices/:id': { version: 1, model: 'hijacked' },
  'PATCH /api/v1/purchases/:id': { version: 1, place: 'hijacked' },
  'PATCH /api/v1/locations/:id': { version: 1, name: 'hijacked' },
  'PATCH /api/v1/staff-users/:id': { version: 1, disabled: true },
  'POST /api/v1/devices/:id/events': { type: 'warranty-voided', date: '2026-01-01', note: 'hijacked' },
  'POST /api/v1/service-orders/:id/actions': { action: 'cancel', reason: 'hijacked', version: 1 },
  'POST /api/v1/service-orders/:id/parts': { partId: 'x', category: 'ssd', version: 1 },
  'POST /api/v1/service-orders/:id/payments': { amountMinor: 1, method: 'cash', version: 1 },
  'POST /api/v1/service-orders/:id/refunds': { paymentId: '0190a0a0-0000-7000-8000-000000000000', amountMinor: 1, reason: 'hijacked' },
  'POST /api/v1/service-orders/:id/courier-delivery': { version: 1 },
  'POST /api/v1/service-orders/:id/courier-objection': { version: 1 },
  'POST /api/v1/service-orders/:id/link': { version: 1 },
  'PATCH /api/v1/service-orders/:id/workshop': { version: 1, priority: 'low' },
  'POST /api/v1/service-orders/:id/notes': { body: 'hijacked' },
  'POST /api/v1/service-orders/:id/messages': { text: 'hijacked' },
  'POST /api/v1/registrations/:id/actions': { action: 'refuse', reason: 'hijacked', version: 1 },
  'POST /api/v1/devices/:id/plans': { planId: 'plus-6-months', method: 'cash' },
  'POST /api/v1/contracts/:id/actions': { action: 'cancel', version: 1, reason: 'hijacked' },
  'POST /api/v1/support-tickets/:id/actions': { action: 'note', version: 1, body: 'hijacked' },
  'POST /api/v1/support-triage/:id': { action: 'dismiss', reason: 'hijacked' },
  'POST /api/v1/training-sessions/:id/actions': { action: 'cancel', version: 1, reason: 'hijacked' },
  'POST /api/v1/rmas/:id/actions': { action: 'cancel', reason: 'hijacked', version: 1 },
  'POST /api/v1/purchases/:id/objection': { version: 1 },
  'POST /api/v1/customers/:id/merge': { duplicateId: '0190a0a0-0000-7000-8000-000000000000', version: 1, duplicateVersion: 1 },
  'PATCH /api/v1/service-orders/:id/claim': { version: 1, details: { address: 'hijacked' } },
  'PUT /api/v1/service-orders/:id/received-at': { receivedAt: '2026-01-01T09:00:00Z', version: 1 },
  'POST /api/v1/devices/:id/events/:eventId/void': { reason: 'hijacked' },
};

async function itemaState() {
  const org = t.orgs['itema-pg'];
  const versions = async (table: 'customers' | 'devices' | 'purchases' | 'locations') =>
    (await t.db.selectFrom(table).select(['id', 'version']).where('organization_id', '=', org).orderBy('id').execute()).map((r) => `${r.id}:${r.version}`);
  return {
    counts: await snapshot(t.db),
    customers: await versions('customers'),
    devices: await versions('devices'),
    purchases: await versions('purchases'),
    locations: await versions('locations'),
    staff: await t.db.selectFrom('staff_users').select(['id', 'version', 'disabled_at']).where('organization_id', '=', org).orderBy('id').execute(),
    keys: await t.db.selectFrom('api_keys').select(['id', 'revoked_at']).where('organization_id', '=', org).execute(),
  };
}

test("every route with an id refuses another organization's records", async () => {
  const before = await itemaState();
  const withId = t.app.apiRoutes.filter((r) => r.url.includes(':id') && r.access !== 'public');
  expect(withId.length).toBeGreaterThanOrEqual(10);
  for (const r of withId) {
    const kind = r.url.split('/')[3];
    const id = ids[kind];
    expect(id, `no ITEMA-PG record for ${kind}`).toBeTruthy();
    const url = r.url.replace(':id', id).replace(/:(\w+)/g, (_, k: string) => ids[k] ?? `:${k}`);
    const key = `${r.method} ${r.url}`;
    let res;
    if (r.url.endsWith('/documents') && r.method === 'POST') {
      const m = multipart('x.pdf', 'application/pdf', PDF);
      res = await t.app.inject({ method: 'POST', url, payload: m.payload, headers: { ...m.headers, cookie: t.cookies.itmall.owner } });
    } else {
      res = await t.app.inject({ method: r.method as 'GET', url, headers: { cookie: t.cookies.itmall.owner }, payload: bodies[key] as object | undefined });
    }
    expect(res.statusCode, `${key} as another organization`).toBe(404);
  }
  // An API key of the other organization sees nothing either.
  const viaKey = await t.app.inject({ url: `/api/v1/devices/${ids.devices}`, headers: { authorization: 'Bearer ak_itema_tenancy_test_token' } });
  expect(viaKey.statusCode).toBe(200);
  expect(await itemaState()).toEqual(before);
});

test("lists, lookups and exports show only the caller's organization", async () => {
  const cookie = t.cookies.itmall.owner;
  for (const path of ['customers', 'devices', 'purchases', 'locations', 'staff-users', 'api-keys']) {
    const res = await t.app.inject({ url: `/api/v1/${path}?limit=200`, headers: { cookie } });
    expect(res.statusCode).toBe(200);
    const text = res.body;
    for (const id of Object.values(ids)) expect(text, path).not.toContain(id);
    expect(text).not.toContain('itema');
  }
  expect((await t.app.inject({ url: '/api/v1/warranty?serial=DEMO-ITEMA-LAPTOP', headers: { cookie } })).statusCode).toBe(404);
  expect((await t.app.inject({ url: '/api/v1/devices?serial=DEMO-ITEMA-LAPTOP', headers: { cookie } })).json().items).toEqual([]);
  const csv = await t.app.inject({ url: '/api/v1/exports/sales.csv', headers: { cookie } });
  expect(csv.body).toContain('DEMO-ITMALL-SWITCH');
  expect(csv.body).not.toContain('DEMO-ITEMA');
  expect((await t.app.inject({ url: '/api/v1/organization', headers: { cookie } })).json().slug).toBe('itmall');
});
