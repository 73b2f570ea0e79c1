import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { seedUser } from '../auth/support.ts';
import { seedCompany, startTestApi, type TestApi } from '../support/harness.ts';
import { ensureWebBuilt, launchBrowser, screenshot } from './support/browser.ts';
import { hrSignIn } from './support/hr.ts';

// The workspace's header in Debian's Chromium, signed in as an admin (the longest navigation: every page): at 1024
// and 1280 px the navigation is one row in English and Arabic (it wrapped to two at 1024 px once Scheduling was
// added), and on a 390 px phone nothing pushes the page sideways and every entry can still be reached.
// Screenshots: test-results/web/hr-header-<lang>-<width>.png.

vi.setConfig({ testTimeout: 120_000 });

let api: TestApi;
let browser: Browser;
let admin: { email: string; password: string };

beforeAll(async () => {
  ensureWebBuilt();
  api = await startTestApi();
  const company = await seedCompany(api.db, 'Noor Logistics and Freight');
  admin = await seedUser(api, company.companyId, 'admin');
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

/** The distinct rows the navigation's entries sit on (their tops, rounded). */
function navRows(page: Page) {
  return page.evaluate<number>(
    "new Set([...document.querySelectorAll('nav.hr-nav a')].map((link) => Math.round(link.getBoundingClientRect().top))).size",
  );
}

/** How far the document is wider than the window (0 when nothing pushes it sideways). */
function overflow(page: Page) {
  return page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
}

describe('HR workspace: the header', () => {
  for (const lang of ['en', 'ar'] as const) {
    it(`keeps the navigation on one row at 1024 and 1280 px and fits a phone (${lang})`, async () => {
      const { context, page, errors } = await hrSignIn(browser, api.url, admin, lang);
      const nav = page.locator('nav.hr-nav');
      await expect.poll(() => nav.getByRole('link').last().textContent()).toBe(lang === 'en' ? 'Settings' : 'الإعدادات');
      for (const [width, height] of [
        [1024, 768],
        [1280, 800],
      ] as const) {
        await page.setViewportSize({ width, height });
        await screenshot(page, `hr-header-${lang}-${width}`);
        await expect.poll(() => navRows(page), { message: `rows at ${width} px` }).toBe(1);
        expect(await overflow(page), `overflow at ${width} px`).toBe(0);
      }
      await page.setViewportSize({ width: 390, height: 844 });
      await screenshot(page, `hr-header-${lang}-390`);
      await expect.poll(() => overflow(page), { message: 'overflow at 390 px' }).toBe(0);
      // Every entry is reachable on a phone: the last one scrolls into view within the navigation and is hit there.
      const last = nav.getByRole('link').last();
      await last.scrollIntoViewIfNeeded();
      expect(await last.isVisible()).toBe(true);
      await last.click();
      await expect.poll(() => new URL(page.url()).pathname).toBe('/hr/settings');
      expect(errors).toEqual([]);
      await context.close();
    });
  }
});
