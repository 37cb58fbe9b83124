// Buying a warranty plan online, in a real browser (Chromium at phone width, 390 px), with the
// official `stripe` SDK talking to the local Stripe stand-in (issue 14; ITS-3, ITS-10, ITEMA-29).
// The client opens their account in Vietnamese or Bulgarian, sees the plans their device can get
// now, chooses one and pays on the stand-in's hosted Checkout page, which sends the browser back
// before Stripe's webhook arrives: the page says the payment is pending and the coverage end has not
// moved. The test then delivers `checkout.session.completed`, signed with the SDK's test-header
// helper, and the page (without a reload) shows the plan paid and the coverage end moved, citing
// the rule. The app's clock is pinned (DEMO_NOW). AFTERCARE_SCREENSHOTS=<dir> keeps the screens.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NOW, setupApp, type TestContext } from './db.ts';
import { accessible, cspViolations, fits, hasChromium, launch, newContext, shot } from './browser.ts';
import { startStripeStandIn, type StandIn } from './stripe-stand-in.ts';
import { newToken, sha256 } from '../src/core/tokens.ts';

const SECRET = 'whsec_plan_online';
const CLINIC = 'office@riverside-dental.example.com';
if (!hasChromium()) console.warn('plan-online.web.test.ts: /usr/bin/chromium not found — browser journeys skipped');

