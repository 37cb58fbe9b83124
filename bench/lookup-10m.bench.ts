// Warranty lookups at 10,000,000 devices against 1,000,000 (issue 15: lookup p99 at 10M ÷ p99 at 1M,
// goal ≤ 1.2), on the machine's own PostgreSQL server (Debian's package, /usr/lib/postgresql/<major>),
// sized for the working set. Opt-in, it takes many minutes: `npm run bench -- lookup-10m`.
//
// - One cluster (scripts/lib/system-pg.ts), two databases: 1M devices and 10M devices, each device
//   with a sale and a shipping event (as bench/server.bench.ts generates them). The rows are made by
//   PostgreSQL itself (INSERT … SELECT generate_series) in one transaction that first TRUNCATEs the
//   tables (with wal_level=minimal the new rows then skip the WAL), with the FK triggers off
//   (session_replication_role=replica; the generated rows satisfy them by construction) and the
//   tables' secondary indexes dropped before and built after (maintenance_work_mem 1 GB); then VACUUM
//   ANALYZE. Ids are time-ordered like the app's uuidv7 ids.
// - The disk is checked first: after the 1M database the 10M one is estimated at ten times its size
//   (plus index-build scratch); if the free space does not hold it the bench measures the largest
//   size that fits and says so.
// - The working set of a lookup by random serial is the devices heap, the (organization_id, serial)
//   index, the device_events heap and its (device_id, …) index. After generating, the server is
//   restarted with shared_buffers = both databases' working sets + 25 % (BENCH_SHARED_BUFFERS
//   overrides), the relations are loaded with pg_prewarm, and the bench prints their sizes, the cache
//   and the buffer hit ratio during the measurement.
// - Two server processes (bench/lib/bench-server.ts: `aftercare start` plus the bench-only minimal
//   route), one per database, measured in interleaved rounds (bench/lib/rounds.ts): the lookup at 1M,
//   at 10M, and the batched minimal indexed select at 1M and 10M (what the select alone does as the
//   index grows). 64 connections, BENCH_ROUNDS (5) rounds of BENCH_SECONDS (10) s. Then the
//   lookups from one client, one at a time, interleaved the same way: the lookup's own latency at
//   each size, without the queueing that dominates a saturating load's p99 on shared cores.
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { migrate } from '../src/db/migrate.ts';
import { ensureDatabase } from '../src/db/database.ts';
import { createDb } from '../src/db/index.ts';
import { insertApiKey } from '../src/modules/auth/auth.service.ts';
import { startSystemPg, systemPgBin, type SystemPg } from '../scripts/lib/system-pg.ts';
import { startServer, type ServerProcess } from './lib/harness.ts';
import { interleaved, interleavedProbes, line, median, ratio, type Figures } from './lib/rounds.ts';

export const optIn = true;

