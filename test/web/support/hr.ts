// Signing in to the HR workspace in a browser, for the test files under test/web that drive /hr pages: a context
// in the given language and Dubai's time zone, the sign-in form filled in, and the page's errors collected.
import type { Browser, Page } from 'playwright-core';
import { screenshot } from './browser.ts';

export const hrWidths = { 1440: { width: 1440, height: 900 }, 1024: { width: 1024, height: 768 } } as const;

const signInWords = {
  en: { email: 'Work e-mail', password: 'Password', submit: 'Sign in' },
  ar: { email: 'البريد الإلكتروني للعمل', password: 'كلمة المرور', submit: 'تسجيل الدخول' },
} as const;

export function hrContext(browser: Browser, lang: 'en' | 'ar' = 'en') {
  return browser.newContext({
    viewport: hrWidths[1440],
    locale: lang === 'ar' ? 'ar-AE' : 'en-GB',
    timezoneId: 'Asia/Dubai',
  });
}

/** A page signed in as `user`, at the workspace's landing page. */
export async function hrSignIn(
  browser: Browser,
  baseUrl: string,
  user: { email: string; password: string },
  lang: 'en' | 'ar' = 'en',
) {
  const context = await hrContext(browser, lang);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${baseUrl}/hr/sign-in`);
  const words = signInWords[lang];
  await page.getByLabel(words.email).fill(user.email);
  await page.getByLabel(words.password).fill(user.password);
  await page.getByRole('button', { name: words.submit }).click();
  await page.waitForURL(/\/hr\/interviews$/);
  return { context, page, errors };
}

/** Full-page screenshots at 1440 and 1024 px wide, named test-results/web/hr-<name>-<width>.png. */
export async function hrScreenshots(page: Page, name: string) {
  for (const [width, viewport] of Object.entries(hrWidths)) {
    await page.setViewportSize(viewport);
    await screenshot(page, `hr-${name}-${width}`);
  }
  await page.setViewportSize(hrWidths[1440]);
}
