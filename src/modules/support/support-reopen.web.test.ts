// The support fixes through the screens, in Chromium at phone width (390 px): the client reopens a
// resolved request from the portal in Vietnamese and the desk sees it in Bulgarian; a closed request
// offers a new one instead of a reply; the client opens a file of their thread; the desk's automatic
// escalation says why in the reader's language (VN-6); the console's header fits a phone.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import nodemailer from 'nodemailer';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sweepDueTimers } from '../../core/timers.ts';
import { newToken, sha256 } from '../../core/tokens.ts';
import { DiskStorage } from '../../storage/index.ts';
import { clockedApp, type ClockedApp } from '../../../test/app.ts';
import { cspViolations, hasChromium, launch, newContext } from '../../../test/browser.ts';
import { startMailIn, type MailIn } from './support.service.ts';

describe.skipIf(!hasChromium())('reopening, closed requests, files and reasons in the browser (VN-6)', { timeout: 180_000 }, () => {
  let h: ClockedApp;
  let base: string;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let mailIn: MailIn;
  let clientCtx: BrowserContext;
  let deskCtx: BrowserContext;
  let client: Page;
  let desk: Page;
  const ids: Record<string, string> = {};
  const manager = () => h.t.cookies.vn.manager;
  const see = (l: ReturnType<Page['locator']>, text: string | RegExp) => l.filter({ hasText: text }).first().waitFor();
  const SHOTS = process.env.AFTERCARE_SCREENSHOTS;
  const shot = async (p: Page, name: string) => {
    if (!SHOTS) return;
    fs.mkdirSync(SHOTS, { recursive: true });
    await p.screenshot({ path: path.join(SHOTS, name), fullPage: true });
  };
  const noOverflow = async (p: Page) => expect(await p.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
  const act = async (id: string, body: object) => {
    const cur = await h.call('GET', `/api/v1/support-tickets/${id}`, manager());
    const r = await h.call('POST', `/api/v1/support-tickets/${id}/actions`, manager(), { version: cur.body.version, ...body });
    expect(r.status).toBe(200);
    return r.body;
  };
  const incident = async (subject: string) => {
    const r = await h.call('POST', '/api/v1/support-tickets', manager(), { kind: 'incident', channel: 'phone', customerId: ids.an, deviceId: ids.nas, subject, description: 'Mô tả sự cố.' });
    expect(r.status).toBe(201);
    return r.body as { id: string; number: string };
  };

  beforeAll(async () => {
    execFileSync(process.execPath, [path.resolve('web/build.mjs'), '--quiet'], { stdio: 'inherit' });
    h = await clockedApp(new Date('2026-11-23T02:00:00Z')); // Monday 09:00 in Hà Nội
    base = await h.app.listen({ port: 0, host: '127.0.0.1' });
    mailIn = await startMailIn({ db: h.t.db, storage: new DiskStorage(h.t.config.filesDir), host: '127.0.0.1', port: 0, now: () => h.now });
    ({ browser, close: closeBrowser } = await launch());
    const vn = h.t.orgs.vn;
    ids.an = (await h.t.db.selectFrom('customers').select('id').where('organization_id', '=', vn).where('email', '=', 'an.nguyen@example.vn').executeTakeFirstOrThrow()).id;
    ids.nas = (await h.t.db.selectFrom('devices').select('id').where('organization_id', '=', vn).where('serial', '=', 'DEMO-VN-NAS').executeTakeFirstOrThrow()).id;
    const k = await h.call('POST', '/api/v1/contracts', manager(), { customerId: ids.an, tier: 'standard', startsOn: '2026-01-01', endsOn: '2027-12-31', priceMinor: 24000000, included: [{ service: 'incident-fixing' }], deviceIds: [ids.nas] });
    expect(k.status).toBe(201);
    const token = newToken();
    await h.t.db.insertInto('client_sessions').values({ token_hash: sha256(token), organization_id: vn, email: 'an.nguyen@example.vn', expires_at: new Date('2199-01-01T00:00:00Z') }).execute();
    clientCtx = await newContext(browser, base, { phone: true, locale: 'vi-VN' });
    await clientCtx.addCookies([{ name: 'aftercare_client', value: token, url: `${base}/api/v1/client` }]);
    client = await clientCtx.newPage();
    deskCtx = await newContext(browser, base, { phone: true, locale: 'bg-BG' });
    const [name, value] = manager().split('=');
    await deskCtx.addCookies([{ name, value, url: base }]);
    desk = await deskCtx.newPage();
  }, 240_000);
  afterAll(async () => {
    await closeBrowser?.();
    await mailIn?.close();
    await h?.close();
  });
  afterEach(() => {
    expect(cspViolations.splice(0), 'CSP violations').toEqual([]);
  });
  const openTicket = async (number: string) => {
    await client.goto('/help/vn?lang=vi');
    const row = client.locator('[data-testid="client-ticket"]', { hasText: number });
    await row.getByTestId('client-ticket-open').click();
    return row;
  };

  it('the client answers a resolved request from the phone: it is in progress again, and the desk sees it reopened, in Bulgarian', async () => {
    const d = await incident('Máy chủ NAS khởi động lại liên tục');
    ids.first = d.id;
    await act(d.id, { action: 'reply', body: 'Kỹ sư đang kiểm tra.' });
    await act(d.id, { action: 'resolve', summary: 'Đã cập nhật firmware.' });
    h.now = new Date('2026-11-24T02:00:00Z');
    const row = await openTicket(d.number);
    await see(row, 'Đã xử lý xong');
    await see(client.getByTestId('client-resolved-hint'), 'Nếu chưa, Quý khách vui lòng phản hồi bên dưới');
    await client.getByTestId('client-reply-text').fill('Sự cố lại xảy ra sáng nay.');
    await client.getByTestId('client-reply').click();
    await see(client.getByTestId('client-thread').locator('[data-direction="in"]'), 'Sự cố lại xảy ra sáng nay.');
    await see(row, 'Đang xử lý');
    await noOverflow(client);
    await shot(client, 'support-reopened-portal-vi-phone.png');

    await desk.goto(`/support/tickets/${d.id}?lang=bg`);
    await see(desk.getByTestId('ticket-state'), 'В работа');
    await see(desk.locator('[data-direction="event"]'), 'Отворено отново: клиентът отговори, след като запитването беше решено.');
    await see(desk.locator('[data-clock="incident-resolution"]'), 'решаване на инцидент');
    await desk.locator('[data-clock="incident-resolution"][data-status="running"]').waitFor();
    await noOverflow(desk);
    await shot(desk, 'support-reopened-desk-bg-phone.png');
  });

  it('a closed request offers a new one instead of a reply, filled with the closed number', async () => {
    h.now = new Date('2026-11-24T04:00:00Z');
    const d = await incident('Máy in mạng không in');
    await act(d.id, { action: 'reply', body: 'Đã kiểm tra.' });
    await act(d.id, { action: 'resolve', summary: 'Đã thay hộp mực.' });
    await act(d.id, { action: 'close' });
    await openTicket(d.number);
    await see(client.getByTestId('client-closed'), 'Yêu cầu này đã đóng');
    expect(await client.getByTestId('client-reply-text').count()).toBe(0);
    await client.getByTestId('client-follow-up').click();
    expect(await client.getByTestId('client-ask-subject').inputValue()).toBe(`Tiếp theo ${d.number}: Máy in mạng không in`);
    expect(await client.getByTestId('client-ask-description').inputValue()).toContain(d.number);
    await client.getByTestId('client-ask-description').fill(`Về yêu cầu đã đóng ${d.number} của tôi: máy in lại báo lỗi.`);
    await client.getByTestId('client-ask-send').click();
    await see(client.getByRole('status'), /TK-2026-/);
    await noOverflow(client);
    await shot(client, 'support-closed-follow-up-vi-phone.png');
  });

  it('the client opens a file that came with their mail, from the thread in the portal', async () => {
    h.now = new Date('2026-11-24T05:00:00Z');
    const first = (await h.call('GET', `/api/v1/support-tickets/${ids.first}`, manager())).body;
    const mailer = nodemailer.createTransport({ host: '127.0.0.1', port: mailIn.port, secure: false, ignoreTLS: true });
    await mailer.sendMail({ from: 'an.nguyen@example.vn', to: 'support+vn@aftercare.test', subject: `Re: [${first.number}] log`, text: 'Nhật ký đính kèm.', attachments: [{ filename: 'system.log', content: 'disk 2: I/O error\n' }] });
    await openTicket(first.number);
    const link = client.getByTestId('client-attachment').first();
    await see(link, 'system.log');
    const download = client.waitForEvent('download');
    await link.click();
    const file = await (await download).path();
    expect(fs.readFileSync(file, 'utf8')).toBe('disk 2: I/O error\n');
    // The same address without the client's session gives nothing.
    const href = (await link.getAttribute('href'))!;
    expect((await fetch(`${base}${href}`)).status).toBe(401);
  });

  it("an escalation when the clock is at risk says why in the reader's language (VN-6)", async () => {
    h.now = new Date('2026-11-30T02:00:00Z'); // Monday 09:00
    const d = await incident('Tường lửa chặn truy cập');
    await sweepDueTimers(h.t.db, new Date('2026-11-30T22:30:00Z'));
    await desk.goto(`/support/tickets/${d.id}?lang=bg`);
    await see(desk.getByTestId('ticket-level'), 'L2');
    await see(desk.locator('[data-direction="event"]'), 'Ескалирано L1 → L2: срокът „инцидент по поддръжка“ е застрашен (VN-6)');
    await desk.goto(`/support/tickets/${d.id}?lang=vi`);
    await see(desk.locator('[data-direction="event"]'), 'Đã chuyển cấp L1 → L2: thời hạn “sự cố bảo trì” sắp bị trễ (VN-6)');
    expect(await desk.locator('[data-direction="event"]', { hasText: 'at risk' }).count()).toBe(0);
  });

  it("the console's header fits a phone: the language stays in it, the search and the sign-out are in the menu", async () => {
    for (const l of ['bg', 'vi']) {
      for (const p of ['/support', `/support/tickets/${ids.first}`, '/contracts', '/rmas', '/']) {
        await desk.goto(`${p}${p.includes('?') ? '&' : '?'}lang=${l}`);
        await desk.getByTestId('language').waitFor();
        const box = (await desk.getByTestId('language').boundingBox())!;
        expect(box.x + box.width, `${p} ${l}: the language switch inside the screen`).toBeLessThanOrEqual(390);
        await noOverflow(desk);
      }
    }
    await desk.goto('/support?lang=bg');
    expect(await desk.getByTestId('search-box').isVisible()).toBe(false);
    await desk.getByRole('button', { name: 'Главно меню' }).click();
    await desk.getByTestId('search-box-menu').fill('DEMO-VN-NAS');
    await desk.getByTestId('search-box-menu').press('Enter');
    await expect.poll(() => desk.url(), { timeout: 15_000 }).toContain('/search?q=DEMO-VN-NAS');
    await shot(desk, 'console-header-bg-phone.png');
  });
});
