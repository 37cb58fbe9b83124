// Issue 11, the policy editor in Chromium: a section the policy lacks (part terms, in the
// service-center pack) is added in the form, bad input in it ("3 mnths", an unknown category) is
// refused on the field with nothing saved, then a good one is saved and published as a version.
// And every editor screen (draft, simulate and publish, versions with a diff, export / import) fits a
// 390 px phone in English, Bulgarian and Vietnamese: no horizontal page overflow (tables scroll in
// their box), screenshots in $AFTERCARE_SCREENSHOTS.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NOW, setupApp, type TestContext } from './db.ts';
import { fits, hasChromium, launch, see, shot, signedIn } from './browser.ts';

describe.skipIf(!hasChromium())('the policy editor on a phone (issue 11)', () => {
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

  const pick = async (page: Page, testId: string, option: string) => {
    await page.getByTestId(testId).click();
    await page.getByRole('option', { name: option, exact: true }).click();
  };
  /**
   * Nothing sticks out of the screen: no element's right edge past the viewport, unless it is inside
   * a box that scrolls sideways (a table's scroll container). `fits` alone misses content the app
   * shell clips.
   */
  const nothingClipped = async (page: Page) => {
    const out = await page.evaluate<string[]>(`(() => {
      const w = window.innerWidth, bad = [];
      const scrolls = (e) => { for (let p = e.parentElement; p; p = p.parentElement) { const o = getComputedStyle(p).overflowX; if ((o === 'auto' || o === 'scroll') && p !== document.scrollingElement && p !== document.body) return true; } return false; };
      for (const e of document.querySelectorAll('body *')) {
        const r = e.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || r.right <= w + 1) continue;
        if (getComputedStyle(e).visibility === 'hidden' || scrolls(e)) continue;
        bad.push(e.tagName.toLowerCase() + (e.getAttribute('data-testid') ? '[' + e.getAttribute('data-testid') + ']' : '') + ' ' + Math.round(r.right) + 'px: ' + (e.textContent || '').slice(0, 60));
      }
      return bad.slice(0, 8);
    })()`);
    expect(out, `sticks out of 390 px on ${page.url()}`).toEqual([]);
  };
  const drafts = (org: string) => t.db.selectFrom('policy_drafts').select('organization_id').where('organization_id', '=', t.orgs[org]).execute();

  it('adds the part terms the service-center pack lacks: "3 mnths" and an unknown category refused on the field, nothing saved; then saved and published', async () => {
    const page = await signedIn(browser, base, t.cookies['service-center'].manager, { phone: true });
    // The whole policy as forms is a long page: slow to render on a busy machine.
    page.context().setDefaultTimeout(30_000);
    await page.clock.setFixedTime(DEMO_NOW);
    await page.goto('/policy?lang=en');
    await page.getByTestId('save-draft').waitFor();
    // The pack states no part terms: the section is there, empty, with its "add".
    const parts = page.locator('[data-section=parts]');
    if ((await parts.count()) === 0) {
      await pick(page, 'new-section', 'Part terms');
      await page.getByTestId('add-section-button').click();
    }
    await parts.waitFor();
    expect(await parts.locator('input').count()).toBe(1);
    await page.getByTestId('new-parts').fill('toaster');
    await page.getByTestId('add-parts').click();
    await page.getByTestId('field-parts.toaster.duration').fill('3 mnths');
    await page.getByTestId('field-parts.toaster.rule').fill('SC-1');
    await page.getByTestId('save-draft').click();
    await see(page, '"3 mnths" is not a duration like "3 months"');
    await see(page, /unknown category "toaster"; known categories: desktop, laptop, monitor, phone, printer, tablet/);
    await fits(page);
    await nothingClipped(page);
    await shot(page, 'policy-add-section-refused-en-390', { part: parts });
    expect(await drafts('service-center')).toEqual([]);

    // The right category (one the business knows) and a duration: saved as the draft.
    await page.locator('[data-section=parts]').getByRole('button', { name: 'Remove' }).click();
    await page.getByTestId('new-parts').fill('tablet');
    await page.getByTestId('add-parts').click();
    await page.getByTestId('field-parts.tablet.duration').fill('6 months');
    await page.getByTestId('field-parts.tablet.rule').fill('SC-1');
    await page.getByTestId('save-draft').click();
    await page.getByTestId('draft-saved').waitFor();
    expect(await drafts('service-center')).toHaveLength(1);

    // Published as the next version: its body has the part term.
    await page.getByTestId('tab-publish').click();
    await page.getByTestId('effective').fill('2026-12-01');
    await page.getByTestId('publish').click();
    await page.getByTestId('published').waitFor();
    const v = await t.db.selectFrom('policy_versions').select(['seq', 'body']).where('organization_id', '=', t.orgs['service-center']).orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(v.seq).toBe(2);
    expect((v.body as { parts: unknown }).parts).toEqual({ tablet: { duration: '6 months', rule: 'SC-1', setting: true } });
    await page.context().close();
  }, 120_000);

  it.each(['en', 'bg', 'vi'])('every editor screen fits 390 px in %s', async (lang) => {
    // A draft to simulate (the policy in force, saved unchanged) and a second version to diff.
    const page = await signedIn(browser, base, t.cookies['itema-pg'].manager, { phone: true, locale: lang });
    page.context().setDefaultTimeout(30_000);
    await page.clock.setFixedTime(DEMO_NOW);
    const draft = await t.app.inject({ method: 'GET', url: '/api/v1/policy/draft', headers: { cookie: t.cookies['itema-pg'].manager } });
    if (draft.json().version === 0) {
      const r = await t.app.inject({ method: 'PUT', url: '/api/v1/policy/draft', headers: { cookie: t.cookies['itema-pg'].manager }, payload: { version: 0, body: draft.json().body } });
      expect(r.statusCode, r.body).toBe(200);
    }
    await page.goto(`/policy?lang=${lang}`);
    await page.getByTestId('save-draft').waitFor();
    await page.locator('[data-section=terms]').waitFor();
    await fits(page);
    await nothingClipped(page);
    await shot(page, `policy-draft-${lang}-390`, { part: page.locator('[data-section=terms]') });
    await shot(page, `policy-draft-fees-${lang}-390`, { part: page.locator('[data-section=fees]') });
    await page.getByTestId('tab-publish').click();
    await page.getByTestId('simulate').click();
    await page.getByTestId('simulation').waitFor();
    await fits(page);
    await nothingClipped(page);
    await shot(page, `policy-simulate-${lang}-390`);
    await page.getByTestId('tab-versions').click();
    await page.getByTestId('versions').waitFor();
    await page.getByTestId('versions').getByRole('button').first().click();
    await page.getByTestId('diff').waitFor();
    await fits(page);
    await nothingClipped(page);
    await shot(page, `policy-versions-${lang}-390`, { fullPage: false });
    await page.getByTestId('tab-yaml').click();
    await page.getByTestId('import-text').waitFor();
    await fits(page);
    await nothingClipped(page);
    await shot(page, `policy-yaml-${lang}-390`);
    await page.context().close();
  }, 120_000);
});
