// Issue 16, the workshop at the counter, in a real browser (Debian's Chromium) on a phone-width screen
// (390 px) in Bulgarian: the front desk fills the workshop card (priority, promised date, passcode,
// pre-check), the technician reads the passcode on request and is offered no quote or payment, the
// front desk messages the client and the messages card shows it without reloading, the labels print.
// The passcode appears nowhere but on the technician's request (not on the client's page).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NOW, setupApp, type TestContext } from './db.ts';
import { accessible, cspViolations, fits, hasChromium, launch, newContext, see, shot, signedIn } from './browser.ts';
import { DeliveryWorker } from '../src/modules/notifications/delivery-worker.ts';
import QRCode from 'qrcode';

if (!hasChromium()) console.warn('workshop.web.test.ts: /usr/bin/chromium not found — browser journeys skipped');

describe.skipIf(!hasChromium())('the workshop in Chromium (issue 16)', { timeout: 120_000 }, () => {
  let t: TestContext;
  let base: string;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  const PASSCODE = '4711-ПИН';

  beforeAll(async () => {
    execFileSync(process.execPath, [path.resolve('web/build.mjs'), '--quiet'], { stdio: 'inherit' });
    t = await setupApp({ now: () => DEMO_NOW });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    ({ browser, close: closeBrowser } = await launch());
  }, 180_000);
  afterAll(async () => {
    await closeBrowser?.();
    await t?.close();
  });
  afterEach(() => {
    expect(cspViolations.splice(0), 'CSP violations').toEqual([]);
  });

  const staff = (role: 'front-desk' | 'technician') => signedIn(browser, base, t.cookies['service-center'][role], { phone: true, locale: 'bg-BG' });
  const api = async (method: string, url: string, payload?: object) => {
    const r = await t.app.inject({ method: method as 'POST', url, headers: { cookie: t.cookies['service-center']['front-desk'] }, payload });
    expect(r.statusCode, r.body).toBeLessThan(300);
    return r.json();
  };

  it('the front desk fills the workshop card; the technician reads the passcode on request and is offered no quote or payment; the client never sees it', async () => {
    const { order, orderPage } = await api('POST', '/api/v1/claims', {
      channel: 'walk-in',
      customer: { name: 'Мария Иванова', email: 'maria.ws@example.bg', phone: '+359888123999', preferredLanguage: 'bg' },
      device: { serial: 'WS-WEB-1', manufacturer: 'Samsung', model: 'Galaxy S21', category: 'phone' },
      problem: 'Счупен екран',
      workOrder: { termsAccepted: true, accessories: ['калъф'], complete: true, visibleCondition: 'счупено стъкло', dataBackedUp: true, passwordsRemoved: false, problemInClientsWords: 'Счупен екран', signedBy: 'Мария Иванова' },
    });
    const page = await staff('front-desk');
    await page.goto(`/orders/${order.id}?lang=bg`);
    const card = page.getByTestId('workshop');
    await see(card, 'Проверка при приемане');
    await card.getByLabel('Приоритет', { exact: true }).click();
    await page.getByRole('option', { name: 'Спешен' }).click();
    await card.getByLabel('Обещан срок на клиента').fill('2026-11-25');
    await card.getByLabel('Парола или ПИН на устройството').fill(PASSCODE);
    await card.getByRole('radiogroup', { name: 'Екран', exact: true }).getByText('Дефект').click();
    await card.getByTestId('ws-save').click();
    await see(card.getByTestId('passcode'), 'Има записана парола.');
    expect(await page.locator('body').textContent()).not.toContain(PASSCODE);
    // The front desk entered it and does not read it back.
    expect(await card.getByTestId('show-passcode').count()).toBe(0);
    await accessible(page);
    // The order's pre-check list fits a 390 px screen in Bulgarian too.
    await fits(page);
    await shot(page, 'workshop-precheck-bg-390', { part: card.getByTestId('precheck') });

    // Diagnosis done: the technician sees the passcode on request, no quote button, no payment form.
    let v = (await api('GET', `/api/v1/service-orders/${order.id}`)).version;
    for (const body of [{ action: 'start-diagnosis' }, { action: 'diagnose', findings: [] }]) v = (await api('POST', `/api/v1/service-orders/${order.id}/actions`, { ...body, version: v })).version;
    const tech = await staff('technician');
    await tech.goto(`/orders/${order.id}?lang=bg`);
    const techCard = tech.getByTestId('workshop');
    await see(techCard, 'Има записана парола.');
    await techCard.getByRole('button', { name: 'Покажи паролата' }).click();
    await see(techCard.getByTestId('passcode-shown'), `Парола: ${PASSCODE}`);
    await see(techCard.getByTestId('precheck'), 'Екран');
    expect(await tech.locator('[data-action="quote"]').count()).toBe(0);
    expect(await tech.getByRole('form', { name: 'Приеми плащане' }).count()).toBe(0);
    await see(tech.locator('[data-action="diagnose"]'), /.+/);
    await accessible(tech);

    // The client's page: neither the passcode nor the internal card.
    const ctx = await newContext(browser, base, { phone: true, locale: 'bg-BG' });
    const client = await ctx.newPage();
    await client.goto(`/order/${orderPage.token}?lang=bg`);
    await client.getByTestId('client-order').waitFor();
    const said = (await client.locator('body').textContent())!;
    expect(said).not.toContain(PASSCODE);
    expect(said).not.toContain('Проверка при приемане');
    await ctx.close();
  });

  it('the intake wizard sends the claim and its workshop card in one request (Bulgarian, 390 px); the card shows them', async () => {
    const page = await staff('front-desk');
    const writes: string[] = [];
    page.on('request', (r) => {
      if (r.method() !== 'GET' && r.url().includes('/api/v1/')) writes.push(`${r.method()} ${new URL(r.url()).pathname}`);
    });
    await page.goto('/intake?lang=bg');
    await page.locator('[name=customer-name]').fill('Елена Стоянова');
    await page.locator('[name=customer-phone]').fill('+359888123997');
    await page.locator('[name=customer-email]').fill('elena.ws@example.bg');
    await page.getByTestId('next').click();
    await page.locator('[name=serial]').fill('WS-WEB-3');
    await page.getByLabel('Производител').fill('Lenovo');
    await page.getByLabel('Модел').fill('T14');
    await page.getByLabel('Категория').fill('laptop');
    await page.getByTestId('next').click();
    await page.locator('[name=problem]').fill('Не зарежда');
    await page.getByTestId('next').click();
    await page.getByLabel('Видимо състояние').fill('без забележки');
    await page.getByLabel('Комплектно').check();
    await page.getByLabel('Клиентът е архивирал данните').check();
    await page.getByLabel('Паролите са премахнати').check();
    await page.getByLabel('Клиентът приема условията').check();
    await page.getByLabel(/Подписал/).fill('Елена Стоянова');
    const ws = page.getByTestId('intake-workshop');
    await ws.getByLabel('Приоритет', { exact: true }).click();
    await page.getByRole('option', { name: 'Висок' }).click();
    await ws.getByLabel('Обещан срок на клиента').fill('2026-11-26');
    await ws.getByLabel('Парола или ПИН на устройството').fill(PASSCODE);
    // The laptop's pre-check list, by the category typed on the device step.
    await ws.getByRole('radiogroup', { name: 'Зареждане', exact: true }).getByText('Дефект').click();
    // The pre-check's buttons stack under each item's name: no horizontal overflow at 390 px in Bulgarian ("Непроверено").
    await see(page.getByTestId('intake-precheck'), 'Непроверено');
    await fits(page);
    await shot(page, 'intake-precheck-bg-390', { part: page.getByTestId('intake-precheck') });
    await ws.getByLabel('Бележка').fill('Букса на зарядното хлабава.');
    // Two photos from the camera input (a phone opens the back camera: capture="environment").
    const input = page.getByTestId('intake-photo-input');
    expect(await input.getAttribute('capture')).toBe('environment');
    expect(await input.getAttribute('accept')).toBe('image/*');
    await input.setInputFiles([
      { name: 'IMG_0001.png', mimeType: 'image/png', buffer: await QRCode.toBuffer('лява страна', { width: 400 }) },
      { name: 'IMG_0002.png', mimeType: 'image/png', buffer: await QRCode.toBuffer('дясна страна', { width: 400 }) },
    ]);
    await see(page.getByTestId('intake-photos'), 'Избрани са 2 снимки');
    await accessible(page);
    await page.getByTestId('next').click();
    await page.getByTestId('sign').click();
    await page.getByTestId('order-number').waitFor();
    // One write for the claim with its card (no second PATCH of the workshop), then the photos.
    const card = page.getByTestId('workshop');
    await expect.poll(() => card.getByTestId('photo-thumb').count()).toBe(2);
    expect(writes.filter((w) => !w.endsWith('/photos'))).toEqual(['POST /api/v1/claims']);
    expect(writes.filter((w) => w.endsWith('/photos'))).toHaveLength(2);
    // The thumbnails are the photos themselves, shown small, each named for screen readers.
    const thumb = card.getByTestId('photo-thumb').first().locator('img');
    expect(await thumb.getAttribute('alt')).toBe('Снимка 1: IMG_0001.png');
    expect(await thumb.evaluate((i) => (i as unknown as { complete: boolean; naturalWidth: number }).complete && (i as unknown as { naturalWidth: number }).naturalWidth > 0)).toBe(true);
    // Another one later, from the card itself.
    await card.locator('input[type=file]').setInputFiles([{ name: 'IMG_0003.png', mimeType: 'image/png', buffer: await QRCode.toBuffer('отзад', { width: 400 }) }]);
    await expect.poll(() => card.getByTestId('photo-thumb').count()).toBe(3);
    await see(card, 'Има записана парола.');
    await see(card.getByTestId('notes'), 'Букса на зарядното хлабава.');
    expect(await card.getByLabel('Обещан срок на клиента').inputValue()).toBe('2026-11-26');
    expect(await card.getByRole('radiogroup', { name: 'Зареждане', exact: true }).locator('input:checked').getAttribute('value')).toBe('fault');
    expect(await page.locator('body').textContent()).not.toContain(PASSCODE);
  });

  it('a message to the client shows in the messages card without reloading; the labels print as PDFs', async () => {
    const { order } = await api('POST', '/api/v1/claims', {
      channel: 'walk-in',
      customer: { name: 'Петър Петров', email: 'petar.ws@example.bg', phone: '+359888123998', preferredLanguage: 'bg' },
      device: { serial: 'WS-WEB-2', manufacturer: 'Lenovo', model: 'T14', category: 'laptop' },
      problem: 'Не се включва',
      workOrder: { termsAccepted: true, accessories: ['зарядно'], complete: true, visibleCondition: 'без забележки', dataBackedUp: true, passwordsRemoved: true, problemInClientsWords: 'Не се включва', signedBy: 'Петър Петров' },
    });
    const page = await staff('front-desk');
    await page.goto(`/orders/${order.id}?lang=bg`);
    const box = page.getByTestId('message-client');
    await see(box, 'Изпраща се чрез Имейл');
    await box.getByLabel('Съобщение до клиента').fill('Частта пристига утре, ще Ви се обадим.');
    await box.getByTestId('send-message').click();
    await see(box, 'Изпратено до клиента.');
    // The delivery worker sends it (here: kept, no SMTP); the card follows without a reload.
    await new DeliveryWorker(t.db, t.config).runOnce();
    await see(page.getByTestId('message-client').locator('..'), `съобщение за ${order.number}`);

    const labels = page.getByTestId('labels');
    await see(labels, 'Етикет на устройството (62 мм)');
    for (const id of ['label-62mm', 'label-4x6', 'ticket-80mm']) {
      const href = (await labels.getByTestId(id).getAttribute('href'))!;
      expect(href).toContain(`/api/v1/service-orders/${order.id}/documents/`);
      const pdf = await page.request.get(base + href);
      expect(pdf.headers()['content-type']).toBe('application/pdf');
    }
    await accessible(page);
  });
});
