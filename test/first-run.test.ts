// Issue 11, set-up: from a fresh start without demo data (AFTERCARE_DEMO=false) the console shows the
// first-run set-up instead of the sign-in; it creates the business through the same code as
// `aftercare org create` (src/modules/organizations/setup.service.ts) only with the one-time token the
// server printed, refuses bad input on the field in the user's language with nothing written, signs
// the owner in, and is gone once a business exists.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_NOW, setupApp, type TestContext } from './db.ts';
import { hasChromium, launch, newContext } from './browser.ts';
import { firstRunNotice } from '../src/modules/organizations/first-run.service.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);

/** The set-up link `aftercare start` prints, as the server's output shows it; its token. */
async function printedToken(t: TestContext, base: string) {
  const lines = await firstRunNotice(t.db, base);
  const link = lines.map((l) => l.trim()).find((l) => l.startsWith(`${base}/setup?token=`));
  expect(link, lines.join('\n')).toBeTruthy();
  return { link: link!, token: new URL(link!).searchParams.get('token')! };
}

const body = (token: string, over: Record<string, unknown> = {}) => ({
  token,
  name: 'Sofia Repairs',
  country: 'BG',
  timeZone: 'Europe/Sofia',
  currency: 'EUR',
  languages: ['bg', 'en'],
  owner: { name: 'Mila Ivanova', email: 'mila@sofia-repairs.example', password: 'correct horse battery' },
  locations: [{ name: 'Sofia centre', address: 'bul. Vitosha 1, Sofia', phone: '+359 2 111 2222', openingHours: 'Mon–Fri 09:00–18:00' }],
  policy: 'itema',
  ...over,
});

describe('first-run set-up over HTTP (issue 11)', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await setupApp({ demo: false, now: () => DEMO_NOW });
  }, 60_000);
  afterAll(async () => t?.close());

  test('only with the printed token, bad fields refused by name with nothing written, then gone once the business exists', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toEqual({ needed: true });
    const { token } = await printedToken(t, 'http://localhost:3000');
    const post = (b: unknown) => t.app.inject({ method: 'POST', url: '/api/v1/setup', payload: b as Record<string, unknown> });

    // A token the server did not print.
    const wrong = await post(body('not-the-token'));
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json()).toMatchObject({ code: 'setup-token-invalid', errors: [{ field: 'body.token', code: 'setup-token' }] });
    // Bad values, each by its field.
    const bad = await post(body(token, { country: 'Bulgaria', timeZone: 'Europe/Sofiaa', languages: [], owner: { name: 'M', email: 'mila', password: 'short' }, policy: 'toaster' }));
    expect(bad.statusCode).toBe(422);
    expect(bad.json<{ errors: { field: string }[] }>().errors.map((e) => e.field).sort()).toEqual(
      ['body.country', 'body.languages', 'body.owner.email', 'body.owner.password', 'body.policy', 'body.timeZone'].sort(),
    );
    // A name that gives no slug (Cyrillic) without one chosen: the slug is asked for.
    const noSlug = await post(body(token, { name: 'Сервиз София' }));
    expect(noSlug.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toEqual(['body.slug']);
    expect(await t.db.selectFrom('organizations').select('id').execute()).toEqual([]);
    expect(await t.db.selectFrom('staff_users').select('id').execute()).toEqual([]);

    // Good: created, the owner signed in (the cookie works), the token consumed.
    const ok = await post(body(token));
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ organization: { name: 'Sofia Repairs', slug: 'sofia-repairs' }, user: { email: 'mila@sofia-repairs.example', role: 'owner' } });
    const cookie = String(ok.headers['set-cookie']).split(';')[0];
    const org = await t.app.inject({ method: 'GET', url: '/api/v1/organization', headers: { cookie } });
    expect(org.json()).toMatchObject({ slug: 'sofia-repairs', country: 'BG', timeZone: 'Europe/Sofia', currency: 'EUR', languages: ['bg', 'en'], packId: 'itema' });
    expect(await t.db.selectFrom('policy_versions').select('seq').execute()).not.toEqual([]);
    expect(await t.db.selectFrom('setup_tokens').selectAll().execute()).toEqual([]);
    const audit = await t.db.selectFrom('audit_events').select(['action', 'actor_id']).where('action', '=', 'organization.created').execute();
    expect(audit).toEqual([{ action: 'organization.created', actor_id: 'setup' }]);

    // Once a business exists: no screen, no new token, a retry refused.
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toEqual({ needed: false });
    expect(await firstRunNotice(t.db, 'http://localhost:3000')).toEqual([]);
    const again = await post(body(token, { name: 'Second', owner: { name: 'X', email: 'x@example.com', password: 'correct horse battery' } }));
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'already-set-up' });
    expect((await t.db.selectFrom('organizations').select('id').execute()).length).toBe(1);
  });

  test('`aftercare org create` on the same database closes the set-up screen too', async () => {
    const t2 = await setupApp({ demo: false, now: () => DEMO_NOW });
    try {
      const { token } = await printedToken(t2, 'http://localhost:3000');
      const cli = await run(
        process.execPath,
        [
          path.join(root, 'bin/aftercare.mjs'), 'org', 'create',
          '--name', 'Hanoi Fix', '--country', 'VN', '--time-zone', 'Asia/Ho_Chi_Minh', '--currency', 'VND', '--languages', 'vi,en',
          '--owner-name', 'Nguyễn An', '--owner-email', 'an@hanoi-fix.example', '--owner-password', 'correct horse battery',
          '--location', 'Hà Nội|1 Tràng Tiền|+84 24 1234 5678|T2–T6 08:00–17:00', '--policy', 'vn',
        ],
        { cwd: root, env: { ...process.env, DATABASE_URL: t2.url, LOG_LEVEL: 'silent' } },
      );
      expect(cli.stdout).toMatch(/^created hanoi-fix /);
      expect((await t2.app.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toEqual({ needed: false });
      const r = await t2.app.inject({ method: 'POST', url: '/api/v1/setup', payload: body(token) });
      expect(r.json()).toMatchObject({ code: 'already-set-up' });
    } finally {
      await t2.close();
    }
  }, 60_000);
});

