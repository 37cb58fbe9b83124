// Playwright (playwright-core) driving Debian's Chromium for the browser journeys. Never downloads a
// browser: without /usr/bin/chromium the journeys are skipped with a message (`.ci/run` installs it).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { setupApp, type TestContext } from './db.ts';

export const CHROMIUM = process.env.AFTERCARE_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = () => fs.existsSync(CHROMIUM);

export async function launch(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // The machine's network is closed: background fetches and update checks only make noise.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    // Playwright gives every launch a fresh, empty profile of its own (it refuses --user-data-dir).
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

export async function newContext(browser: Browser, baseURL: string, opts: { locale?: string; phone?: boolean; timezoneId?: string } = {}): Promise<BrowserContext> {
  const ctx = await browser.newContext({
    baseURL,
    locale: opts.locale ?? 'en-GB',
    viewport: opts.phone ? { width: 390, height: 844 } : { width: 1366, height: 900 },
    deviceScaleFactor: 1,
    // The browser's own time zone (a clerk's computer set to another zone than the business's).
    ...(opts.timezoneId ? { timezoneId: opts.timezoneId } : {}),
    ...(opts.phone ? { isMobile: true, hasTouch: true } : {}),
  });
  // A step that cannot happen fails in seconds, naming its locator, not at the test's timeout.
  ctx.setDefaultTimeout(10_000);
  await watchCsp(ctx);
  return ctx;
}

/** Every Content-Security-Policy violation any page of a watched context reported, as "url: directive blocked". */
export const cspViolations: string[] = [];

/** Records the pages' CSP violations (the `securitypolicyviolation` event: one per violation) in `cspViolations`. */
async function watchCsp(ctx: BrowserContext) {
  // Page code as a string: the tests are compiled without the DOM's types.
  await ctx.addInitScript(`document.addEventListener('securitypolicyviolation', (e) => {
    console.error('CSP violation: ' + e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') + ' (' + (e.sourceFile || location.pathname) + ':' + e.lineNumber + ')');
  });`);
  ctx.on('console', (m) => {
    const text = m.text();
    if (text.startsWith('CSP violation: ')) cspViolations.push(`${m.page()?.url() ?? '?'}: ${text}`);
  });
}

// The helpers every browser journey shares (test/*.web.test.ts): staff signed in by their session
// cookie, waiting to see a text, the screenshots, the phone-width and accessibility checks.

/** A new page signed in with a session cookie `name=value` (the staff cookies of test/db.ts's `t.cookies`). */
export async function signedIn(browser: Browser, baseURL: string, cookie: string, opts: { locale?: string; phone?: boolean; timezoneId?: string } = {}): Promise<Page> {
  const ctx = await newContext(browser, baseURL, opts);
  const at = cookie.indexOf('=');
  await ctx.addCookies([{ name: cookie.slice(0, at), value: cookie.slice(at + 1), url: baseURL }]);
  return ctx.newPage();
}

/** Waits until the text shows: anywhere on a page, or within (one of) the elements of a locator. */
export function see(where: Page | Locator, text: string | RegExp): Promise<void> {
  return 'goto' in where ? where.getByText(text).first().waitFor() : where.filter({ hasText: text }).first().waitFor();
}

/** Saves a screenshot into $AFTERCARE_SCREENSHOTS (nothing when unset): the whole page, or only `part`. */
export async function shot(page: Page, name: string, opts: { part?: Locator; fullPage?: boolean } = {}): Promise<void> {
  const dir = process.env.AFTERCARE_SCREENSHOTS;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name.endsWith('.png') ? name : `${name}.png`);
  if (opts.part) await opts.part.screenshot({ path: file });
  else await page.screenshot({ path: file, fullPage: opts.fullPage ?? true });
}

/** No horizontal scrolling on a phone-width (390 px) screen. */
export async function fits(page: Page, width = 390): Promise<void> {
  expect(await page.evaluate<number>('document.scrollingElement.scrollWidth'), `horizontal overflow on ${page.url()}`).toBeLessThanOrEqual(width);
}

/** 0 serious or critical axe-core violations on the page as it stands. */
export async function accessible(page: Page): Promise<void> {
  const r = await new AxeBuilder({ page }).analyze();
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} ${n.html.slice(0, 200)}`).join(' | ')}`), page.url()).toEqual([]);
}

/**
 * A browser journey's set-up, registered for the file's tests: the web app built, the app on a fresh
 * database listening on a free port, Chromium launched; after each test no CSP violation; all closed
 * after the file. `assign` receives them once they are up.
 */
export function useBrowserApp(opts: Parameters<typeof setupApp>[0], assign: (s: { t: TestContext; base: string; browser: Browser }) => void): void {
  let t: TestContext | undefined;
  let closeBrowser: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    execFileSync(process.execPath, [path.resolve('web/build.mjs'), '--quiet'], { stdio: 'inherit' });
    t = await setupApp(opts);
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const b = await launch();
    closeBrowser = b.close;
    assign({ t, base, browser: b.browser });
  }, 180_000);
  afterAll(async () => {
    await closeBrowser?.();
    await t?.close();
  });
  afterEach(() => {
    expect(cspViolations.splice(0), 'CSP violations').toEqual([]);
  });
}
