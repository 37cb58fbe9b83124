// Issue 16, "clear next steps for the client", in a real browser (Debian's Chromium) at phone width
// (390 px): accepting or refusing the quote on the order page asks for a confirmation that restates
// the amount and what the client agrees to, and afterwards the page says what happens next — from
// the order and the business's policy data (the promised or quoted date; the diagnosis fee the
// policy charges on refusal, SC-12; where and when to collect the device). The client who finds the
// order by number and phone gets the documents as downloads. The app's clock is pinned.
import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_NOW, type TestContext } from './db.ts';
import { accessible, fits, hasChromium, newContext, see, shot, useBrowserApp } from './browser.ts';

if (!hasChromium()) console.warn('decision.web.test.ts: /usr/bin/chromium not found — browser journeys skipped');

describe.skipIf(!hasChromium())('the quote decision and the documents on the client’s page in Chromium (issue 16)', { timeout: 180_000 }, () => {
  let t: TestContext;
  let base: string;
  let browser: Browser;
  useBrowserApp({ now: () => DEMO_NOW }, (s) => ({ t, base, browser } = s));

  const api = async (method: string, url: string, payload?: object) => {
    const r = await t.app.inject({ method: method as 'POST', url, headers: { cookie: t.cookies['service-center']['front-desk'] }, payload });
    expect(r.statusCode, r.body).toBeLessThan(300);
    return r.json();
  };
  let n = 0;
  /** A service-center walk-in quoted at £89.90 for 3 working days, its client's language `lang`. */
  async function quoted(lang: 'en' | 'bg' | 'vi') {
    n++;
    const phone = `+35988877${String(1000 + n)}`;
    const { order, orderPage } = await api('POST', '/api/v1/claims', {
      channel: 'walk-in',
      customer: { name: `Client ${n}`, email: `decide${n}@example.bg`, phone, preferredLanguage: lang },
      device: { serial: `DECIDE-${n}`, manufacturer: 'Samsung', model: 'Galaxy S21', category: 'phone' },
      problem: 'Broken screen',
      workOrder: { termsAccepted: true, accessories: [], complete: true, visibleCondition: 'cracked glass', dataBackedUp: true, passwordsRemoved: true, problemInClientsWords: 'Broken screen', signedBy: `Client ${n}` },
    });
    let v = order.version;
    for (const s of [{ action: 'start-diagnosis' }, { action: 'diagnose', findings: [] }, { action: 'quote', amountMinor: 8990, duration: '3 working days', advice: 'Replace the display', worthRepairing: true }]) {
      v = (await api('POST', `/api/v1/service-orders/${order.id}/actions`, { ...s, version: v })).version;
    }
    return { id: order.id as string, number: order.number as string, phone, token: orderPage.token as string };
  }
  async function client(lang: 'en' | 'bg' | 'vi') {
    const ctx = await newContext(browser, base, { phone: true, locale: { en: 'en-GB', bg: 'bg-BG', vi: 'vi-VN' }[lang] });
    const page = await ctx.newPage();
    await page.clock.setFixedTime(DEMO_NOW);
    return page;
  }
  const stateOf = async (id: string) => (await t.db.selectFrom('service_orders').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state;

  it('accepting asks first (the amount, the repair agreed, the date expected) and then says the repair starts and a message follows (bg, en, vi)', async () => {
    const texts = {
      bg: { accept: 'Приемам офертата', title: 'Приемате ли офертата?', agree: 'Съгласявате се с ремонта на Samsung Galaxy S21 за', amount: /89,90\s(GBP|£)/, by: 'Очакваме да е готово до 25.11.2026.', back: 'Назад', yes: 'Да, приемам', done: 'Приехте офертата', then: 'Започваме ремонта. Ще получите съобщение, когато устройството е готово.' },
      en: { accept: 'Accept the quote', title: 'Accept the quote?', agree: 'You agree to the repair of Samsung Galaxy S21 for', amount: /£89\.90/, by: 'Expected to be ready by 2026-11-25.', back: 'Back', yes: 'Yes, accept', done: 'You accepted the quote', then: 'We are starting the repair. You will get a message when the device is ready.' },
      vi: { accept: 'Đồng ý báo giá', title: 'Quý khách đồng ý với báo giá?', agree: 'Quý khách đồng ý sửa chữa Samsung Galaxy S21 với chi phí', amount: /89,90\s(GBP|£)/, by: 'Dự kiến hoàn thành trước ngày 25/11/2026.', back: 'Quay lại', yes: 'Có, tôi đồng ý', done: 'Quý khách đã đồng ý với báo giá', then: 'Chúng tôi đang bắt đầu sửa chữa. Quý khách sẽ nhận được tin nhắn khi thiết bị sửa xong.' },
    };
    for (const lang of ['bg', 'en', 'vi'] as const) {
      const x = texts[lang];
      const o = await quoted(lang);
      const page = await client(lang);
      await page.goto(`/order/${o.token}?lang=${lang}`);
      await page.getByRole('button', { name: x.accept }).click();
      const dialog = page.getByRole('dialog', { name: x.title });
      await see(dialog, x.agree);
      expect(await dialog.getByTestId('confirm-amount').textContent()).toMatch(x.amount);
      await see(dialog.getByTestId('expected-by'), x.by);
      await fits(page);
      await accessible(page);
      await shot(page, `decision-confirm-accept-${lang}-390`);
      // Going back decides nothing.
      expect(await dialog.getByTestId('confirm-back').textContent()).toBe(x.back);
      await dialog.getByTestId('confirm-back').click();
      await dialog.waitFor({ state: 'detached' });
      expect(await stateOf(o.id)).toBe('awaiting-decision');
      await page.getByRole('button', { name: x.accept }).click();
      await page.getByRole('dialog').getByRole('button', { name: x.yes }).click();
      const outcome = page.getByTestId('decision-outcome');
      await see(outcome, x.done);
      await see(outcome, x.then);
      await see(outcome.getByTestId('expected-by'), x.by);
      expect(await stateOf(o.id)).toBe('accepted');
      await fits(page);
      await shot(page, `decision-accepted-${lang}-390`);
      await page.context().close();
    }
  });

  it('refusing asks first (the device comes back unrepaired, the diagnosis fee the policy charges, where and when to collect it) and then says so (bg, en, vi)', async () => {
    const texts = {
      bg: { refuse: 'Отказвам офертата', title: 'Отказвате ли офертата?', what: 'Не се съгласявате с ремонта за', fee: /При получаването му дължите такса за диагностика 25,00\s(GBP|£)\./, where: 'Къде да го получите: Service Center Mitte, Friedrichstraße 100, Berlin. Работно време: Mon–Fri 9:00–18:00, Sat 10:00–14:00.', yes: 'Да, отказвам', done: 'Отказахте офертата', then: 'Устройството Ви се връща неремонтирано.' },
      en: { refuse: 'Refuse the quote', title: 'Refuse the quote?', what: 'You do not agree to the repair for', fee: /When you collect it, the diagnosis fee of £25\.00 is due\./, where: 'Where to collect it: Service Center Mitte, Friedrichstraße 100, Berlin. Opening hours: Mon–Fri 9:00–18:00, Sat 10:00–14:00.', yes: 'Yes, refuse', done: 'You refused the quote', then: 'The device is returned to you unrepaired.' },
      vi: { refuse: 'Từ chối báo giá', title: 'Quý khách từ chối báo giá?', what: 'Quý khách không đồng ý sửa chữa với chi phí', fee: /Khi nhận lại thiết bị, Quý khách thanh toán phí chẩn đoán 25,00\s(GBP|£)\./, where: 'Nơi nhận lại thiết bị: Service Center Mitte, Friedrichstraße 100, Berlin. Giờ làm việc: Mon–Fri 9:00–18:00, Sat 10:00–14:00.', yes: 'Có, tôi từ chối', done: 'Quý khách đã từ chối báo giá', then: 'Thiết bị sẽ được trả lại cho Quý khách mà không sửa chữa.' },
    };
    for (const lang of ['bg', 'en', 'vi'] as const) {
      const x = texts[lang];
      const o = await quoted(lang);
      const page = await client(lang);
      await page.goto(`/order/${o.token}?lang=${lang}`);
      await page.getByRole('button', { name: x.refuse }).click();
      const dialog = page.getByRole('dialog', { name: x.title });
      await see(dialog, x.what);
      await see(dialog.getByTestId('refusal-fee'), x.fee);
      expect((await dialog.getByTestId('pickup').textContent())?.replace(/\s+/g, ' ')).toBe(x.where);
      await fits(page);
      await accessible(page);
      await shot(page, `decision-confirm-refuse-${lang}-390`);
      await dialog.getByRole('button', { name: x.yes }).click();
      const outcome = page.getByTestId('decision-outcome');
      await see(outcome, x.done);
      await see(outcome, x.then);
      await see(outcome.getByTestId('refusal-fee'), x.fee);
      expect((await outcome.getByTestId('pickup').textContent())?.replace(/\s+/g, ' ')).toBe(x.where);
      expect(await stateOf(o.id)).toBe('refused');
      // The fee said is the fee charged (SC-12).
      const charges = await t.db.selectFrom('order_charges').select(['kind', 'amount_minor']).where('order_id', '=', o.id).execute();
      expect(charges.map((c) => [c.kind, Number(c.amount_minor)])).toContainEqual(['diagnosis', 2500]);
      await fits(page);
      await shot(page, `decision-refused-${lang}-390`);
      await page.context().close();
    }
  });

  it('the client who finds the order by number and phone downloads the documents in the page’s language; a wrong phone finds nothing', async () => {
    const o = await quoted('bg');
    const page = await client('bg');
    await page.goto('/order?org=service-center&lang=bg');
    await page.getByLabel('Номер на поръчката').fill(o.number);
    await page.getByLabel('Вашият телефон или имейл').fill('+359 888 999 999');
    await page.getByRole('button', { name: 'Покажи поръчката' }).click();
    await see(page, 'Няма поръчка с този номер и телефон или имейл.');
    expect(await page.getByTestId('client-documents').count()).toBe(0);
    await page.getByLabel('Вашият телефон или имейл').fill(`0${o.phone.slice(4)}`);
    await page.getByRole('button', { name: 'Покажи поръчката' }).click();
    const docs = page.getByTestId('client-documents');
    await see(docs, 'Оферта');
    const links = docs.getByRole('link');
    expect(await links.count()).toBe(2);
    for (const href of await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')!))) {
      expect(href).toMatch(/^\/api\/v1\/order-page\/d1\.[^/]+\/documents\/(work-order|quote)\.pdf\?lang=bg$/);
      const r = await page.request.get(href);
      expect(r.status()).toBe(200);
      expect(r.headers()['content-type']).toBe('application/pdf');
    }
    await see(page, 'Връзките към документите работят 15 минути; след това потърсете поръчката отново.');
    await fits(page);
    await accessible(page);
    await shot(page, 'lookup-documents-bg-390');
    await page.context().close();
  });
});

