// Walks the route table: every /api/v1 route declares its roles, refuses anonymous callers (unless
// public), refuses every role it does not list with 403, and lets every listed role past the check.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ROLES } from '../src/core/actor.ts';
import { setupApp, type TestContext } from './db.ts';

let t: TestContext;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(() => t?.close());

const routes = () => t.app.apiRoutes;
const expectedAccess = (method: string, url: string) => routes().find((r) => r.method === method && r.url === url)!.access;

test('every API route is in the table and declares its access', () => {
  expect(routes().length).toBeGreaterThan(20);
  for (const r of routes()) {
    const access = expectedAccess(r.method, r.url);
    expect(access === 'public' || (Array.isArray(access) && access.length > 0), `${r.method} ${r.url}`).toBe(true);
  }
});

test('each route admits exactly its roles', async () => {
  const sampleId = '00000000-0000-7000-8000-000000000000';
  let checked = 0;
  // Sign-out ends the session it is called with, so it goes last.
  const ordered = [...routes()].sort((a, b) => Number(a.url.endsWith('sign-out')) - Number(b.url.endsWith('sign-out')));
  for (const r of ordered) {
    const access = r.access;
    if (access === 'public') continue;
    const url = r.url.replace(/:(\w+)/g, sampleId);
    const anon = await t.app.inject({ method: r.method as 'GET', url, payload: r.method === 'GET' || r.method === 'DELETE' ? undefined : {} });
    expect(anon.statusCode, `anonymous ${r.method} ${url}`).toBe(401);
    expect(anon.headers['content-type']).toContain('application/problem+json');
    for (const role of ROLES) {
      const res = await t.app.inject({
        method: r.method as 'GET',
        url,
        headers: { cookie: t.cookies['itema-pg'][role] },
        payload: r.method === 'GET' || r.method === 'DELETE' ? undefined : {},
      });
      expect(res.statusCode, `${role} ${r.method} ${url} with an empty body must not be a 500`).toBeLessThan(500);
      if (access.includes(role)) {
        expect([401, 403], `${role} ${r.method} ${url} should pass the role check`).not.toContain(res.statusCode);
      } else {
        expect(res.statusCode, `${role} ${r.method} ${url} should be refused`).toBe(403);
        expect(res.json().code).toBe('forbidden');
      }
      checked++;
    }
  }
  expect(checked).toBeGreaterThan(60);
});

test('a route without declared access cannot be registered', async () => {
  const Fastify = (await import('fastify')).default;
  const { installAuth } = await import('../src/server/auth.ts');
  const app = Fastify();
  installAuth(app, t.db);
  expect(() => app.get('/api/v1/oops', async () => 'open')).toThrow(/declares no config.access/);
});
