// Expired sessions are refused at use, and the recurring `delete-expired` job deletes them (and
// expired client sessions, sign-in links and sign-in attempt windows) while live ones keep working.
import { parseCrontab } from 'graphile-worker';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { setupApp, type TestContext } from '../../test/db.ts';
import { CLIENT_COOKIE } from '../modules/client-account/client-account.service.ts';
import { newToken, SESSION_COOKIE, sha256 } from '../server/auth.ts';
import { deleteExpired } from './cleanup.ts';
import { CRONTAB, runJobsOnce, taskList } from './runner.ts';

let t: TestContext;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(() => t?.close());

// Pinned instants, far from any day the suite runs on: what expired long ago and what lives long after.
const LONG_AGO = new Date('2000-01-01T00:00:00Z');
const FAR_AHEAD = new Date('2199-01-01T00:00:00Z');
const minutes = (n: number) => new Date((n < 0 ? LONG_AGO : FAR_AHEAD).getTime() + n * 60_000);

async function staffSession(expiresAt: Date) {
  const org = t.orgs['itema-pg'];
  const user = await t.db.selectFrom('staff_users').select('id').where('email', '=', 'tech@itema-pg.example').executeTakeFirstOrThrow();
  const token = newToken();
  await t.db.insertInto('sessions').values({ token_hash: sha256(token), organization_id: org, staff_user_id: user.id, expires_at: expiresAt }).execute();
  return { hash: sha256(token), cookie: `${SESSION_COOKIE}=${token}` };
}
async function clientSession(expiresAt: Date) {
  const token = newToken();
  await t.db.insertInto('client_sessions').values({ token_hash: sha256(token), organization_id: t.orgs['itema-pg'], email: 'someone@example.com', expires_at: expiresAt }).execute();
  return { hash: sha256(token), cookie: `${CLIENT_COOKIE}=${token}` };
}
async function signInLink(expiresAt: Date) {
  const hash = sha256(newToken());
  await t.db.insertInto('client_sign_in_tokens').values({ token_hash: hash, organization_id: t.orgs['itema-pg'], email: 'someone@example.com', expires_at: expiresAt }).execute();
  return hash;
}
async function attempts(key: string, windowEnds: Date) {
  await t.db.insertInto('sign_in_attempts').values({ key, attempts: 3, window_ends: windowEnds }).execute();
  return key;
}
const exists = async (table: 'sessions' | 'client_sessions' | 'client_sign_in_tokens', hash: string) =>
  !!(await t.db.selectFrom(table).select('token_hash').where('token_hash', '=', hash).executeTakeFirst());
const me = (cookie: string) => t.app.inject({ url: '/api/v1/auth/me', headers: { cookie } });
const account = (cookie: string) => t.app.inject({ url: '/api/v1/client/account', headers: { cookie } });

test('an expired staff or client session is refused at use, and the delete-expired job deletes what expired while live sessions keep working', async () => {
  const expired = await staffSession(minutes(-1));
  const live = await staffSession(minutes(60));
  const expiredClient = await clientSession(minutes(-1));
  const liveClient = await clientSession(minutes(60));
  const oldLink = await signInLink(minutes(-1));
  const newLink = await signInLink(minutes(20));
  const oldWindow = await attempts('email:old', minutes(-1));
  const openWindow = await attempts('email:open', minutes(10));

  // Refused at use, before any clean-up.
  expect((await me(expired.cookie)).statusCode).toBe(401);
  expect((await me(live.cookie)).statusCode).toBe(200);
  expect((await account(expiredClient.cookie)).statusCode).toBe(401);
  expect((await account(liveClient.cookie)).statusCode).toBe(200);

  // The job, through graphile-worker as the crontab adds it.
  await sql`select graphile_worker.add_job('delete-expired', '{}'::json)`.execute(t.db);
  await runJobsOnce(t.db, t.pool);
  expect((await sql<{ n: number }>`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'delete-expired'`.execute(t.db)).rows[0].n).toBe(0);

  expect(await exists('sessions', expired.hash)).toBe(false);
  expect(await exists('sessions', live.hash)).toBe(true);
  expect(await exists('client_sessions', expiredClient.hash)).toBe(false);
  expect(await exists('client_sessions', liveClient.hash)).toBe(true);
  expect(await exists('client_sign_in_tokens', oldLink)).toBe(false);
  expect(await exists('client_sign_in_tokens', newLink)).toBe(true);
  const windows = await t.db.selectFrom('sign_in_attempts').select('key').where('key', 'in', [oldWindow, openWindow]).execute();
  expect(windows.map((w) => w.key)).toEqual([openWindow]);
  expect((await me(live.cookie)).statusCode).toBe(200);
  expect((await me(t.cookies['itema-pg'].owner)).statusCode).toBe(200);
  expect((await account(liveClient.cookie)).statusCode).toBe(200);
});

test('a backlog is deleted in batches, all of it, and a second run finds nothing', async () => {
  for (let i = 0; i < 7; i++) await staffSession(minutes(-10 - i));
  const first = await deleteExpired(t.db, LONG_AGO, 3);
  expect(first.sessions).toBe(7);
  expect(await deleteExpired(t.db, LONG_AGO, 3)).toEqual({ sessions: 0, client_sessions: 0, client_sign_in_tokens: 0, order_lookup_codes: 0, sign_in_attempts: 0, rate_limits: 0 });
});

test('the crontab runs delete-expired every 15 minutes, and every task it names exists', () => {
  const items = parseCrontab(CRONTAB);
  const tasks = Object.keys(taskList(t.db));
  for (const item of items) expect(tasks).toContain(item.task);
  const cleanup = items.find((i) => i.task === 'delete-expired');
  expect(cleanup).toBeDefined();
  const at = (h: number, m: number) => ({ min: m, hour: h, date: 1, month: 1, dow: 1 });
  expect(cleanup!.match(at(10, 15))).toBe(true);
  expect(cleanup!.match(at(10, 16))).toBe(false);
});
