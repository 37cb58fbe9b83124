// Test helpers: a fresh database per test file (cloned from the migrated template), the app on it,
// the demo data, and signed-in sessions for every role of every demo organization.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../src/config.ts';
import { uuidv7 } from '../src/db/ids.ts';
import { createDb, type DbHandle } from '../src/db/index.ts';
import { DEMO_ORGS, DEMO_ROLES, demoEmail, seedDemoIfEmpty } from '../src/modules/demo/demo.seed.ts';
import { buildApp } from '../src/server/app.ts';
import { newToken, SESSION_COOKIE, sha256 } from '../src/server/auth.ts';
import type { Role } from '../src/core/actor.ts';
import { DiskStorage } from '../src/storage/index.ts';

export function withDatabase(url: string, database: string) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = inject('pgAdminUrl');
  const template = inject('pgTemplate');
  const name = `aftercare_t_${process.ppid}_${crypto.randomBytes(4).toString('hex')}`;
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  await c.end();
  return {
    url: withDatabase(adminUrl, name),
    async drop() {
      const d = new pg.Client({ connectionString: adminUrl });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}

/**
 * The moment the tests' demo data is anchored to. Tests read the demo as of fixed days near it, so
 * nothing they check depends on the machine's date (CI runs the suite with the clock shifted too).
 */
export const DEMO_NOW = new Date('2026-11-21T08:00:00Z');

export type Sessions = Record<string, Record<Role, string>>;

export interface TestContext extends DbHandle {
  app: Awaited<ReturnType<typeof buildApp>>;
  config: Config;
  url: string;
  /** slug -> organization id */
  orgs: Record<string, string>;
  /** slug -> role -> Cookie header value */
  cookies: Sessions;
  close(): Promise<void>;
}

/** The tests' master key for secrets at rest (src/core/secrets.ts): fixed, so no key file is written. */
export const TEST_SECRET_KEY = Buffer.alloc(32, 7).toString('base64');

export async function setupApp(opts: { demo?: boolean; config?: Partial<Config>; now?: () => Date } = {}): Promise<TestContext> {
  const database = await freshDatabase();
  const handle = createDb(database.url, 5);
  const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aftercare-files-'));
  const config: Config = { ...loadConfig({}), filesDir, uploadMaxBytes: 200_000, secretKey: TEST_SECRET_KEY, ...opts.config };
  const app = await buildApp({ db: handle.db, pool: handle.pool, config, storage: new DiskStorage(filesDir), ...(opts.now ? { now: opts.now } : {}) });
  await app.ready();
  const orgs: Record<string, string> = {};
  const cookies: Sessions = {};
  if (opts.demo !== false) {
    await seedDemoIfEmpty(handle.db, DEMO_NOW);
    for (const o of await handle.db.selectFrom('organizations').select(['id', 'slug']).execute()) orgs[o.slug] = o.id;
    // Sessions written directly: signing in 20 users through Argon2 would only slow the suite.
    for (const spec of DEMO_ORGS) {
      cookies[spec.slug] = {} as Record<Role, string>;
      for (const r of DEMO_ROLES) {
        const user = await handle.db.selectFrom('staff_users').select('id').where('email', '=', demoEmail(spec.slug, r.local)).executeTakeFirstOrThrow();
        const token = newToken();
        await handle.db
          .insertInto('sessions')
          .values({ token_hash: sha256(token), organization_id: orgs[spec.slug], staff_user_id: user.id, expires_at: new Date('2199-01-01T00:00:00Z') })
          .execute();
        cookies[spec.slug][r.role] = `${SESSION_COOKIE}=${token}`;
      }
    }
  }
  return {
    ...handle,
    app,
    config,
    url: database.url,
    orgs,
    cookies,
    async close() {
      await app.close();
      await handle.close();
      await database.drop();
      fs.rmSync(filesDir, { recursive: true, force: true });
    },
  };
}

export const newId = uuidv7;

/** Row counts of every business table, to prove a failed request wrote nothing. */
export async function snapshot(db: DbHandle['db']) {
  const tables = ['customers', 'devices', 'device_parts', 'device_events', 'purchases', 'documents', 'audit_events', 'idempotency_keys', 'locations', 'staff_users', 'api_keys',
    'service_orders', 'order_charges', 'order_payments', 'order_parts', 'clocks', 'clock_pauses', 'timers', 'order_page_tokens', 'outbox',
    'contracts', 'contract_devices', 'support_tickets', 'support_messages', 'training_sessions',
    'stripe_checkouts', 'stripe_refunds', 'stripe_events', 'device_registrations', 'plan_sales',
    'rmas', 'rma_items', 'rma_files', 'rma_charges', 'rma_account_holds'] as const;
  // One statement (a round trip per table made the fuzz and bad-input tests slow), the same object.
  const row = (await sql<Record<string, string>>`SELECT ${sql.join(tables.map((t) => sql`(SELECT count(*) FROM ${sql.table(t)}) AS ${sql.ref(t)}`))}`.execute(db)).rows[0];
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = Number(row[t]);
  return out;
}
