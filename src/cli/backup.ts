// `aftercare backup` and `aftercare restore`: pg_dump / pg_restore of the configured database (the
// server at DATABASE_URL, or the embedded one). The backup also writes a manifest beside the dump:
// every table's row count and an order-independent checksum of its rows, computed in the very
// snapshot pg_dump reads (pg_export_snapshot), so after a restore `restore` checks that every
// table matches. docs/operations.md.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { loadConfigOrExit, type Config } from '../config.ts';
import { EMBEDDED_DATABASE, ensureDatabase } from '../db/database.ts';
import { startEmbedded } from '../db/embedded.ts';
import { createDb } from '../db/index.ts';
import { verifyAuditChain } from '../core/audit.ts';

export interface Manifest {
  format: 'aftercare-backup-1';
  createdAt: string;
  serverVersion: string;
  tables: Record<string, { rows: number; checksum: string }>;
}

/** The database to work on: DATABASE_URL, or the embedded server (started if needed), not migrated. */
async function target(config: Config): Promise<{ url: string; close(): Promise<void> }> {
  if (config.databaseUrl) return { url: config.databaseUrl, close: async () => {} };
  const embedded = await startEmbedded({ dataDir: config.pgDir, port: config.pgPort });
  await ensureDatabase(embedded.url('postgres'), EMBEDDED_DATABASE);
  return { url: embedded.url(EMBEDDED_DATABASE), close: () => embedded.stop() };
}

const major = (versionText: string) => Number(/(\d+)(?:\.\d+)?/.exec(versionText)?.[1] ?? 0);

/** pg_dump or pg_restore: PG_BIN, then PATH, then the newest /usr/lib/postgresql/<major>/bin. */
export function findTool(name: 'pg_dump' | 'pg_restore', pgBin?: string): { path: string; major: number } {
  // A bare name is looked up on PATH by the system.
  const candidates: string[] = pgBin ? [path.join(pgBin, name)] : [name];
  const root = '/usr/lib/postgresql';
  if (!pgBin && fs.existsSync(root)) {
    for (const m of fs.readdirSync(root).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a))) candidates.push(path.join(root, m, 'bin', name));
  }
  const found: { path: string; major: number }[] = [];
  for (const c of candidates) {
    try {
      found.push({ path: c, major: major(execFileSync(c, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) });
    } catch {
      // not there
    }
  }
  if (!found.length) throw new Error(`${name} not found: install PostgreSQL's client programs (Debian: apt-get install postgresql-client) or set PG_BIN`);
  if (pgBin) return found[0];
  return found.sort((a, b) => b.major - a.major)[0];
}

async function session(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  // Rows as text are the same on both sides only with the same output settings.
  await c.query(`SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 3; SET bytea_output = 'hex'`);
  return c;
}

/** Every table's row count and the sum of its rows' hashes (so row order does not matter). */
export async function tableChecksums(c: pg.Client): Promise<Manifest['tables']> {
  const tables = await c.query<{ s: string; t: string }>(
    `SELECT n.nspname AS s, c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
      ORDER BY 1, 2`,
  );
  const out: Manifest['tables'] = {};
  for (const { s, t } of tables.rows) {
    const name = `${c.escapeIdentifier(s)}.${c.escapeIdentifier(t)}`;
    const r = await c.query<{ n: string; sum: string }>(`SELECT count(*) AS n, coalesce(sum(('x' || substr(md5(x::text), 1, 15))::bit(60)::bigint), 0)::text AS sum FROM ${name} x`);
    out[`${s}.${t}`] = { rows: Number(r.rows[0].n), checksum: r.rows[0].sum };
  }
  return out;
}

