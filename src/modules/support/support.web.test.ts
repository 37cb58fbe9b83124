// The Vietnamese supplier's week at the support desk, through the screens in Chromium (VN-2, VN-5,
// VN-6, VN-7): the contract page, an incident on Friday evening answered within 48 h over the
// weekend, an escalation to L3 when its clock is at risk, a question by e-mail through the real SMTP
// receiver answered on its ticket page, a training session (refused on a day off), the SLA figure,
// and the client's portal in Vietnamese on a phone, with the online consultant (SC-1).
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import nodemailer from 'nodemailer';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sweepDueTimers } from '../../core/timers.ts';
import { newToken, sha256 } from '../../core/tokens.ts';
import { DiskStorage } from '../../storage/index.ts';
import { clockedApp, type ClockedApp } from '../../../test/app.ts';
import { cspViolations, hasChromium, launch, newContext } from '../../../test/browser.ts';
import { startMailIn, type MailIn } from './support.service.ts';

describe.skipIf(!hasChromium())("the Vietnamese supplier's week in the browser", { timeout: 180_000 }, () => {
  let h: ClockedApp;
  let base: string;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let mailIn: MailIn;
  let page: Page;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    execFileSync(process.execPath, [path.resolve('web/build.mjs'), '--quiet'], { stdio: 'inherit' });
    h = await clockedApp(new Date('2026-11-23T02:00:00Z')); // Monday 09:00 in Hà Nội
    base = await h.app.listen({ port: 0, host: '127.0.0.1' });
    mailIn = await startMailIn({ db: h.t.db, storage: new DiskStorage(h.t.config.filesDir), host: '127.0.0.1', port: 0, now: () => h.now });
    ({ browser, close: closeBrowser } = await launch());
    const ctx = await newContext(browser, base);
    const [name, value] = h.t.cookies.vn.manager.split('=');
    await ctx.addCookies([{ name, value, url: base }]);
    page = await ctx.newPage();
    const vn = h.t.orgs.vn;
    // The demo's contract in force (last year's, expired, is there too).
    ids.contract = (await h.t.db.selectFrom('contracts').select('id').where('organization_id', '=', vn).where('number', 'like', 'CT-%').orderBy('ends_on', 'desc').executeTakeFirstOrThrow()).id;
  }, 240_000);
  afterAll(async () => {
    await closeBrowser?.();
    await mailIn?.close();
    await h?.close();
  });
  afterEach(() => {
    expect(cspViolations.splice(0), 'CSP violations').toEqual([]);
  });
  const see = (l: ReturnType<Page['locator']>, text: string | RegExp) => l.filter({ hasText: text }).first().waitFor();
  // AFTERCARE_SCREENSHOTS=<folder>: the screens as the journey leaves them.
  const SHOTS = process.env.AFTERCARE_SCREENSHOTS;
  const shot = async (p: Page, name: string) => {
    if (!SHOTS) return;
    fs.mkdirSync(SHOTS, { recursive: true });
    await p.screenshot({ path: path.join(SHOTS, name), fullPage: true });
  };

  it('the contract page shows its scope, tier and included services', async () => {
    await page.goto('/support');
    await page.getByRole('link', { name: 'Contracts' }).click();
    await page.getByRole('link', { name: /^CT-/ }).first().click();
    await see(page.getByTestId('contract-status'), 'active');
    await see(page.locator('body'), 'DEMO-VN-SERVER');
    await see(page.locator('body'), 'Training sessions × 4');
  });

  it('an incident on Friday evening, reported at the desk: due in 48 h over the weekend (VN-2, VN-6)', async () => {
    h.now = new Date('2026-11-27T11:30:00Z'); // Friday 18:30
    await page.goto('/support');
    await page.getByRole('tab', { name: 'New ticket' }).click();
    await page.getByTestId('new-customer').click();
    await page.getByRole('option', { name: 'Công ty TNHH Minh Phát' }).click();
    await page.getByTestId('new-device').click();
    await page.getByRole('option', { name: /DEMO-VN-SERVER/ }).click();
    await page.getByTestId('new-subject').fill('Máy chủ không khởi động');
    await page.getByTestId('new-description').fill('Máy chủ báo lỗi RAID khi khởi động.');
    await page.getByTestId('new-submit').click();
    await page.getByTestId('ticket-number').waitFor();
    ids.incident = page.url().split('/').pop()!;
    const clock = page.locator('[data-clock="maintenance-incident"]');
    await see(clock, 'VN-6');
    const due = await h.call('GET', `/api/v1/support-tickets/${ids.incident}`, h.t.cookies.vn.manager);
    expect(new Date(due.body.clocks.find((c: { id: string }) => c.id === 'maintenance-incident').due).toISOString()).toBe('2026-11-29T11:30:00.000Z');
  });

  it('assigned to the technician with the picker, escalated by hand to L2 on Saturday, then to L3 when its clock is at risk, naming who was told (ITM-2 tiers)', async () => {
    h.now = new Date('2026-11-28T03:00:00Z');
    await page.getByTestId('assignee-picker').click();
    await page.getByRole('option', { name: /Technician/ }).click();
    await page.getByTestId('assign').click();
    await see(page.locator('[data-direction="event"]'), /Assigned to .*Technician/i);
    await page.getByTestId('escalate-reason').fill('Cần kỹ sư lưu trữ.');
    await page.getByTestId('escalate').click();
    await see(page.getByTestId('ticket-level'), 'L2');
    await see(page.getByTestId('told'), /.+/);
    const told = (await h.call('GET', `/api/v1/support-tickets/${ids.incident}`, h.t.cookies.vn.manager)).body;
    expect(told.assignee).toMatchObject({ id: expect.any(String) });
    expect(told.thread.at(-1).data.told.map((x: { id: string }) => x.id)).toContain(told.assignee.id);
    await sweepDueTimers(h.t.db, new Date('2026-11-29T07:30:00Z'));
    await page.reload();
    await see(page.getByTestId('ticket-level'), 'L3');
    await see(page.locator('[data-direction="event"]'), /L2 → L3.*Told:/);
  });

  it('answered on Sunday within the 48 h: the clock is met', async () => {
    h.now = new Date('2026-11-29T09:00:00Z');
    await page.getByTestId('reply-text').fill('Kỹ sư L3 đang khôi phục RAID từ xa.');
    await page.getByTestId('reply').click();
    await page.locator('[data-clock="maintenance-incident"][data-status="met"]').waitFor();
    await shot(page, 'support-ticket.png');
  });

  it('the incident becomes a service order: linked on the ticket page and on the order page', async () => {
    await page.getByTestId('open-order').click();
    const link = page.getByTestId('linked-order');
    await see(link, /SO-/);
    await link.click();
    await page.getByTestId('order-number').waitFor();
    await see(page.getByTestId('from-ticket'), /TK-/);
    await page.getByTestId('from-ticket').getByRole('link').click();
    await page.getByTestId('ticket-number').waitFor();
    expect(page.url()).toContain(ids.incident);
  });

  it('a question by e-mail arrives through the SMTP receiver, shows in the queue and is answered', async () => {
    h.now = new Date('2026-11-30T02:00:00Z');
    const mailer = nodemailer.createTransport({ host: '127.0.0.1', port: mailIn.port, secure: false, ignoreTLS: true });
    await mailer.sendMail({ from: 'it@minhphat.example.vn', to: 'support+vn@aftercare.test', subject: 'Đổi mật khẩu quản trị?', text: 'Xin hướng dẫn đổi mật khẩu quản trị máy chủ.' });
    await mailer.sendMail({ from: 'la@example.com', to: 'support+vn@aftercare.test', subject: 'Xin báo giá', text: 'Người lạ hỏi giá.' });
    await page.goto('/support');
    await page.getByRole('link', { name: /^TK-/ }).filter({ hasText: /.*/ }).first().waitFor();
    await page.locator('tr', { hasText: 'Đổi mật khẩu quản trị?' }).getByRole('link').click();
    await page.getByTestId('reply-text').fill('Quý khách vào iDRAC > Users để đổi mật khẩu.');
    await page.getByTestId('reply').click();
    await see(page.getByTestId('ticket-state'), 'In progress');
    await page.locator('[data-clock="question-response"][data-status="met"]').waitFor();
    // The stranger's mail waits in triage, not lost.
    await page.goto('/support');
    await page.getByTestId('triage-tab').click();
    await page.locator('[data-from="la@example.com"]').waitFor();
    await shot(page, 'support-triage.png');
  });

  it('a training session: refused on a day off, booked on a working day, attendance recorded (VN-5)', async () => {
    await page.goto(`/contracts/${ids.contract}`);
    await page.getByTestId('training-topic').fill('Sao lưu và khôi phục');
    await page.getByTestId('training-when').fill('2026-12-05T03:00'); // a Saturday
    await page.getByTestId('training-people').fill('Phạm Quốc Huy, Đỗ Thu Trang');
    await page.getByTestId('training-submit').click();
    await see(page.getByTestId('training').getByTestId('error'), /.+/);
    await page.getByTestId('training-when').fill('2026-12-03T03:00'); // Thursday
    await page.getByTestId('training-submit').click();
    const row = page.locator('[data-training][data-state="scheduled"]', { hasText: 'Sao lưu và khôi phục' });
    await row.waitFor();
    await row.getByLabel('Phạm Quốc Huy').check();
    await row.getByTestId('attendance').click();
    await page.locator('[data-training][data-state="held"]', { hasText: 'Sao lưu và khôi phục' }).waitFor();
  });

  it('the SLA compliance figure on the contract page, and its CSV', async () => {
    h.now = new Date('2026-11-30T06:00:00Z');
    await page.goto(`/contracts/${ids.contract}`);
    await see(page.getByTestId('sla-response'), /%/);
    const csv = await page.request.get(`/api/v1/contracts/${ids.contract}/sla.csv`);
    expect(await csv.text()).toContain('maintenance-incident');
    await shot(page, 'support-contract.png');
    await page.goto(`/support/tickets/${ids.incident}?lang=bg`);
    await page.getByTestId('ticket-number').waitFor();
    await shot(page, 'support-ticket-bg.png');
    await page.goto('/support?lang=vi');
    await page.getByTestId('support-queue').waitFor();
    await shot(page, 'support-queue-vi.png');
    await page.goto('/support?lang=en');
    await page.getByTestId('support-queue').waitFor();
  });

  it("the client's portal in Vietnamese on a phone: contracts and tickets; the online consultant (SC-1)", async () => {
    const token = newToken();
    await h.t.db.insertInto('client_sessions').values({ token_hash: sha256(token), organization_id: h.t.orgs.vn, email: 'it@minhphat.example.vn', expires_at: new Date('2199-01-01T00:00:00Z') }).execute();
    const ctx = await newContext(browser, base, { phone: true, locale: 'vi-VN' });
    await ctx.addCookies([{ name: 'aftercare_client', value: token, url: `${base}/api/v1/client` }]);
    const client = await ctx.newPage();
    await client.goto('/help/vn?lang=vi');
    await see(client.getByTestId('client-contract'), 'còn hiệu lực');
    await see(client.getByTestId('client-ticket'), 'Máy chủ không khởi động');
    await see(client.locator('body'), 'Hợp đồng bảo trì của Quý khách');
    await shot(client, 'support-portal-vi-phone.png');
    // The thread of the request: the desk's answers in the client's language, and a reply from the phone.
    await client.locator('[data-testid="client-ticket"]', { hasText: 'Máy chủ không khởi động' }).getByTestId('client-ticket-open').click();
    const thread = client.getByTestId('client-thread');
    await see(thread.locator('[data-direction="out"]'), 'Kỹ sư L3 đang khôi phục RAID từ xa.');
    await see(thread, 'Phản hồi của chúng tôi');
    await thread.getByTestId('client-reply-text').fill('Cảm ơn, máy chủ đã chạy lại bình thường.');
    await thread.getByTestId('client-reply').click();
    await see(thread.locator('[data-direction="in"]'), 'Cảm ơn, máy chủ đã chạy lại bình thường.');
    const width = await client.evaluate('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(390);
    await shot(client, 'support-portal-thread-vi-phone.png');
    const desk = (await h.call('GET', `/api/v1/support-tickets/${ids.incident}`, h.t.cookies.vn.manager)).body;
    expect(desk.thread.at(-1)).toMatchObject({ direction: 'in', channel: 'portal', body: 'Cảm ơn, máy chủ đã chạy lại bình thường.' });
    // An English browser, no ?lang: the portal speaks the client's language, Vietnamese.
    const en = await newContext(browser, base, { phone: true, locale: 'en-GB' });
    await en.addCookies([{ name: 'aftercare_client', value: token, url: `${base}/api/v1/client` }]);
    const enPage = await en.newPage();
    await enPage.goto('/help/vn');
    await see(enPage.locator('body'), 'Hợp đồng bảo trì của Quý khách');
    await en.close();
    const anyone = await (await newContext(browser, base, { phone: true })).newPage();
    await anyone.goto('/help/service-center?lang=en');
    await see(anyone.getByTestId('consultant'), 'SC-1');
    await anyone.getByTestId('consultant-name').fill('Alex Gray');
    await anyone.getByTestId('consultant-email').fill('alex@example.org');
    await anyone.getByTestId('consultant-question').fill('Is a new battery worth it?');
    await anyone.getByTestId('consultant-send').click();
    await see(anyone.getByTestId('consultant-sent'), /TK-/);
    await shot(anyone, 'support-consultant-phone.png');
  });

  it('the contract page renews and cancels the contract; then a new incident on it is refused with the offer, and its tickets stay (VN-8)', async () => {
    h.now = new Date('2026-12-01T03:00:00Z');
    const before = (await h.call('GET', `/api/v1/contracts/${ids.contract}`, h.t.cookies.vn.manager)).body;
    await page.goto(`/contracts/${ids.contract}?lang=bg`);
    await page.getByTestId('contract-actions').waitFor();
    await shot(page, 'support-contract-bg.png');
    await page.goto(`/contracts/${ids.contract}?lang=en`);
    const later = `${Number(before.endsOn.slice(0, 4)) + 1}${before.endsOn.slice(4)}`;
    await page.getByTestId('renew-until').fill(later);
    await page.getByTestId('renew').click();
    await see(page.locator('body'), later.slice(0, 4));
    const renewed = (await h.call('GET', `/api/v1/contracts/${ids.contract}`, h.t.cookies.vn.manager)).body;
    expect(renewed).toMatchObject({ endsOn: later, version: before.version + 1 });
    await page.getByTestId('cancel-reason').fill('The client moved to another provider');
    await page.getByTestId('cancel-contract').click();
    await page.getByTestId('cancel-confirm').click();
    await see(page.getByTestId('contract-status'), 'cancelled');
    await page.getByTestId('contract-lapsed').waitFor();
    await see(page.getByTestId('support-queue'), /TK-/); // its tickets stay
    // A new incident on its device: refused, with what the policy offers instead (VN-8).
    await page.goto('/support');
    await page.getByRole('tab', { name: 'New ticket' }).click();
    await page.getByTestId('new-customer').click();
    await page.getByRole('option', { name: 'Công ty TNHH Minh Phát' }).click();
    await page.getByTestId('new-device').click();
    await page.getByRole('option', { name: /DEMO-VN-SERVER/ }).click();
    await page.getByTestId('new-subject').fill('Mất nguồn');
    await page.getByTestId('new-description').fill('Máy chủ mất nguồn.');
    await page.getByTestId('new-submit').click();
    await see(page.getByTestId('offer'), 'VN-8');
    await shot(page, 'support-refused.png');
  });

  it("ITMall's desk: an incident becomes an RMA with the ticket page's button, linked on both pages (ITM-6)", async () => {
    const ctx = await newContext(browser, base);
    const [name, value] = h.t.cookies.itmall.manager.split('=');
    await ctx.addCookies([{ name, value, url: base }]);
    const p = await ctx.newPage();
    const stack = (await h.t.db.selectFrom('support_tickets').select('id').where('organization_id', '=', h.t.orgs.itmall).where('subject', '=', 'Stack member 2 flapping').executeTakeFirstOrThrow()).id;
    await p.goto(`/support/tickets/${stack}`);
    await p.getByTestId('open-rma').click();
    const link = p.getByTestId('linked-rma');
    await see(link, /RMA-/);
    await link.click();
    await p.getByTestId('rma-number').waitFor();
    await see(p.getByTestId('from-ticket'), 'Stack member 2 flapping');
    await shot(p, 'support-rma-from-ticket.png');
    // The Vietnamese supplier runs no RMAs: its ticket page does not offer one.
    await page.goto(`/support/tickets/${ids.incident}`);
    await page.getByTestId('ticket-number').waitFor();
    expect(await page.getByTestId('open-rma').count()).toBe(0);
    await ctx.close();
  });

  it('the ticket page at phone width, in Vietnamese', async () => {
    const ctx = await newContext(browser, base, { phone: true, locale: 'vi-VN' });
    const [name, value] = h.t.cookies.vn.manager.split('=');
    await ctx.addCookies([{ name, value, url: base }]);
    const phone = await ctx.newPage();
    await phone.goto(`/support/tickets/${ids.incident}?lang=vi`);
    await phone.getByTestId('assignment').waitFor();
    await see(phone.locator('body'), 'Phân công');
    await shot(phone, 'support-ticket-vi-phone.png');
    await ctx.close();
  });
});
