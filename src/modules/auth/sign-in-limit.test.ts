// Sign-in brute-force protection against the real database: failures are counted per e-mail address
// and per client address in PostgreSQL, so the limit holds across server processes and under
// concurrent attempts. Each test signs in from its own client address (remoteAddress), so the
// per-address counts of one test never reach another's.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setupApp, snapshot, type TestContext } from '../../../test/db.ts';
import { createDb } from '../../db/index.ts';
import { buildApp } from '../../server/app.ts';
import { DiskStorage } from '../../storage/index.ts';
import { DEMO_PASSWORD } from '../demo/demo.seed.ts';
import { signInKeys } from './sign-in-limit.ts';

const PER_EMAIL = 5;
const PER_IP = 8;
let t: TestContext;
beforeAll(async () => {
  t = await setupApp({ config: { signInLimits: { perEmail: PER_EMAIL, perIp: PER_IP, windowMinutes: 15 } } });
});
afterAll(() => t?.close());

type App = TestContext['app'];
const signIn = (email: string, password: string, ip: string, app: App = t.app) =>
  app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email, password }, remoteAddress: ip });
const row = (key: string) => t.db.selectFrom('sign_in_attempts').selectAll().where('key', '=', key).executeTakeFirst();
const sessionsOf = async (email: string) =>
  Number(
    (
      await t.db
        .selectFrom('sessions as s')
        .innerJoin('staff_users as u', 'u.id', 's.staff_user_id')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('u.email', '=', email)
        .executeTakeFirstOrThrow()
    ).n,
  );
/** Lets the current windows of these keys end, as if the window's minutes had passed. */
const endWindow = (...keys: string[]) =>
  t.db.updateTable('sign_in_attempts').set({ window_ends: new Date(Date.now() - 1000) }).where('key', 'in', keys).execute();
const codes = (rs: { statusCode: number }[]) => rs.map((r) => r.statusCode);

