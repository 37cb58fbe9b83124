// The public routes' rate limits are counted in PostgreSQL: shared by every server process, exact
// under concurrent requests, and windows end.
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { setupApp, type TestContext } from '../../test/db.ts';
import { AppError } from './errors.ts';
import { rateLimiter } from './rate-limit.ts';

let t: TestContext;
beforeAll(async () => {
  t = await setupApp({ demo: false });
});
afterAll(() => t?.close());

const outcome = (p: Promise<void>) => p.then(() => 'ok', (e) => (e instanceof AppError ? `${e.status} ${e.code}` : String(e)));

test('the limit is shared by two server processes and exact under 20 concurrent requests', async () => {
  // Two limiters with the same name stand for the same route in two processes.
  const a = rateLimiter(t.db, { name: 'shared', max: 5, windowMs: 60_000 });
  const b = rateLimiter(t.db, { name: 'shared', max: 5, windowMs: 60_000 });
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => outcome((i % 2 ? a : b)('203.0.113.7'))));
  expect(results.filter((r) => r === 'ok')).toHaveLength(5);
  expect(results.filter((r) => r === '429 rate-limited')).toHaveLength(15);
  // Another client address, and another limiter name, count on their own.
  expect(await outcome(a('203.0.113.8'))).toBe('ok');
  expect(await outcome(rateLimiter(t.db, { name: 'other', max: 5, windowMs: 60_000 })('203.0.113.7'))).toBe('ok');
});

test('over the limit: 429 with Retry-After; when the window ends the count starts afresh; no address is kept in clear', async () => {
  const limit = rateLimiter(t.db, { name: 'window', max: 1, windowMs: 60_000 });
  await limit('198.51.100.1');
  const err = await limit('198.51.100.1').catch((e: unknown) => e as AppError);
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).headers['retry-after']).toMatch(/^\d+$/);
  expect(Number((err as AppError).headers['retry-after'])).toBeLessThanOrEqual(60);
  await sql`update rate_limits set window_ends = now() - interval '1 second' where key like 'window:%'`.execute(t.db);
  expect(await outcome(limit('198.51.100.1'))).toBe('ok');
  const keys = (await t.db.selectFrom('rate_limits').select('key').execute()).map((r) => r.key);
  expect(keys.join(' ')).not.toContain('198.51.100.1');
});
