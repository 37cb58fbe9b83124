// Issue 11, done when: from a fresh start without demo data (AFTERCARE_DEMO=false), a business is
// set up in Chromium on the console's first-run screen (the set-up link the server prints), its owner is
// signed in, edits a term and a holiday in
// the policy editor (a bad duration refused on the field first), simulates, publishes a version for
// devices already sold (ITS-11), sees the client's device answer change, and the notice arrives in
// the real SMTP server's mailbox.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_NOW, setupApp, type TestContext } from './db.ts';
import { hasChromium, launch, newContext } from './browser.ts';
import { startSmtp, type Mailbox } from './smtp.ts';
import { systemActor } from '../src/core/actor.ts';
import * as customers from '../src/modules/customers/customers.service.ts';
import * as devices from '../src/modules/devices/devices.service.ts';
import * as purchases from '../src/modules/purchases/purchases.service.ts';
import { DeliveryWorker } from '../src/modules/notifications/delivery-worker.ts';
import { firstRunNotice } from '../src/modules/organizations/first-run.service.ts';


describe.skipIf(!hasChromium())('policy editor journey (issue 11)', () => {
  let t: TestContext;
  let base: string;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let box: Mailbox;
  beforeAll(async () => {
    // The app's clock pinned: the notice words an end still ahead ("now ends on") differently from one
    // already past, so a journey on the machine's date would change its text with the years.
    t = await setupApp({ demo: false, now: () => DEMO_NOW });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    ({ browser, close: closeBrowser } = await launch());
    box = await startSmtp();
  }, 60_000);
  afterAll(async () => {
    await closeBrowser?.();
    await box?.close();
    await t?.close();
  });

  const see = (page: Page, testId: string, text: string | RegExp) => page.getByTestId(testId).filter({ hasText: text }).first().waitFor();

  test('set up a business, edit a term and a holiday, simulate, publish; the device answer changes and the client gets the notice', async () => {
    expect(await t.db.selectFrom('organizations').select('id').execute()).toEqual([]);
    // The first business, through the console's set-up screen with the link the server printed.
    const link = (await firstRunNotice(t.db, base)).map((l) => l.trim()).find((l) => l.startsWith(`${base}/setup?token=`))!;
    const ctx = await newContext(browser, base);
    const page = await ctx.newPage();
    await page.goto(link.replace(base, ''));
    await page.getByTestId('setup-name').fill('Sofia Repairs');
    await page.getByTestId('setup-country').fill('Bulgaria');
    await page.getByRole('option', { name: 'Bulgaria (BG)' }).click();
    await page.getByTestId('setup-time-zone').fill('Europe/Sofia');
    await page.getByRole('option', { name: 'Europe/Sofia' }).click();
    await page.getByTestId('setup-currency').fill('EUR');
    await page.getByRole('option', { name: /^EUR/ }).click();
    await page.getByLabel('Български').check();
    await page.getByTestId('setup-owner-name').fill('Mila Ivanova');
    await page.getByTestId('setup-owner-email').fill('mila@sofia-repairs.example');
    await page.getByTestId('setup-password').fill('correct horse battery');
    await page.getByTestId('setup-password2').fill('correct horse battery');
    await page.getByTestId('setup-location-name').fill('Sofia centre');
    await page.getByTestId('setup-location-address').fill('bul. Vitosha 1, Sofia');
    await page.getByTestId('setup-policy-blank').check();
    await page.getByTestId('setup-submit').click();
    // Signed in as the owner: the console's shell.
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    const org = await t.db.selectFrom('organizations').select(['id']).where('slug', '=', 'sofia-repairs').executeTakeFirstOrThrow();
    // A client of the business with a device sold in June 2026 (12 months under the blank policy).
    const a = systemActor(org.id, 'test');
    const device = await t.db.transaction().execute(async (tx) => {
      const c = await customers.insert(tx, a, { name: 'Ivan Petrov', email: 'ivan@example.bg', phone: '+359 88 123 4567', preferredLanguage: 'en', preferredChannel: 'email' });
      const d = await devices.insert(tx, a, { serial: 'SR-LAPTOP-1', manufacturer: 'Lenovo', model: 'ThinkPad T14', category: 'laptop', customerId: c.id });
      await purchases.insert(tx, a, { deviceId: d.id, customerId: c.id, documentNumber: 'INV-1', soldOn: '2026-06-01' });
      return d;
    });

    await page.getByRole('link', { name: 'Warranty and service policy' }).first().click();

    // The device's answer before: 12 months from the sale.
    const devicePage = await ctx.newPage();
    await devicePage.goto(`/devices/${device.id}`);
    await devicePage.getByText('2027-06-01').first().waitFor();

    // A bad duration is refused on its field, and nothing is saved.
    const duration = page.getByTestId('field-terms.0.duration');
    await duration.fill('3 mnths');
    await page.getByTestId('save-draft').click();
    await page.getByText('"3 mnths" is not a duration like "3 months"').first().waitFor();
    expect(await t.db.selectFrom('policy_drafts').selectAll().execute()).toEqual([]);

    // The term: 24 months; a holiday of the business's own; saved as the draft.
    await duration.fill('24 months');
    await page.getByTestId('own-days-off').fill('2026-12-24, 2026-12-31');
    // The national holidays shown are this year's (the screen follows today): Liberation Day on 3 March.
    await see(page, 'national-holidays', /\d{4}-03-03/);
    await page.getByTestId('save-draft').click();
    await page.getByTestId('draft-saved').waitFor();
    const draft = await t.db.selectFrom('policy_drafts').selectAll().executeTakeFirstOrThrow();
    expect((draft.body as { settings: { calendar: { holidays: { dates: string[] } } } }).settings.calendar.holidays.dates).toEqual(['2026-12-24', '2026-12-31']);

    // Simulate for the devices already sold, then publish.
    await page.getByTestId('tab-publish').click();
    await page.getByTestId('effective').fill('2026-01-01');
    await page.getByTestId('simulate').click();
    await page.getByTestId('simulation').waitFor();
    await page.locator('[data-count="endMoved"]').filter({ hasText: '1' }).waitFor();
    await page.locator('[data-serial="SR-LAPTOP-1"]').filter({ hasText: '2028-06-01' }).waitFor();
    await page.getByTestId('publish').click();
    await see(page, 'published', /1 client/);

    // The versions: 1 (the blank start) and 2, with the change listed.
    await page.getByTestId('tab-versions').click();
    await page.locator('[data-seq="2"]').getByRole('button').click();
    await see(page, 'diff', 'terms.0.duration');

    // The device's answer now: 24 months from the sale, under the new version.
    await devicePage.reload();
    await devicePage.getByText('2028-06-01').first().waitFor();
    await devicePage.getByText(/2026\.1/).first().waitFor();

    // The notice, in the client's language, through the outbox to the real SMTP server.
    const w = new DeliveryWorker(t.db, { ...t.config, smtp: box.config, mailFrom: 'service@aftercare.test', publicUrl: base });
    await w.runOnce();
    await w.stop();
    await box.waitFor(1);
    const mail = [...box.messages.values()][0];
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0].address : null).toBe('ivan@example.bg');
    expect(mail.subject).toBe('Sofia Repairs: our warranty terms change on 2026-01-01');
    expect(mail.text).toContain('ThinkPad T14 (SR-LAPTOP-1): the warranty now ends on 2028-06-01 (it ended on 2027-06-01).');
    await ctx.close();
  }, 120_000);
});
