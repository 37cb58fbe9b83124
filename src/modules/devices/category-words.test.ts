// The domain vocabulary at the API: a category typed in words the business's pack knows under a
// code is stored as that code; an unknown one is refused on the field with the known categories.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setupApp, snapshot, type TestContext } from '../../../test/db.ts';

let t: TestContext;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(() => t?.close());

let n = 0;
const register = (org: string, category: string, parts?: { id: string; category: string }[]) =>
  t.app.inject({ method: 'POST', url: '/api/v1/devices', headers: { cookie: t.cookies[org]['front-desk'] }, payload: { serial: `WORDS-${++n}`, manufacturer: 'Dell', category, ...(parts ? { parts } : {}) } });

describe('categories typed in words (ITM-4, ITEMA-7)', () => {
  test.each([
    ['itmall', 'Enterprise infrastructure', 'infrastructure'],
    ['itmall', 'servers', 'server'],
    ['itmall', 'End-user workstation', 'workstation'],
    ['itema-pg', 'Лаптоп', 'laptop'],
    ['service-center', 'Gaming Laptop', 'gaming-laptop'],
  ])('%s: "%s" is stored as %s', async (org, typed, code) => {
    const r = await register(org, typed);
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().category).toBe(code);
  });

  test('part categories are matched through the same words (ITEMA-7)', async () => {
    const r = await register('itema-pg', 'laptop', [{ id: 'b-1', category: 'Батерия' }, { id: 'x-1', category: 'fan' }]);
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().parts.map((p: { category: string }) => p.category)).toEqual(['battery', 'fan']);
  });

  test('an unknown category is refused on the field with the known ones, and nothing is saved (ITM-4)', async () => {
    const before = await snapshot(t.db);
    const r = await register('itmall', 'toaster');
    expect(r.statusCode).toBe(422);
    const e = r.json().errors;
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({ field: 'body.category', code: 'unknown-category' });
    expect(e[0].message).toMatch(/known categories: .*infrastructure.*server.*workstation/);
    expect(await snapshot(t.db)).toEqual(before);
  });

  test('a claim for a device registered at intake matches its category too (ITM-4)', async () => {
    const cookie = t.cookies.itmall['front-desk'];
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/claims', headers: { cookie }, payload: { channel: 'email', customer: { name: 'Ops', email: 'ops.words@example.com' }, device: { serial: 'WORDS-CLAIM-1', manufacturer: 'Cisco', category: 'Enterprise Infrastructure' }, problem: 'Port down' } });
    expect(ok.statusCode, ok.body).toBe(201);
    const d = await t.db.selectFrom('devices').select('category').where('serial', '=', 'WORDS-CLAIM-1').executeTakeFirstOrThrow();
    expect(d.category).toBe('infrastructure');
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/claims', headers: { cookie }, payload: { channel: 'email', customer: { name: 'Ops', email: 'ops.words2@example.com' }, device: { serial: 'WORDS-CLAIM-2', manufacturer: 'Cisco', category: 'toaster' }, problem: 'Port down' } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].field).toBe('body.device.category');
  });
});
