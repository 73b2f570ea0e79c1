import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bodyOf, client, seedCompany, startTestApi, type TestApi } from '../support/harness.ts';
import { ensureWebBuilt, launchBrowser, newPage, speechWav } from './support/browser.ts';

// The join page's language choice in Chromium against the real API: shown only when the interview lets the
// candidate choose; choosing switches the page, and the join holds the interview in that language.

vi.setConfig({ testTimeout: 120_000 });

let api: TestApi;
let hr: ReturnType<typeof client>;
let browser: Browser;

beforeAll(async () => {
  ensureWebBuilt();
  api = await startTestApi();
  const { key } = await seedCompany(api.db, 'Gulf Logistics');
  hr = client(api.url, key);
  bodyOf(await hr('PATCH', '/v1/company', { body: { enabledLanguages: ['en', 'ar'] } }), 200);
  browser = await launchBrowser({ wav: speechWav('Hello, my name is Layla Haddad.') });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

async function interviewIn(languageMode: 'fixed' | 'candidate', phone: string) {
  const job = bodyOf(
    await hr('POST', '/v1/jobs', { body: { title: 'Dispatcher', description: 'Routes trucks.', language: 'en' } }),
    201,
  );
  const candidate = bodyOf(await hr('POST', '/v1/candidates', { body: { firstName: 'Layla', lastName: 'Haddad', phone } }), 201);
  const interview = bodyOf(
    await hr('POST', '/v1/interviews', { body: { candidateId: candidate.id, jobId: job.id, type: 'GENERAL', languageMode } }),
    201,
  );
  const link = new URL(interview.signedLink.url);
  return { interview, url: `${api.url}${link.pathname}${link.search}` };
}

describe('join page language choice', () => {
  it('offers the choice only in candidate mode; choosing Arabic switches the page and the interview', async () => {
    const fixed = await interviewIn('fixed', '+971501234560');
    const { page: fixedPage, context: fixedContext } = await newPage(browser);
    await fixedPage.goto(fixed.url);
    await fixedPage.getByLabel('Phone number').waitFor();
    expect(await fixedPage.locator('#interview-language').count()).toBe(0);
    await fixedContext.close();

    const chosen = await interviewIn('candidate', '+971501234561');
    const { page, context, errors } = await newPage(browser);
    await page.goto(chosen.url);
    const select = page.getByLabel('Interview language');
    await select.waitFor();
    expect(await select.locator('option').allTextContents()).toEqual(['English', 'العربية']);
    await select.selectOption('ar');
    await expect.poll(() => page.evaluate('document.documentElement.lang')).toBe('ar');
    await expect.poll(() => page.locator('label[for="interview-language"]').textContent()).toBe('لغة المقابلة');
    await page.locator('#phone').fill('050 123 4561');
    await page.locator('#first-name').fill('Layla');
    await page.locator('#last-name').fill('Haddad');
    await page.locator('form button[type="submit"]').click();
    await expect
      .poll(async () => (await api.db.selectFrom('interviews').select('language').where('id', '=', chosen.interview.id).executeTakeFirstOrThrow()).language, { timeout: 30_000 })
      .toBe('ar');
    expect(errors).toEqual([]);
    await context.close();
  });
});