function runTool(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'inherit', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(file)} exited ${code}: ${err.trim()}`))));
  });
}

export async function backup(url: string, file: string, pgBin?: string): Promise<Manifest> {
  const tool = findTool('pg_dump', pgBin);
  const c = await session(url);
  try {
    const server = (await c.query<{ v: string; n: string }>(`SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n`)).rows[0];
    const serverMajor = Math.floor(Number(server.n) / 10000);
    if (tool.major < serverMajor) {
      throw new Error(
        `${tool.path} is PostgreSQL ${tool.major}'s; the server is ${server.v}: pg_dump must be at least the server's version. Install the client programs of PostgreSQL ${serverMajor} and set PG_BIN to their folder`,
      );
    }
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot = (await c.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0].s;
    const dump = runTool(tool.path, ['--format=custom', '--no-owner', '--no-privileges', `--snapshot=${snapshot}`, `--file=${file}`, `--dbname=${url}`]);
    const tables = await tableChecksums(c);
    await dump;
    await c.query('COMMIT');
    const manifest: Manifest = { format: 'aftercare-backup-1', createdAt: new Date().toISOString(), serverVersion: server.v, tables };
    fs.writeFileSync(`${file}.manifest.json`, JSON.stringify(manifest, null, 2) + '\n');
    return manifest;
  } finally {
    await c.end();
  }
}

export interface RestoreReport {
  tables: number;
  rows: number;
  mismatches: { table: string; expected?: Manifest['tables'][string]; found?: Manifest['tables'][string] }[];
  manifest: boolean;
}

export async function restore(url: string, file: string, opts: { clean?: boolean; pgBin?: string } = {}): Promise<RestoreReport> {
  const tool = findTool('pg_restore', opts.pgBin);
  const c = await session(url);
  try {
    const used = Number((await c.query(`SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'`)).rows[0].n);
    if (used > 0 && !opts.clean) throw new Error(`the database is not empty (${used} tables); restore into a new database, or pass --clean to replace what is there`);
    await runTool(tool.path, ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', ...(opts.clean ? ['--clean', '--if-exists'] : []), `--dbname=${url}`, file]);
    const found = await tableChecksums(c);
    const manifestFile = `${file}.manifest.json`;
    if (!fs.existsSync(manifestFile)) return { tables: Object.keys(found).length, rows: Object.values(found).reduce((a, x) => a + x.rows, 0), mismatches: [], manifest: false };
    const expected = (JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest).tables;
    const mismatches: RestoreReport['mismatches'] = [];
    for (const t of new Set([...Object.keys(expected), ...Object.keys(found)])) {
      const e = expected[t];
      const f = found[t];
      if (!e || !f || e.rows !== f.rows || e.checksum !== f.checksum) mismatches.push({ table: t, expected: e, found: f });
    }
    return { tables: Object.keys(expected).length, rows: Object.values(expected).reduce((a, x) => a + x.rows, 0), mismatches, manifest: true };
  } finally {
    await c.end();
  }
}

const stamp = () => new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');

export async function backupCommand(opts: { out?: string }): Promise<number> {
  const config = loadConfigOrExit();
  const file = path.resolve(opts.out ?? `aftercare-${stamp()}.dump`);
  const db = await target(config);
  try {
    const m = await backup(db.url, file, config.pgBin);
    const rows = Object.values(m.tables).reduce((a, x) => a + x.rows, 0);
    console.log(`backup written: ${file} (${(fs.statSync(file).size / 1024).toFixed(0)} KB; ${Object.keys(m.tables).length} tables, ${rows} rows; manifest ${file}.manifest.json)`);
    return 0;
  } catch (e) {
    console.error(`backup failed: ${(e as Error).message}`);
    return 1;
  } finally {
    await db.close();
  }
}

export async function restoreCommand(file: string, opts: { clean?: boolean }): Promise<number> {
  const config = loadConfigOrExit();
  if (!fs.existsSync(file)) {
    console.error(`no such file: ${file}`);
    return 2;
  }
  const db = await target(config);
  try {
    const r = await restore(db.url, path.resolve(file), { clean: opts.clean, pgBin: config.pgBin });
    if (!r.manifest) console.log(`restored ${r.tables} tables, ${r.rows} rows (no manifest beside the file: nothing to compare with)`);
    else if (r.mismatches.length) {
      for (const m of r.mismatches) console.log(`MISMATCH ${m.table}: backup ${m.expected ? `${m.expected.rows} rows` : 'no such table'}, restored ${m.found ? `${m.found.rows} rows` : 'no such table'}`);
    } else console.log(`restored: every table matches the backup (${r.tables} tables, ${r.rows} rows)`);
    const h = createDb(db.url, 1);
    try {
      for (const a of await verifyAuditChain(h.db)) console.log(`audit ${a.slug}: ${a.broken ? `BROKEN at position ${a.broken.chainSeq} (${a.broken.reason})` : `intact, ${a.rows} rows`}${a.unsealed ? ` and ${a.unsealed} not sealed yet` : ""}`);
    } finally {
      await h.close();
    }
    return r.mismatches.length ? 1 : 0;
  } catch (e) {
    console.error(`restore failed: ${(e as Error).message}`);
    return 1;
  } finally {
    await db.close();
  }
}
