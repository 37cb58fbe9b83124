// Server benchmark (issue 3, issue 15):
// - warranty lookups per second by serial on a database of 1,000,000 devices, next to two baselines
//   of the same server in the same run, interleaved (bench/lib/rounds.ts): a trivial endpoint
//   (GET /api/v1/health) and a minimal endpoint doing the lookup's indexed select and nothing else
//   (GET /api/v1/bench/device, registered only by the bench's own server entry,
//   bench/lib/bench-server.ts): the limit a lookup can reach. 64 connections; p50, p99, req/s;
// - the time to import a 100,000-row CSV of past sales.
// The server runs as its own process (`aftercare start`), so the load generator does not share its
// event loop. The million devices are generated with SQL (generate_series), not through the API.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { ensureDatabase } from '../src/db/database.ts';
import { startEmbedded, type EmbeddedServer } from '../src/db/embedded.ts';
import { createDb } from '../src/db/index.ts';
import { migrate } from '../src/db/migrate.ts';
import { insertApiKey } from '../src/modules/auth/auth.service.ts';
import { importSales } from '../src/modules/import-export/import-export.service.ts';
import { systemActor } from '../src/core/actor.ts';
import { startServer } from './lib/harness.ts';
import { interleaved, line, ratio } from './lib/rounds.ts';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 1_000_000);
const IMPORT_ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 64;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TOKEN = 'ak_bench_0123456789abcdefghijklmnopqrstuvwxyz';

async function generate(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const org = (
    await c.query(`INSERT INTO organizations (slug, name, pack_id, time_zone, currency, languages)
                   VALUES ('bench', 'Bench Enterprise', 'itmall', 'Asia/Singapore', 'USD', ARRAY['en']) RETURNING id`)
  ).rows[0].id as string;
  await c.query(`INSERT INTO organizations (slug, name, pack_id, time_zone, currency, languages)
                 VALUES ('bench-import', 'Bench Import', 'itema', 'Europe/Sofia', 'EUR', ARRAY['bg','en'])`);
  const t0 = Date.now();
  // Devices, each with a purchase-like history: sold, then shipped four days later (ITM-4).
  await c.query(
    `INSERT INTO devices (organization_id, serial, manufacturer, model, category)
     SELECT $1, 'BENCH-' || lpad(i::text, 7, '0'), 'Acme', 'Switch ' || (i % 50), (ARRAY['switch','server','workstation','accessory'])[1 + i % 4]
       FROM generate_series(1, $2) AS i`,
    [org, DEVICES],
  );
  await c.query(
    `INSERT INTO device_events (organization_id, device_id, type, date)
     SELECT organization_id, id, t.type, DATE '2023-01-01' + (abs(hashtext(serial)) % 1000) + t.offs
       FROM devices, (VALUES ('sale', 0), ('shipping', 4)) AS t(type, offs)
      WHERE organization_id = $1`,
    [org],
  );
  // Settle the new rows (visibility map, statistics) so autovacuum does not run during the measurement.
  await c.query('VACUUM ANALYZE');
  await c.end();
  return { org, seconds: (Date.now() - t0) / 1000 };
}

function salesCsv(rows: number) {
  const lines = ['customer_ref,customer_name,customer_email,serial,manufacturer,model,category,condition,document_number,sold_on,price_minor,currency'];
  for (let i = 0; i < rows; i++) {
    const c = i % (rows / 5);
    const day = String(1 + (i % 28)).padStart(2, '0');
    lines.push(`C-${c},Customer ${c},c${c}@example.com,IMP-${i},Lenovo,T14,laptop,${i % 3 ? 'new' : 'refurbished'},INV-${Math.floor(i / 2)},2025-03-${day},${50000 + (i % 1000)},EUR`);
  }
  return lines.join('\n') + '\n';
}