describe.skipIf(!hasChromium())('first-run set-up in the browser (issue 11)', () => {
  let t: TestContext;
  let base: string;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  beforeAll(async () => {
    t = await setupApp({ demo: false, now: () => DEMO_NOW });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    ({ browser, close: closeBrowser } = await launch());
  }, 60_000);
  afterAll(async () => {
    await closeBrowser?.();
    await t?.close();
  });

  test('in Bulgarian at phone width: bad input refused on its field in Bulgarian, nothing written; then the business is made and the owner is signed in', async () => {
    const { link } = await printedToken(t, base);
    const ctx = await newContext(browser, base, { locale: 'bg-BG', phone: true });
    const page = await ctx.newPage();
    await page.goto(link.replace(base, '') + '&lang=bg');
    await page.getByRole('heading', { name: 'Настройка на Вашия бизнес' }).waitFor();
    // The token left the address bar once read.
    expect(new URL(page.url()).search).toBe('');
    // Nothing overflows the phone's width.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);

    await page.getByTestId('setup-name').fill('Сервиз София');
    await page.getByTestId('setup-country').fill('Бълг');
    await page.getByRole('option', { name: /България \(BG\)/ }).click();
    await page.getByTestId('setup-time-zone').fill('Europe/Sofia');
    await page.getByRole('option', { name: 'Europe/Sofia' }).click();
    await page.getByTestId('setup-currency').fill('EUR');
    await page.getByRole('option', { name: /^EUR/ }).click();
    await page.getByTestId('setup-owner-name').fill('Мила Иванова');
    await page.getByTestId('setup-owner-email').fill('mila@sofia-repairs.example');
    await page.getByTestId('setup-password').fill('short');
    await page.getByTestId('setup-password2').fill('short');
    await page.getByTestId('setup-location-name').fill('Център');
    await page.getByTestId('setup-policy-itema').check();
    await page.getByTestId('setup-submit').click();
    // Refused on the fields, in Bulgarian: the slug (a Cyrillic name gives none) and the password.
    await page.getByText('Паролата трябва да е поне 10 знака.').waitFor();
    await page.getByText('Използвайте малки латински букви, цифри и тирета (поне 2), напр. sofia-repairs.').waitFor();
    await page.getByTestId('setup-refused').waitFor();
    expect(await t.db.selectFrom('organizations').select('id').execute()).toEqual([]);

    await page.getByTestId('setup-slug').fill('sofia-repairs');
    await page.getByTestId('setup-password').fill('correct horse battery');
    await page.getByTestId('setup-password2').fill('correct horse battery');
    await page.getByTestId('setup-submit').click();
    // Signed in: the console's shell with the business's name and the owner's.
    await page.getByRole('button', { name: 'Изход' }).waitFor();
    const org = await t.db.selectFrom('organizations').select(['name', 'slug', 'country', 'time_zone', 'currency', 'languages', 'pack_id']).executeTakeFirstOrThrow();
    expect(org).toEqual({ name: 'Сервиз София', slug: 'sofia-repairs', country: 'BG', time_zone: 'Europe/Sofia', currency: 'EUR', languages: ['bg'], pack_id: 'itema' });
    await ctx.close();

    // Another browser now gets the sign-in, not the set-up.
    const other = await newContext(browser, base, { locale: 'vi-VN', phone: true });
    const p2 = await other.newPage();
    await p2.goto('/?lang=vi');
    await p2.getByRole('button', { name: 'Đăng nhập' }).waitFor();
    expect(await p2.getByTestId('first-run').count()).toBe(0);
    await other.close();
  }, 120_000);
});
