import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { seedUser } from '../auth/support.ts';
import { client, okBody, seedCompany, startTestApi, type TestApi } from '../support/harness.ts';
import { seedJobAndCandidates } from '../scheduling/support.ts';
import { axeViolations, ensureWebBuilt, launchBrowser } from './support/browser.ts';
import { hrScreenshots, hrSignIn } from './support/hr.ts';

// The HR workspace's Scheduling page in Debian's Chromium against the real API and Postgres: a recruiter adds a
// weekly availability window with the kit's pickers (select, time fields, number fields, the date picker's
// calendar by keyboard; the candidate chooses the interviews' language), finds its slots in next week's calendar, sees a booking in its slot and the overlap the API
// recorded when a second window was added, moves the booking to another slot, and walks the weeks; the page in
// Arabic runs its days right to left; a reviewer gets neither the link nor the page. axe-core on each state;
// screenshots at 1440 and 1024 px in English and Arabic (test-results/web/hr-scheduling-*.png).

vi.setConfig({ testTimeout: 120_000 });

const zone = 'Asia/Dubai';
let api: TestApi;
let browser: Browser;
let call: ReturnType<typeof client>;
let recruiter: { email: string; password: string };
let reviewer: { email: string; password: string };
let jobId: string;
let candidates: { id: string }[];