const SMALL = Number(process.env.BENCH_SMALL_DEVICES ?? 1_000_000);
const LARGE = Number(process.env.BENCH_LARGE_DEVICES ?? 10_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = 64;
const TOKEN = 'ak_bench_0123456789abcdefghijklmnopqrstuvwxyz';
const GB = 1024 ** 3;
const MB = 1024 ** 2;
const gb = (b: number) => `${(b / GB).toFixed(2)} GB`;
const serialOf = (i: number) => `BENCH-${String(i).padStart(8, '0')}`;

/** The relations a lookup by serial reads (warranty.repository.ts: devices by (organization_id, serial), its events by device_id). */
const WORKING_SET = ['devices', 'devices_org_serial', 'device_events', 'device_events_device'];

async function q<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

/** A database of `n` devices (two events each) made inside PostgreSQL; its organization's id. */
async function generate(url: string, n: number): Promise<{ org: string; seconds: number }> {
  await migrate(url);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const t0 = Date.now();
  try {
    await c.query('BEGIN');
    await c.query('SET LOCAL session_replication_role = replica');
    await c.query(`SET LOCAL maintenance_work_mem = '1GB'`);
    const org = (
      await c.query(`INSERT INTO organizations (slug, name, pack_id, time_zone, currency, languages)
                     VALUES ('bench', 'Bench Enterprise', 'itmall', 'Asia/Singapore', 'USD', ARRAY['en']) RETURNING id`)
    ).rows[0].id as string;
    // The secondary indexes (not those behind a constraint) of the two big tables: dropped, rebuilt after.
    const indexes = (
      await c.query<{ name: string; def: string }>(
        `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS def
           FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
          WHERE t.relname IN ('devices', 'device_events') AND t.relnamespace = 'public'::regnamespace
            AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)`,
      )
    ).rows;
    for (const i of indexes) await c.query(`DROP INDEX ${i.name}`);
    await c.query('TRUNCATE devices, device_events CASCADE');
    // Time-ordered ids (as the app's uuidv7 ids are), so the primary keys grow at their right edge.
    await c.query(
      `INSERT INTO devices (id, organization_id, serial, manufacturer, model, category)
       SELECT ('018f0000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, $1, 'BENCH-' || lpad(i::text, 8, '0'),
              'Acme', 'Switch ' || (i % 50), (ARRAY['switch','server','workstation','accessory'])[1 + i % 4]
         FROM generate_series(1, $2::int) AS i`,
      [org, n],
    );
    await c.query(
      `INSERT INTO device_events (id, organization_id, device_id, type, date)
       SELECT ('018f0001-0000-7000-8000-' || lpad(to_hex(2 * i + t.k), 12, '0'))::uuid, $1,
              ('018f0000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, t.type,
              DATE '2023-01-01' + (abs(hashtext('BENCH-' || lpad(i::text, 8, '0'))) % 1000) + t.offs
         FROM generate_series(1, $2::int) AS i, (VALUES (0, 'sale', 0), (1, 'shipping', 4)) AS t(k, type, offs)`,
      [org, n],
    );
    for (const i of indexes) await c.query(i.def);
    await c.query('COMMIT');
    await c.query('VACUUM (FREEZE, ANALYZE) devices');
    await c.query('VACUUM (FREEZE, ANALYZE) device_events');
    await c.query('CREATE EXTENSION IF NOT EXISTS pg_prewarm');
    return { org, seconds: (Date.now() - t0) / 1000 };
  } finally {
    await c.end();
  }
}

async function sizes(url: string) {
  const rows = await q<{ name: string; bytes: string }>(url, `SELECT c.relname AS name, pg_relation_size(c.oid) AS bytes FROM pg_class c WHERE c.relname = ANY($1)`, [WORKING_SET]);
  const rel = Object.fromEntries(rows.map((r) => [r.name, Number(r.bytes)]));
  const db = Number((await q<{ b: string }>(url, 'SELECT pg_database_size(current_database()) AS b'))[0].b);
  return { rel, workingSet: WORKING_SET.reduce((a, n) => a + (rel[n] ?? 0), 0), db };
}

const blocks = async (url: string) => {
  const r = (await q<{ hit: string; read: string }>(url, 'SELECT blks_hit AS hit, blks_read AS read FROM pg_stat_database WHERE datname = current_database()'))[0];
  return { hit: Number(r.hit), read: Number(r.read) };
};

function freeBytes(dir: string): number {
  const s = fs.statfsSync(dir);
  return s.bavail * s.bsize;
}

export async function run(): Promise<void> {
  if (!systemPgBin()) {
    console.log('skipped: no PostgreSQL server package on this machine (apt-get install postgresql)');
    return;
  }
  const started = Date.now();
  const elapsed = () => `[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s]`;
  // wal_level=minimal: the rows of a table truncated in the same transaction are not WAL-logged.
  const base = { wal_level: 'minimal', max_wal_senders: '0', max_wal_size: '8GB', checkpoint_timeout: '30min', synchronous_commit: 'off' };
  let cluster: SystemPg | undefined;
  const servers: ServerProcess[] = [];
  try {
    cluster = await startSystemPg({ settings: base });
    const version = (await q<{ v: string }>(cluster.url('postgres'), `SELECT current_setting('server_version') AS v`))[0].v;
    console.log(`${elapsed()} PostgreSQL ${version} (${systemPgBin()}) on port ${cluster.port}, data in ${os.tmpdir()}; free disk ${gb(freeBytes(os.tmpdir()))}, memory available ${gb(availableMemory())}`);
    const urls = { small: cluster.url('bench_small'), large: cluster.url('bench_large') };
    await ensureDatabase(cluster.url('postgres'), 'bench_small');
    const small = await generate(urls.small, SMALL);
    const smallSize = await sizes(urls.small);
    console.log(`${elapsed()} ${SMALL.toLocaleString('en')} devices in ${small.seconds.toFixed(0)} s: database ${gb(smallSize.db)}, lookup working set ${gb(smallSize.workingSet)}`);
    // The large database is about LARGE/SMALL times the small one, plus scratch for the index builds.
    const perDevice = smallSize.db / SMALL;
    const free = freeBytes(os.tmpdir());
    let large = LARGE;
    const need = (n: number) => perDevice * n * 1.5;
    if (need(large) > free * 0.8) {
      large = Math.floor((free * 0.8) / (perDevice * 1.5) / 1_000_000) * 1_000_000;
      console.log(`NOTE: ${LARGE.toLocaleString('en')} devices need about ${gb(need(LARGE))} of disk, ${gb(free)} is free: measuring ${large.toLocaleString('en')} devices instead`);
      if (large <= SMALL) throw new Error('not enough disk for a database larger than the small one');
    } else console.log(`${elapsed()} disk: ${LARGE.toLocaleString('en')} devices need about ${gb(need(LARGE))} (with index-build scratch), ${gb(free)} free`);
    await ensureDatabase(cluster.url('postgres'), 'bench_large');
    const big = await generate(urls.large, large);
    const bigSize = await sizes(urls.large);
    console.log(`${elapsed()} ${large.toLocaleString('en')} devices in ${big.seconds.toFixed(0)} s: database ${gb(bigSize.db)}, lookup working set ${gb(bigSize.workingSet)}`);

    // shared_buffers for both working sets + 25 %, in 256 MB steps (or BENCH_SHARED_BUFFERS).
    const wanted = Math.ceil(((smallSize.workingSet + bigSize.workingSet) * 1.25) / (256 * MB)) * 256;
    const sharedBuffers = process.env.BENCH_SHARED_BUFFERS ?? `${wanted}MB`;
    await cluster.restart({ shared_buffers: sharedBuffers, effective_cache_size: `${Math.max(wanted * 2, 4096)}MB` });
    const sb = (await q<{ s: string }>(cluster.url('postgres'), `SELECT current_setting('shared_buffers') AS s`))[0].s;
    for (const u of [urls.small, urls.large]) {
      for (const r of WORKING_SET) await q(u, 'SELECT pg_prewarm($1)', [r]);
    }
    console.log(`${elapsed()} restarted with shared_buffers = ${sb} (working sets ${gb(smallSize.workingSet)} + ${gb(bigSize.workingSet)}); relations prewarmed (pg_prewarm)`);
    for (const [name, s] of [['small', smallSize], ['large', bigSize]] as const) {
      console.log(`  ${name}: ${WORKING_SET.map((r) => `${r} ${(s.rel[r] / MB).toFixed(0)} MB`).join(', ')}; whole database ${gb(s.db)}`);
    }

    for (const [u, org] of [[urls.small, small.org], [urls.large, big.org]] as const) {
      const h = createDb(u, 1);
      await insertApiKey(h.db, org, 'bench', 'technician', TOKEN);
      await h.close();
      servers.push(await startServer({ DATABASE_URL: u, DB_POOL_SIZE: process.env.BENCH_POOL ?? '10' }, undefined, { benchRoutes: true }));
    }
    const headers = { authorization: `Bearer ${TOKEN}` };
    for (const [s, n] of [[servers[0], SMALL], [servers[1], large]] as const) {
      for (const p of [`/api/v1/warranty?serial=${serialOf(n)}`, `/api/v1/bench/device-batched?serial=${serialOf(n)}`]) {
        const r = await fetch(`${s.base}${p}`, { headers });
        if (r.status !== 200) throw new Error(`${p}: ${r.status} ${await r.text()}`);
      }
    }
    const random = (n: number) => () => serialOf(1 + Math.floor(Math.random() * n));
    const [rs, rl] = [random(SMALL), random(large)];
    const b0 = { small: await blocks(urls.small), large: await blocks(urls.large) };
    const figures = await interleaved(
      [
        { name: 'lookup-small', base: servers[0].base, headers, path: () => `/api/v1/warranty?serial=${rs()}` },
        { name: 'lookup-large', base: servers[1].base, headers, path: () => `/api/v1/warranty?serial=${rl()}` },
        { name: 'select-small', base: servers[0].base, headers, path: () => `/api/v1/bench/device-batched?serial=${rs()}` },
        { name: 'select-large', base: servers[1].base, headers, path: () => `/api/v1/bench/device-batched?serial=${rl()}` },
      ],
      { rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS },
    );
    // The same lookups from one client, one at a time: the lookup's own latency at each size.
    const single = await interleavedProbes(
      [
        { name: 'lookup-small', base: servers[0].base, headers, path: () => `/api/v1/warranty?serial=${rs()}` },
        { name: 'lookup-large', base: servers[1].base, headers, path: () => `/api/v1/warranty?serial=${rl()}` },
      ],
      { rounds: ROUNDS, seconds: SECONDS },
    );
    const b1 = { small: await blocks(urls.small), large: await blocks(urls.large) };
    const hit = (a: { hit: number; read: number }, b: { hit: number; read: number }) => {
      const h = b.hit - a.hit;
      const r = b.read - a.read;
      return `${((100 * h) / Math.max(1, h + r)).toFixed(2)} % (${r.toLocaleString('en')} blocks read outside shared_buffers)`;
    };
    const f = (n: string): Figures[] => figures.get(n)!;
    const S = SMALL.toLocaleString('en');
    const L = large.toLocaleString('en');
    console.log(`\n## Warranty lookup at ${L} ÷ ${S} devices (${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${SECONDS} s; medians, ratios: median of the rounds (min–max))`);
    console.log(`machine: ${os.availableParallelism()} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; PostgreSQL ${version}, shared_buffers ${sb}\n`);
    console.log(`  lookup at ${S.padStart(10)}          ${line(f('lookup-small'))}`);
    console.log(`  lookup at ${L.padStart(10)}          ${line(f('lookup-large'))}`);
    console.log(`  minimal select at ${S.padStart(10)}  ${line(f('select-small'))}`);
    console.log(`  minimal select at ${L.padStart(10)}  ${line(f('select-large'))}`);
    console.log(`  lookup ${L} ÷ ${S}: p99 ${ratio(f('lookup-large'), f('lookup-small'), (x) => x.p99)} (goal ≤ 1.2), p50 ${ratio(f('lookup-large'), f('lookup-small'), (x) => x.p50)}, throughput ${ratio(f('lookup-large'), f('lookup-small'), (x) => x.rps)}`);
    console.log(`  minimal select ${L} ÷ ${S}: p99 ${ratio(f('select-large'), f('select-small'), (x) => x.p99)}, p50 ${ratio(f('select-large'), f('select-small'), (x) => x.p50)}, throughput ${ratio(f('select-large'), f('select-small'), (x) => x.rps)}`);
    console.log(`  lookup ÷ minimal select: at ${S} throughput ${ratio(f('lookup-small'), f('select-small'), (x) => x.rps)}, at ${L} ${ratio(f('lookup-large'), f('select-large'), (x) => x.rps)}`);
    const g = (n: string): Figures[] => single.get(n)!;
    console.log(`  one client, one lookup at a time (no queueing), ${S}: p50 ${median(g('lookup-small').map((x) => x.p50))} ms, p99 ${median(g('lookup-small').map((x) => x.p99))} ms; ${L}: p50 ${median(g('lookup-large').map((x) => x.p50))} ms, p99 ${median(g('lookup-large').map((x) => x.p99))} ms`);
    console.log(`  one client, lookup ${L} ÷ ${S}: p99 ${ratio(g('lookup-large'), g('lookup-small'), (x) => x.p99)} (goal ≤ 1.2), p50 ${ratio(g('lookup-large'), g('lookup-small'), (x) => x.p50)}`);
    console.log(`  shared_buffers hit ratio during the rounds: ${S} ${hit(b0.small, b1.small)}; ${L} ${hit(b0.large, b1.large)}`);
    console.log(`  per-round p99 ms, ${S} / ${L}: ${f('lookup-small').map((x, i) => `${x.p99} / ${f('lookup-large')[i].p99}`).join('; ')}; median p99 ratio ${median(f('lookup-large').map((x, i) => x.p99 / f('lookup-small')[i].p99)).toFixed(2)}`);
    console.log(`${elapsed()} done`);
  } finally {
    for (const s of servers) await s.stop().catch(() => {});
    await cluster?.stop();
  }
}

function availableMemory(): number {
  try {
    const m = /MemAvailable:\s+(\d+) kB/.exec(fs.readFileSync('/proc/meminfo', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return os.freemem();
}
