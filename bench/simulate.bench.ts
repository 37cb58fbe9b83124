// The policy simulator (issue 11): devices simulated per second end to end from the database — every
// device of one business with its parts and 20 events read by the simulator's reader
// (history-reader.ts) and the engine's coverage computed twice per device (the published policy and
// the draft appended as the next version, governing devices already sold), through the simulator's
// own scan (simulate-scan.ts). Passes (BENCH_PASSES, default read,one,workers): the reader alone, the
// scan in one thread, the scan in BENCH_THREADS (2) worker threads over id ranges; then the engine
// alone on devices already in memory. Each pass prints its wall time, this process's CPU (all
// threads) and PostgreSQL's (the bench's own embedded server), and the load average. BENCH_DEVICES
// sets the size (default 20 000; the goal: 1 000 000 devices × 20 events in 60 s on 2 cores;
// writing 1 000 000 takes about 10 minutes on the shared machine). docs/benchmarks.md has the figures.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { ensureDatabase } from '../src/db/database.ts';
import { startEmbedded, type EmbeddedServer } from '../src/db/embedded.ts';
import { createDb } from '../src/db/index.ts';
import { migrate } from '../src/db/migrate.ts';
import { createBusiness } from '../src/modules/organizations/setup.service.ts';
import { devicesOf } from '../src/modules/policies/history-reader.ts';
import { closeScanWorkers, scanDevices, type ScanOptions, type ScanPolicies } from '../src/modules/policies/simulate-scan.ts';
import { postmasterPid, treeCpuSeconds } from './lib/harness.ts';
import { compareDevice, type SimDevice } from '../src/modules/policies/simulate.ts';
import { compileStored } from '../src/core/policy-store.ts';
import { templateVersions, bodyOf } from '../src/modules/policies/templates.service.ts';

const N = Number(process.env.BENCH_DEVICES ?? 20_000);
const threads = Number(process.env.BENCH_THREADS ?? 2);
const EVENTS = 20;

/**
 * N laptops sold over ten years, each with a sale, a delivery and 18 repair events (9 repairs),
 * written inside PostgreSQL in event order (all sales, then all deliveries, ...: one device's rows
 * lie far apart, as events written over years do). One transaction, as lookup-10m writes its data:
 * foreign-key triggers off (session_replication_role = replica; the rows satisfy them by
 * construction), the secondary indexes dropped before and built after, then VACUUM ANALYZE (the
 * visibility map an index-only scan needs; autovacuum sets it on a live table).
 */
