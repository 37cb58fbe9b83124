// Walks the route table with bad input: malformed JSON, bodies of the wrong shape or types, garbage
// path parameters and query strings. Every answer must be a 4xx problem+json (never a 500) whose
// status and code the route declares (config.problems and what its access and schema imply, the
// OpenAPI document's responses), and a refused request must change nothing.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ROLES, type Role } from '../src/core/actor.ts';
import { setupApp, snapshot, type TestContext } from './db.ts';

let t: TestContext;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(() => t?.close());

const LONG = 'x'.repeat(5000);
const BODIES: { name: string; payload: string }[] = [
  { name: 'malformed JSON', payload: '{"version": 1, "name": ' },
  { name: 'an array', payload: '[1, 2, 3]' },
  { name: 'a string', payload: '"hello"' },
  { name: 'null', payload: 'null' },
  {
    name: 'wrong types',
    payload: JSON.stringify({
      version: 'one', name: 42, email: ['a'], phone: {}, serial: null, manufacturer: 7, category: false, amountMinor: -5, currency: 'EURO',
      date: '2026-02-30', at: 'yesterday', action: 'explode', channel: 'pigeon', problem: 12, customerId: 'not-a-uuid', deviceId: 5,
      findings: 'all', lang: 'xx', decision: 'maybe', password: 1, role: 'king', languages: 'bg', timeZone: 'Mars/Olympus',
    }),
  },
  { name: 'huge strings', payload: JSON.stringify({ name: LONG, email: `${LONG}@x.y`, serial: LONG, problem: LONG.repeat(4), note: LONG, version: 1 }) },
  { name: 'deep nesting', payload: JSON.stringify({ a: { b: { c: { d: { e: { f: [[[[[]]]]] } } } } }, version: 1e308 }) },
];
const BAD_IDS = ['not-a-uuid', '00000000-0000-7000-8000-000000000000', '%00', LONG.slice(0, 300)];
const BAD_QUERY = `limit=-5&cursor=%00%ff&at=2026-13-45&lang=zz&serial=${LONG.slice(0, 300)}&q=%25%25&state=nope&queue=x&customerId=1&check=maybe&org=%2F..`;

function roleFor(access: readonly Role[] | 'public'): Role | undefined {
  if (access === 'public') return undefined;
  return (['owner', ...ROLES] as Role[]).find((r) => access.includes(r));
}

test('every route answers bad input with a 4xx problem naming what is wrong, never a 500, and changes nothing', async () => {
  const failures: string[] = [];
  let checked = 0;
  // Sign-out ends the session it is called with, so it goes last.
  const ordered = [...t.app.apiRoutes].sort((a, b) => Number(a.url.endsWith('sign-out')) - Number(b.url.endsWith('sign-out')));
  for (const r of ordered) {
    if (r.url.startsWith('/api/v1/docs')) continue;
    const role = roleFor(r.access);
    const headers: Record<string, string> = role ? { cookie: t.cookies['itema-pg'][role] } : {};
    const urls = r.url.includes(':') ? BAD_IDS.map((id) => r.url.replace(/:(\w+)/g, id)) : [r.url];
    for (const url of urls) {
      const attempts =
        r.method === 'GET' || r.method === 'DELETE'
          ? [{ name: 'garbage query', url: `${url}?${BAD_QUERY}`, payload: undefined as string | undefined }]
          : BODIES.map((b) => ({ name: b.name, url, payload: b.payload }));
      for (const a of attempts) {
        const before = await snapshot(t.db);
        const res = await t.app.inject({
          method: r.method as 'GET',
          url: a.url,
          headers: { ...headers, ...(a.payload !== undefined ? { 'content-type': 'application/json' } : {}) },
          payload: a.payload,
        });
        checked++;
        const what = `${r.method} ${a.url.slice(0, 120)} (${a.name}) → ${res.statusCode}`;
        if (res.statusCode >= 500) {
          failures.push(`${what}: ${res.body.slice(0, 200)}`);
          continue;
        }
        if (res.statusCode >= 400) {
          const code = String(res.headers['content-type']).includes('application/problem+json') ? res.json().code : undefined;
          if (code === undefined) failures.push(`${what}: not problem+json, or no code`);
          else if (!r.problems.get(res.statusCode)?.includes(code)) {
            failures.push(`${what}: '${code}' is not a problem the route declares for ${res.statusCode} (${r.problems.get(res.statusCode)?.join(', ') ?? 'nothing'})`);
          }
          const after = await snapshot(t.db);
          if (JSON.stringify(after) !== JSON.stringify(before)) failures.push(`${what}: a refused request changed the database`);
        }
      }
    }
  }
  expect(failures).toEqual([]);
  expect(checked).toBeGreaterThan(300);
}, 180_000);
