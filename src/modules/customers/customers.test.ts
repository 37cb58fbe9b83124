import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setupApp, snapshot, type TestContext } from '../../../test/db.ts';

let t: TestContext;
let cookie: string;
beforeAll(async () => {
  t = await setupApp();
  cookie = t.cookies['service-center']['front-desk'];
});
afterAll(() => t?.close());

const post = (payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/api/v1/customers', headers: { cookie, ...headers }, payload: payload as object });

describe('customers', () => {
  test('create, read, and the audit event in the same transaction', async () => {
    const res = await post({ name: 'Jonas Weber', email: 'jonas@example.de', phone: '+49 30 555', preferredChannel: 'email' });
    expect(res.statusCode).toBe(201);
    const c = res.json();
    expect(c).toMatchObject({ name: 'Jonas Weber', kind: 'person', version: 1 });
    const got = await t.app.inject({ url: `/api/v1/customers/${c.id}`, headers: { cookie } });
    expect(got.json()).toEqual(c);
    const audit = await t.db.selectFrom('audit_events').selectAll().where('entity_id', '=', c.id).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'customer.created', actor_type: 'staff', channel: 'console', before: null });
  });

  test('bad input is a 400 problem naming each field, and writes nothing', async () => {
    const before = await snapshot(t.db);
    const res = await post({ name: '', email: 'not-an-email', preferredChannel: 'pigeon' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const p = res.json();
    expect(p.code).toBe('validation-failed');
    expect(p.errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.email', 'body.name', 'body.preferredChannel']);
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/customers', headers: { cookie, 'content-type': 'application/json' }, payload: '{"name": ' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(await snapshot(t.db)).toEqual(before);
  });

  test('Idempotency-Key: a retried create returns the first result and creates nothing twice', async () => {
    const body = { name: 'Retry Person', email: 'retry@example.de' };
    const [a, b] = await Promise.all([post(body, { 'idempotency-key': 'k-1' }), post(body, { 'idempotency-key': 'k-1' })]);
    const c = await post(body, { 'idempotency-key': 'k-1' });
    expect([a.statusCode, b.statusCode, c.statusCode]).toEqual([201, 201, 201]);
    expect(new Set([a.json().id, b.json().id, c.json().id]).size).toBe(1);
    const n = await t.db.selectFrom('customers').select('id').where('email', '=', 'retry@example.de').execute();
    expect(n).toHaveLength(1);
    const other = await post({ ...body, name: 'Someone else' }, { 'idempotency-key': 'k-1' });
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('idempotency-key-reused');
  });

  test('concurrent edits: the stale one gets 409 with the current state, nothing is lost', async () => {
    const c = (await post({ name: 'Version Test' })).json();
    const patch = (payload: object) => t.app.inject({ method: 'PATCH', url: `/api/v1/customers/${c.id}`, headers: { cookie }, payload });
    const [x, y] = await Promise.all([patch({ version: 1, phone: '+49 111' }), patch({ version: 1, address: 'Hauptstr. 1' })]);
    const codes = [x.statusCode, y.statusCode].sort();
    expect(codes).toEqual([200, 409]);
    const conflict = x.statusCode === 409 ? x.json() : y.json();
    expect(conflict.code).toBe('version-conflict');
    expect(conflict.current.version).toBe(2);
    const retry = await patch({ version: 2, address: 'Hauptstr. 1', phone: conflict.current.phone });
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toMatchObject({ version: 3, address: 'Hauptstr. 1' });
    const audit = await t.db.selectFrom('audit_events').select(['action', 'before', 'after']).where('entity_id', '=', c.id).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['customer.created', 'customer.updated', 'customer.updated']);
    expect((audit[2].before as { version: number }).version).toBe(2);
  });

  test('cursor pagination and filters', async () => {
    for (let i = 0; i < 5; i++) await post({ name: `Paged ${i}`, email: `paged${i}@example.de` });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { json(): { items: { name: string }[]; nextCursor: string | null } } = await t.app.inject({ url: `/api/v1/customers?q=Paged&limit=2${cursor ? `&cursor=${cursor}` : ''}`, headers: { cookie } });
      const page = res.json();
      seen.push(...page.items.map((c) => c.name));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['Paged 4', 'Paged 3', 'Paged 2', 'Paged 1', 'Paged 0']);
    const byEmail = await t.app.inject({ url: '/api/v1/customers?email=PAGED3@example.de', headers: { cookie } });
    expect(byEmail.json().items.map((c: { name: string }) => c.name)).toEqual(['Paged 3']);
    const badCursor = await t.app.inject({ url: '/api/v1/customers?cursor=nonsense', headers: { cookie } });
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json().errors[0].field).toBe('querystring.cursor');
    const badLimit = await t.app.inject({ url: '/api/v1/customers?limit=5000', headers: { cookie } });
    expect(badLimit.statusCode).toBe(400);
    expect(badLimit.json().errors[0].field).toBe('querystring.limit');
  });
});