export async function writeDevices(url: string, org: string, n: number) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('BEGIN');
    await c.query('SET LOCAL session_replication_role = replica');
    await c.query(`SET LOCAL maintenance_work_mem = '512MB'`);
    const indexes = (
      await c.query<{ name: string; def: string }>(
        `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS def
           FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
          WHERE t.relname IN ('devices', 'device_events') AND t.relnamespace = 'public'::regnamespace
            AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)`,
      )
    ).rows;
    for (const i of indexes) await c.query(`DROP INDEX ${i.name}`);
    await c.query(
      `insert into devices (id, organization_id, serial, manufacturer, model, category, kind, condition)
       select gen_random_uuid(), $1, 'B-' || g, 'Lenovo', 'T14', 'laptop', 'device', 'new' from generate_series(1, $2::int) g`,
      [org, n],
    );
    // Time-ordered event ids (as the app's uuidv7 ids are), so the primary key grows at its right edge.
    await c.query(
      `insert into device_events (id, organization_id, device_id, type, date)
       select ('018f0001-0000-7000-8000-' || lpad(to_hex(k * $2::bigint + d.n), 12, '0'))::uuid, d.organization_id, d.id,
              case when k = 1 then 'sale' when k = 2 then 'delivery' when k % 2 = 1 then 'repair-accepted' else 'repair-completed' end,
              (date '2016-01-01' + (abs(hashtext(d.id::text)) % 3650) + k * 5)
         from generate_series(1, ${EVENTS}) k
        cross join lateral (select id, organization_id, row_number() over () n from devices where organization_id = $1) d
`,
      [org, n],
    );
    for (const i of indexes) await c.query(i.def);
    await c.query('COMMIT');
    await c.query('VACUUM ANALYZE devices');
    await c.query('VACUUM ANALYZE device_events');
  } finally {
    await c.end();
  }
}

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
    const t0 = performance.now();
    await writeDevices(url, org, N);
    console.log(`data: ${N} devices × ${EVENTS} events written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const v = templateVersions('itema', settings)[0];
    const stored = [{ label: v.version, effective: v.effective, applies_to_existing: false, body: bodyOf(v) }];
    const draft = structuredClone(bodyOf(v)) as { terms: { duration: string }[] };
    for (const t of draft.terms) if (/^\d+ months$/.test(t.duration)) t.duration = `${Number(t.duration.split(' ')[0]) + 12} months`;
    const before = compileStored('itema', stored);
    const after = compileStored('itema', [...stored, { label: 'draft', effective: '2026-11-21', applies_to_existing: true, body: draft }]);
    const at = '2026-11-21';

    const policies: ScanPolicies = { packId: 'itema', before: stored, after: [...stored, { label: 'draft', effective: at, applies_to_existing: true, body: draft }] };
    const pgPid = dir ? postmasterPid(path.join(dir, 'pg')) : undefined;
    const load = () => os.loadavg()[0].toFixed(1);
    // Wall time, this process's CPU (every thread) and PostgreSQL's (the bench's own server only).
    const measure = async (name: string, f: () => Promise<number>) => {
      const l0 = load();
      const pg0 = treeCpuSeconds(pgPid);
      const c0 = process.cpuUsage();
      const t = performance.now();
      const n = await f();
      const s = (performance.now() - t) / 1000;
      const c = process.cpuUsage(c0);
      const pg1 = treeCpuSeconds(pgPid);
      const pgCpu = pg0 !== undefined && pg1 !== undefined ? `${(pg1 - pg0).toFixed(1)} s` : 'n/a';
      console.log(`${name}: ${n} devices in ${s.toFixed(1)} s = ${Math.round(n / s)} devices/s; CPU: Node ${((c.user + c.system) / 1e6).toFixed(1)} s, PostgreSQL ${pgCpu}; load average ${l0} → ${load()}`);
      return n / s;
    };
    const passes = (process.env.BENCH_PASSES ?? 'read,one,workers').split(',');
    const kept: SimDevice[] = [];
    if (passes.includes('read')) {
      // The reader alone (PostgreSQL and the parse in Node, no engine), in this thread.
      await measure('reading only (one thread)', async () => {
        let n = 0;
        for await (const page of devicesOf(h.db, org, { pageSize: 2000 })) {
          n += page.length;
          for (const d of page) if (kept.length < 50_000) kept.push(d);
        }
        return n;
      });
    }
    let rate = 0;
    const e2e = async (name: string, opts: ScanOptions) =>
      measure(name, async () => {
        const r = await scanDevices(h.db, org, policies, at, { offset: 0, limit: 100 }, opts);
        if (r.devices.changed !== r.devices.simulated) throw new Error(`expected every device to change, ${r.devices.changed} of ${r.devices.simulated} did`);
        return r.devices.simulated;
      });
    if (passes.includes('one')) rate = await e2e('end to end, one thread (read + two coverages per device)', { threads: 1 });
    if (passes.includes('workers')) rate = await e2e(`end to end, ${threads} worker threads over id ranges`, { url, threads, parallelFrom: 0 });
    await closeScanWorkers();
    if (kept.length) {
      // The engine alone on devices already in memory.
      const t2 = performance.now();
      for (const d of kept) compareDevice(d, before, after, at);
      console.log(`engine alone (two coverages per device, one thread): ${Math.round(kept.length / ((performance.now() - t2) / 1000))} devices/s`);
    }
    if (rate) console.log(`1,000,000 devices × ${EVENTS} events at the last end-to-end rate: ${Math.round(1_000_000 / rate)} s (goal 60 s)`);
  } finally {
    await h.close();
    await embedded?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}
