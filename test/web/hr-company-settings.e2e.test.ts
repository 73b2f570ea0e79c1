import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { seedUser } from '../auth/support.ts';
import { bodyOf, client, seedCompany, startTestApi, type TestApi } from '../support/harness.ts';
import { axeViolations, ensureWebBuilt, launchBrowser } from './support/browser.ts';
import { hrScreenshots, hrSignIn } from './support/hr.ts';

// The company's settings and the new interview page in Debian's Chromium against the real API and Postgres (issues
// 15 and 17): an admin sets the time zone (searchable picker), the languages offered, the default language and typed
// interviews; then creates an interview the candidate chooses the language of, its start typed into the date picker
// by keyboard in the company's zone (Riyadh, an hour behind the browser's Dubai), and changes its language on the
// setup page (the plan is written again in Arabic). The API is asked what was saved.
// A server without an Arabic voice refuses Arabic, and the page says so in words and keeps what was typed.
// Screenshots: test-results/web/hr-settings-company-*.png and hr-new-interview-*.png, English and Arabic.

vi.setConfig({ testTimeout: 120_000 });

let api: TestApi;
let browser: Browser;
let key: string;
let admin: { email: string; password: string };

/** Text as read, without the bidi isolation marks (U+2066–2069) the catalogues put around interpolated words. */
const plain = (text: string | null) => (text ?? '').replace(/[\u2066-\u2069]/g, '');
const heading = async (page: Page) => plain(await page.getByRole('heading', { level: 1 }).textContent());
const mainText = async (page: Page) => plain(await page.locator('main').innerText());

async function expectNoViolations(page: Page, where: string) {
  expect(await axeViolations(page), `axe on ${where}`).toEqual([]);
}

/** The navigation entries marked current. */
function currentNav(page: Page) {
  return page.getByRole('navigation').locator('a[aria-current="page"]').allTextContents();
}

/** Ticks or unticks a checkbox by keyboard (react-aria keeps the input itself under its label). */
async function toggle(page: Page, name: string | RegExp) {
  await page.getByRole('checkbox', { name }).focus();
  await page.keyboard.press('Space');
}