export async function run(): Promise<void> {
  const config = loadConfig();
  let embedded: EmbeddedServer | undefined;
  let dir: string | undefined;
  let url: string;
  let dropUrl: string | undefined;
  const dbName = `aftercare_bench_${process.pid}`;
  if (config.databaseUrl) {
    await ensureDatabase(config.databaseUrl, dbName);
    const u = new URL(config.databaseUrl);
    u.pathname = `/${dbName}`;
    url = u.toString();
    dropUrl = config.databaseUrl;
  } else {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aftercare-bench-'));
    embedded = await startEmbedded({ dataDir: path.join(dir, 'pg') });
    await ensureDatabase(embedded.url('postgres'), dbName);
    url = embedded.url(dbName);
  }
  let server: ChildProcess | undefined;
  try {
    await migrate(url);
    console.log(`generating ${DEVICES.toLocaleString('en')} devices with SQL...`);
    const gen = await generate(url);
    console.log(`  done in ${gen.seconds.toFixed(1)} s`);
    const h = createDb(url, 2);
    await insertApiKey(h.db, gen.org, 'bench', 'technician', TOKEN);

    // The same server with the bench-only minimal route (bench/lib/bench-server.ts).
    const srv = await startServer({ DATABASE_URL: url, DB_POOL_SIZE: process.env.BENCH_POOL ?? '10' }, undefined, { benchRoutes: true });
    server = srv.child;
    const base = srv.base;
    const headers = { authorization: `Bearer ${TOKEN}` };
    for (const p of ['/api/v1/warranty?serial=BENCH-0000042', '/api/v1/bench/device?serial=BENCH-0000042', '/api/v1/bench/device-batched?serial=BENCH-0000042']) {
      const check = await fetch(`${base}${p}`, { headers });
      if (check.status !== 200) throw new Error(`${p} failed: ${check.status} ${await check.text()}`);
    }
    const serial = () => `BENCH-${String(1 + Math.floor(Math.random() * DEVICES)).padStart(7, '0')}`;
    const figures = await interleaved(
      [
        { name: 'trivial', base, path: () => '/api/v1/health' },
        { name: 'minimal', base, headers, path: () => `/api/v1/bench/device?serial=${serial()}` },
        { name: 'batched', base, headers, path: () => `/api/v1/bench/device-batched?serial=${serial()}` },
        { name: 'lookup', base, headers, path: () => `/api/v1/warranty?serial=${serial()}` },
      ],
      { rounds: ROUNDS, seconds: DURATION, connections: CONNECTIONS },
    );
    const [trivial, minimal, batched, lookups] = ['trivial', 'minimal', 'batched', 'lookup'].map((n) => figures.get(n)!);
    await srv.stop();
    server = undefined;

    const importOrg = (await h.db.selectFrom('organizations').select('id').where('slug', '=', 'bench-import').executeTakeFirstOrThrow()).id;
    const csv = salesCsv(IMPORT_ROWS);
    const t0 = Date.now();
    const r = await importSales(h.db, systemActor(importOrg, 'import'), csv);
    const importSeconds = (Date.now() - t0) / 1000;
    const t1 = Date.now();
    const again = await importSales(h.db, systemActor(importOrg, 'import'), csv);
    const againSeconds = (Date.now() - t1) / 1000;
    await h.close();

    console.log(`\nwarranty lookup by serial, ${DEVICES.toLocaleString('en')} devices, ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${DURATION} s (medians; ratios: median of the rounds (min–max)):`);
    console.log(`  trivial endpoint (GET /api/v1/health)            ${line(trivial)}`);
    console.log(`  minimal indexed select (GET /api/v1/bench/device) ${line(minimal)}`);
    console.log(`  the same select batched as the lookup batches      ${line(batched)}`);
    console.log(`  GET /api/v1/warranty?serial=...                  ${line(lookups)}`);
    console.log(`  lookup ÷ minimal batched: throughput ${ratio(lookups, batched, (x) => x.rps)}, p50 ${ratio(lookups, batched, (x) => x.p50)}, p99 ${ratio(lookups, batched, (x) => x.p99)}   (the limit a batched lookup can reach)`);
    console.log(`  lookup ÷ minimal (one query per request): throughput ${ratio(lookups, minimal, (x) => x.rps)}, p50 ${ratio(lookups, minimal, (x) => x.p50)}, p99 ${ratio(lookups, minimal, (x) => x.p99)}`);
    console.log(`  lookup ÷ trivial: throughput ${ratio(lookups, trivial, (x) => x.rps)}, p50 ${ratio(lookups, trivial, (x) => x.p50)}, p99 ${ratio(lookups, trivial, (x) => x.p99)}   (goal: throughput >= 0.25, p99 < 20 ms)`);
    console.log(`  minimal ÷ trivial: throughput ${ratio(minimal, trivial, (x) => x.rps)}, p99 ${ratio(minimal, trivial, (x) => x.p99)}`);
    console.log(`\nCSV import of ${IMPORT_ROWS.toLocaleString('en')} rows (${r.customersCreated} customers, ${r.devicesCreated} devices, ${r.purchasesCreated} purchases):`);
    console.log(`  ${importSeconds.toFixed(1)} s (${Math.round(IMPORT_ROWS / importSeconds).toLocaleString('en')} rows/s; goal: < 60 s); the same file again: ${againSeconds.toFixed(1)} s, created ${again.devicesCreated} devices`);
  } finally {
    if (server) server.kill('SIGKILL');
    if (dropUrl) {
      const c = new pg.Client({ connectionString: dropUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
      await c.end();
    }
    await embedded?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}
