// Walks the route table: every /api/v1 route declares its roles, refuses anonymous callers (unless
// public), refuses every role it does not list with 403, and lets every listed role past the check.
// Every problem it answers is one the route declares; a public route declares no 401/403 of staff.
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
    // 401/403 come from the access: declared exactly by the signed-in routes (the client account's own
    // 401 is client-not-signed-in, not the staff sign-in's).
    const staffAuth = [r.problems.get(401)?.includes('unauthenticated') ?? false, r.problems.get(403)?.includes('forbidden') ?? false];
    expect(staffAuth, `${r.method} ${r.url}: 401 unauthenticated / 403 forbidden declared`).toEqual(access === 'public' ? [false, false] : [true, true]);
    // A public route's only 403: a state change with a session cookie from another site (src/server/security.ts).
    if (access === 'public') expect(r.problems.get(403) ?? [], `${r.method} ${r.url} is public: no 403 but cross-site-request`).toEqual(r.method === 'GET' ? [] : ['cross-site-request']);
    if (r.method !== 'GET') expect(r.problems.get(403), `${r.method} ${r.url}`).toContain('cross-site-request');
  }
});

/** The problem of `res`, unless the route declares its status and code: then undefined. */
function undeclared(r: { problems: ReadonlyMap<number, readonly string[]> }, res: { statusCode: number; headers: Record<string, unknown>; json(): { code?: string } }) {
  if (res.statusCode < 400 || !String(res.headers['content-type']).includes('application/problem+json')) return undefined;
  const code = res.json().code;
  return r.problems.get(res.statusCode)?.includes(String(code)) ? undefined : `${res.statusCode} ${code}`;
}

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
    expect(undeclared(r, anon), `anonymous ${r.method} ${url}: a problem the route does not declare`).toBeUndefined();
    for (const role of ROLES) {
      const res = await t.app.inject({
        method: r.method as 'GET',
        url,
        headers: { cookie: t.cookies['itema-pg'][role] },
        payload: r.method === 'GET' || r.method === 'DELETE' ? undefined : {},
      });
      expect(res.statusCode, `${role} ${r.method} ${url} with an empty body must not be a 500`).toBeLessThan(500);
      expect(undeclared(r, res), `${role} ${r.method} ${url}: a problem the route does not declare`).toBeUndefined();
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

// Issue 16: the actions route admits every role, and then each action its own roles
// (src/modules/service-orders/roles.ts): a technician diagnoses, repairs and tests; the rest is the
// office's. A valid body per action, on an order that does not exist: 403 before anything is read,
// else the 404 of the missing order.
test('each service-order action admits exactly its roles', async () => {
  const { ACTIONS } = await import('../src/modules/service-orders/state-machine.ts');
  const { actionRoles } = await import('../src/modules/service-orders/roles.ts');
  const bodies: Record<string, object> = {
    open: { workOrder: { termsAccepted: true, accessories: [], complete: true, visibleCondition: '', dataBackedUp: true, passwordsRemoved: true, problemInClientsWords: 'x', signedBy: 'x' } },
    diagnose: { findings: [] },
    quote: { amountMinor: 100, duration: '1 day', advice: '', worthRepairing: true },
    accept: { via: 'phone' },
    refuse: { via: 'phone' },
    'test-failed': { report: 'x' },
    'test-passed': { report: 'x' },
    cancel: { reason: 'x' },
    replace: { type: 'replacement', replacement: { serial: 'X' } },
    'reduce-price': { amountMinor: 1, method: 'cash' },
    terminate: { amountMinor: 1, method: 'cash' },
    'buy-back': { amountMinor: 1, method: 'cash' },
    refund: { amountMinor: 1, method: 'cash' },
  };
  const url = '/api/v1/service-orders/00000000-0000-7000-8000-000000000000/actions';
  // mark-unclaimed is the job runner's alone: the API does not take it.
  for (const action of ACTIONS.filter((a) => a !== 'mark-unclaimed')) {
    for (const role of ROLES) {
      const res = await t.app.inject({ method: 'POST', url, headers: { cookie: t.cookies['service-center'][role] }, payload: { action, version: 1, ...bodies[action] } });
      expect(res.statusCode, `${role} ${action}: ${res.body}`).toBe(actionRoles(action).includes(role) ? 404 : 403);
    }
  }
});

// Issue 14: a Stripe Payment Link is sent by the office (owner, manager, front desk); every role sees the links sent.
test('sending an order’s payment link admits the office only; listing the links admits every role', async () => {
  const { OFFICE } = await import('../src/core/actor.ts');
  const base = '/api/v1/service-orders/00000000-0000-7000-8000-000000000000/payment-links';
  expect(routes().find((r) => r.method === 'POST' && r.url === '/api/v1/service-orders/:id/payment-links')!.access).toEqual(OFFICE);
  for (const role of ROLES) {
    const post = await t.app.inject({ method: 'POST', url: base, headers: { cookie: t.cookies['service-center'][role] } });
    // No Stripe keys here: past the role check, the missing order (404) comes first.
    expect(post.statusCode, `${role} POST`).toBe(OFFICE.includes(role) ? 404 : 403);
    const get = await t.app.inject({ method: 'GET', url: base, headers: { cookie: t.cookies['service-center'][role] } });
    expect(get.statusCode, `${role} GET`).toBe(404);
  }
});
