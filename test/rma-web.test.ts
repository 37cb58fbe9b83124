// ITMall's RMA in a real browser (issue 12): staff take a request on the console, record the remote
// diagnosis (ITM-3), authorize it (the slip, ITM-7), ship an advance replacement (ITM-8), receive the
// units (a wrong serial refused), inspect them (ITM-13) and resolve each item: repair, replacement,
// credit, not covered; a late return past 20 days is charged (ITM-12) and the client sees it, with its
// slip and what is expected, on the portal, in Bulgarian at phone width. The app's clock is pinned.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clockedApp, type ClockedApp } from './app.ts';
import { DEMO_NOW } from './db.ts';
import { cspViolations, hasChromium, launch, newContext } from './browser.ts';
import { systemActor } from '../src/core/actor.ts';
import { sweepDueTimers } from '../src/core/timers.ts';
import { newToken, sha256 } from '../src/core/tokens.ts';
import * as customers from '../src/modules/customers/customers.service.ts';
import * as devices from '../src/modules/devices/devices.service.ts';
import * as purchases from '../src/modules/purchases/purchases.service.ts';

const SHOTS = process.env.AFTERCARE_SCREENSHOTS;
const DAY = 86_400_000;
if (!hasChromium()) console.warn('rma-web.test.ts: /usr/bin/chromium not found — browser journeys skipped');

