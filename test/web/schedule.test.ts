import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generatePlanTask } from '../../api/interviews/create-interview.ts';
import { startJobRunner, type JobRunner } from '../../api/jobs/runner.ts';
import { dayKey, groupByDay, sameWallClock } from '../../web/src/lib/schedule-time.ts';
import { client, expectOk, expectStatus, okBody, seedCompany, startTestApi, type TestApi } from '../support/harness.ts';
import { seedJobAndCandidates } from '../scheduling/support.ts';
import {
  axeViolations,
  checkAtBothSizes,
  ensureWebBuilt,
  launchBrowser,
  screenshot,
  viewports,
} from './support/browser.ts';

// The candidate's self-scheduling page (/schedule?invitation=…) in Debian's Chromium against the real API and
// Postgres: HR publishes availability and invites; the candidate books, moves and cancels in their own timezone.

vi.setConfig({ testTimeout: 180_000 });

let api: TestApi;
let planRunner: JobRunner | undefined;
let hr: ReturnType<typeof client>;
let browser: Browser;
let jobId: string;
let candidates: { id: string }[];

// A Monday. Slots are 10:00–12:00 London (GMT in early March): 23:00 and 23:30 on Monday in Auckland (UTC+13),
// then 00:00 and 00:30 on Tuesday, so one London morning is two days for a candidate in New Zealand.
const mondayUtc = new Date('2027-03-01T00:00:00Z');

beforeAll(async () => {
  ensureWebBuilt();
  api = await startTestApi({
    env: { SELF_SERVICE_MIN_NOTICE_MINUTES: '120', SELF_SERVICE_MAX_RESCHEDULES: '2', RATE_LIMIT_PER_IP: '1000' },
  });
  api.setNow(mondayUtc);
  const { key } = await seedCompany(api.db, 'Sched Co');
  hr = client(api.url, key);
  expect((await hr('PUT', '/v1/scheduling/settings', { body: { timezone: 'Europe/London' } })).status).toBe(200);
  const mornings = {
    interviewType: 'TECHNICAL',
    weekday: 1,
    startTime: '10:00',
    endTime: '12:00',
    slotMinutes: 30,
    breakMinutes: 0,
    capacity: 1,
    validFrom: '2027-03-01',
    timezone: 'Europe/London',
  };
  // Wednesday afternoons too (Thursday small hours in Auckland): more slots than the first page of 50.
  const afternoons = { ...mornings, weekday: 3, startTime: '13:00', endTime: '17:00' };
  for (const body of [mornings, afternoons]) {
    const config = await hr('POST', '/v1/scheduling/configs', { body });
    expectStatus(config, 201);
  }
  ({ jobId, candidates } = await seedJobAndCandidates(hr, 4));
  // The API's job runner with the plan task: a booking's question plan comes from a job committed with it.
  planRunner = await startJobRunner({
    databaseUrl: api.deps.config.database.url,
    log: api.deps.log,
    name: 'schedule page test',
    concurrency: 1,
    tasks: { 'generate-plan': generatePlanTask(api.deps) },
  });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await planRunner?.stop();
  await api?.stop();
});

async function invite(candidateId: string) {
  const r = await hr('POST', '/v1/scheduling/invitations', {
    body: { candidateId, jobId, interviewType: 'TECHNICAL' },
  });
  expectStatus(r, 201);
  const link = new URL(r.body.url as string);
  expect(link.pathname).toBe('/schedule');
  return { url: `${api.url}${link.pathname}${link.search}`, token: r.body.token as string };
}

async function open(timezoneId: string, locale = 'en-US', viewport: keyof typeof viewports = 'desktop') {
  const context: BrowserContext = await browser.newContext({ viewport: viewports[viewport], locale, timezoneId });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors };
}

/** The radio of one time on one local day. */
const slot = (page: Page, day: string, time: string) =>
  page
    .locator('fieldset.slot-day')
    .filter({ has: page.locator('legend', { hasText: day }) })
    .getByRole('radio', { name: time });