/** A day in Dubai as YYYY-MM-DD, `offset` days from today. */
function dubaiDay(offset = 0): string {
  const today = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
  const date = new Date(`${today}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + offset);
  return date.toISOString().slice(0, 10);
}

/** The Monday of the week `weeks` from this one, in Dubai. */
function monday(weeks: number): string {
  const today = dubaiDay();
  const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday 0
  return dubaiDay(weeks * 7 - weekday);
}

const addDays = (day: string, n: number) => {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + n);
  return date.toISOString().slice(0, 10);
};

/** Text as read, without the bidi isolation marks (U+2066–2069) the catalogues put around interpolated words. */
function plain(text: string | null): string {
  return (text ?? '').replace(/[\u2066-\u2069]/g, '');
}

async function heading(page: Page) {
  return plain(await page.getByRole('heading', { level: 1 }).textContent());
}

async function expectNoViolations(page: Page, where: string) {
  expect(await axeViolations(page), `axe on ${where}`).toEqual([]);
}

/** The week's column for a day (the list item named by its heading). */
function dayColumn(page: Page, day: string): Locator {
  return page.locator(`li.hr-day[aria-labelledby="day-${day}"]`);
}

async function typeTime(dialog: Locator, label: string, hours: string, minutes: string) {
  const field = dialog.getByRole('group', { name: label, exact: true });
  await field.getByRole('spinbutton', { name: /hour/i }).click();
  await dialog.page().keyboard.type(hours);
  await field.getByRole('spinbutton', { name: /minute/i }).click();
  await dialog.page().keyboard.type(minutes);
}

beforeAll(async () => {
  ensureWebBuilt();
  api = await startTestApi();
  const company = await seedCompany(api.db, 'Noor Logistics');
  call = client(api.url, company.key);
  okBody(await call('PUT', '/v1/scheduling/settings', { body: { timezone: zone } }));
  ({ jobId, candidates } = await seedJobAndCandidates(call, 2));
  recruiter = await seedUser(api, company.companyId, 'recruiter');
  reviewer = await seedUser(api, company.companyId, 'reviewer');
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

describe('HR workspace: scheduling', () => {
  const nextMonday = monday(1);
  const nextWednesday = addDays(nextMonday, 2);

  it('a recruiter adds availability with the pickers, sees its slots, a booking and a conflict, moves the booking and walks the weeks', async () => {
    const { context, page, errors } = await hrSignIn(browser, api.url, recruiter);
    await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Scheduling' }).click();
    await expect.poll(() => heading(page)).toBe('Scheduling');
    await expect.poll(async () => plain(await page.locator('main').innerText())).toContain('Times are in Asia/Dubai');
    await expect.poll(() => page.getByText('No availability yet.').count()).toBe(1);

    // Wednesdays 10:00–12:15, 45-minute slots, two at once, until two weeks from today (chosen in the calendar).
    await page.getByRole('button', { name: 'Add availability' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add availability' });
    await dialog.getByRole('button', { name: /Day of the week/ }).click();
    await page.getByRole('option', { name: 'Wednesday' }).click();
    await typeTime(dialog, 'From', '10', '00');
    await typeTime(dialog, 'Until', '12', '15');
    await dialog.getByRole('textbox', { name: 'Slot length (minutes)' }).fill('45');
    await dialog.getByRole('textbox', { name: 'Slot length (minutes)' }).press('Tab');
    const capacity = dialog.locator('.hr-number-field', { hasText: 'Interviews at once' });
    await capacity.getByRole('button', { name: /Increase/ }).click();
    expect(await capacity.getByRole('textbox').inputValue()).toBe('2');
    // The candidate chooses the language of the interviews booked in this window.
    await dialog.getByRole('button', { name: /Who chooses the language/ }).click();
    await page.getByRole('option', { name: 'The candidate chooses' }).click();
    await expect
      .poll(() => dialog.getByText('On the join page, among the languages your company offers.').count())
      .toBe(1);
    expect(await dialog.getByRole('button', { name: /Language until the candidate chooses/ }).count()).toBe(1);
    // The calendar opens on today; two weeks down the grid and Enter picks the day.
    const until = dialog.locator('.hr-date-picker', { hasText: 'Ending on (optional)' });
    await until.getByRole('button', { name: 'Open calendar' }).click();
    const calendar = page.getByRole('application');
    await expect.poll(() => calendar.count()).toBe(1);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(() => calendar.count()).toBe(0);
    await expect.poll(() => dialog.getByText('3 slots a week in this window.').count()).toBe(1);
    await expectNoViolations(page, 'availability dialog');
    await hrScreenshots(page, 'scheduling-config-en');
    await dialog.getByRole('button', { name: 'Add the availability' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Saved:' }).textContent())
      .toMatch(/^Saved: \d+ slots created, 0 removed\.$/);
    await expect.poll(() => dialog.count()).toBe(0);

    const configs = okBody(await call('GET', '/v1/scheduling/configs')).items;
    expect(configs).toHaveLength(1);
    expect(configs[0]).toMatchObject({
      interviewType: 'TECHNICAL',
      weekday: 3,
      startTime: '10:00',
      endTime: '12:15',
      slotMinutes: 45,
      breakMinutes: 0,
      capacity: 2,
      validFrom: dubaiDay(),
      validUntil: dubaiDay(14),
      timezone: zone,
      settings: { languageMode: 'candidate' },
    });
    const rows = page.locator('.hr-sched-configs table tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    expect(plain(await rows.first().innerText())).toMatch(/Wednesday\s+10:00–12:15\s+45 min, no break\s+2\s+Technical/);

    // Next week's Wednesday has the three slots, free.
    await page.getByRole('button', { name: 'Next week' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('week')).toBe(nextMonday);
    const wednesday = dayColumn(page, nextWednesday);
    const slots = wednesday.locator('.hr-slot');
    await expect
      .poll(() => slots.allInnerTexts())
      .toEqual([
        expect.stringMatching(/^10:00–10:45\s+Technical\s+2 of 2 free$/),
        expect.stringMatching(/^10:45–11:30\s+Technical\s+2 of 2 free$/),
        expect.stringMatching(/^11:30–12:15\s+Technical\s+2 of 2 free$/),
      ]);
    expect(await dayColumn(page, nextMonday).innerText()).toContain('No slots');

    // A booking in the first slot, and a second window (10:30–11:15) that overlaps it: the API records a conflict.
    const week = okBody(await call('GET', `/v1/scheduling/agenda?from=${nextMonday}&to=${addDays(nextMonday, 6)}`));
    const first = week.slots.find((s) => s.localStart.startsWith(`${nextWednesday}T10:00`))!;
    const booking = okBody(
      await call('POST', '/v1/scheduling/bookings', {
        body: { slotId: first.id, candidateId: candidates[0]!.id, jobId },
      }),
    );
    // The booked interview lets the candidate choose, as its window says.
    expect(okBody(await call('GET', `/v1/interviews/${booking.interviewId}`)).languageMode).toBe('candidate');
    const overlapping = okBody(
      await call('POST', '/v1/scheduling/configs', {
        body: {
          interviewType: 'TECHNICAL',
          weekday: 3,
          startTime: '10:30',
          endTime: '11:15',
          slotMinutes: 45,
          capacity: 1,
          validFrom: dubaiDay(),
          validUntil: dubaiDay(14),
          timezone: zone,
        },
      }),
    );
    expect(overlapping.generation.overlapConflicts).toBe(1);
    await page.reload();
    await expect.poll(() => slots.count()).toBe(4);
    const booked = slots.filter({ hasText: 'Cand0 Test' });
    await expect
      .poll(() => booked.innerText())
      .toMatch(
        /^10:00–10:45\s+Technical\s+1 of 2 free\s+Conflict Overlaps another window\s+Cand0 Test\s+Backend Engineer\s+Scheduled/,
      );
    // 10:00, 10:30 and 10:45 overlap a slot of the other window and are marked; 11:30 is clear. The conflict is
    // listed in words, with a way to each window.
    await expect.poll(() => wednesday.locator('.hr-slot-conflict').count()).toBe(3);
    expect(await slots.last().innerText()).toMatch(/^11:30–12:15\s+Technical\s+2 of 2 free$/);
    const conflicts = page.getByRole('region', { name: 'Conflicts this week' });
    expect(plain(await conflicts.innerText())).toMatch(
      /Two availability windows for the same interview type overlap \(\d+ times over the coming weeks\)/,
    );
    expect(await conflicts.getByRole('button', { name: /^Edit \W?Wednesday/ }).count()).toBe(2);
    await expectNoViolations(page, 'week with a booking and a conflict');
    await hrScreenshots(page, 'scheduling-week-en');

    // Move the booking to next week's 11:30 (this week's is offered too, named by its own date).
    await booked.getByRole('button', { name: /^Move \W?Cand0 Test\W?’s interview$/ }).click();
    const move = page.getByRole('dialog', { name: /^Move \W?Cand0 Test\W?’s interview$/ });
    await move.getByRole('button', { name: /New time/ }).click();
    await page.getByRole('option', { name: new RegExp(`\\b${Number(nextWednesday.slice(8))}\\b.*11:30`) }).click();
    await expectNoViolations(page, 'move dialog');
    await move.getByRole('button', { name: 'Move the interview' }).click();
    await expect
      .poll(async () => plain(await page.getByRole('status').filter({ hasText: 'moved' }).textContent()))
      .toBe('Cand0 Test’s interview is moved.');
    const moved = okBody(await call('GET', `/v1/scheduling/bookings/${booking.id}`));
    const target = week.slots.find((s) => s.localStart.startsWith(`${nextWednesday}T11:30`))!;
    expect(moved.slotId).toBe(target.id);
    await expect.poll(() => slots.filter({ hasText: 'Cand0 Test' }).innerText()).toMatch(/^11:30–12:15/);

    // Edit the second window from the conflict: three at once instead of one. Its slots keep their times.
    await conflicts.getByRole('button', { name: /^Edit \W?Wednesday \W?10:30–11:15/ }).click();
    const edit = page.getByRole('dialog', { name: 'Change availability' });
    const editCapacity = edit.locator('.hr-number-field', { hasText: 'Interviews at once' });
    expect(await editCapacity.getByRole('textbox').inputValue()).toBe('1');
    // A window added without a mode is HR's choice.
    expect(await edit.getByRole('button', { name: /Who chooses the language/ }).textContent()).toContain('You choose');
    await editCapacity.getByRole('button', { name: /Increase/ }).click();
    await editCapacity.getByRole('button', { name: /Increase/ }).click();
    await edit.getByRole('button', { name: 'Save the changes' }).click();
    await expect.poll(() => edit.count()).toBe(0);
    expect(await page.getByRole('status').filter({ hasText: 'Saved:' }).textContent()).toBe(
      'Saved: 0 slots created, 0 removed.',
    );
    expect(okBody(await call('GET', `/v1/scheduling/configs/${overlapping.id}`)).capacity).toBe(3);
    await expect.poll(() => slots.nth(1).innerText()).toMatch(/^10:30–11:15\s+Technical\s+3 of 3 free/);

    // The weeks: back to this one (its button then disabled), and on two.
    await page.getByRole('button', { name: 'Previous week' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('week')).toBe(monday(0));
    await expect.poll(() => page.locator('li.hr-day[aria-current="date"]').count()).toBe(1);
    expect(await page.locator('li.hr-day[aria-current="date"]').getAttribute('aria-labelledby')).toBe(
      `day-${dubaiDay()}`,
    );
    expect(await page.getByRole('button', { name: 'This week' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Next week' }).click();
    await page.getByRole('button', { name: 'Next week' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('week')).toBe(monday(2));
    await expect.poll(() => page.locator('#sched-week').innerText()).toContain(String(Number(monday(2).slice(8))));
    await page.getByRole('button', { name: 'This week' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('week')).toBeNull();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('reads right to left in Arabic: Monday is the rightmost day, times stay left to right', async () => {
    const { context, page, errors } = await hrSignIn(browser, api.url, recruiter, 'ar');
    await page.goto(`${api.url}/hr/scheduling?week=${nextMonday}`);
    await expect.poll(() => heading(page)).toBe('الجدولة');
    expect(await page.evaluate<string>('document.documentElement.dir')).toBe('rtl');
    const wednesday = dayColumn(page, nextWednesday);
    await expect.poll(() => wednesday.locator('.hr-slot').count()).toBe(4);
    expect(await wednesday.locator('h3').innerText()).toContain('الأربعاء');
    const mondayBox = (await dayColumn(page, nextMonday).boundingBox())!;
    const sundayBox = (await dayColumn(page, addDays(nextMonday, 6)).boundingBox())!;
    expect(mondayBox.x).toBeGreaterThan(sundayBox.x);
    // The time range reads 10:00 then 10:45 from left to right, isolated from the Arabic around it.
    const time = wednesday.locator('.hr-slot-time').first();
    expect(await time.evaluate((el) => [el.tagName, el.getAttribute('dir')])).toEqual(['BDI', 'ltr']);
    expect(await page.evaluate<string>('getComputedStyle(document.querySelector(".hr-slot-time")).direction')).toBe(
      'ltr',
    );
    expect(await time.innerText()).toBe('10:00–10:45');
    expect(plain(await page.getByRole('region', { name: 'تعارضات هذا الأسبوع' }).innerText())).toContain('نافذتا توفر');
    await expectNoViolations(page, 'week (ar)');
    await hrScreenshots(page, 'scheduling-week-ar');
    await page.getByRole('button', { name: 'إضافة توفر' }).click();
    const dialog = page.getByRole('dialog', { name: 'إضافة توفر' });
    await expect.poll(() => dialog.count()).toBe(1);
    // A clock reads hours then minutes from the left in Arabic too.
    const from = dialog.getByRole('group', { name: 'من', exact: true });
    const hour = (await from.getByRole('spinbutton').nth(0).boundingBox())!;
    const minute = (await from.getByRole('spinbutton').nth(1).boundingBox())!;
    expect(hour.x).toBeLessThan(minute.x);
    expect(plain(await from.innerText()).trim()).toMatch(/^09\s*:\s*00$/);
    await expectNoViolations(page, 'availability dialog (ar)');
    await hrScreenshots(page, 'scheduling-config-ar');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a reviewer has no Scheduling link and gets the not-allowed page at its address', async () => {
    const { context, page, errors } = await hrSignIn(browser, api.url, reviewer);
    const nav = page.getByRole('navigation', { name: 'Workspace' });
    await expect.poll(() => nav.getByRole('link').allTextContents()).toContain('Interviews');
    expect(await nav.getByRole('link').allTextContents()).not.toContain('Scheduling');
    await page.goto(`${api.url}/hr/scheduling`);
    await expect.poll(() => heading(page)).toBe('Not available to your role');
    expect(await page.locator('.hr-week').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
