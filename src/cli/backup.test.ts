// Issue 15: `aftercare backup` / `aftercare restore` round trip: a dump of a database with the demo
// data restored into a fresh database holds every table as it was (row counts and checksums of
// every row, compared here independently of the manifest), the audit chains verify, and a restore
// into a database that is not empty is refused. pg_dump must be at least the server's version: when
// the suite's server is newer than the machine's client programs (the embedded PostgreSQL 18 beside
// Debian 12's 15), the round trip runs on a cluster of the machine's own PostgreSQL, and the backup
// of the newer server is checked to fail with the way out named.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freshDatabase, DEMO_NOW } from '../../test/db.ts';
import { createDb } from '../db/index.ts';
import { migrate } from '../db/migrate.ts';
import { seedDemoIfEmpty } from '../modules/demo/demo.seed.ts';
import { startSystemPg, systemPgBin, type SystemPg } from '../../scripts/lib/system-pg.ts';
import { findTool, tableChecksums } from './backup.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = (url: string, ...args: string[]) =>
  spawnSync(process.execPath, ['bin/aftercare.mjs', ...args], { cwd: root, encoding: 'utf8', timeout: 180_000, env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' } });

let suiteDb: { url: string; drop(): Promise<void> };
let suiteMajor = 0;
let toolMajor = 0;
let sys: SystemPg | undefined;
let source = '';
let restored = '';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aftercare-backup-'));
const hasTools = (() => {
  try {
    toolMajor = findTool('pg_dump').major;
    findTool('pg_restore');
    return true;
  } catch {
    return false;
  }
})();

async function major(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const n = Number((await c.query(`SELECT current_setting('server_version_num') AS n`)).rows[0].n);
  await c.end();
  return Math.floor(n / 10000);
}
async function createDatabase(adminUrl: string, name: string) {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}
async function sums(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 3`);
  try {
    return await tableChecksums(c);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  suiteDb = await freshDatabase();
  suiteMajor = await major(suiteDb.url);
  if (!hasTools) return;
  let admin: string;
  if (toolMajor >= suiteMajor) admin = suiteDb.url;
  else if (systemPgBin()) {
    sys = await startSystemPg();
    admin = sys.url('postgres');
  } else return;
  source = await createDatabase(admin, `aftercare_bk_src_${process.pid}`);
  restored = await createDatabase(admin, `aftercare_bk_dst_${process.pid}`);
  await migrate(source);
  const h = createDb(source, 2);
  await seedDemoIfEmpty(h.db, DEMO_NOW);
  await h.close();
}, 300_000);
afterAll(async () => {
  await sys?.stop();
  await suiteDb?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('backup and restore (issue 15)', () => {
  test.skipIf(!hasTools)('a backup restored into a fresh database: every table matches, the audit chains verify', async () => {
    expect(source, 'no server that this machine’s pg_dump can read').not.toBe('');
    const file = path.join(dir, 'demo.dump');
    const b = cli(source, 'backup', '-o', file);
    expect(b.status, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/backup written: .*demo\.dump .*tables, \d+ rows/);
    const manifest = JSON.parse(fs.readFileSync(`${file}.manifest.json`, 'utf8'));
    expect(manifest.tables['public.audit_events'].rows).toBeGreaterThan(0);

    const r = cli(restored, 'restore', file);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('restored: every table matches the backup');
    expect(r.stdout).toMatch(/audit itema-pg: intact, \d+ rows/);
    // Independently of the manifest: the two databases hold the same rows, table by table.
    const [a, z] = await Promise.all([sums(source), sums(restored)]);
    expect(Object.keys(a).length).toBeGreaterThan(20);
    expect(z).toEqual(a);
    expect(cli(restored, 'audit', 'verify').status).toBe(0);

    // A restore into a database that holds tables is refused unless --clean.
    const again = cli(restored, 'restore', file);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('the database is not empty');
    const pgc = new pg.Client({ connectionString: restored });
    await pgc.connect();
    await pgc.query(`UPDATE customers SET name = 'changed after the backup' WHERE id = (SELECT id FROM customers ORDER BY id LIMIT 1)`);
    await pgc.end();
    const clean = cli(restored, 'restore', '--clean', file);
    expect(clean.status, clean.stdout + clean.stderr).toBe(0);
    expect(await sums(restored)).toEqual(a);
  }, 300_000);

  test.skipIf(!hasTools)('a server newer than the machine’s pg_dump: the backup fails and names the way out (PG_BIN)', () => {
    if (toolMajor >= suiteMajor) return; // the suite's server is readable here: nothing to refuse
    const r = cli(suiteDb.url, 'backup', '-o', path.join(dir, 'newer.dump'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`pg_dump must be at least the server's version`);
    expect(r.stderr).toContain('PG_BIN');
  });
});