const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();
const notice = (page: Page) => page.locator('.schedule-notice').textContent();
const bookingOf = async (candidateId: string) =>
  okBody(await hr('GET', `/v1/scheduling/bookings?candidateId=${candidateId}`)).items[0];

describe('scheduling page: times in the candidate zone', () => {
  it('groups slots by the local day of the zone it is given', () => {
    const slots = ['10:00', '10:30', '11:00', '11:30'].map((t) => ({ startsAt: `2027-03-01T${t}:00.000Z` }));
    const auckland = groupByDay(slots, 'Pacific/Auckland');
    expect(auckland.map((d) => [d.key, d.slots.length])).toEqual([
      ['2027-03-01', 2],
      ['2027-03-02', 2],
    ]);
    expect(groupByDay(slots, 'Europe/London').map((d) => d.key)).toEqual(['2027-03-01']);
    // After London's spring change (28 March 2027) 23:30 UTC is already the next day there.
    expect(dayKey('2027-03-27T23:30:00Z', 'Europe/London')).toBe('2027-03-27');
    expect(dayKey('2027-03-28T23:30:00Z', 'Europe/London')).toBe('2027-03-29');
    expect(sameWallClock('Europe/London', 'UTC', '2027-03-01T10:00:00Z')).toBe(true);
    expect(sameWallClock('Europe/London', 'UTC', '2027-04-01T10:00:00Z')).toBe(false);
  });
});

