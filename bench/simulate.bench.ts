// The policy simulator (issue 11): devices simulated per second end to end from the database — every
// device of one business with its parts and 20 events read page by page (keyset on the device id,
// the same reader the simulator uses), and the engine's coverage computed twice per device (the
// published policy and the draft appended as the next version), against the engine alone on the
// same devices already in memory. BENCH_DEVICES sets the size (default 20 000; the goal is
// 1 000 000 devices × 20 events in 60 s on 2 cores: the figures below say how far that is).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { ensureDatabase } from '../src/db/database.ts';
import { startEmbedded, type EmbeddedServer } from '../src/db/embedded.ts';
import { createDb } from '../src/db/index.ts';
import { migrate } from '../src/db/migrate.ts';
import { createBusiness } from '../src/modules/organizations/setup.service.ts';
import { devicesOf } from '../src/modules/policies/history-reader.ts';
import { compareDevice, type SimDevice } from '../src/modules/policies/simulate.ts';
import { compileStored } from '../src/core/policy-store.ts';
import { templateVersions, bodyOf } from '../src/modules/policies/templates.service.ts';

const N = Number(process.env.BENCH_DEVICES ?? 20_000);
const EVENTS = 20;

export async function run() {
  const config = loadConfig();
  let embedded: EmbeddedServer | undefined;
  let dir: string | undefined;
  let url: string;
  const dbName = `aftercare_bench_simulate_${process.pid}`;
  if (config.databaseUrl) {
    await ensureDatabase(config.databaseUrl, dbName);
    const u = new URL(config.databaseUrl);
    u.pathname = `/${dbName}`;
    url = u.toString();
  } else {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aftercare-bench-'));
    embedded = await startEmbedded({ dataDir: path.join(dir, 'pg') });
    await ensureDatabase(embedded.url('postgres'), dbName);
    url = embedded.url(dbName);
  }
  await migrate(url);
  const h = createDb(url, 4);
  try {
    const settings = { timeZone: 'Europe/Sofia', currency: 'EUR', languages: ['bg', 'en'] as ('bg' | 'en')[], country: 'BG' };
    const { id: org } = await createBusiness(h.db, { slug: 'bench-shop', name: 'Bench shop', ...settings, owner: { name: 'Owner', email: 'owner@bench.example', password: 'bench password' }, locations: [{ name: 'Main' }], policy: 'itema' });
    // N laptops sold over ten years, each with a sale, a delivery and 18 repair events (9 repairs).
    const t0 = performance.now();
    await sql`insert into devices (id, organization_id, serial, manufacturer, model, category, kind, condition)
      select gen_random_uuid(), ${org}, 'B-' || g, 'Lenovo', 'T14', 'laptop', 'device', 'new' from generate_series(1, ${N}) g`.execute(h.db);
    await sql`insert into device_events (organization_id, device_id, type, date)
      select d.organization_id, d.id, case when k = 1 then 'sale' when k = 2 then 'delivery' when k % 2 = 1 then 'repair-accepted' else 'repair-completed' end,
             (date '2016-01-01' + (abs(hashtext(d.id::text)) % 3650) + k * 5)
        from devices d cross join generate_series(1, ${EVENTS}) k where d.organization_id = ${org}`.execute(h.db);
    await sql`vacuum analyze devices`.execute(h.db);
    await sql`vacuum analyze device_events`.execute(h.db);
    console.log(`data: ${N} devices × ${EVENTS} events written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const v = templateVersions('itema', settings)[0];
    const stored = [{ label: v.version, effective: v.effective, applies_to_existing: false, body: bodyOf(v) }];
    const draft = structuredClone(bodyOf(v)) as { terms: { duration: string }[] };
    for (const t of draft.terms) if (/^\d+ months$/.test(t.duration)) t.duration = `${Number(t.duration.split(' ')[0]) + 12} months`;
    const before = compileStored('itema', stored);
    const after = compileStored('itema', [...stored, { label: 'draft', effective: '2026-11-21', applies_to_existing: true, body: draft }]);
    const at = '2026-11-21';

    // End to end: read every device page by page and compare both answers.
    const kept: SimDevice[] = [];
    let changed = 0;
    const t1 = performance.now();
    let read = 0;
    let readMs = 0;
    let r0 = performance.now();
    for await (const page of devicesOf(h.db, org)) {
      readMs += performance.now() - r0;
      for (const d of page) {
        read++;
        if (compareDevice(d, before, after, at)) changed++;
        if (kept.length < 50_000) kept.push(d);
      }
      r0 = performance.now();
    }
    const e2e = (performance.now() - t1) / 1000;
    // The engine alone on the devices already in memory.
    const t2 = performance.now();
    for (const d of kept) compareDevice(d, before, after, at);
    const engine = (performance.now() - t2) / 1000;
    const e2eRate = read / e2e;
    const engineRate = kept.length / engine;
    console.log(`end to end from the database: ${read} devices (${changed} changed) in ${e2e.toFixed(1)} s = ${Math.round(e2eRate)} devices/s (reading ${(readMs / 1000).toFixed(1)} s, comparing ${(e2e - readMs / 1000).toFixed(1)} s)`);
    console.log(`engine alone (two coverages per device): ${Math.round(engineRate)} devices/s`);
    console.log(`1,000,000 devices × ${EVENTS} events at this rate: ${Math.round(1_000_000 / e2eRate)} s (goal 60 s); 2 shared cores, one Node thread`);
  } finally {
    await h.close();
    await embedded?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}
