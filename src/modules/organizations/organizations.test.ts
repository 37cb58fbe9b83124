import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setupApp, type TestContext } from '../../../test/db.ts';

let t: TestContext;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(() => t?.close());

const get = (slug: string, role: string) =>
  t.app.inject({ url: '/api/v1/organization/policy-pack', headers: { cookie: t.cookies[slug][role as 'owner'] } });

describe('the policy pack in force', () => {
  test('a manager sees the version in force and every rule with its text in the pack’s languages', async () => {
    const res = await get('itema-pg', 'manager');
    expect(res.statusCode).toBe(200);
    const p = res.json();
    expect(p).toMatchObject({ packId: 'itema', name: { en: 'ITEMA-PG' }, languages: ['bg', 'en'] });
    expect(p.versions.filter((v: { inForce: boolean }) => v.inForce)).toHaveLength(1);
    expect(p.versions.find((v: { inForce: boolean }) => v.inForce)).toMatchObject({ version: p.version, effective: p.effective });
    const ids = p.rules.map((r: { id: string }) => r.id);
    expect(ids.slice(0, 3)).toEqual(['ITEMA-1', 'ITEMA-2', 'ITEMA-3']); // numeric order, not text order
    expect(ids).toContain('ITEMA-14');
    expect(new Set(ids).size).toBe(ids.length);
    const r6 = p.rules.find((r: { id: string }) => r.id === 'ITEMA-6');
    expect(r6.text.en).toMatch(/Refurbished products: at least 3 months/);
    expect(r6.text.bg).toMatch(/Обновени продукти/);
    expect(r6.uses.some((u: { kind: string }) => u.kind === 'term')).toBe(true);
    const r20 = p.rules.find((r: { id: string }) => r.id === 'ITEMA-20');
    expect(r20.uses).toContainEqual(expect.objectContaining({ kind: 'clock', id: 'min-job', duration: '48 hours' }));
  });

  test('each organization sees its own pack; front desk and technicians may not', async () => {
    expect((await get('service-center', 'owner')).json().packId).toBe('service-center');
    expect((await get('itmall', 'owner')).json().packId).toBe('itmall');
    expect((await get('itema-pg', 'front-desk')).statusCode).toBe(403);
    expect((await get('itema-pg', 'technician')).statusCode).toBe(403);
    expect((await t.app.inject({ url: '/api/v1/organization/policy-pack' })).statusCode).toBe(401);
  });
});

describe('the findings a technician can record', () => {
  const findings = (slug: string, q = '') => t.app.inject({ url: `/api/v1/organization/findings${q}`, headers: { cookie: t.cookies[slug].technician } });

  test('lists the pack’s exclusions with rule, effect and text in the asked language (ITEMA-15, ITEMA-21)', async () => {
    const bg = (await findings('itema-pg', '?lang=bg')).json();
    const liquid = bg.items.find((f: { code: string }) => f.code === 'liquid-ingress');
    expect(liquid).toEqual({ code: 'liquid-ingress', rule: 'ITEMA-15', effect: 'not-covered', text: expect.stringMatching(/течност/) });
    expect(bg.items.find((f: { code: string }) => f.code === 'not-reproduced')).toMatchObject({ rule: 'ITEMA-21', effect: 'paid' });
    const en = (await findings('itema-pg', '?lang=en')).json();
    expect(en.items.find((f: { code: string }) => f.code === 'liquid-ingress').text).toMatch(/^Liquid got into the device/);
    // Without ?lang= the organization's first language (Bulgarian for ITEMA-PG).
    expect((await findings('itema-pg')).json().items[0].text).toMatch(/[а-я]/);
  });

  test('each organization sees its own pack’s findings; a bad language is a 400 naming the field', async () => {
    const its = (await findings('its', '?lang=en')).json();
    expect(its.items.find((f: { code: string }) => f.code === 'liquid-ingress').rule).toBe('ITS-9');
    const bad = await findings('its', '?lang=de');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('querystring.lang');
    expect((await t.app.inject({ url: '/api/v1/organization/findings' })).statusCode).toBe(401);
  });
});
