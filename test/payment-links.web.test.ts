// Issue 14, Stripe Payment Links in a real browser (Chromium): the front desk sends the client a
// payment link from the order's money card; the message arrives in the real SMTP mailbox (in the
// client's language, with the link); the client opens the link from the mail on the local Stripe
// stand-in's page and pays (the stand-in delivers checkout.session.completed carrying the link,
// signed with the SDK's test-header helper, then follows after_completion back to the order page);
// the console shows the link paid and nothing due. The app's clock is pinned. The money card with
// its link in en, bg and vi at 390 px: AFTERCARE_SCREENSHOTS=<dir> keeps the screens.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cspViolations, fits, hasChromium, launch, newContext, shot, signedIn } from './browser.ts';
import { startSmtp, type Mailbox } from './smtp.ts';
import { withStripeApp, type StripeApp } from './stripe-stand-in.ts';
import { DeliveryWorker } from '../src/modules/notifications/delivery-worker.ts';

if (!hasChromium()) console.warn('payment-links.web.test.ts: /usr/bin/chromium not found — browser journey skipped');

describe.skipIf(!hasChromium())('a Stripe Payment Link sent from the console and paid (issue 14)', { timeout: 240_000 }, () => {
  let x: StripeApp;
  let box: Mailbox;
  let base: string;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;

  beforeAll(async () => {
    execFileSync(process.execPath, [path.resolve('web/build.mjs'), '--quiet'], { stdio: 'inherit' });
    box = await startSmtp();
    x = await withStripeApp({ name: 'link_journey', config: { smtp: box.config, mailFrom: 'service@aftercare.test' } });
    base = await x.t.app.listen({ port: 0, host: '127.0.0.1' });
    // Links in messages and Stripe's redirect back point at this server.
    x.t.config.publicUrl = base;
    x.s.webhookUrl = `${base}/api/v1/stripe/webhook`;
    ({ browser, close: closeBrowser } = await launch());
  }, 240_000);
  afterAll(async () => {
    await closeBrowser?.();
    await x?.close();
    await box?.close();
  });
  afterEach(() => {
    expect(cspViolations.splice(0), 'CSP violations').toEqual([]);
  });

  const api = async (method: string, url: string, payload?: object, cookie = x.t.cookies['itema-pg']['front-desk']) => {
    const r = await x.t.app.inject({ method: method as 'POST', url, headers: cookie ? { cookie } : {}, payload });
    expect(r.statusCode, r.body).toBeLessThan(300);
    return r.json();
  };

  it('staff send the link, the mail arrives in Bulgarian with it, the client pays on Stripe’s page, and the order shows the link paid and nothing due', async () => {
    const email = 'maria.link@example.bg';
    const c = await api('POST', '/api/v1/claims', {
      channel: 'walk-in',
      customer: { name: 'Мария Иванова', email, phone: '+359 88 765 4321', preferredLanguage: 'bg' },
      device: { serial: 'LINK-WEB-1', manufacturer: 'Lenovo', model: 'ThinkPad T14', category: 'laptop' },
      problem: 'Не зарежда',
      workOrder: { termsAccepted: true, accessories: [], complete: true, visibleCondition: 'добро', dataBackedUp: true, passwordsRemoved: true, problemInClientsWords: 'Не зарежда', signedBy: 'Мария Иванова' },
    });
    const id = c.order.id as string;
    const token = c.orderPage.token as string;
    let v = (await api('GET', `/api/v1/service-orders/${id}`)).version;
    v = (await api('POST', `/api/v1/service-orders/${id}/actions`, { action: 'start-diagnosis', version: v })).version;
    await api('POST', `/api/v1/service-orders/${id}/actions`, { action: 'quote', lines: [{ kind: 'labour', description: 'Подмяна на букса', unitMinor: 12000 }], duration: '2 работни дни', advice: 'Ремонтът си струва', worthRepairing: true, version: v });
    const page = await api('GET', `/api/v1/order-page/${token}`, undefined, '');
    await api('POST', `/api/v1/order-page/${token}/decision`, { decision: 'accept', version: page.version }, '');

    // The front desk, in the console: send the link.
    const desk = await signedIn(browser, base, x.t.cookies['itema-pg']['front-desk']);
    await desk.goto(`/orders/${id}?lang=en`);
    const links = desk.getByTestId('payment-links');
    await links.getByTestId('send-payment-link').click();
    await links.getByTestId('payment-link-done').filter({ hasText: 'by e-mail' }).waitFor();
    // The link's row: sent, for the balance.
    await links.getByTestId('payment-link-sent').filter({ hasText: /120[.,]00/ }).waitFor();
    await shot(desk, 'payment-link-sent-en.png', { part: desk.getByTestId('money') });

    // The message, over real SMTP, in the client's language, with the link.
    const w = new DeliveryWorker(x.t.db, x.t.config);
    await w.runOnce();
    await w.stop();
    const mail = [...box.messages.values()].find((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.text.includes(email)) && m.subject?.includes('плащане'));
    expect(mail, 'the payment link mail').toBeDefined();
    expect(mail!.text).toContain('По Вашата сервизна поръчка');
    const url = /https?:\/\/\S+\/link\/plink_test_[0-9a-f]+/.exec(mail!.text ?? '')?.[0];
    expect(url).toBeDefined();

    // The client opens it on a phone and pays on Stripe's page; back on the order page.
    const ctx = await newContext(browser, base, { phone: true, locale: 'bg-BG' });
    const client = await ctx.newPage();
    await client.goto(url!);
    await client.getByRole('heading', { name: /Pay 120\.00 EUR/ }).waitFor();
    await client.getByRole('button', { name: 'Pay' }).click();
    await client.waitForURL((u) => u.origin === base && u.pathname === `/order/${token}`);
    expect(new URL(client.url()).searchParams.get('paid')).toBe('1');
    await ctx.close();

    // The console: the link paid, nothing due; one payment.
    await desk.reload();
    await desk.getByTestId('payment-link-paid').waitFor();
    await expect.poll(async () => (await desk.getByTestId('balance').textContent()) ?? '').toMatch(/0[.,]00/);
    const order = await api('GET', `/api/v1/service-orders/${id}`);
    expect(order.payments).toHaveLength(1);
    expect(order.payments[0]).toMatchObject({ method: 'stripe', amountMinor: 12000 });
    expect(await desk.getByTestId('send-payment-link').count()).toBe(0);

    // The money card with its link, in the three languages at phone width.
    const phone = await signedIn(browser, base, x.t.cookies['itema-pg']['front-desk'], { phone: true });
    for (const l of ['en', 'bg', 'vi'] as const) {
      await phone.goto(`/orders/${id}?lang=${l}`);
      const state = phone.getByTestId('payment-link-paid');
      await state.waitFor();
      expect(await state.textContent()).toContain({ en: 'paid', bg: 'платен', vi: 'đã thanh toán' }[l]);
      await fits(phone);
      await shot(phone, `payment-link-paid-${l}-390.png`, { part: phone.getByTestId('money') });
    }
  });
});