beforeAll(async () => {
  ensureWebBuilt();
  api = await startTestApi();
  const company = await seedCompany(api.db, 'Noor Logistics');
  key = company.key;
  admin = await seedUser(api, company.companyId, 'admin');
  const hr = client(api.url, key);
  bodyOf(await hr('POST', '/v1/jobs', { body: { title: 'Fleet Analyst', description: 'Plans delivery routes.', language: 'en' } }), 201);
  bodyOf(
    await hr('POST', '/v1/candidates', {
      body: { firstName: 'Huda', lastName: 'Karim', phone: '+971501234999', email: 'huda.karim@example.com' },
    }),
    201,
  );
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

describe('HR workspace: company settings and the new interview', () => {
  it('an admin sets the time zone, languages and typed interviews; the API has them', async () => {
    const { context, page, errors } = await hrSignIn(browser, api.url, admin);
    await page.goto(`${api.url}/hr/settings?tab=company`);
    await expect.poll(() => heading(page)).toBe('Settings');
    expect(await currentNav(page)).toEqual(['Settings']);

    // The time zone: typed into the combo box, picked from the filtered list.
    const zone = page.getByRole('combobox', { name: 'Time zone' });
    await expect.poll(() => zone.inputValue()).toBe('UTC (GMT+00:00)');
    await zone.fill('riyadh');
    const option = page.getByRole('option', { name: /^Asia\/Riyadh \(GMT\+03:00\)$/ });
    await expect.poll(() => page.getByRole('option').count()).toBe(1);
    await option.click();
    await expect.poll(() => zone.inputValue()).toBe('Asia/Riyadh (GMT+03:00)');

    // Arabic offered too and made the default; typed interviews allowed.
    await toggle(page, 'Arabic');
    await expect.poll(() => page.getByRole('checkbox', { name: 'Arabic' }).isChecked()).toBe(true);
    await page.getByRole('button', { name: /Default language/ }).click();
    await page.getByRole('option', { name: 'Arabic' }).click();
    await toggle(page, /Allow typed interviews/);
    await expectNoViolations(page, 'settings: company');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('status').allTextContents()).toContain('Saved. New dates and interviews follow these settings.');

    const company = bodyOf(await client(api.url, key)('GET', '/v1/company'), 200);
    expect(company).toMatchObject({
      timezone: 'Asia/Riyadh',
      enabledLanguages: ['en', 'ar'],
      defaultLanguage: 'ar',
      allowTypedInterviews: true,
    });
    // A reload shows what was saved, not the defaults.
    await page.reload();
    await expect.poll(() => page.getByRole('combobox', { name: 'Time zone' }).inputValue()).toBe('Asia/Riyadh (GMT+03:00)');
    expect(await page.getByRole('checkbox', { name: 'Arabic' }).isChecked()).toBe(true);
    await hrScreenshots(page, 'settings-company-en');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('creates an interview the candidate chooses the language of, its start typed by keyboard in the company’s zone', async () => {
    const { context, page, errors } = await hrSignIn(browser, api.url, admin);
    await page.getByRole('navigation').getByRole('link', { name: 'New interview' }).click();
    await expect.poll(() => heading(page)).toBe('New interview');
    // Only the page's own entry is current, not Interviews as well.
    expect(await currentNav(page)).toEqual(['New interview']);

    await page.getByRole('button', { name: /Candidate/ }).click();
    await page.getByRole('option', { name: 'Huda Karim' }).click();
    await page.getByRole('button', { name: /Job/ }).click();
    await page.getByRole('option', { name: 'Fleet Analyst' }).click();

    // The start, by keyboard: Tab from the type picker into the date picker's first segment, then digits. The
    // company's zone (Riyadh) is shown, not the browser's (Dubai).
    expect(await mainText(page)).toContain('In the company’s time zone, Asia/Riyadh.');
    const target = new Date(Date.now() + 3 * 86_400_000);
    const riyadh = Object.fromEntries(
      new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Riyadh', year: 'numeric', month: '2-digit', day: '2-digit' })
        .formatToParts(target)
        .map((part) => [part.type, part.value]),
    );
    await page.getByRole('button', { name: /Type/ }).focus();
    await page.keyboard.press('Tab');
    const focusedSegment = () => page.evaluate<string>("document.activeElement?.getAttribute('data-type') ?? ''");
    await expect.poll(focusedSegment).toBe('day');
    // en-GB: day, month, year, hour, minute; each segment moves on when it is complete.
    await page.keyboard.type(`${riyadh.day}${riyadh.month}${riyadh.year}1430`);
    const expectedStart = new Date(`${riyadh.year}-${riyadh.month}-${riyadh.day}T14:30:00+03:00`).toISOString();

    // The candidate chooses: by keyboard, from the first radio to the second.
    await page.getByRole('radio', { name: 'You choose' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByRole('radio', { name: 'The candidate chooses' }).isChecked()).toBe(true);
    await expect
      .poll(() => mainText(page))
      .toContain('On the join page the candidate picks one of the languages your company offers (English and Arabic)');
    // The fixed language's picker goes with the fixed mode.
    expect(await page.getByRole('button', { name: /Language/ }).count()).toBe(0);
    await expectNoViolations(page, 'new interview');
    await hrScreenshots(page, 'new-interview-en');

    await page.getByRole('button', { name: 'Create and review the plan' }).click();
    await page.waitForURL(/\/hr\/interviews\/[0-9a-f-]+\/setup$/);
    const interviewId = page.url().split('/').at(-2)!;
    const interview = bodyOf(await client(api.url, key)('GET', `/v1/interviews/${interviewId}`), 200);
    expect(interview).toMatchObject({ languageMode: 'candidate', language: 'en', scheduledStart: expectedStart });

    // The setup page: Interviews is the current entry; the language says who chooses; the date is Riyadh's, named.
    await expect.poll(() => heading(page)).toBe('Interview with Huda Karim');
    expect(await currentNav(page)).toEqual(['Interviews']);
    const facts = page.locator('.hr-facts');
    await expect.poll(() => facts.textContent().then(plain)).toContain('The candidate chooses (English and Arabic)');
    expect(plain(await facts.textContent())).toMatch(/14:30 GMT\+3/);
    await expectNoViolations(page, 'setup of a candidate-choice interview');

    // HR changes their mind before the interview: Arabic, fixed. The plan is written again in Arabic.
    await page.getByRole('button', { name: 'Change the language' }).click();
    const dialog = page.getByRole('dialog', { name: 'The interview’s language' });
    await dialog.getByRole('radio', { name: 'The candidate chooses' }).focus();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => dialog.getByRole('radio', { name: 'You choose' }).isChecked()).toBe(true);
    await dialog.getByRole('button', { name: /Language/ }).click();
    await page.getByRole('option', { name: 'Arabic' }).click();
    await expectNoViolations(page, 'language dialog');
    await dialog.getByRole('button', { name: 'Save the language' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    await expect.poll(() => facts.textContent().then(plain)).toMatch(/LanguageArabic/);
    const firstQuestion = page.locator('.hr-plan-item .hr-plan-text p').first();
    await expect.poll(() => firstQuestion.textContent()).toMatch(/[\u0600-\u06FF]/);
    expect(bodyOf(await client(api.url, key)('GET', `/v1/interviews/${interviewId}`), 200)).toMatchObject({
      languageMode: 'fixed',
      language: 'ar',
    });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('reads right to left in Arabic: settings and new interview', async () => {
    const { context, page, errors } = await hrSignIn(browser, api.url, admin, 'ar');
    await expect.poll(() => page.evaluate<string>('document.documentElement.dir')).toBe('rtl');
    await page.goto(`${api.url}/hr/settings?tab=company`);
    await expect.poll(() => heading(page)).toBe('الإعدادات');
    await expect.poll(() => page.getByRole('combobox', { name: 'المنطقة الزمنية' }).inputValue()).toBe('Asia/Riyadh (GMT+03:00)');
    expect(await page.getByRole('checkbox', { name: 'العربية' }).isChecked()).toBe(true);
    await expectNoViolations(page, 'settings: company (ar)');
    await hrScreenshots(page, 'settings-company-ar');

    await page.goto(`${api.url}/hr/interviews/new`);
    await expect.poll(() => heading(page)).toBe('مقابلة جديدة');
    expect(await currentNav(page)).toEqual(['مقابلة جديدة']);
    await page.getByRole('radio', { name: 'تختارها أنت' }).focus();
    // Right to left, the next radio is to the left.
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => page.getByRole('radio', { name: 'يختارها المرشح' }).isChecked()).toBe(true);
    await expect.poll(() => mainText(page)).toContain('يختار المرشح إحدى اللغات التي تتيحها شركتك');
    expect(await mainText(page)).toContain('بتوقيت الشركة، Asia/Riyadh.');
    await expectNoViolations(page, 'new interview (ar)');
    await hrScreenshots(page, 'new-interview-ar');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a server without an Arabic voice refuses it: the page says so in words and keeps what was typed', async () => {
    const englishOnly = await startTestApi({ env: { SPEECH_LANGUAGES: 'en' } });
    try {
      const company = await seedCompany(englishOnly.db, 'English Only Co');
      const owner = await seedUser(englishOnly, company.companyId, 'admin');
      const { context, page, errors } = await hrSignIn(browser, englishOnly.url, owner);
      await page.goto(`${englishOnly.url}/hr/settings?tab=company`);
      // The saved name, not a default: the form is drawn from the saved settings before anything is typed.
      await expect.poll(() => page.getByLabel('Company name').inputValue()).toBe('English Only Co');
      await page.getByLabel('Company name').fill('English Only Company');
      await toggle(page, 'Arabic');
      await page.getByRole('button', { name: 'Save' }).click();
      await expect
        .poll(() => mainText(page))
        .toContain('Arabic cannot be offered: this server has no interviewer voice for it.');
      // Nothing lost: the typed name and the ticked language are still there to correct.
      expect(await page.getByLabel('Company name').inputValue()).toBe('English Only Company');
      expect(await page.getByRole('checkbox', { name: 'Arabic' }).isChecked()).toBe(true);
      expect(bodyOf(await client(englishOnly.url, company.key)('GET', '/v1/company'), 200)).toMatchObject({
        name: 'English Only Co',
        enabledLanguages: ['en'],
      });
      await expectNoViolations(page, 'settings: refused language');
      // Unticking it and saving again works.
      await toggle(page, 'Arabic');
      await expect.poll(() => page.getByRole('checkbox', { name: 'Arabic' }).isChecked()).toBe(false);
      await page.getByRole('button', { name: 'Save' }).click();
      // The refused boxes do not hold the corrected form back: react-aria's checkboxes, natively invalid after the
      // refusal, once kept the browser from sending it at all.
      await expect.poll(() => page.getByRole('status').allTextContents()).toContain('Saved. New dates and interviews follow these settings.');
      expect(await mainText(page)).not.toContain('Arabic cannot be offered');
      expect(bodyOf(await client(englishOnly.url, company.key)('GET', '/v1/company'), 200)).toMatchObject({
        name: 'English Only Company',
        enabledLanguages: ['en'],
      });
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await englishOnly.stop();
    }
  });
});