describe('sign-in limit per e-mail address', () => {
  test('the 6th failed sign-in is 429 too-many-attempts with Retry-After and the e-mail field, and changes nothing', async () => {
    const email = 'owner@itema-pg.example';
    const ip = '10.1.0.1';
    const first = [];
    for (let i = 0; i < PER_EMAIL; i++) first.push(await signIn(email, `wrong-${i}`, ip));
    expect(codes(first)).toEqual([401, 401, 401, 401, 401]);
    const before = { db: await snapshot(t.db), email: await row(signInKeys(email, ip).email), ip: await row(signInKeys(email, ip).ip!) };
    expect(before.email?.attempts).toBe(PER_EMAIL);

    const sixth = await signIn(email, 'wrong-6', ip);
    expect(sixth.statusCode).toBe(429);
    expect(sixth.headers['content-type']).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(sixth.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(14 * 60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(sixth.json()).toMatchObject({
      status: 429,
      code: 'too-many-attempts',
      retryAfterSeconds: retryAfter,
      detail: 'Too many failed sign-ins for this e-mail address; try again in 15 minutes',
      errors: [{ field: 'body.email', code: 'too-many-attempts' }],
    });
    // Nothing changed: no row anywhere, and the counts and windows are as they were.
    expect(await snapshot(t.db)).toEqual(before.db);
    expect(await row(signInKeys(email, ip).email)).toEqual(before.email);
    expect(await row(signInKeys(email, ip).ip!)).toEqual(before.ip);
  });

  test('the right password during the lockout is refused too; when the window ends it signs in and the count starts afresh', async () => {
    const email = 'manager@itema-pg.example';
    const ip = '10.1.0.2';
    for (let i = 0; i < PER_EMAIL; i++) expect((await signIn(email, 'wrong', ip)).statusCode).toBe(401);
    const sessions = await sessionsOf(email);
    const locked = await signIn(email, DEMO_PASSWORD, ip);
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['set-cookie']).toBeUndefined();
    expect(await sessionsOf(email)).toBe(sessions);
    // From another client address too: the lock is on the e-mail address.
    expect((await signIn(email, DEMO_PASSWORD, '10.1.0.3')).statusCode).toBe(429);

    await endWindow(signInKeys(email, ip).email);
    const ok = await signIn(email, DEMO_PASSWORD, ip);
    expect(ok.statusCode).toBe(200);
    expect(await sessionsOf(email)).toBe(sessions + 1);
    expect(await row(signInKeys(email, ip).email)).toBeUndefined();
  });

  test('a successful sign-in clears the address\'s count: the next failures start from zero', async () => {
    const email = 'frontdesk@itema-pg.example';
    const ip = '10.1.0.4';
    for (let i = 0; i < PER_EMAIL - 1; i++) expect((await signIn(email, 'wrong', ip)).statusCode).toBe(401);
    expect((await signIn(email, DEMO_PASSWORD, ip)).statusCode).toBe(200);
    expect(await row(signInKeys(email, ip).email)).toBeUndefined();
    const again = [];
    for (let i = 0; i < PER_EMAIL + 1; i++) again.push(await signIn(email, 'wrong', `10.1.1.${i}`));
    expect(codes(again)).toEqual([401, 401, 401, 401, 401, 429]);
  });

  test('a locked address does not affect a different one', async () => {
    const ip = '10.1.0.5';
    for (let i = 0; i < PER_EMAIL + 1; i++) await signIn('tech@itema-pg.example', 'wrong', ip);
    expect((await signIn('tech@itema-pg.example', DEMO_PASSWORD, ip)).statusCode).toBe(429);
    expect((await signIn('tech@itmall.example', 'wrong', '10.1.0.6')).statusCode).toBe(401);
    expect((await signIn('tech@itmall.example', DEMO_PASSWORD, '10.1.0.6')).statusCode).toBe(200);
  });

  test('an unknown address is limited exactly like a known one (a 429 tells nothing about who exists)', async () => {
    const known = [];
    const unknown = [];
    for (let i = 0; i < PER_EMAIL + 1; i++) {
      known.push(await signIn('owner@its.example', 'wrong', '10.1.0.7'));
      unknown.push(await signIn('nobody@its.example', 'wrong', '10.1.0.8'));
    }
    expect(codes(unknown)).toEqual(codes(known));
    expect(codes(unknown)).toEqual([401, 401, 401, 401, 401, 429]);
    for (const i of [0, PER_EMAIL]) {
      const strip = (b: Record<string, unknown>) => ({ ...b, retryAfterSeconds: undefined });
      expect(strip(unknown[i].json())).toEqual(strip(known[i].json()));
    }
    // The same case-insensitive address is the same count.
    expect((await signIn('NOBODY@its.example', 'wrong', '10.1.0.9')).statusCode).toBe(429);
  });

  test('20 concurrent failures, split over two server processes, let exactly the limit through to the password check', async () => {
    // A second process: its own app and connection pool on the same database.
    const other = createDb(t.url, 5);
    const app2 = await buildApp({ db: other.db, pool: other.pool, config: t.config, storage: new DiskStorage(t.config.filesDir) });
    try {
      const email = 'owner@service-center.example';
      const ip = '10.1.0.10';
      const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => signIn(email, `wrong-${i}`, ip, i % 2 ? app2 : t.app)));
      expect(codes(rs).filter((c) => c === 401)).toHaveLength(PER_EMAIL);
      expect(codes(rs).filter((c) => c === 429)).toHaveLength(20 - PER_EMAIL);
      expect((await row(signInKeys(email, ip).email))?.attempts).toBe(PER_EMAIL);
      // The same with the right password among them: still no more than the limit get through.
      const email2 = 'manager@service-center.example';
      const ip2 = '10.1.0.11';
      const mixed = await Promise.all(Array.from({ length: 20 }, (_, i) => signIn(email2, i === 19 ? DEMO_PASSWORD : 'wrong', ip2, i % 2 ? app2 : t.app)));
      expect(codes(mixed).filter((c) => c !== 429).length).toBeLessThanOrEqual(PER_EMAIL);
    } finally {
      await app2.close();
      await other.close();
    }
  });
});

