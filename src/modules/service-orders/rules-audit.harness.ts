// The harness of the rules audit (rules-audit-*.test.ts): an app on a fresh database with the demo
// data and a clock the tests set, and helpers that drive orders through the HTTP API only. Each test
// file that imports it gets its own app (vitest isolates modules per file).
import { afterAll, beforeAll, expect } from 'vitest';
import type { TestContext } from '../../../test/db.ts';
import { clockedApp, type ClockedApp, type Json } from '../../../test/app.ts';
import { systemActor } from '../../core/actor.ts';
import * as devices from '../devices/devices.service.ts';
import * as purchases from '../purchases/purchases.service.ts';

export let h: ClockedApp;
export let t: TestContext;
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** Registers the app's set-up and tear-down for the calling test file. */
export function useAuditApp() {
  beforeAll(async () => {
    h = await clockedApp(new Date('2026-03-02T09:00:00Z'));
    t = h.t;
  });
  afterAll(async () => {
    await h?.close();
  });
}

export const at = (iso: string) => (h.now = new Date(iso));
export const later = (ms: number) => (h.now = new Date(h.now.getTime() + ms));
export const call = (method: 'GET' | 'POST' | 'DELETE', url: string, cookie?: string, payload?: object) => h.call(method, url, cookie, payload);
export const staff = (org: string) => t.cookies[org]['front-desk'];
export const workOrder = { termsAccepted: true, accessories: [], complete: true, visibleCondition: 'as new', dataBackedUp: true, passwordsRemoved: true, problemInClientsWords: 'It does not start', signedBy: 'Client' };
let serialNo = 0;
export const serial = (p: string) => `AUDIT-${p}-${++serialNo}`;

export async function claim(org: string, body: Json, expected = 201) {
  const r = await call('POST', '/api/v1/claims', staff(org), body);
  expect(r.status, JSON.stringify(r.body)).toBe(expected);
  return r.body;
}
/** A walk-in with the signed work order, for a device the shop registers now. */
export async function walkIn(org: string, extra: Json = {}) {
  const s = serial(org);
  return claim(org, {
    channel: 'walk-in',
    customer: { name: `Client ${s}`, email: `${s.toLowerCase()}@example.com`, phone: '+44 20 7946 0000' },
    device: { serial: s, manufacturer: 'Lenovo', model: 'T14', category: 'laptop' },
    problem: 'Does not start',
    workOrder,
    ...extra,
  });
}
export const get = async (org: string, id: string) => (await call('GET', `/api/v1/service-orders/${id}`, staff(org))).body;
export async function act(org: string, id: string, body: Json, expected = 200) {
  const cur = await get(org, id);
  const r = await call('POST', `/api/v1/service-orders/${id}/actions`, staff(org), { version: cur.version, ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(expected);
  return r.body;
}
export const clock = async (org: string, id: string, clockId: string) => (await get(org, id)).clocks.find((c: Json) => c.id === clockId);
export const outbox = async (id: string) =>
  (await t.db.selectFrom('outbox').select(['topic', 'payload']).where('aggregate_id', '=', id).orderBy('created_at').orderBy('id').execute()).map((r): Json => ({ topic: r.topic, ...(r.payload as Json) }));

/** Diagnosis and a paid quote: the order waits for the client. */
export async function quoted(org: string, id: string, amountMinor = 10000) {
  await act(org, id, { action: 'start-diagnosis' });
  await act(org, id, { action: 'diagnose', findings: ['physical-damage'] });
  return act(org, id, { action: 'quote', amountMinor, duration: '3 working days', advice: 'Worth it', worthRepairing: true });
}
/** From the quote to the ready notice. */
export async function repaired(org: string, id: string) {
  await act(org, id, { action: 'accept', via: 'in-person' });
  await act(org, id, { action: 'start-repair', works: ['board'] });
  await act(org, id, { action: 'start-testing' });
  return act(org, id, { action: 'test-passed', report: 'stress test passed' });
}

/** An ITEMA-PG device sold here `soldDaysAgo` days before the harness's now, with its invoice. */
export async function itemaDevice(soldDaysAgo: number, condition: 'new' | 'refurbished' | 'used' = 'refurbished') {
  const org = t.orgs['itema-pg'];
  const a = systemActor(org, 'test');
  const s = serial('ITEMA');
  const soldOn = new Date(h.now.getTime() - soldDaysAgo * DAY).toISOString().slice(0, 10);
  return t.db.transaction().execute(async (tx) => {
    const c = await tx.selectFrom('customers').select('id').where('organization_id', '=', org).where('email', '=', 'ivan.petrov@example.bg').executeTakeFirstOrThrow();
    const d = await devices.insert(tx, a, { serial: s, manufacturer: 'Dell', model: 'Latitude 5490', category: 'laptop', condition, term: '12 months', customerId: c.id, parts: [{ id: 'ssd-1', category: 'ssd' }] });
    await purchases.insert(tx, a, { deviceId: d.id, customerId: c.id, documentType: 'invoice', documentNumber: s, soldOn, place: 'ITEMA-PG Sofia' });
    return { id: d.id, serial: s, customerId: c.id };
  });
}
/** A covered ITEMA-PG warranty job, taken in now; returns the order after approval. */
export async function itemaWarrantyJob(dev: { id: string; customerId: string }) {
  const { order } = await claim('itema-pg', { channel: 'walk-in', deviceId: dev.id, customerId: dev.customerId, problem: 'Не стартира', proofs: { warrantyCard: true }, workOrder });
  await act('itema-pg', order.id, { action: 'start-diagnosis' });
  const d = await act('itema-pg', order.id, { action: 'diagnose', findings: [], hardwareDefectConfirmed: true });
  expect(d.decision.outcome).toBe('covered');
  return act('itema-pg', order.id, { action: 'approve-warranty' });
}
export async function finishRepair(org: string, id: string) {
  await act(org, id, { action: 'start-repair' });
  await act(org, id, { action: 'start-testing' });
  return act(org, id, { action: 'test-passed', report: 'ok' });
}

