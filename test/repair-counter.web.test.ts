// Issue 16, "the repair counter as a shop uses it every hour": in a real browser (Debian's Chromium),
// against the real server on a fresh database. Each journey asserts what the user sees: the link a
// client receives opens the order page in the client's language; the situation in plain words;
// errors in the user's language naming the field as the form labels it; the printed work order is the
// document alone; the lookup takes the number and phone as people type them; and every page has no
// serious or critical accessibility violation (axe-core).
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { type TestContext } from './db.ts';
import { accessible, hasChromium, newContext, see, shot, signedIn, useBrowserApp } from './browser.ts';
import { compose } from '../src/modules/notifications/notifications.compose.ts';

// AFTERCARE_SCREENSHOTS=<dir> writes the README's screenshots there.
if (!hasChromium()) console.warn('repair-counter.web.test.ts: /usr/bin/chromium not found — browser journeys skipped');

describe.skipIf(!hasChromium())('the repair counter in Chromium (issue 16)', { timeout: 120_000 }, () => {
  let t: TestContext;
  let base: string;
  let browser: Browser;
  useBrowserApp(undefined, (s) => ({ t, base, browser } = s));

  const staff = (slug: string, role = 'front-desk') => signedIn(browser, base, t.cookies[slug][role as 'front-desk']);
  const api = async (method: string, url: string, org: string, payload?: object) => {
    const r = await t.app.inject({ method: method as 'POST', url, headers: { cookie: t.cookies[org]['front-desk'] }, payload });
    expect(r.statusCode, r.body).toBeLessThan(300);
    return r.json();
  };
  const workOrder = { termsAccepted: true, accessories: ['зарядно'], complete: true, visibleCondition: 'без забележки', dataBackedUp: true, passwordsRemoved: true, problemInClientsWords: 'Не зарежда', signedBy: 'Мария Иванова' };
  let n = 0;
  /** A walk-in at the service center, for a Bulgarian client with a device never sold or repaired there. */
  async function walkIn(phone = '+359888123456') {
    n++;
    return (await api('POST', '/api/v1/claims', 'service-center', {
      channel: 'walk-in',
      customer: { name: `Мария Иванова ${n}`, email: `maria${n}@example.bg`, phone, preferredLanguage: 'bg' },
      device: { serial: `CNT-${n}`, manufacturer: 'Lenovo', model: 'T480', category: 'laptop' },
      problem: 'Не зарежда',
      workOrder,
    })) as { order: { id: string; number: string; version: number }; orderPage: { token: string } };
  }

  it('the link in the client’s e-mail opens the order page in the client’s language, not the API’s JSON', async () => {
    const { order } = await walkIn();
    const row = await t.db.selectFrom('outbox').selectAll().where('aggregate_id', '=', order.id).where('topic', '=', 'claim.received').executeTakeFirstOrThrow();
    const [mail] = await compose(t.db, { ...t.config, publicUrl: base }, row);
    expect(mail.link).toMatch(/\/order\/[\w-]+\?lang=bg$/);
    expect(mail.body).toContain(mail.link);
    const ctx = await newContext(browser, base, { phone: true, locale: 'en-GB' });
    const client = await ctx.newPage();
    await client.goto(mail.link!);
    await client.getByTestId('client-order').waitFor();
    await see(client.getByRole('heading', { level: 1 }), `Поръчка ${order.number}`);
    expect(await client.locator('html').getAttribute('lang')).toBe('bg');
    // The situation in plain Bulgarian words, never the engine's verdict.
    await see(client.getByTestId('client-situation'), 'Платен ремонт: за това устройство няма записана гаранция');
    expect(await client.locator('body').textContent()).not.toMatch(/not-covered|needs-inspection|SC-10/);
    await accessible(client);
    await ctx.close();
  });

  it('staff see the situation in plain words; the printed work order is the document alone', async () => {
    const { order } = await walkIn();
    const page = await staff('service-center');
    await page.goto(`/orders/${order.id}?lang=bg`);
    await see(page.getByTestId('situation'), 'Платен ремонт: за това устройство няма записана гаранция');
    expect(await page.getByTestId('decision').textContent()).not.toMatch(/not-covered|Provisional answer/);
    const print = page.getByTestId('print-work-order');
    expect(await print.getAttribute('href')).toBe(`/api/v1/service-orders/${order.id}/documents/work-order.pdf?lang=bg`);
    const pdf = await page.request.get(base + (await print.getAttribute('href'))!);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    await shot(page, 'order-page.png');
    await accessible(page);
  });

  /** Keeps one line of the quote form (it opens with a part and a labour line) and fills it. */
  async function oneQuoteLine(page: Page, lang: 'bg' | 'vi', description: string, unit: string) {
    const label = { bg: { remove: 'Премахни', description: 'Описание', unit: /Ед\. цена/ }, vi: { remove: 'Xóa', description: 'Nội dung', unit: /Đơn giá/ } }[lang];
    const lines = page.getByTestId('quote-line');
    await lines.nth(1).getByRole('button', { name: label.remove }).click();
    expect(await lines.count()).toBe(1);
    await lines.first().getByLabel(label.description).fill(description);
    await lines.first().getByLabel(label.unit).fill(unit);
  }

  it('an error says what is wrong in the console’s language, naming the field as the form labels it', async () => {
    const { order } = await walkIn();
    let v = order.version;
    for (const body of [{ action: 'start-diagnosis' }, { action: 'diagnose', findings: [] }]) v = (await api('POST', `/api/v1/service-orders/${order.id}/actions`, 'service-center', { ...body, version: v })).version;
    const page = await staff('service-center');
    await page.goto(`/orders/${order.id}?lang=bg`);
    await page.locator('[data-action="quote"]').click();
    const form = page.locator('form', { has: page.getByTestId('confirm-action') });
    await oneQuoteLine(page, 'bg', 'Подмяна на букса', 'сто');
    // The field says at once what it expects; the server's answer names it as the form labels it.
    await see(form.getByTestId('quote-line'), 'Въведете сума');
    await form.getByLabel(/Срок/).fill('3 дни');
    await form.getByLabel(/Съвет/).fill('Струва си.');
    await page.getByTestId('confirm-action').click();
    const error = form.getByTestId('error');
    await see(error, 'Ед. цена');
    const said = (await error.textContent())!;
    expect(said).toContain('трябва да се попълни');
    expect(said).not.toMatch(/body\.|unitMinor|lines\.0|Invalid input|expected number/);
    await accessible(page);
  });

  it('a VND amount typed the usual way ("1.500.000") is one million five hundred thousand dong', async () => {
    const device = await t.db.selectFrom('devices').select(['id', 'customer_id']).where('organization_id', '=', t.orgs.vn).where('customer_id', 'is not', null).executeTakeFirstOrThrow();
    const { order } = await api('POST', '/api/v1/claims', 'vn', { channel: 'walk-in', customerId: device.customer_id, deviceId: device.id, problem: 'Máy không lên nguồn', workOrder });
    let v = order.version;
    for (const body of [{ action: 'start-diagnosis' }, { action: 'diagnose', findings: [] }]) v = (await api('POST', `/api/v1/service-orders/${order.id}/actions`, 'vn', { ...body, version: v })).version;
    const page = await staff('vn');
    await page.goto(`/orders/${order.id}?lang=vi`);
    await page.locator('[data-action="quote"]').click();
    const form = page.locator('form', { has: page.getByTestId('confirm-action') });
    await oneQuoteLine(page, 'vi', 'Thay nguồn', '1.500.000');
    await see(form.getByTestId('quote-lines-total'), /1\.500\.000/);
    await form.getByLabel(/Thời gian/).fill('3 ngày');
    await form.getByLabel(/Tư vấn/).fill('Nên sửa.');
    await page.getByTestId('confirm-action').click();
    await page.getByTestId('confirm-action').waitFor({ state: 'detached' });
    const stored = await t.db.selectFrom('service_orders').select('quote').where('id', '=', order.id).executeTakeFirstOrThrow();
    const quote = stored.quote as { lines: { unitMinor: number; quantity: number }[] };
    expect(quote.lines.map((l) => [l.quantity, l.unitMinor])).toEqual([[1, 1_500_000]]);
    await see(page.getByTestId('quote-summary'), /1\.500\.000/);
  });

  it('the client finds the order by a lowercase number and the phone as typed at home ("0888 123 456")', async () => {
    const { order } = await walkIn('+359888123456');
    const ctx = await newContext(browser, base, { phone: true, locale: 'bg-BG' });
    const client = await ctx.newPage();
    await client.goto('/order?org=service-center&lang=bg');
    await accessible(client);
    await client.getByLabel('Номер на поръчката').fill(order.number.toLowerCase());
    await client.getByLabel('Вашият телефон или имейл').fill('0888 123 456');
    await client.getByRole('button', { name: 'Покажи поръчката' }).click();
    await see(client.getByRole('heading', { level: 1 }), order.number);
    await shot(client, 'phone-portal.png');
    await accessible(client);
    await ctx.close();
  });
});