describe('sign-in limit per client address', () => {
  test('after the limit of failures from one address, every e-mail gets 429 (without a field); a success gives its attempt back', async () => {
    const ip = '10.2.0.1';
    const emails = Array.from({ length: PER_IP + 1 }, (_, i) => `guess-${i}@example.com`);
    const rs = [];
    for (const e of emails) rs.push(await signIn(e, 'wrong', ip));
    expect(codes(rs)).toEqual([...Array(PER_IP).fill(401), 429]);
    const limited = rs[PER_IP].json();
    expect(limited).toMatchObject({ code: 'too-many-attempts', detail: 'Too many failed sign-ins from this network address; try again in 15 minutes' });
    expect(limited.errors).toBeUndefined();
    expect(Number(rs[PER_IP].headers['retry-after'])).toBeGreaterThan(0);
    expect((await signIn('owner@vn.example', DEMO_PASSWORD, ip)).statusCode).toBe(429);
    // The refused attempt took nothing from the e-mail address it named.
    expect(await row(signInKeys(emails[PER_IP], ip).email)).toBeUndefined();
    // Another client address is not affected.
    expect((await signIn('owner@vn.example', DEMO_PASSWORD, '10.2.0.2')).statusCode).toBe(200);

    // Successes do not count: PER_IP - 1 failures, any number of successes, then one more failure is let through.
    const ip2 = '10.2.0.3';
    for (let i = 0; i < PER_IP - 1; i++) expect((await signIn(`other-${i}@example.com`, 'wrong', ip2)).statusCode).toBe(401);
    for (let i = 0; i < 3; i++) expect((await signIn('manager@vn.example', DEMO_PASSWORD, ip2)).statusCode).toBe(200);
    expect((await row(signInKeys('x', ip2).ip!))?.attempts).toBe(PER_IP - 1);
    expect((await signIn('last@example.com', 'wrong', ip2)).statusCode).toBe(401);
    expect((await signIn('after@example.com', 'wrong', ip2)).statusCode).toBe(429);
  });

  test('a forged X-Forwarded-For does not give a new client address unless TRUST_PROXY says whom to believe', async () => {
    const forged = (i: number, app: App = t.app) =>
      app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email: `forge-${i}@example.com`, password: 'wrong' }, remoteAddress: '10.3.0.1', headers: { 'x-forwarded-for': `192.0.2.${i}` } });
    const rs = [];
    for (let i = 0; i <= PER_IP; i++) rs.push(await forged(i));
    expect(codes(rs)).toEqual([...Array(PER_IP).fill(401), 429]); // all counted against the socket's address
    // Behind a proxy that TRUST_PROXY names, its header is the client's address.
    const behind = await buildApp({ db: t.db, pool: t.pool, config: { ...t.config, trustProxy: '10.3.0.1' }, storage: new DiskStorage(t.config.filesDir) });
    try {
      expect((await forged(1, behind)).statusCode).toBe(401);
    } finally {
      await behind.close();
    }
  });

  test('20 concurrent failures for 20 e-mail addresses from one client address let exactly the limit through', async () => {
    const ip = '10.2.0.4';
    const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => signIn(`burst-${i}@example.com`, 'wrong', ip)));
    expect(codes(rs).filter((c) => c === 401)).toHaveLength(PER_IP);
    expect(codes(rs).filter((c) => c === 429)).toHaveLength(20 - PER_IP);
    // The refused ones took nothing from their e-mail addresses.
    expect(Number((await t.db.selectFrom('sign_in_attempts').select((eb) => eb.fn.countAll<string>().as('n')).where('key', 'in', Array.from({ length: 20 }, (_, i) => signInKeys(`burst-${i}@example.com`, ip).email)).executeTakeFirstOrThrow()).n)).toBe(PER_IP);
  });
});