describe('scheduling page', () => {
  it('book, reschedule, refusals in words (slot taken, too many moves, too late), cancel; axe and screenshots', async () => {
    const candidate = candidates[0]!;
    const { url, token } = await invite(candidate.id);
    const { page, context, errors } = await open('Pacific/Auckland', 'en-GB');
    await page.goto(url);
    await expect.poll(() => heading(page)).toBe('Choose a time for your interview with Sched Co');

    // The token left the address bar at once; only this tab keeps it (sessionStorage), never localStorage.
    expect(page.url()).toBe(`${api.url}/schedule`);
    expect((await page.evaluate('JSON.stringify({ ...localStorage })')) as string).not.toContain(token.split('.')[1]);
    expect((await page.evaluate('JSON.stringify({ ...sessionStorage })')) as string).toContain(token.split('.')[1]);
    // Replaced, not pushed: the tab's history is about:blank and /schedule, no entry with the token.
    expect(await page.evaluate('history.length')).toBe(2);
    // A reload of /schedule finds the same invitation.
    await page.reload();
    await expect.poll(() => heading(page)).toBe('Choose a time for your interview with Sched Co');

    const main = page.locator('main');
    const text = await main.innerText();
    expect(text).toContain('Backend Engineer');
    expect(text).toContain('Technical');
    expect(text).toMatch(
      /Times are shown in your time zone: Pacific\/Auckland \(New Zealand (Daylight|Standard) Time\)/,
    );
    expect(text).toContain('Sched Co is in Europe/London');
    // One London morning, two Auckland days.
    const days = page.locator('fieldset.slot-day');
    expect(await days.nth(0).locator('legend').textContent()).toBe('Monday, 1 March 2027');
    expect(await days.nth(0).getByRole('radio').count()).toBe(2);
    expect(await days.nth(1).locator('legend').textContent()).toBe('Tuesday, 2 March 2027');
    expect(await days.nth(1).getByRole('radio').count()).toBe(2);
    expect(await slot(page, 'Monday, 1 March 2027', '23:00 – 23:30').count()).toBe(1);
    // From 29 March London is on summer time: its 10:00 is 22:00 in Auckland.
    expect(await slot(page, 'Monday, 29 March 2027', '22:00 – 22:30').count()).toBe(1);
    expect(await checkAtBothSizes(page, 'schedule-pick')).toEqual([]);

    // The first page of 50 slots, then the rest on request.
    expect(await page.getByRole('radio').count()).toBe(50);
    await page.getByRole('button', { name: 'Show later times' }).click();
    await expect.poll(() => page.getByRole('radio').count()).toBeGreaterThan(50);

    // Nothing chosen: said in words.
    await page.getByRole('button', { name: 'Book this time' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('Choose a time first.');

    // Keyboard: the first slot of Tuesday (00:00 Auckland = 11:00 London on Monday), then Tab to the button.
    await days.nth(1).getByRole('radio').first().focus();
    await page.keyboard.press('Space');
    // The line is there (empty) before the choice; wait for its words rather than read it once.
    const selected = () => page.locator('.schedule-confirm .selected').innerText();
    await expect.poll(selected).toContain('Selected: Tuesday, 2 March 2027, 00:00 – 00:30');
    expect(await selected()).toContain('That is Mon 1 Mar, 11:00');
    await page.keyboard.press('Tab');
    if ((await page.evaluate('document.activeElement.textContent')) === 'Show later times')
      await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Book this time');
    await page.keyboard.press('Enter');
    await expect.poll(() => notice(page)).toContain('You are booked');
    expect(await heading(page)).toBe('Your interview with Sched Co');

    const booking = page.getByTestId('booking');
    const shown = await booking.innerText();
    expect(shown).toContain('Tuesday, 2 March 2027');
    expect(shown).toContain('00:00 – 00:30');
    expect(shown).toContain('Mon 1 Mar, 11:00');
    const booked = (await bookingOf(candidate.id))!;
    expect(booked).toMatchObject({
      source: 'candidate',
      candidateTimezone: 'Pacific/Auckland',
      status: 'booked',
      startsAt: '2027-03-01T11:00:00.000Z',
    });
    const interview = okBody(await hr('GET', `/v1/interviews/${booked.interviewId}`));
    expect(interview).toMatchObject({ status: 'scheduled', scheduledStart: '2027-03-01T11:00:00.000Z' });
    expect(shown).toContain(`${interview.roomCode.slice(0, 4)}-${interview.roomCode.slice(4)}`);
    const joinLink = booking.getByRole('link');
    expect(await joinLink.getAttribute('href')).toBe(interview.joinUrl);
    // A booked interview gets its question plan, like one HR creates (from a job committed with the booking).
    await expect
      .poll(async () => okBody(await hr('GET', `/v1/interviews/${booked.interviewId}/plan`)).questionCount)
      .toBeGreaterThan(0);
    expect(shown).toContain('Reschedules left: 2.');
    expect(await checkAtBothSizes(page, 'schedule-booked')).toEqual([]);

    // Reschedule to the second Monday's first slot (Monday 8 March, 23:00 in Auckland).
    await page.getByRole('button', { name: 'Reschedule' }).click();
    await expect.poll(() => page.evaluate('document.activeElement.textContent')).toBe('Pick a new time');
    await slot(page, 'Monday, 8 March 2027', '23:00 – 23:30').check();
    await page.getByRole('button', { name: 'Move to this time' }).click();
    await expect.poll(() => notice(page)).toBe('Your interview has been moved to the new time.');
    const moved = await bookingOf(candidate.id);
    expect(moved).toMatchObject({ startsAt: '2027-03-08T10:00:00.000Z', reschedules: 1 });
    expect(okBody(await hr('GET', `/v1/interviews/${booked.interviewId}`)).scheduledStart).toBe(
      '2027-03-08T10:00:00.000Z',
    );
    expect(await booking.innerText()).toContain('Monday, 8 March 2027');

    // Slot just taken: HR books the time the candidate picked (11:00 London on 8 March) before they press the button.
    await page.getByRole('button', { name: 'Reschedule' }).click();
    await slot(page, 'Tuesday, 9 March 2027', '00:00 – 00:30').check();
    const slots = await hr('GET', '/v1/scheduling/slots?from=2027-03-08T11:00:00Z&to=2027-03-08T11:30:00Z');
    expectOk(slots);
    const taken = await hr('POST', '/v1/scheduling/bookings', {
      body: { slotId: slots.body.items[0]!.id, candidateId: candidates[1]!.id, jobId },
    });
    expectStatus(taken, 201);
    await page.getByRole('button', { name: 'Move to this time' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('That time is no longer available: someone has just taken it. Please pick another one.');
    expect(await page.getByRole('alert').textContent()).not.toMatch(/[{}]|conflict|409/);
    // Still picking, without the taken time.
    expect(await page.getByRole('heading', { name: 'Pick a new time' }).count()).toBe(1);
    expect(await slot(page, 'Tuesday, 9 March 2027', '00:00 – 00:30').count()).toBe(0);
    expect(await slot(page, 'Tuesday, 9 March 2027', '00:30 – 01:00').count()).toBe(1);
    await screenshot(page, 'schedule-slot-taken-desktop');
    expect(await axeViolations(page)).toEqual([]);

    // Too many moves: HR moves the booking meanwhile (the second move of two allowed); the candidate's is refused.
    const hrMove = await hr('GET', '/v1/scheduling/slots?from=2027-03-08T11:30:00Z&to=2027-03-08T12:00:00Z');
    expectOk(hrMove);
    expect(
      (
        await hr('POST', `/v1/scheduling/bookings/${booked.id}/reschedule`, {
          body: { slotId: hrMove.body.items[0]!.id },
        })
      ).status,
    ).toBe(200);
    await slot(page, 'Monday, 8 March 2027', '23:30 – 00:00').check();
    await page.getByRole('button', { name: 'Move to this time' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe(
        'This booking has been moved as many times as allowed here. Reply to your invitation e-mail if you need another time.',
      );
    expect(await booking.innerText()).toContain('Tuesday, 9 March 2027');
    expect(await booking.innerText()).toContain('00:30 – 01:00');
    expect(await booking.innerText()).toContain(
      'You cannot move this booking again here, but you can still cancel it.',
    );
    expect(await page.getByRole('button', { name: 'Reschedule' }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);

    // Too late: an hour before the start, a cancellation is refused in words and the buttons go. (Everything here
    // happens within the invitation's 14 days: after them its token no longer opens the page.)
    api.setNow(new Date(Date.parse('2027-03-08T11:30:00Z') - 60 * 60_000));
    await page.getByRole('button', { name: 'Cancel interview' }).click();
    await expect.poll(() => page.evaluate('document.activeElement.textContent')).toBe('Keep it');
    expect(await page.getByRole('alertdialog').innerText()).toContain(
      'Cancel your interview on Tuesday, 9 March 2027, 00:30?',
    );
    expect(await checkAtBothSizes(page, 'schedule-cancel-confirm')).toEqual([]);
    await page.getByRole('button', { name: 'Yes, cancel it' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('It is too late to change this booking here. If you cannot attend, reply to your invitation e-mail.');
    expect(await page.getByRole('button', { name: 'Cancel interview' }).count()).toBe(0);
    expect((await bookingOf(candidate.id))?.status).toBe('booked');
    await screenshot(page, 'schedule-too-late-desktop');

    // In time again (opened from the e-mail once more): cancel with confirmation.
    api.setNow(mondayUtc);
    await page.goto(url);
    await page.getByRole('button', { name: 'Cancel interview' }).click();
    await page.getByRole('button', { name: 'Yes, cancel it' }).click();
    await expect
      .poll(() => notice(page))
      .toBe('Your interview has been cancelled. If you change your mind, you can pick a new time below.');
    expect(await heading(page)).toBe('Choose a time for your interview with Sched Co');
    expect(await bookingOf(candidate.id)).toMatchObject({ status: 'cancelled' });
    expect((await hr('GET', `/v1/interviews/${booked.interviewId}`)).body.status).toBe('cancelled');
    expect(await checkAtBothSizes(page, 'schedule-cancelled')).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an invalid or expired invitation, and /schedule without one, get a plain page', async () => {
    const { url } = await invite(candidates[2]!.id);
    const { page, context, errors } = await open('Europe/London', 'en-GB', 'phone');
    const forged = url.replace(/\.([^.]+)$/, '.AAAA$1');
    await page.goto(forged);
    await expect.poll(() => heading(page)).toBe('This scheduling link does not work');
    expect(await page.locator('main').innerText()).toContain('Ask the company that invited you for a new link.');
    expect(await page.locator('main').innerText()).not.toMatch(/[{}]|not_found|404/);
    expect(await checkAtBothSizes(page, 'schedule-invalid')).toEqual([]);

    api.setNow(new Date(mondayUtc.getTime() + 15 * 86_400_000));
    try {
      await page.goto(url);
      await expect.poll(() => heading(page)).toBe('This scheduling link does not work');
    } finally {
      api.setNow(mondayUtc);
    }

    // A tab that never had an invitation.
    const fresh = await open('Europe/London', 'en-GB', 'phone');
    await fresh.page.goto(`${api.url}/schedule`);
    await expect.poll(() => heading(fresh.page)).toBe('This scheduling link does not work');
    expect(await fresh.page.locator('main').innerText()).toContain('Open the link in your invitation e-mail again.');
    await fresh.context.close();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('in Arabic (the company language), right to left, booked from a phone in Dubai', async () => {
    expect(
      (await hr('PUT', '/v1/scheduling/settings', { body: { timezone: 'Europe/London', locale: 'ar' } })).status,
    ).toBe(200);
    try {
      const { url } = await invite(candidates[3]!.id);
      const { page, context, errors } = await open('Asia/Dubai', 'en-US', 'phone');
      await page.goto(url);
      await expect.poll(() => heading(page)).toBe('اختر موعداً لمقابلتك مع Sched Co');
      // The direction follows the language in an effect, after the heading has rendered.
      await expect.poll(() => page.evaluate('document.documentElement.dir')).toBe('rtl');
      expect(await page.locator('main').innerText()).toContain('تظهر الأوقات بحسب منطقتك الزمنية: Asia/Dubai');
      // One digit style on the page: Latin, as in the room code and the catalogue's numbers (never ٠٩:٠٠ beside 3).
      expect(await page.locator('main').innerText()).not.toMatch(/[\u0660-\u0669]/);
      expect(await checkAtBothSizes(page, 'schedule-pick-ar')).toEqual([]);
      await page.getByRole('radio').nth(1).check();
      await page.getByRole('button', { name: 'احجز هذا الموعد' }).click();
      await expect.poll(() => notice(page)).toContain('تم الحجز');
      expect(await heading(page)).toBe('مقابلتك مع Sched Co');
      expect((await bookingOf(candidates[3]!.id))?.candidateTimezone).toBe('Asia/Dubai');
      expect(await checkAtBothSizes(page, 'schedule-booked-ar')).toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await hr('PUT', '/v1/scheduling/settings', { body: { locale: 'en' } });
    }
  });

  it("in the invitation's language when it is not the company's", async () => {
    // The company writes in English; HR invites this candidate in Arabic.
    const candidate = (await seedJobAndCandidates(hr, 1)).candidates[0]!;
    const r = await hr('POST', '/v1/scheduling/invitations', {
      body: { candidateId: candidate.id, jobId, interviewType: 'TECHNICAL', locale: 'ar' },
    });
    expectStatus(r, 201);
    const link = new URL(r.body.url as string);
    const { page, context, errors } = await open('Asia/Dubai', 'en-US');
    await page.goto(`${api.url}${link.pathname}${link.search}`);
    await expect.poll(() => heading(page)).toBe('اختر موعداً لمقابلتك مع Sched Co');
    await expect.poll(() => page.evaluate('document.documentElement.dir')).toBe('rtl');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('no open times: said plainly', async () => {
    const other = await seedCompany(api.db, 'Empty Co');
    const call = client(api.url, other.key);
    const seeded = await seedJobAndCandidates(call, 1);
    const r = await call('POST', '/v1/scheduling/invitations', {
      body: { candidateId: seeded.candidates[0]!.id, jobId: seeded.jobId, interviewType: 'TECHNICAL' },
    });
    expectOk(r);
    const link = new URL(r.body.url as string);
    const { page, context } = await open('Europe/London', 'en-GB');
    await page.goto(`${api.url}${link.pathname}${link.search}`);
    await page.getByTestId('no-slots').waitFor();
    expect(await page.getByTestId('no-slots').textContent()).toContain('There are no open times right now');
    expect(await checkAtBothSizes(page, 'schedule-empty')).toEqual([]);
    await context.close();
  });
});
