// Issue 11: staff record when a claim actually reached the business (a phone call or an e-mail
// entered later) at intake; the field refuses a moment in the future or before the purchase in the
// user's language (here Vietnamese, at phone width), the order keeps the moment given (its clocks run
// from it: src/modules/service-orders/claim-received.test.ts)
// and the order shows both moments. The moment is typed in the business's time zone (shown beside
// the field), not the browser's: the browsers here run in other zones (playwright's `timezoneId`).
// On an open order the moment is changed from the order page. The browser's clock is pinned to the
// app's (DEMO_NOW).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NOW, setupApp, type TestContext } from './db.ts';
import { fits, hasChromium, launch, signedIn } from './browser.ts';

describe.skipIf(!hasChromium())('the claim received earlier than entered, in the console (issue 11)', () => {
  let t: TestContext;
  let base: string;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  beforeAll(async () => {
    t = await setupApp({ now: () => DEMO_NOW });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    ({ browser, close: closeBrowser } = await launch());
  }, 120_000);
  afterAll(async () => {
    await closeBrowser?.();
    await t?.close();
  });

  it('refuses a moment in the future or before the purchase on the field in Vietnamese; the order keeps the moment given and when it was entered', async () => {
    // A browser in Los Angeles; the business (vn) is in Ho Chi Minh City.
    const page = await signedIn(browser, base, t.cookies.vn['front-desk'], { phone: true, locale: 'vi-VN', timezoneId: 'America/Los_Angeles' });
    const ctx = page.context();
    await page.clock.setFixedTime(DEMO_NOW);
    await page.goto('/intake?lang=vi');
    await page.locator('[name=customer-name]').fill('Trần Bình');
    await page.locator('[name=customer-phone]').fill('+84 912 345 678');
    await page.locator('[name=customer-email]').fill('binh.late@example.vn');
    await page.getByTestId('next').click();
    await page.locator('[name=serial]').fill('VN-LATE-1');
    await page.getByLabel('Hãng').fill('Dell');
    await page.getByLabel('Loại').fill('laptop');
    await page.getByTestId('next').click();
    await page.locator('[name=problem]').fill('Không lên nguồn');
    const field = page.getByTestId('received-at');
    // In the future (a day after now): refused on the field, and the wizard does not go on.
    await field.fill('2026-11-22T10:00');
    await page.getByText('Không được ở thời điểm tương lai.').waitFor();
    expect(await page.getByTestId('next').isDisabled()).toBe(true);
    // Before the purchase date typed beside it.
    await page.getByLabel('Ngày mua').fill('2026-11-20');
    await field.fill('2026-11-19T09:30');
    await page.getByText('Không được trước ngày mua.').waitFor();
    // On the purchase's day, the day before now: accepted.
    await field.fill('2026-11-20T09:30');
    expect(await page.getByTestId('next').isDisabled()).toBe(false);
    await fits(page);
    // 09:30 in Ho Chi Minh City (UTC+7), whatever the browser's zone; the zone is named beside the field.
    const given = '2026-11-20T02:30:00.000Z';
    expect(await page.getByTestId('received-at-zone').innerText()).toBe('Ho Chi Minh');
    await page.getByText(/Asia\/Ho_Chi_Minh/).first().waitFor();
    await page.getByTestId('next').click();
    await page.getByLabel('Khách đồng ý điều khoản').check();
    await page.getByLabel('Người ký (tên khách)').fill('Trần Bình');
    await page.getByTestId('next').click();
    await page.getByTestId('sign').click();
    await page.getByTestId('order-number').waitFor();
    await page.getByTestId('claim-received').waitFor();

    const order = await t.db.selectFrom('service_orders').select(['id', 'claim_received_at', 'created_at', 'claim_date']).where('organization_id', '=', t.orgs.vn).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    expect(order.claim_received_at?.toISOString()).toBe(given);
    expect(order.created_at.toISOString()).toBe(DEMO_NOW.toISOString());
    const a = await t.db.selectFrom('audit_events').select('after').where('entity_id', '=', order.id).where('action', '=', 'service-order.created').executeTakeFirstOrThrow();
    expect(a.after).toMatchObject({ receivedAt: given, enteredAt: DEMO_NOW.toISOString() });
    await ctx.close();
  }, 120_000);

  it('changes the moment on an open order from the order page, in the business’s time zone (Sofia) from a browser in Tokyo; refuses the future on the field', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/claims',
      headers: { cookie: t.cookies['itema-pg']['front-desk'] },
      payload: { channel: 'phone', customer: { name: 'Late Caller', email: 'late.caller@example.bg', phone: '+359 88 765 4321' }, device: { serial: 'PG-LATE-EDIT-1', manufacturer: 'Dell', category: 'laptop' }, problem: 'No picture' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().order.id as string;
    const page = await signedIn(browser, base, t.cookies['itema-pg']['front-desk'], { phone: true, timezoneId: 'Asia/Tokyo' });
    const ctx = page.context();
    await page.clock.setFixedTime(DEMO_NOW);
    await page.goto(`/orders/${id}?lang=en`);
    // Entered at 10:00 in Sofia (08:00 UTC; 17:00 in Tokyo).
    await page.getByTestId('claim-received').filter({ hasText: 'Received 2026-11-21 10:00 (Europe/Sofia)' }).waitFor();
    await page.getByTestId('edit-received-at').click();
    const field = page.getByTestId('received-at');
    expect(await field.inputValue()).toBe('2026-11-21T10:00');
    expect(await page.getByTestId('received-at-zone').innerText()).toBe('Sofia');
    await field.fill('2026-11-21T11:00');
    await page.getByText('Cannot be in the future.').waitFor();
    expect(await page.getByTestId('save-received-at').isDisabled()).toBe(true);
    await field.fill('2026-11-20T09:30');
    await fits(page);
    await page.getByTestId('save-received-at').click();
    await page.getByTestId('claim-received').filter({ hasText: 'Received 2026-11-20 09:30, entered 2026-11-21 10:00 (Europe/Sofia)' }).waitFor();
    const order = await t.db.selectFrom('service_orders').select(['claim_received_at', 'claim_date']).where('id', '=', id).executeTakeFirstOrThrow();
    // 09:30 in Sofia (UTC+2 in November).
    expect(order.claim_received_at?.toISOString()).toBe('2026-11-20T07:30:00.000Z');
    expect(order.claim_date).toBe('2026-11-20');
    const a = await t.db.selectFrom('audit_events').select('after').where('entity_id', '=', id).where('action', '=', 'service-order.claim-received-changed').executeTakeFirstOrThrow();
    expect(a.after).toMatchObject({ receivedAt: { from: DEMO_NOW.toISOString(), to: '2026-11-20T07:30:00.000Z' }, enteredAt: DEMO_NOW.toISOString() });
    await ctx.close();
  }, 120_000);
});
