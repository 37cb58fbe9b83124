// Playwright (playwright-core) driving Debian's Chromium for the browser journeys. Never downloads a
// browser: without /usr/bin/chromium the journeys are skipped with a message (`.ci/run` installs it).
import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

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

export async function newContext(browser: Browser, baseURL: string, opts: { locale?: string; phone?: boolean } = {}): Promise<BrowserContext> {
  const ctx = await browser.newContext({
    baseURL,
    locale: opts.locale ?? 'en-GB',
    viewport: opts.phone ? { width: 390, height: 844 } : { width: 1366, height: 900 },
    deviceScaleFactor: 1,
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
