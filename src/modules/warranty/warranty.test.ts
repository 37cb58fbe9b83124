// The lookup asks the policy engine; these tests check the wiring on the demo data, not the rules
// themselves (those are the engine's tests).
import { DateTime } from 'luxon';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DEMO_NOW, setupApp, type TestContext } from '../../../test/db.ts';
import { serialLookupBatcher } from './warranty.repository.ts';
import { todayIn } from '../../core/day.ts';

let t: TestContext;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(() => t?.close());

const lookup = (slug: string, q: string) => t.app.inject({ url: `/api/v1/warranty?${q}`, headers: { cookie: t.cookies[slug].technician } });
// The demo is anchored to DEMO_NOW: "now" in these tests is that day in the business's zone.
const SOFIA = todayIn('Europe/Sofia', DEMO_NOW);

test('ITEMA-PG: the refurbished laptop in repair is covered and its term is suspended (ITEMA-14)', async () => {
  const res = await lookup('itema-pg', `serial=DEMO-ITEMA-LAPTOP&at=${SOFIA}`);
  expect(res.statusCode).toBe(200);
  const w = res.json();
  expect(w.at).toBe(SOFIA);
  expect(w.covered).toBe(true);
  expect(w.coverage.pack).toBe('itema');
  expect(w.coverage.policyVersion).toBeTruthy();
  expect(w.coverage.device.status).toBe('suspended');
  expect(w.coverage.legalGuarantee?.rule).toBe('ITEMA-33');
  expect(w.explanation.length).toBeGreaterThan(0);
  expect(w.explanation[0]).toMatch(/^ITEMA-\d+: /);
  const bg = (await lookup('itema-pg', `serial=DEMO-ITEMA-LAPTOP&lang=bg&at=${SOFIA}`)).json();
  expect(bg.explanation.join(' ')).toMatch(/[а-я]/);
});

test('ITMall: the switch shipped 2 years 11 months ago is covered now and not after its 3-year end (ITM-4)', async () => {
  const today = todayIn('Asia/Singapore', DEMO_NOW);
  const now = (await lookup('itmall', `serial=DEMO-ITMALL-SWITCH&at=${today}`)).json();
  expect(now.covered).toBe(true);
  const end = now.coverage.device.end as string;
  const shipped = DateTime.fromISO(today).minus({ years: 2, months: 11 });
  expect(DateTime.fromISO(end).diff(shipped, 'months').months).toBeGreaterThan(35);
  expect(now.coverage.device.daysLeft).toBeLessThan(40);
  const later = (await lookup('itmall', `serial=DEMO-ITMALL-SWITCH&at=${DateTime.fromISO(end).plus({ days: 1 }).toISODate()}`)).json();
  expect(later.covered).toBe(false);
  expect(later.coverage.device.status).toBe('expired');
});

test('by device id, the same answer; unknown serials and bad dates are clean 4xx', async () => {
  const bySerial = (await lookup('its', 'serial=DEMO-ITS-INSTALL&at=2026-01-01')).json();
  const byId = await t.app.inject({ url: `/api/v1/devices/${bySerial.device.id}/warranty?at=2026-01-01`, headers: { cookie: t.cookies.its.owner } });
  expect(byId.json()).toEqual(bySerial);
  const missing = await lookup('its', 'serial=NOPE');
  expect(missing.statusCode).toBe(404);
  expect(missing.json().code).toBe('not-found');
  const badDate = await lookup('its', 'serial=DEMO-ITS-INSTALL&at=2026-02-30');
  expect(badDate.statusCode).toBe(400);
  expect(badDate.json().errors[0].field).toBe('querystring.at');
  const noSerial = await lookup('its', '');
  expect(noSerial.statusCode).toBe(400);
  expect(noSerial.json().errors[0].field).toBe('querystring.serial');
});

test('every demo device of every organization gets an answer from its pack', async () => {
  const devices = await t.db.selectFrom('devices as d').innerJoin('organizations as o', 'o.id', 'd.organization_id').select(['d.serial', 'o.slug', 'o.pack_id']).execute();
  expect(devices.length).toBeGreaterThanOrEqual(9);
  for (const d of devices) {
    const res = await lookup(d.slug, `serial=${d.serial}&at=${todayIn('UTC', DEMO_NOW)}`);
    expect(res.statusCode, d.serial).toBe(200);
    expect(res.json().coverage.pack).toBe(d.pack_id);
  }
  const sc = (await lookup('service-center', `serial=DEMO-SC-PHONE&at=${todayIn('Europe/Berlin', DEMO_NOW)}`)).json();
  expect(sc.covered).toBe(true);
  const ap = (await lookup('its', `serial=DEMO-ITS-AP&at=${todayIn('America/New_York', DEMO_NOW)}`)).json();
  expect(ap.covered).toBe(true);
});

test('lookups arriving together share one query and each gets only its own organization’s device', async () => {
  const add = (org: string, serial: string, manufacturer: string, model: string) =>
    t.db.insertInto('devices').values({ organization_id: t.orgs[org], serial, manufacturer, model, category: 'laptop', kind: 'device', condition: 'new' }).execute();
  await add('its', 'SHARED-1', 'Lenovo', 'ITS laptop');
  await add('its', 'SHARED-1', 'HP', 'ITS other laptop');
  await add('itmall', 'SHARED-1', 'Lenovo', 'ITMall laptop');
  let queries = 0;
  const counting = { query: (...a: Parameters<typeof t.pool.query>) => (queries++, t.pool.query(...a)) } as unknown as typeof t.pool;
  const batched = serialLookupBatcher(counting);
  const [itsBoth, itmall, itsHp, missing] = await Promise.all([
    batched({ orgId: t.orgs.its, serial: 'SHARED-1' }),
    batched({ orgId: t.orgs.itmall, serial: 'SHARED-1' }),
    batched({ orgId: t.orgs.its, serial: 'SHARED-1', manufacturer: 'hp' }),
    batched({ orgId: t.orgs.its, serial: 'NOPE' }),
  ]);
  expect(queries).toBe(1);
  expect(itsBoth.map((r) => r.model)).toEqual(['ITS other laptop', 'ITS laptop']);
  expect(itmall.map((r) => r.model)).toEqual(['ITMall laptop']);
  expect(itsHp.map((r) => r.model)).toEqual(['ITS other laptop']);
  expect(missing).toEqual([]);
  // The same through HTTP, concurrently: ambiguous in one organization, plain in the other.
  const [a, b, c] = await Promise.all([
    lookup('its', 'serial=SHARED-1'),
    lookup('itmall', 'serial=SHARED-1'),
    lookup('its', 'serial=SHARED-1&manufacturer=Lenovo'),
  ]);
  expect(a.statusCode).toBe(409);
  expect(a.json().errors[0].field).toBe('querystring.manufacturer');
  expect(b.json().device.model).toBe('ITMall laptop');
  expect(c.json().device.model).toBe('ITS laptop');
});
