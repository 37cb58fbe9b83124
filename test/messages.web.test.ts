// Issue 16 in a real browser (Debian's Chromium), on a phone-width screen (390 px): the manager edits
// the business's own Bulgarian message with a live preview, a bad placeholder is refused in Bulgarian
// naming the field, the saved text is what the client receives; the client decides on the quote on
// the order page with a confirmation and is told what happens next; the client who finds the order
// by number and phone downloads the documents.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NOW, setupApp, type TestContext } from './db.ts';
import { accessible, cspViolations, fits, hasChromium, launch, see, shot, signedIn } from './browser.ts';
import { startSmtp, type Mailbox } from './smtp.ts';
import { DeliveryWorker } from '../src/modules/notifications/delivery-worker.ts';

if (!hasChromium()) console.warn('messages.web.test.ts: /usr/bin/chromium not found — browser journeys skipped');

// AFTERCARE_SCREENSHOTS=<dir> keeps the screens there to look at.

describe.skipIf(!hasChromium())('messages, the quote decision and the documents in Chromium (issue 16)', { timeout: 180_000 }, () => {
  let t: TestContext;
  let base: string;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let box: Mailbox;

  beforeAll(async () => {
    execFileSync(process.execPath, [path.resolve('web/build.mjs'), '--quiet'], { stdio: 'inherit' });
    t = await setupApp({ now: () => DEMO_NOW });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    box = await startSmtp();
    ({ browser, close: closeBrowser } = await launch());
  }, 180_000);
  afterAll(async () => {
    await closeBrowser?.();
    await box?.close();
    await t?.close();
  });
  afterEach(() => {
    expect(cspViolations.splice(0), 'CSP violations').toEqual([]);
  });

  const staff = (role: 'owner' | 'manager' | 'front-desk', locale = 'bg-BG') => signedIn(browser, base, t.cookies['service-center'][role], { phone: true, locale });
  const api = async (method: string, url: string, payload?: object) => {
    const r = await t.app.inject({ method: method as 'POST', url, headers: { cookie: t.cookies['service-center'].owner }, payload });
    expect(r.statusCode, r.body).toBeLessThan(300);
    return r.json();
  };
  async function claim(serial: string, contact: { email?: string; phone?: string; contactChannel?: 'email' | 'sms' }) {
    return api('POST', '/api/v1/claims', {
      channel: 'walk-in',
      customer: { name: 'Мария Иванова', email: contact.email, phone: contact.phone, preferredLanguage: 'bg', ...(contact.contactChannel ? { preferredChannel: contact.contactChannel } : {}) },
      device: { serial, manufacturer: 'Samsung', model: 'Galaxy S21', category: 'phone' },
      problem: 'Счупен екран',
      workOrder: { termsAccepted: true, accessories: [], complete: true, visibleCondition: 'счупено стъкло', dataBackedUp: true, passwordsRemoved: false, problemInClientsWords: 'Счупен екран', signedBy: 'Мария Иванова' },
    });
  }
  async function act(id: string, steps: object[]) {
    let v = (await api('GET', `/api/v1/service-orders/${id}`)).version;
    for (const s of steps) v = (await api('POST', `/api/v1/service-orders/${id}/actions`, { ...s, version: v })).version;
    return v;
  }

  it("the manager edits the Bulgarian 'ready for pickup' message with a live preview; a bad placeholder is refused in Bulgarian; the client receives the saved text", async () => {
    const page = await staff('manager');
    await page.goto('/messages?lang=bg');
    await page.getByRole('heading', { name: 'Съобщения до клиентите' }).waitFor();
    await page.getByRole('radio', { name: 'Български' }).check({ force: true });
    const item = page.locator('[data-topic="order.ready"]');
    await item.getByRole('button', { name: /Готово за получаване/ }).click();
    await see(item, 'Изпраща се стандартният текст.');
    const subject = item.getByTestId('tpl-subject');
    await subject.fill('{business}: {clientName} — готово');
    // The live check names the field in Bulgarian, and saving is refused.
    await see(item, '„clientName“ не е поле на това съобщение');
    await item.getByTestId('tpl-save').click();
    await see(item.getByTestId('error'), 'Тема на имейла');
    expect(await t.db.selectFrom('message_templates').selectAll().where('topic', '=', 'order.ready').execute()).toEqual([]);
    await shot(page, 'messages-error-bg', { part: item });
    // A placeholder inserted with its button; the preview shows the text as sent, with a sample order.
    await subject.fill('{business}: поръчка ');
    await subject.press('End');
    await item.getByTestId('ph-number').click();
    await expect.poll(() => subject.inputValue()).toBe('{business}: поръчка {number}');
    const body = item.getByTestId('tpl-body');
    await body.fill('{greeting}\n\nУстройството Ви е готово. Очакваме Ви в сервиза до 18:00 ч.\nЗа плащане: {amount}.\n\n{link}');
    await see(item.getByTestId('preview-subject'), 'City Service Center: поръчка SO-2027-000123');
    await see(item.getByTestId('preview-body'), 'Здравейте, Мария Иванова');
    await see(item.getByTestId('preview-body'), 'Очакваме Ви в сервиза до 18:00 ч.');
    await accessible(page);
    await shot(page, 'messages-edit-bg', { part: item });
    await item.getByTestId('tpl-save').click();
    await see(item.getByTestId('tpl-saved'), 'Записано.');
    await see(item, 'Ваш текст');

    // The client's order becomes ready: the e-mail in the mailbox is the business's text.
    const { order } = await claim('MSG-WEB-1', { email: 'maria.msg@example.bg' });
    await act(order.id, [{ action: 'start-diagnosis' }, { action: 'diagnose', findings: [] }, { action: 'quote', amountMinor: 5000, duration: 'P2D', advice: 'смяна на дисплея', worthRepairing: true }, { action: 'accept', via: 'phone' }, { action: 'start-repair' }, { action: 'start-testing' }, { action: 'test-passed', report: 'ок' }]);
    const w = new DeliveryWorker(t.db, { ...t.config, smtp: box.config, mailFrom: 'service@aftercare.test' });
    await w.runOnce();
    await w.stop();
    const ready = await t.db.selectFrom('notifications').selectAll().where('order_id', '=', order.id).where('topic', '=', 'order.ready').executeTakeFirstOrThrow();
    const mail = box.messages.get(`<${ready.message_key}>`)!;
    expect(mail.subject).toMatch(/^.+: поръчка SO-\d{4}-\d{6}$/);
    expect(mail.text).toContain('Очакваме Ви в сервиза до 18:00 ч.');
  });

  it('the message editor in Vietnamese on a phone: every word in Vietnamese, the live check names the field, nothing overflows 390 px', async () => {
    const page = await staff('manager', 'vi-VN');
    await page.goto('/messages?lang=vi');
    await page.getByRole('heading', { name: 'Tin nhắn gửi khách hàng' }).waitFor();
    await page.getByRole('radio', { name: 'Tiếng Việt' }).check({ force: true });
    // Every topic by its Vietnamese name, none by its id (support.reopened was).
    const topics = await page.locator('[data-topic]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-topic'), e.querySelector('button')?.textContent ?? '']));
    expect(topics.length).toBeGreaterThan(30);
    expect(topics.filter(([topic, label]) => label.includes(topic!))).toEqual([]);
    const item = page.locator('[data-topic="order.ready"]');
    await item.getByRole('button', { name: /Sẵn sàng để nhận lại/ }).click();
    await see(item, 'Đang gửi nội dung chuẩn.');
    await see(item, 'Trường điền sẵn');
    await item.getByTestId('tpl-subject').fill('{business}: {clientName}');
    await see(item, '“clientName” không phải là trường của tin nhắn này');
    await item.getByTestId('tpl-save').click();
    await see(item.getByTestId('error'), 'Tiêu đề e-mail');
    expect(await t.db.selectFrom('message_templates').selectAll().where('topic', '=', 'order.ready').where('language', '=', 'vi').execute()).toEqual([]);
    await fits(page);
    await accessible(page);
    await shot(page, 'messages-error-vi-390');
  });
});