describe.skipIf(!hasChromium())('buying a warranty plan online in the portal (ITS-3, ITEMA-29)', { timeout: 240_000 }, () => {
  let t: TestContext;
  let s: StandIn;
  let base: string;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;

  beforeAll(async () => {
    execFileSync(process.execPath, [path.resolve('web/build.mjs'), '--quiet'], { stdio: 'inherit' });
    s = await startStripeStandIn({ secret: SECRET, clock: () => Math.floor(DEMO_NOW.getTime() / 1000) });
    t = await setupApp({ config: { stripe: { secretKey: 'sk_test_plan_online', webhookSecret: SECRET, apiUrl: s.url } }, now: () => new Date(DEMO_NOW.getTime()) });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    // No webhook from the hosted page: the test delivers it itself, after the client is back.
    s.webhookUrl = undefined;
    ({ browser, close: closeBrowser } = await launch());
  }, 240_000);
  afterAll(async () => {
    await closeBrowser?.();
    await t?.close();
    await s?.close();
  });
  afterEach(() => {
    expect(cspViolations.splice(0), 'CSP violations').toEqual([]);
  });

  async function client(email: string, orgId: string, locale: string) {
    const token = newToken();
    await t.db.insertInto('client_sessions').values({ token_hash: sha256(token), organization_id: orgId, email, expires_at: new Date('2199-01-01T00:00:00Z') }).execute();
    const ctx = await newContext(browser, base, { phone: true, locale });
    await ctx.addCookies([{ name: 'aftercare_client', value: token, url: base }]);
    return ctx.newPage();
  }
  /** The stand-in's hosted Checkout page: press Pay; it completes the session and sends the browser back (no webhook yet). */
  async function payOnStripe(page: Page, amount: RegExp) {
    await page.waitForURL(/\/pay\/cs_test_/);
    await page.getByRole('heading', { name: amount }).waitFor();
    const id = /\/pay\/(cs_test_[0-9a-f]+)/.exec(page.url())![1];
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForURL((u) => u.origin === base);
    return id;
  }
  /** Stripe's `checkout.session.completed` for the session, signed with the SDK's test-header helper, delivered to the app. */
  async function deliverCompleted(sessionId: string) {
    const { _charge: _c, payment_intent_data: _p, line_items: _l, ...session } = s.sessions.get(sessionId)!;
    const payload = JSON.stringify(s.event('checkout.session.completed', session));
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/stripe/webhook', headers: { 'content-type': 'application/json', 'stripe-signature': s.sign(payload) }, payload });
    expect(r.statusCode, r.body).toBe(200);
  }
  const deviceId = async (org: string, serial: string) => (await t.db.selectFrom('devices').select('id').where('organization_id', '=', t.orgs[org]).where('serial', '=', serial).executeTakeFirstOrThrow()).id;

  it('an iTS client in Vietnamese buys 12 more months for an installation; pending until the webhook, then the coverage end moves, citing ITS-3', async () => {
    const id = await deviceId('its', 'DEMO-ITS-INSTALL');
    const page = await client(CLINIC, t.orgs.its, 'vi-VN');
    await page.goto('/account/its?lang=vi');
    const card = page.getByTestId('client-device').filter({ has: page.getByText('DEMO-ITS-INSTALL') });
    const plans = card.getByTestId('client-plans');
    await plans.waitFor();
    // Installed 40 days ago: 90 days (ITS-2) end on 2027-01-10; both plans are sold while covered.
    const end = plans.getByTestId('client-plans-end');
    expect(await end.getAttribute('data-end')).toBe('2027-01-10');
    expect(await end.innerText()).toBe('Bảo hành đến 10/01/2027 (ITS-2).');
    expect(await plans.locator('[data-plan]').evaluateAll((xs) => xs.map((x) => [x.getAttribute('data-plan'), x.getAttribute('data-window')]))).toEqual([
      ['plus-6-months', 'during-coverage'],
      ['plus-12-months', 'during-coverage'],
    ]);
    const twelve = plans.locator('[data-plan="plus-12-months"]');
    await twelve.getByText('Bảo hành mở rộng, 12 tháng').waitFor();
    await twelve.getByText('Trong thời hạn bảo hành: cộng thêm vào ngày hết hạn hiện tại (ITS-3)').waitFor();
    expect(await twelve.getByTestId('plan-buy').innerText()).toMatch(/^Mua với giá 89,00\sUS\$$/);
    await fits(page);
    await accessible(page);
    await shot(page, 'plan-online-offers-vi-390.png');

    await twelve.getByTestId('plan-buy').click();
    const session = await payOnStripe(page, /Pay 89\.00 USD/);
    // The Checkout Session asked for exactly the plan's price, for this sale.
    const asked = s.requests.filter((r) => r.path === '/v1/checkout/sessions').at(-1)!;
    expect(asked.form).toMatchObject({ 'line_items[0][price_data][unit_amount]': '8900', 'line_items[0][price_data][currency]': 'usd', 'metadata[aftercare_kind]': 'plan-sale' });
    expect(new URL(page.url()).searchParams.get('device')).toBe(id);

    // Back before the webhook: pending, and the coverage end has not moved.
    const back = page.getByTestId('client-device').filter({ has: page.getByText('DEMO-ITS-INSTALL') });
    const note = back.getByTestId('plan-payment');
    await note.and(page.locator('[data-state="pending"]')).waitFor();
    expect(await note.innerText()).toContain('Chúng tôi đang chờ xác nhận khoản thanh toán cho gói “Bảo hành mở rộng, 12 tháng”');
    expect(await back.getByTestId('client-plans-end').getAttribute('data-end')).toBe('2027-01-10');
    expect(await back.getByTestId('client-plan-sales').locator('li[data-plan="plus-12-months"]').getAttribute('data-state')).toBe('pending');
    await back.getByTestId('client-plan-sales').getByText(/chờ thanh toán/).waitFor();
    expect(await t.db.selectFrom('device_events').select('id').where('device_id', '=', id).where('type', '=', 'extension-purchased').execute()).toEqual([]);
    await fits(page);
    await accessible(page);
    await shot(page, 'plan-online-pending-vi-390.png');

    // Stripe's signed webhook arrives; the page, reading again by itself, shows the plan paid and the end moved.
    await deliverCompleted(session);
    await note.and(page.locator('[data-state="paid"]')).waitFor({ timeout: 15_000 });
    expect(await note.innerText()).toContain('Bảo hành của Quý khách nay có hiệu lực đến 10/01/2028 (ITS-3).');
    expect(await back.getByTestId('client-plans-end').innerText()).toBe('Bảo hành đến 10/01/2028 (ITS-3).');
    // The device's warranty above is read again: its end moved; the sale cites its rule.
    await back.getByTestId('client-warranty').getByText(/10\/01\/2028/).waitFor();
    await back.getByTestId('client-reasons').getByText(/10\/01\/2028/).waitFor();
    expect(await back.getByTestId('client-plan-sales').locator('li[data-plan="plus-12-months"]').innerText()).toMatch(/^Bảo hành mở rộng, 12 tháng · 89,00\sUS\$ · đã thanh toán · 21\/11\/2026 \(ITS-3\)$/);
    await fits(page);
    await accessible(page);
    await shot(page, 'plan-online-paid-vi-390.png');
    const sales = await t.db.selectFrom('plan_sales').selectAll().where('device_id', '=', id).execute();
    expect(sales).toMatchObject([{ plan_id: 'plus-12-months', state: 'paid', channel: 'portal', payment_method: 'stripe', price_minor: 8900 }]);
    // Delivered again (Stripe retries): nothing more.
    await deliverCompleted(session);
    expect(await t.db.selectFrom('device_events').select('id').where('device_id', '=', id).where('type', '=', 'extension-purchased').execute()).toHaveLength(1);
  });

  it('ITEMA-29: an ITEMA-PG client in Bulgarian buys the extended warranty sold with a laptop, on the day of sale', async () => {
    const cookie = t.cookies['itema-pg']['front-desk'];
    const post = async (url: string, payload: object) => {
      const r = await t.app.inject({ method: 'POST', url, headers: { cookie }, payload });
      expect(r.statusCode, r.body).toBeLessThan(300);
      return r.json();
    };
    const ivan = await t.db.selectFrom('customers').select('id').where('organization_id', '=', t.orgs['itema-pg']).where('email', '=', 'ivan.petrov@example.bg').executeTakeFirstOrThrow();
    // Sold today (2026-11-21 in Sofia): the plan is sold "with the product only" (at sale).
    const laptop = await post('/api/v1/devices', { serial: 'ITEMA-TODAY-1', manufacturer: 'Dell', model: 'Latitude 5440', category: 'laptop', condition: 'refurbished', term: '12 months', customerId: ivan.id });
    await post('/api/v1/purchases', { deviceId: laptop.id, customerId: ivan.id, documentType: 'invoice', documentNumber: '0000019001', soldOn: '2026-11-21', place: 'ITEMA-PG Sofia', priceMinor: 52900, currency: 'EUR' });
    const page = await client('ivan.petrov@example.bg', t.orgs['itema-pg'], 'bg-BG');
    await page.goto('/account/itema-pg?lang=bg');
    const card = page.getByTestId('client-device').filter({ has: page.getByText('ITEMA-TODAY-1') });
    const plans = card.getByTestId('client-plans');
    await plans.waitFor();
    const end = plans.getByTestId('client-plans-end');
    // Refurbished, 12 months from the sale (ITEMA-5, ITEMA-6).
    expect(await end.innerText()).toBe('Гаранцията е валидна до 21.11.2027 (ITEMA-6).');
    const offer = plans.locator('[data-plan="extended-12-months"]');
    expect(await offer.getAttribute('data-window')).toBe('at-sale');
    await offer.getByText('Удължена гаранция, 12 месеца').waitFor();
    await offer.getByText('С продукта: добавя се към гаранцията (ITEMA-29)').waitFor();
    expect(await offer.getByTestId('plan-buy').innerText()).toMatch(/^Купете за 39,00\s€$/);
    // The laptop sold months ago is offered nothing (not at sale any more).
    expect(await page.getByTestId('client-device').filter({ has: page.getByText('DEMO-ITEMA-LAPTOP') }).getByTestId('plan-buy').count()).toBe(0);
    await fits(page);
    await accessible(page);
    await shot(page, 'plan-online-offers-bg-390.png');
    await offer.getByTestId('plan-buy').click();
    const session = await payOnStripe(page, /Pay 39\.00 EUR/);
    const back = page.getByTestId('client-device').filter({ has: page.getByText('ITEMA-TODAY-1') });
    const note = back.getByTestId('plan-payment');
    await note.and(page.locator('[data-state="pending"]')).waitFor();
    expect(await note.innerText()).toContain('Очакваме потвърждение на плащането Ви за „Удължена гаранция, 12 месеца“');
    await shot(page, 'plan-online-pending-bg-390.png');
    await deliverCompleted(session);
    await note.and(page.locator('[data-state="paid"]')).waitFor({ timeout: 15_000 });
    expect(await note.innerText()).toContain('Гаранцията Ви вече е валидна до 21.11.2028 (ITEMA-29).');
    expect(await back.getByTestId('client-plans-end').innerText()).toBe('Гаранцията е валидна до 21.11.2028 (ITEMA-29).');
    await back.getByTestId('client-warranty').getByText(/21\.11\.2028/).waitFor();
    expect(await t.db.selectFrom('plan_sales').select(['plan_id', 'state', 'buy_window', 'price_minor', 'currency']).where('device_id', '=', laptop.id).execute()).toEqual([
      { plan_id: 'extended-12-months', state: 'paid', buy_window: 'at-sale', price_minor: 3900, currency: 'EUR' },
    ]);
    await fits(page);
    await accessible(page);
    await shot(page, 'plan-online-paid-bg-390.png');
  });
});
