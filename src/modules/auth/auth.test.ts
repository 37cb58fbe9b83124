import { afterAll, beforeAll, expect, test } from 'vitest';
import { setupApp, type TestContext } from '../../../test/db.ts';
import { DEMO_PASSWORD } from '../demo/demo.seed.ts';
import { ROLES, type Role } from '../../core/actor.ts';

let t: TestContext;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(() => t?.close());

const signIn = (email: string, password: string) => t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email, password } });

test('password sign-in sets a secure HttpOnly cookie; sign-out ends the session', async () => {
  const res = await signIn('Manager@ITEMA-PG.example', DEMO_PASSWORD);
  expect(res.statusCode).toBe(200);
  expect(res.json().user).toMatchObject({ role: 'manager', email: 'manager@itema-pg.example' });
  const setCookie = String(res.headers['set-cookie']);
  expect(setCookie).toMatch(/aftercare_session=/);
  expect(setCookie).toMatch(/HttpOnly/);
  expect(setCookie).toMatch(/Secure/);
  expect(setCookie).toMatch(/SameSite=Strict/);
  const cookie = setCookie.split(';')[0];
  const me = await t.app.inject({ url: '/api/v1/auth/me', headers: { cookie } });
  expect(me.json().user.role).toBe('manager');
  expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-out', headers: { cookie } })).statusCode).toBe(204);
  expect((await t.app.inject({ url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(401);
  const stored = await t.db.selectFrom('staff_users').select('password_hash').where('email', '=', 'manager@itema-pg.example').executeTakeFirstOrThrow();
  expect(stored.password_hash).toMatch(/^\$argon2id\$/);
});

test('wrong passwords and unknown users get the same 401', async () => {
  const a = await signIn('owner@itema-pg.example', 'wrong');
  const b = await signIn('nobody@example.com', 'wrong');
  expect([a.statusCode, b.statusCode]).toEqual([401, 401]);
  expect(a.json().code).toBe('invalid-credentials');
  expect(b.json().detail).toBe(a.json().detail);
});

test('API keys: created by a manager, usable with its role, revocable; the secret is shown once', async () => {
  const cookie = t.cookies.itmall.manager;
  const created = await t.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { cookie }, payload: { name: 'ERP', role: 'front-desk' } });
  expect(created.statusCode).toBe(201);
  const { token, id } = created.json();
  expect(token).toMatch(/^ak_/);
  const auth = { authorization: `Bearer ${token}` };
  expect((await t.app.inject({ url: '/api/v1/warranty?serial=DEMO-ITMALL-SWITCH', headers: auth })).statusCode).toBe(200);
  expect((await t.app.inject({ url: '/api/v1/api-keys', headers: auth })).statusCode).toBe(403);
  const listed = (await t.app.inject({ url: '/api/v1/api-keys', headers: { cookie } })).json().items;
  expect(JSON.stringify(listed)).not.toContain(token);
  const owner = await t.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { cookie }, payload: { name: 'x', role: 'owner' } });
  expect(owner.statusCode).toBe(403);
  expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${id}`, headers: { cookie } })).statusCode).toBe(200);
  const after = await t.app.inject({ url: '/api/v1/warranty?serial=DEMO-ITMALL-SWITCH', headers: auth });
  expect(after.statusCode).toBe(401);
  expect((await t.app.inject({ url: '/api/v1/auth/me', headers: { authorization: 'Basic abc' } })).statusCode).toBe(401);
});

test('API keys: nobody creates or revokes a key with more rights than their own role (sessions and keys alike)', async () => {
  const org = 'its';
  const make = async (role: Role) => {
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { cookie: t.cookies[org].owner }, payload: { name: `${role} key`, role } });
    expect(r.statusCode).toBe(201);
    return r.json() as { id: string; token: string };
  };
  // Who acts: the owner's and the manager's sessions, and an owner's and a manager's API key.
  const actors: [string, Role, Record<string, string>][] = [
    ['owner session', 'owner', { cookie: t.cookies[org].owner }],
    ['manager session', 'manager', { cookie: t.cookies[org].manager }],
    ['owner key', 'owner', { authorization: `Bearer ${(await make('owner')).token}` }],
    ['manager key', 'manager', { authorization: `Bearer ${(await make('manager')).token}` }],
  ];
  const rank = (r: Role) => ROLES.indexOf(r); // most rights first
  for (const [who, actorRole, headers] of actors) {
    for (const role of ROLES) {
      const allowed = rank(role) >= rank(actorRole);
      const created = await t.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers, payload: { name: 'x', role } });
      expect(created.statusCode, `${who} creates a ${role} key`).toBe(allowed ? 201 : 403);
      const target = await make(role);
      const audits = await t.db.selectFrom('audit_events').select((eb) => eb.fn.countAll().as('n')).where('entity_id', '=', target.id).executeTakeFirstOrThrow();
      const revoked = await t.app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${target.id}`, headers });
      expect(revoked.statusCode, `${who} revokes a ${role} key`).toBe(allowed ? 200 : 403);
      const row = await t.db.selectFrom('api_keys').select('revoked_at').where('id', '=', target.id).executeTakeFirstOrThrow();
      // A refused revocation changes nothing: the key still works and no audit row was written.
      expect(row.revoked_at === null, `${who}: the ${role} key still active`).toBe(!allowed);
      if (!allowed) {
        expect(revoked.json()).toMatchObject({ code: 'forbidden' });
        expect(revoked.json().detail).toContain(`${role} role`);
        expect(created.json().code).toBe('forbidden');
        const after = await t.db.selectFrom('audit_events').select((eb) => eb.fn.countAll().as('n')).where('entity_id', '=', target.id).executeTakeFirstOrThrow();
        expect(after.n).toBe(audits.n);
        expect((await t.app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${target.token}` } })).statusCode).toBe(200);
      }
    }
  }
});

test('staff users: the owner adds one who can then sign in', async () => {
  const cookie = t.cookies.vn.owner;
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/staff-users', headers: { cookie }, payload: { name: 'Trần Thị B', email: 'b@vn.example', role: 'technician', password: 'a-long-password' } });
  expect(res.statusCode).toBe(201);
  const dup = await t.app.inject({ method: 'POST', url: '/api/v1/staff-users', headers: { cookie }, payload: { name: 'X', email: 'B@vn.example', role: 'technician', password: 'a-long-password' } });
  expect(dup.statusCode).toBe(409);
  expect((await signIn('b@vn.example', 'a-long-password')).json().user.role).toBe('technician');
});
