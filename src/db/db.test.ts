import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { freshDatabase } from '../../test/db.ts';
import { loadConfig } from '../config.ts';
import { createDb } from './index.ts';
import { listMigrations, migrate } from './migrate.ts';

let db: { url: string; drop(): Promise<void> };
beforeAll(async () => {
  // A database with no schema at all: clone the template, then drop what it has.
  db = await freshDatabase();
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  await c.end();
});
afterAll(() => db?.drop());

test('migrations: applied in order, recorded, safe from several processes at once and when run again', async () => {
  const results = await Promise.all([migrate(db.url), migrate(db.url), migrate(db.url)]);
  const all = listMigrations().map((m) => m.version);
  // Exactly one of the concurrent runs applied each migration; the others waited on the lock.
  expect(results.flat().sort()).toEqual(all);
  expect(await migrate(db.url)).toEqual([]);
  const h = createDb(db.url, 1);
  const rows = await h.db.selectFrom('schema_migrations').select(['version', 'name']).orderBy('version').execute();
  expect(rows.map((r) => r.version)).toEqual(all);
  await h.close();
});

test('the audit log is append-only in the database itself', async () => {
  const h = createDb(db.url, 1);
  const org = await h.db.insertInto('organizations').values({ slug: 'acme', name: 'Acme', pack_id: 'its', time_zone: 'UTC', currency: 'USD', languages: ['en'] }).returning('id').executeTakeFirstOrThrow();
  await h.db.insertInto('audit_events').values({ organization_id: org.id, actor_type: 'system', channel: 'test', action: 'x', entity_type: 'y', entity_id: 'z' }).execute();
  await expect(h.db.updateTable('audit_events').set({ action: 'changed' }).execute()).rejects.toThrow(/append-only/);
  await expect(h.db.deleteFrom('audit_events').execute()).rejects.toThrow(/append-only/);
  await h.close();
});

test('configuration is validated with readable messages', () => {
  let message = '';
  try {
    loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', AFTERCARE_PG_PORT: '5432', AFTERCARE_DEMO: 'maybe' });
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).toMatch(/^Invalid configuration/);
  for (const line of ['  PORT: ', '  DATABASE_URL: must be a postgres', '  AFTERCARE_PG_PORT: must not be 5432', '  AFTERCARE_DEMO: ']) expect(message).toContain(line);
  const c = loadConfig({ PORT: '8080', AFTERCARE_DEMO: 'false', DATABASE_URL: '' });
  expect(c).toMatchObject({ port: 8080, demo: false, databaseUrl: undefined, host: '127.0.0.1', trustProxy: false });
  expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
  expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
  expect(loadConfig({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16' }).trustProxy).toBe('10.0.0.1, 192.168.0.0/16');
  expect(() => loadConfig({ TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY: must be true, false, a number of hops/);
});