describe.skipIf(!hasChromium())('ITMall RMA in Chromium', { timeout: 180_000 }, () => {
  let h: ClockedApp;
  let base: string;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let clientEmail: string;

  beforeAll(async () => {
    execFileSync(process.execPath, [path.resolve('web/build.mjs'), '--quiet'], { stdio: 'inherit' });
    h = await clockedApp(DEMO_NOW);
    base = await h.app.listen({ port: 0, host: '127.0.0.1' });
    ({ browser, close: closeBrowser } = await launch());
    const org = h.t.orgs.itmall;
    const a = systemActor(org, 'test');
    clientEmail = 'it@wave-data.example.sg';
    await h.t.db.transaction().execute(async (tx) => {
      const c = await customers.insert(tx, a, { kind: 'company', name: 'Wave Data Pte Ltd', email: clientEmail, preferredLanguage: 'bg' });
      const sell = async (serial: string, model: string, category: string, invoice: string, shipped: string, priceMinor: number) => {
        const d = await devices.insert(tx, a, { serial, manufacturer: 'Dell', model, category, customerId: c.id });
        await purchases.insert(tx, a, { deviceId: d.id, customerId: c.id, documentType: 'invoice', documentNumber: invoice, soldOn: shipped, shippedOn: shipped, priceMinor, currency: 'USD' });
      };
      await sell('W-SRV-1', 'PowerEdge R660', 'server', 'INV-W-1', '2026-07-01', 1_100_000);
      await sell('W-SSD-1', 'PM9A3 1.92TB', 'ssd', 'INV-W-1', '2026-07-01', 60_000);
      await sell('W-NIC-1', 'Intel E810', 'nic', 'INV-W-1', '2026-07-01', 45_000);
      await sell('W-SW-1', 'S5248F', 'switch', 'INV-W-1', '2026-07-01', 900_000);
      await sell('W-FW-1', 'FortiGate 100F', 'firewall', 'INV-W-2', '2026-09-01', 350_000);
    });
  }, 240_000);

  afterAll(async () => {
    await closeBrowser?.();
    await h?.close();
  });
  afterEach(() => {
    expect(cspViolations.splice(0), 'CSP violations').toEqual([]);
  });

  async function staff(role = 'front-desk') {
    const ctx = await newContext(browser, base);
    const [name, value] = h.t.cookies.itmall[role as 'front-desk'].split('=');
    await ctx.addCookies([{ name, value, url: base }]);
    return ctx.newPage();
  }
  const shot = async (page: Page, name: string) => {
    if (!SHOTS) return;
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
  };
  const see = (l: ReturnType<Page['locator']>, text: string | RegExp) => l.filter({ hasText: text }).first().waitFor();
  const state = (page: Page, text: string) => see(page.getByTestId('rma-state'), text);
  const pick = async (page: Page, select: string, option: string | RegExp) => {
    await page.getByTestId(`select-${select}`).click();
    await page.getByRole('option', { name: option }).click();
  };
  /** Opens an action (only the legal ones are offered), fills it, confirms; a refusal fails with its words unless expected. */
  async function act(page: Page, action: string, fill?: (form: ReturnType<Page['locator']>) => Promise<void>, refused = false) {
    await page.locator(`[data-action="${action}"]`).click();
    const form = page.getByTestId(`form-${action}`);
    if (fill) await fill(form);
    await page.getByTestId('rma-confirm').click();
    const error = page.getByTestId('rma-actions').getByTestId('error');
    await Promise.race([form.waitFor({ state: 'detached' }), error.first().waitFor()]);
    if (refused) return (await error.first().locator('li').evaluateAll((xs) => xs.map((x) => x.getAttribute('title')))).join(' ');
    if (await error.count()) throw new Error(`${action}: ${await error.first().textContent()}`);
    return null;
  }

  it('runs an RMA from the request to every resolution: repair, replacement (advance), credit, not covered (ITM-3, ITM-6..11, ITM-13)', async () => {
    h.now = DEMO_NOW;
    const page = await staff();
    await page.goto('/rmas?lang=en');
    await page.getByTestId('rma-queues').waitFor();
    await see(page.locator('[data-queue="awaiting-diagnosis"]'), /Awaiting diagnosis/);
    await page.getByRole('link', { name: 'New RMA' }).click();

    // A serial that is not on the invoice: refused, naming the item's serial.
    await page.getByLabel(/^Invoice/).fill('INV-W-1');
    await page.getByLabel('Serial').fill('W-FW-1');
    await page.getByLabel('Fault').fill('Reboots');
    await page.getByTestId('rma-submit').click();
    // (The server's words stay in the tooltip; the note says it in the user's language.)
    await page.locator('[data-testid=error] li[title="body.items.0.serial: is not on invoice INV-W-1"]').waitFor();
    // ... in the user's words, naming the item's field (not a generic "invalid").
    await see(page.getByTestId('error'), 'Item 1: serial — is not on this purchase');
    await see(page.getByTestId('error'), 'An item is not on the purchase given');

    // The request: four items of one invoice (ITM-6).
    const items = [['W-SRV-1', 'iDRAC: failed DIMM'], ['W-SSD-1', 'Drops out of the array'], ['W-NIC-1', 'Link flaps'], ['W-SW-1', 'Ports 1-12 dead']];
    for (let i = 1; i < items.length; i++) await page.getByRole('button', { name: 'Add an item' }).click();
    for (const [i, [serial, fault]] of items.entries()) {
      const card = page.getByTestId('rma-new-item').nth(i);
      await card.getByLabel('Serial').fill(serial);
      await card.getByLabel('Fault').fill(fault);
    }
    await page.getByTestId('rma-submit').click();
    await state(page, 'Awaiting remote diagnosis');
    await see(page.getByTestId('rma-number'), /^RMA-2026-\d{6}$/);
    // The engine's answer per item before anything ships; no authorization before the remote diagnosis (ITM-3).
    await see(page.getByTestId('item-outcome'), /pending inspection/);
    expect(await page.locator('[data-action="authorize"]').count()).toBe(0);
    await shot(page, 'rma-requested.png');

    await act(page, 'remote-diagnosis', async (f) => {
      await pick(page, 'outcome', 'Return needed');
      await f.locator('textarea[name=note]').fill('Remote iDRAC and switch CLI: hardware faults confirmed.');
      await f.getByLabel('Hardware defect confirmed').check();
    });
    await act(page, 'authorize');
    await state(page, 'Authorized, awaiting return');
    await see(page.getByTestId('rma-deadline'), /within 10 days/);
    await see(page.getByTestId('rma-freight'), /Inbound freight is the client's/);
    // The return deadline held with a reason, then resumed (the return clock pauses through the core).
    await act(page, 'hold-return', async (f) => {
      await f.locator('textarea[name=reason]').fill('Customs hold at the client’s site');
    });
    await see(page.getByTestId('rma-return-hold'), /Customs hold at the client’s site/);
    await act(page, 'resume-return');
    await page.getByTestId('rma-return-hold').waitFor({ state: 'detached' });
    const slipHref = await page.getByTestId('rma-slip').getAttribute('href');
    const slip = await page.request.get(`${slipHref}?lang=bg`);
    expect(slip.status()).toBe(200);
    expect((await slip.body()).subarray(0, 5).toString()).toBe('%PDF-');

    // ITM-8: the SSD's replacement ships before the faulty unit comes back.
    await act(page, 'ship-advance-replacement', async (f) => {
      await pick(page, 'itemId', /W-SSD-1/);
      await f.locator('input[name=replacementSerial]').fill('W-SSD-1R');
    });
    await see(page.getByTestId('rma-items'), /Advance replacement W-SSD-1R shipped/);

    // Receipt: a wrong serial is refused with the reason; then the right ones.
    h.now = new Date(DEMO_NOW.getTime() + 3 * DAY);
    const refusal = await act(page, 'receive', async (f) => {
      await f.locator('input[name=carrier]').fill('FedEx');
      await f.locator('input[name=tracking]').fill('7712001');
      for (const [i, [serial]] of items.entries()) await f.locator(`input[name=unit-${i + 1}]`).fill(i === 3 ? 'W-SW-9' : serial);
    }, true);
    expect(refusal).toContain('is not the authorized serial W-SW-1');
    await page.getByTestId('form-receive').locator('input[name=unit-4]').fill('W-SW-1');
    await page.getByTestId('rma-confirm').click();
    await state(page, 'Received');
    await see(page.getByTestId('rma-clock-status'), 'Received in time');

    // Inspection with the pack's exclusions (ITM-13): the switch was dropped.
    await act(page, 'inspect', async (f) => {
      await f.locator('input[name=findings-4]').fill('drop-damage');
    });
    await state(page, 'Inspected');
    await see(page.getByTestId('rma-items'), /Accidental damage \(a drop\) is not covered\. \(ITM-13\)/);

    // Resolution per item.
    await act(page, 'resolve', async () => {
      await pick(page, 'resolution-1', 'Repair');
      await pick(page, 'resolution-3', 'Credit');
      await pick(page, 'resolution-4', 'Not covered, returned');
    });
    await state(page, 'Resolved');
    const res = page.getByTestId('item-resolution');
    await see(res, /Repair\s*SO-2026-\d{6}/);
    await see(res, /Replacement.*ITM-11/);
    const record = await page.getByTestId('rma-replacement-record').first().getAttribute('href');
    const pdf = await page.request.get(record!);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    await see(res, /Credit\s*CN-2026-\d{6}/);
    await see(res, 'Not covered, returned');
    await shot(page, 'rma-resolved.png');

    // The repair's service order is open and linked.
    await res.getByRole('link', { name: /SO-2026-/ }).click();
    await page.getByTestId('order-state').waitFor();
    await page.close();
  });

  it('a late return past 20 days is charged the unit price (ITM-12); the client sees it, the slip and what is expected, in Bulgarian on a phone', async () => {
    h.now = DEMO_NOW;
    const cookie = h.t.cookies.itmall['front-desk'];
    const r = await h.call('POST', '/api/v1/rmas', cookie, { channel: 'phone', invoice: 'INV-W-2', items: [{ serial: 'W-FW-1', fault: 'Fan failure' }] });
    expect(r.status).toBe(201);
    const id = r.body.id;
    const version = async () => (await h.call('GET', `/api/v1/rmas/${id}`, cookie)).body.version;
    expect((await h.call('POST', `/api/v1/rmas/${id}/actions`, cookie, { action: 'remote-diagnosis', outcome: 'return-needed', note: 'Fan tray alarm seen remotely.', version: await version() })).status).toBe(200);
    expect((await h.call('POST', `/api/v1/rmas/${id}/actions`, cookie, { action: 'authorize', version: await version() })).status).toBe(200);
    // The client signs in to their account (the session as the e-mailed link would open it).
    const token = newToken();
    await h.t.db.insertInto('client_sessions').values({ token_hash: sha256(token), organization_id: h.t.orgs.itmall, email: clientEmail, expires_at: new Date('2199-01-01T00:00:00Z') }).execute();
    const ctx = await newContext(browser, base, { phone: true, locale: 'bg-BG' });
    await ctx.addCookies([{ name: 'aftercare_client', value: token, url: `${base}/api/v1/client` }]);
    const client = await ctx.newPage();
    await client.goto('/account/itmall?lang=bg');
    const mine = client.locator(`[data-testid="client-rma"][data-number="${r.body.number}"]`);
    await client.getByTestId('client-rmas').waitFor();
    await see(mine.getByTestId('client-rma-expected'), /Моля, изпратете артикулите с опаковъчния лист до/);
    await see(mine, 'Транспортът до нас (изпращането на артикулите) е за Ваша сметка.');
    const href = await mine.getByTestId('client-rma-slip').getAttribute('href');
    const slip = await client.request.get(href!);
    expect(slip.status()).toBe(200);
    expect(slip.headers()['content-type']).toBe('application/pdf');

    // 10 days: late; past 20 days: the full unit price, once, however many runners (ITM-12).
    const late = new Date(DEMO_NOW.getTime() + 20 * DAY + 60_000);
    await sweepDueTimers(h.t.db, new Date(DEMO_NOW.getTime() + 10 * DAY + 60_000));
    await Promise.all([sweepDueTimers(h.t.db, late), sweepDueTimers(h.t.db, late)]);
    h.now = late;
    const after = (await h.call('GET', `/api/v1/rmas/${id}`, cookie)).body;
    expect(after.state, JSON.stringify(after.clocks)).toBe('return-late');
    await client.reload();
    await see(mine.getByTestId('client-rma-state'), 'Закъсняло връщане');
    await see(mine, /начислява се пълната цена на артикула \(ITM-12\)/);
    await see(mine.getByTestId('client-rma-expected'), /Връщането е просрочено/);
    await shot(client, 'rma-portal-bg-phone.png');
    // No horizontal scrolling at 390 px.
    const widths = await client.evaluate('[document.documentElement.scrollWidth, window.innerWidth]') as number[];
    expect(widths[0]).toBeLessThanOrEqual(widths[1]);

    // Staff see it in the late-returns queue with the charge.
    const page = await staff();
    await page.goto('/rmas/queue/late-returns?lang=en');
    await page.getByRole('link', { name: r.body.number }).click();
    await state(page, 'Return overdue');
    await see(page.getByTestId('rma-charges'), /Charged US\$3,500\.00 \(ITM-12\)/);
    await see(page.getByTestId('rma-late-consequence'), 'the full unit price is charged (ITM-12)');
    await page.close();
    await ctx.close();
  });
});
