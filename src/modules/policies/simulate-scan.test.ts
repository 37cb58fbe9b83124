// The simulator's device scan (issue 11, simulate-scan.ts): cut into id ranges run by worker threads
// over connections of their own, it gives exactly what one pass in this thread gives — the counts,
// and each page of changes (by kind, offset, limit) in device id order.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sql } from 'kysely';
import { freshDatabase } from '../../../test/db.ts';
import { createDb, type DbHandle } from '../../db/index.ts';
import { closeScanWorkers, scanDevices, scanWorkerTasks, type ScanPolicies } from './simulate-scan.ts';
import { bodyOf, templateVersions } from './templates.service.ts';

let h: DbHandle;
let url: string;
let drop: () => Promise<void>;
let org: string;
beforeAll(async () => {
  const d = await freshDatabase();
  drop = d.drop;
  url = d.url;
  h = createDb(url, 3);
  org = (await h.db.insertInto('organizations').values({ slug: 'scan', name: 'Scan', pack_id: 'itema', time_zone: 'Europe/Sofia', currency: 'EUR', languages: ['en'] }).returning('id').executeTakeFirstOrThrow()).id;
  // 600 devices: laptops, monitors and batteries, some refurbished with a stated term, some with a
  // battery part; sold over four years with repairs, some voided, and an unknown category.
  await sql`insert into devices (id, organization_id, serial, manufacturer, model, category, kind, condition, term)
    select gen_random_uuid(), ${org}, 'S-' || g, 'Lenovo', 'T14', (array['laptop', 'monitor', 'battery', 'laptop', 'toaster'])[1 + g % 5], 'device',
           case when g % 7 = 0 then 'refurbished' else 'new' end, case when g % 7 = 0 then '3 months' end
      from generate_series(1, 600) g`.execute(h.db);
  await sql`insert into device_parts (organization_id, device_id, part_key, category) select organization_id, id, 'battery-1', 'battery' from devices where organization_id = ${org} and serial like '%3'`.execute(h.db);
  await sql`insert into device_events (organization_id, device_id, type, date, under_warranty, note, voided_at)
    select d.organization_id, d.id, case when k = 1 then 'sale' when k % 2 = 0 then 'repair-accepted' else 'repair-completed' end,
           date '2022-06-01' + (abs(hashtext(d.id::text)) % 1400) + k * 20, case when k = 4 then false end,
           case when k = 2 then 'screen "flicker"' end, case when k = 5 and d.serial like '%1' then now() end
      from devices d cross join generate_series(1, 1 + abs(hashtext(d.serial)) % 7) k where d.organization_id = ${org}`.execute(h.db);
  await sql`insert into device_events (organization_id, device_id, type, date, note) select organization_id, id, 'warranty-voided', date '2025-01-10', 'liquid' from devices where organization_id = ${org} and serial like '%9'`.execute(h.db);
});
afterAll(async () => {
  await closeScanWorkers();
  await h?.close();
  await drop?.();
});

const v = templateVersions('itema', { timeZone: 'Europe/Sofia', currency: 'EUR', languages: ['en'], country: 'BG' })[0];
const stored = [{ label: v.version, effective: v.effective, applies_to_existing: false, body: bodyOf(v) }];
const longer = structuredClone(bodyOf(v)) as { terms: { duration: string }[] };
for (const t of longer.terms) if (/^\d+ months$/.test(t.duration)) t.duration = `${Number(t.duration.split(' ')[0]) + 12} months`;
const policies: ScanPolicies = { packId: 'itema', before: stored, after: [...stored, { label: 'draft', effective: '2026-01-01', applies_to_existing: true, body: longer }] };

test('worker threads over id ranges give the counts and every page of changes one pass gives (issue 11)', { timeout: 120_000 }, async () => {
  const at = '2026-06-01';
  const all = await scanDevices(h.db, org, policies, at, { offset: 0, limit: Infinity });
  expect(all.devices.simulated).toBe(600);
  expect(all.devices.changed).toBeGreaterThan(100);
  expect(all.devices.cannotEvaluate).toBe(0); // an unknown category cannot be evaluated under either policy: no change
  expect(all.matching).toBe(all.devices.changed);
  expect(all.changes.map((c) => c.deviceId)).toEqual([...all.changes.map((c) => c.deviceId)].sort());
  const parallel = { url, threads: 2, parallelFrom: 0 };
  expect(await scanDevices(h.db, org, policies, at, { offset: 0, limit: Infinity }, parallel)).toEqual(all);
  expect(scanWorkerTasks()).toBe(8); // 2 threads × 4 ranges
  for (const page of [
    { offset: 0, limit: 10 },
    { offset: 95, limit: 30 },
    { offset: 0, limit: 1000, kind: 'now-covered' as const },
    { offset: 3, limit: 5, kind: 'end-moved' as const },
    { offset: 10_000, limit: 5 },
  ]) {
    const one = await scanDevices(h.db, org, policies, at, page);
    const expected = (page.kind ? all.changes.filter((c) => c.kinds.includes(page.kind)) : all.changes).slice(page.offset, page.offset + page.limit);
    expect(one.changes).toEqual(expected);
    expect(await scanDevices(h.db, org, policies, at, page, parallel)).toEqual(one);
  }
});
