// DATABASE_READ_URL (docs/operations.md "Several processes, a replica"): warranty lookups run on a
// second, read-only pool; everything else stays on the primary. On real PostgreSQL: the "replica"
// here is a copy of the primary's database (CREATE DATABASE ... TEMPLATE) in which one device's model
// is marked, so an answer shows which database it came from. The scale-out script
// (scripts/scale-out.ts) proves the same against a real streaming replica.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config.ts';
import { openDatabase, READ_POOL_NAME, type OpenDatabase } from '../src/db/database.ts';
import { createDb } from '../src/db/index.ts';
import { seedDemoIfEmpty } from '../src/modules/demo/demo.seed.ts';
import { buildApp } from '../src/server/app.ts';
import { newToken, SESSION_COOKIE, sha256 } from '../src/server/auth.ts';
import { DiskStorage } from '../src/storage/index.ts';
import { DEMO_NOW, freshDatabase, withDatabase } from './db.ts';

const SERIAL = 'DEMO-ITEMA-LAPTOP';
const MARK = 'ANSWERED-BY-THE-READ-POOL';

async function query(url: string, text: string, values: unknown[] = []) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, values)).rows;
  } finally {
    await c.end();
  }
}

describe('a read replica for warranty lookups (DATABASE_READ_URL)', () => {
  let primary: Awaited<ReturnType<typeof freshDatabase>>;
  let replicaUrl: string;
  let replicaName: string;
  let database: OpenDatabase;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let cookie: string;
  let deviceId: string;
  let filesDir: string;

  beforeAll(async () => {
    primary = await freshDatabase();
    const seed = createDb(primary.url, 2);
    await seedDemoIfEmpty(seed.db, DEMO_NOW);
    const org = await seed.db.selectFrom('organizations').select('id').where('slug', '=', 'itema-pg').executeTakeFirstOrThrow();
    const user = await seed.db.selectFrom('staff_users').select('id').where('email', '=', 'owner@itema-pg.example').executeTakeFirstOrThrow();
    const token = newToken();
    await seed.db.insertInto('sessions').values({ token_hash: sha256(token), organization_id: org.id, staff_user_id: user.id, expires_at: new Date('2199-01-01T00:00:00Z') }).execute();
    cookie = `${SESSION_COOKIE}=${token}`;
    deviceId = (await seed.db.selectFrom('devices').select('id').where('serial', '=', SERIAL).executeTakeFirstOrThrow()).id;
    await seed.close();
    // The "replica": the same rows (same ids), then one visible difference.
    replicaName = `${new URL(primary.url).pathname.slice(1)}_read`;
    await query(primary.url, `CREATE DATABASE ${replicaName} TEMPLATE ${new URL(primary.url).pathname.slice(1)}`);
    replicaUrl = withDatabase(primary.url, replicaName);
    await query(replicaUrl, 'UPDATE devices SET model = $1 WHERE serial = $2', [MARK, SERIAL]);

    filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aftercare-files-'));
    const config: Config = { ...loadConfig({ DATABASE_URL: primary.url, DATABASE_READ_URL: replicaUrl }), filesDir, dbPoolSize: 3 };
    database = await openDatabase(config);
    // As `aftercare start` passes them (src/cli/start.ts).
    app = await buildApp({ db: database.db, pool: database.pool, ...(database.read ? { readDb: database.read.db, readPool: database.read.pool } : {}), config, storage: new DiskStorage(filesDir) });
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
    await database?.shutdown();
    await query(primary.url.replace(/\/[^/]*$/, '/postgres'), `DROP DATABASE IF EXISTS ${replicaName} WITH (FORCE)`).catch(() => {});
    await primary?.drop();
    if (filesDir) fs.rmSync(filesDir, { recursive: true, force: true });
  });

  it('needs DATABASE_URL beside it', () => {
    expect(() => loadConfig({ DATABASE_READ_URL: 'postgres://x@127.0.0.1/db' })).toThrow(/DATABASE_READ_URL: needs DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/db', DATABASE_READ_URL: 'mysql://x' })).toThrow(/DATABASE_READ_URL: must be a postgres/);
  });

  it('answers the lookup by serial and by device id from the read pool', async () => {
    const bySerial = await app.inject({ url: `/api/v1/warranty?serial=${SERIAL}&at=2026-11-21`, headers: { cookie } });
    expect(bySerial.statusCode).toBe(200);
    expect(bySerial.json().device.model).toBe(MARK);
    const byId = await app.inject({ url: `/api/v1/devices/${deviceId}/warranty?at=2026-11-21`, headers: { cookie } });
    expect(byId.statusCode).toBe(200);
    expect(byId.json().device.model).toBe(MARK);
    // The read pool's connections are on the replica's database, under their own name.
    const seen = await query(replicaUrl, 'SELECT datname FROM pg_stat_activity WHERE application_name = $1', [READ_POOL_NAME]);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((r) => r.datname === replicaName)).toBe(true);
    const onPrimary = await query(primary.url, 'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND datname <> $2', [READ_POOL_NAME, replicaName]);
    expect(onPrimary[0].n).toBe(0);
  });

  it('opens the read pool read-only: a write sent there fails', async () => {
    const c = await database.read!.pool.connect();
    try {
      expect((await c.query('SHOW default_transaction_read_only')).rows[0].default_transaction_read_only).toBe('on');
      await expect(c.query('UPDATE devices SET model = $1 WHERE serial = $2', ['x', SERIAL])).rejects.toMatchObject({ code: '25006' });
    } finally {
      c.release();
    }
  });

  it('keeps every other read and every write on the primary', async () => {
    const device = await app.inject({ url: `/api/v1/devices/${deviceId}`, headers: { cookie } });
    expect(device.statusCode).toBe(200);
    expect(device.json().model).not.toBe(MARK);
    const created = await app.inject({ method: 'POST', url: '/api/v1/customers', headers: { cookie, 'idempotency-key': 'read-replica-1' }, payload: { name: 'Written to the primary' } });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    expect(await query(primary.url, 'SELECT name FROM customers WHERE id = $1', [id])).toEqual([{ name: 'Written to the primary' }]);
    expect(await query(replicaUrl, 'SELECT name FROM customers WHERE id = $1', [id])).toEqual([]);
    // The replica's database holds nothing the app wrote after the copy.
    expect((await query(replicaUrl, 'SELECT count(*)::int AS n FROM idempotency_keys WHERE key = $1', ['read-replica-1']))[0].n).toBe(0);
  });

  it('without DATABASE_READ_URL, lookups use the primary as before', async () => {
    const config: Config = { ...loadConfig({ DATABASE_URL: primary.url }), filesDir, dbPoolSize: 2 };
    const plain = await openDatabase(config);
    expect(plain.read).toBeUndefined();
    const app2 = await buildApp({ db: plain.db, pool: plain.pool, config, storage: new DiskStorage(filesDir) });
    try {
      const r = await app2.inject({ url: `/api/v1/warranty?serial=${SERIAL}&at=2026-11-21`, headers: { cookie } });
      expect(r.statusCode).toBe(200);
      expect(r.json().device.model).not.toBe(MARK);
    } finally {
      await app2.close();
      await plain.shutdown();
    }
  });
});
