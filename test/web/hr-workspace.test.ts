import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { scoreInterview } from '../../api/scoring/scorecards.ts';
import { seedUser } from '../auth/support.ts';
import {
  isPlanRequest,
  planBrain,
  promptTurns,
  startEvaluationEmulator,
  type EvaluationRequest,
} from '../scoring/gemini-evaluation-emulator.ts';
import { client, expectStatus, okBody, seedCompany, startTestApi, type TestApi } from '../support/harness.ts';
import { axeViolations, ensureWebBuilt, launchBrowser, screenshot } from './support/browser.ts';

// The HR workspace (/hr/…) in Debian's Chromium against the real API and Postgres: a recruiter signs in with the
// session cookie, filters the interview list, opens the review of an interview whose transcript is seeded and
// whose scorecard the real scoring code wrote (from a local emulator of the model), follows an evidence quote to
// its turn, and records a decision with the keyboard alone. axe-core on every page; screenshots at 1440 and 1024 px
// wide in English and Arabic (test-results/web/hr-*.png).

vi.setConfig({ testTimeout: 120_000 });

const widths = { 1440: { width: 1440, height: 900 }, 1024: { width: 1024, height: 768 } } as const;

const designAnswer =
  'We split the ledger writes from the reporting reads so each could scale on its own, and an outbox kept them consistent without distributed transactions.';
const openingAnswer =
  'At Fintech Co I rebuilt the ledger service in TypeScript and Postgres, cutting reconciliation from six hours to twelve minutes.';

/** A model that scores the opening 4, the design question 3 on a quote from the middle of its answer, and gives no
 * score to the question that was never asked. */
function reviewBrain(request: EvaluationRequest) {
  if (isPlanRequest(request)) return planBrain(request);
  const turns = promptTurns(request.prompt);
  const answer = (qid: string) => turns.find((t) => t.speaker === 'candidate' && t.questionId === qid);
  const opening = answer('q-opening');
  const design = answer('q-design');
  return {
    questions: [
      {
        questionId: 'q-opening',
        score: 4,
        rationale: 'A specific system, a personal contribution and a measured result.',
        evidence: opening ? [{ turnSeq: opening.seq, quote: 'cutting reconciliation from six hours to twelve minutes' }] : [],
      },
      {
        questionId: 'q-design',
        score: 3,
        rationale: 'A sound separation of reads and writes; trade-offs named only briefly.',
        evidence: design ? [{ turnSeq: design.seq, quote: 'an outbox kept them consistent' }] : [],
      },
      { questionId: 'q-failure', score: null, rationale: 'The question was not reached.', evidence: [] },
    ],
    competencies: [
      {
        key: 'system_design',
        score: 3,
        rationale: 'Separates concerns and keeps data consistent.',
        evidence: design ? [{ turnSeq: design.seq, quote: 'so each could scale on its own' }] : [],
      },
      { key: 'incident_response', score: null, rationale: 'Nothing was said about incidents.', evidence: [] },
    ],
    overall: {
      recommendation: 'advance',
      summary: 'Concrete, measured answers on ledgers and system design; incidents were not covered.',
      strengths: ['Specific examples with numbers', 'Clear separation of reads and writes'],
      concerns: ['Trade-offs only touched on', 'No evidence on incident response'],
    },
  };
}

let api: TestApi;
let emulator: Awaited<ReturnType<typeof startEvaluationEmulator>>;
let browser: Browser;
let user: { email: string; password: string };
let reviewedId: string;
let scheduledId: string;

async function seedWorkspace() {
  const { companyId, key } = await seedCompany(api.db, 'Noor Logistics');
  user = await seedUser(api, companyId, 'recruiter');
  const hr = client(api.url, key);
  const job = (body: { title: string; competencies: { key: string; name: string; description: string }[] }) =>
    hr('POST', '/v1/jobs', { body: { description: 'Ledger and payments services.', ...body } });
  const backend = okBody(
    await job({
      title: 'Backend Engineer',
      competencies: [
        { key: 'system_design', name: 'System design', description: 'Designs robust services' },
        { key: 'incident_response', name: 'Incident response', description: 'Handles outages calmly' },
      ],
    }),
  );
  const analyst = okBody(
    await job({ title: 'Data Analyst', competencies: [{ key: 'sql', name: 'SQL', description: 'Queries data' }] }),
  );
  const candidate = async (firstName: string, lastName: string, phone: string) =>
    okBody(await hr('POST', '/v1/candidates', { body: { firstName, lastName, phone, email: `${firstName.toLowerCase()}@example.com` } }));
  const layla = await candidate('Layla', 'Haddad', '+971501234567');
  const omar = await candidate('Omar', 'Saleh', '+971501234568');
  const sara = await candidate('Sara', 'Nasser', '+971501234569');
  const start = new Date(Date.now() + 86_400_000);
  const end = new Date(start.getTime() + 2 * 3_600_000);
  const interview = async (candidateId: string, jobId: string, type: string) =>
    okBody(
      await hr('POST', '/v1/interviews', {
        body: { candidateId, jobId, type, maxDurationMinutes: 30, scheduledStart: start.toISOString(), scheduledEnd: end.toISOString() },
      }),
    );
  const reviewed = await interview(layla.id, backend.id, 'TECHNICAL');
  scheduledId = (await interview(omar.id, analyst.id, 'BEHAVIORAL')).id;
  await interview(sara.id, backend.id, 'SYSTEM_DESIGN');
  reviewedId = reviewed.id;

  // The interview as the agent leaves it: a three-question plan, two asked and answered, then completed.
  await api.db.deleteFrom('interviewPlanQuestions').where('interviewId', '=', reviewed.id).execute();
  const anchors = (topic: string) => JSON.stringify([1, 2, 3, 4, 5].map((l) => `${topic} answer at depth ${l}.`));
  await api.db
    .insertInto('interviewPlanQuestions')
    .values([
      { interviewId: reviewed.id, questionId: 'q-opening', position: 0, competencyKey: null, text: 'Tell me about a system you built.', timeBudgetSeconds: 120, source: 'template-bank:v1', anchors: anchors('An opening') },
      { interviewId: reviewed.id, questionId: 'q-design', position: 1, competencyKey: 'system_design', text: 'Tell me about a design decision you would make again.', timeBudgetSeconds: 180, source: 'template-bank:v1', anchors: anchors('A design') },
      { interviewId: reviewed.id, questionId: 'q-failure', position: 2, competencyKey: 'incident_response', text: 'Walk me through an outage you handled.', timeBudgetSeconds: 180, source: 'template-bank:v1', anchors: anchors('An incident') },
    ])
    .execute();
  const began = new Date(Date.now() - 20 * 60_000);
  const lines: ['interviewer' | 'candidate', string, string | null][] = [
    ['interviewer', 'Hello Layla, I am the AI interviewer for Noor Logistics. Shall we begin?', null],
    ['candidate', 'Yes, I am ready.', null],
    ['interviewer', 'Tell me about a system you built.', 'q-opening'],
    ['candidate', openingAnswer, 'q-opening'],
    ['interviewer', 'What was the hardest part of that?', 'q-opening'],
    ['candidate', 'Backfilling five years of entries without stopping the ledger; we replayed them in batches overnight.', 'q-opening'],
    ['interviewer', 'Tell me about a design decision you would make again.', 'q-design'],
    ['candidate', designAnswer, 'q-design'],
    ['interviewer', 'Thank you, that is all the time we have today.', null],
  ];
  await api.db
    .insertInto('transcriptTurns')
    .values(
      lines.map(([speaker, text, questionId], i) => ({
        interviewId: reviewed.id,
        seq: i + 1,
        speaker,
        text,
        questionId,
        stage: questionId ? 'question' : i === 0 ? 'greeting' : 'closing',
        startedAt: new Date(began.getTime() + i * 45_000),
        endedAt: new Date(began.getTime() + i * 45_000 + 40_000),
      })),
    )
    .execute();
  await api.db
    .updateTable('interviews')
    .set({ status: 'completed', startedAt: began, endedAt: new Date(began.getTime() + 14 * 60_000), endReason: 'time_limit' })
    .where('id', '=', reviewed.id)
    .execute();
  const row = await api.db.selectFrom('interviews').selectAll().where('id', '=', reviewed.id).executeTakeFirstOrThrow();
  const scoringDeps = { db: api.db, log: api.deps.log, now: api.deps.now, scoring: api.deps.config.scoring };
  await scoreInterview(scoringDeps, row, 'interview_completed');
  const card = await hr('GET', `/v1/interviews/${reviewed.id}/scorecard`);
  expectStatus(card, 200);
  expect(card.body.status).toBe('complete');
  return hr;
}

let hr: ReturnType<typeof client>;

beforeAll(async () => {
  ensureWebBuilt();
  emulator = await startEvaluationEmulator(reviewBrain);
  api = await startTestApi({ env: { GOOGLE_API_KEY: 'test-key-for-emulator', GEMINI_BASE_URL: emulator.url } });
  hr = await seedWorkspace();
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await emulator?.close();
});

async function expectNoViolations(page: Page, where: string) {
  expect(await axeViolations(page), `axe on ${where}`).toEqual([]);
}

async function shootBoth(page: Page, name: string) {
  for (const [width, viewport] of Object.entries(widths)) {
    await page.setViewportSize(viewport);
    await screenshot(page, `hr-${name}-${width}`);
  }
  await page.setViewportSize(widths[1440]);
}

async function signedInPage(lang: 'en' | 'ar' = 'en') {
  const context = await browser.newContext({ viewport: widths[1440], locale: lang === 'ar' ? 'ar-AE' : 'en-GB', timezoneId: 'Asia/Dubai' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${api.url}/hr/sign-in`);
  const form = lang === 'ar' ? { email: 'البريد الإلكتروني للعمل', password: 'كلمة المرور', submit: 'تسجيل الدخول' } : { email: 'Work e-mail', password: 'Password', submit: 'Sign in' };
  await page.getByLabel(form.email).fill(user.email);
  await page.getByLabel(form.password).fill(user.password);
  await page.getByRole('button', { name: form.submit }).click();
  await page.waitForURL(/\/hr\/interviews$/);
  return { context, page, errors };
}

describe('HR workspace', () => {
  it('sends a signed-out visitor to sign in, refuses a wrong password in words, and signs in with the cookie', async () => {
    const context = await browser.newContext({ viewport: widths[1440], locale: 'en-GB' });
    const page = await context.newPage();
    // A deep link survives the detour through sign-in.
    await page.goto(`${api.url}/hr/interviews/${reviewedId}`);
    await page.waitForURL(/\/hr\/sign-in\?next=/);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in');
    await expectNoViolations(page, 'sign-in');
    await shootBoth(page, 'sign-in-en');

    await page.getByLabel('Work e-mail').fill(user.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('do not match an account');

    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(new RegExp(`/hr/interviews/${reviewedId}$`));
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'hr_session')).toMatchObject({ httpOnly: true });

    // Signing out ends the session on the server too: the guarded page sends us back to sign-in.
    await page.getByRole('button', { name: /recruiter \d+/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(/\/hr\/sign-in/);
    await page.goto(`${api.url}/hr/interviews`);
    await page.waitForURL(/\/hr\/sign-in\?next=/);
    await context.close();
  });

  it('lists interviews with candidate, job, type, status, time, recommendation and decision; filters and searches them', async () => {
    const { context, page, errors } = await signedInPage();
    const rows = page.locator('table.hr-table tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    const layla = rows.filter({ hasText: 'Layla Haddad' });
    await expect.poll(() => layla.textContent()).toMatch(/Backend Engineer.*Technical.*Completed.*Advance.*Not decided/);
    await expectNoViolations(page, 'interviews');
    await shootBoth(page, 'interviews-en');

    // Status filter through the kit's select: keyboard-operable listbox.
    await page.getByRole('button', { name: /Status/ }).click();
    await page.getByRole('option', { name: 'Scheduled' }).click();
    await expect.poll(() => rows.count()).toBe(2);
    expect(page.url()).toContain('status=scheduled');
    await page.getByRole('button', { name: /Job/ }).click();
    await page.getByRole('option', { name: 'Data Analyst' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    await expect.poll(() => rows.first().textContent()).toContain('Omar Saleh');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => rows.count()).toBe(3);

    await page.getByRole('button', { name: /Type/ }).click();
    await page.getByRole('option', { name: 'System design' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    await expect.poll(() => rows.first().textContent()).toContain('Sara Nasser');
    await page.getByRole('button', { name: 'Clear filters' }).click();

    // Search by part of the name, case ignored.
    await page.getByRole('searchbox', { name: 'Candidate' }).fill('hadd');
    await expect.poll(() => rows.count()).toBe(1);
    await expect.poll(() => rows.first().textContent()).toContain('Layla Haddad');
    await page.getByRole('button', { name: 'Clear filters' }).click();

    // A date range with nothing in it, then one around tomorrow, when all three are scheduled.
    // Days are the browser's (Dubai here): the range runs from the start of the first to the end of the last.
    const dubaiDay = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Dubai' }).format(d);
    await page.goto(`${api.url}/hr/interviews?from=2020-01-01&to=2020-01-31`);
    await expect.poll(() => page.getByText('No interviews match these filters.').count()).toBe(1);
    const inTwoDays = new Date(Date.now() + 2 * 86_400_000);
    await page.goto(`${api.url}/hr/interviews?from=${dubaiDay(new Date())}&to=${dubaiDay(inTwoDays)}`);
    await expect.poll(() => rows.count()).toBe(3);

    // A row opens the review.
    await layla.locator('td').nth(2).click();
    await page.waitForURL(new RegExp(`/hr/interviews/${reviewedId}$`));
    expect(errors).toEqual([]);
    await context.close();
  });

  it('reviews an interview: facts, transcript, scorecard; an evidence quote scrolls to its turn and marks the words', async () => {
    const { context, page, errors } = await signedInPage();
    await page.goto(`${api.url}/hr/interviews/${reviewedId}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Layla Haddad');
    const header = page.locator('.hr-review-header');
    await expect.poll(() => header.textContent()).toContain('The interviewer wrapped up at the time limit.');
    expect(await header.textContent()).toContain('14 min of 30 min allowed');
    expect(await page.locator('#advisory').textContent()).toContain('the decision is yours');

    // Plan questions are marked where they were asked.
    await expect.poll(() => page.locator('#turn-3 .hr-turn-question').textContent()).toBe('Question 1');
    expect(await page.locator('#turn-7 .hr-turn-question').textContent()).toBe('Question 2');
    expect(await page.locator('#turn-5 .hr-turn-question').count()).toBe(0);

    // The scorecard: per question, against its anchor; the unasked one is not scored and not a zero.
    const questions = page.locator('.hr-question');
    await expect.poll(() => questions.count()).toBe(3);
    expect(await questions.nth(0).textContent()).toMatch(/Asked.*4 of 5.*Level 4: .?An opening answer at depth 4/);
    expect(await questions.nth(2).textContent()).toContain('Not asked');
    expect(await questions.nth(2).textContent()).not.toMatch(/\b0 of 5/);
    const incident = page.locator('.hr-competency').filter({ hasText: 'Incident response' });
    expect(await incident.textContent()).toContain('Insufficient evidence — not scored');
    expect(await page.locator('.hr-provenance').textContent()).toMatch(/gemini-2\.5-flash.*scorecard-prompt:v3.*template-bank:v1/);
    await expectNoViolations(page, 'review');

    // The quote from the middle of the design answer: its turn scrolls into view, takes focus and marks the words.
    await page.getByRole('button', { name: /^Show this quote in the transcript: .?an outbox kept them consistent.?$/ }).click();
    const turn = page.locator('#turn-8');
    await expect.poll(() => turn.locator('mark').textContent()).toBe('an outbox kept them consistent');
    await expect.poll(() => page.evaluate<string | undefined>('document.activeElement?.id')).toBe('turn-8');
    await expect
      .poll(() =>
        turn.evaluate((el) => {
          const box = el.getBoundingClientRect();
          const scroller = el.closest('.hr-transcript-scroll')!.getBoundingClientRect();
          return box.top >= scroller.top - 1 && box.bottom <= scroller.bottom + 1;
        }),
      )
      .toBe(true);
    // Each width shows the review as it is right after following that quote there.
    for (const [width, viewport] of Object.entries(widths)) {
      await page.setViewportSize(viewport);
      await page.getByRole('button', { name: /^Show this quote in the transcript: .?an outbox kept them consistent.?$/ }).click();
      await page.waitForTimeout(600); // the smooth scroll settles
      await screenshot(page, `hr-review-en-${width}`);
    }
    await page.setViewportSize(widths[1440]);

    // On paper: no navigation or controls, the transcript in full after the scorecard.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.hr-header').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Record the decision' }).isVisible()).toBe(false);
    expect(await page.evaluate<string>("getComputedStyle(document.querySelector('.hr-transcript-scroll')).overflowY")).toBe('visible');
    await screenshot(page, 'hr-review-print-en');
    await page.emulateMedia({ media: 'screen' });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('records a decision with the keyboard alone, shows it in the history and in the list', async () => {
    const { context, page } = await signedInPage();
    await page.goto(`${api.url}/hr/interviews/${reviewedId}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Layla Haddad');
    // From the note's field backwards to the radios would also do; walk forward from the top as a keyboard user does.
    await page.locator('body').focus();
    let onRadio = false;
    const visited: string[] = [];
    for (let i = 0; i < 80 && !onRadio; i++) {
      await page.keyboard.press('Tab');
      onRadio = await page.evaluate<boolean>("document.activeElement?.getAttribute('type') === 'radio'");
      visited.push(await page.evaluate<string>("document.activeElement.tagName + ' ' + (document.activeElement.textContent || '').slice(0, 30)"));
    }
    expect(onRadio, `Tab reaches the decision; it went through ${visited.join(' | ')}`).toBe(true);
    // The first radio of a group with nothing chosen; arrows move and choose.
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.evaluate<string>('document.activeElement.value')).toBe('hold');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Strong on ledgers; a second interview on incidents first.');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.hr-decision [role=status]').textContent()).toBe('Decision recorded.');

    const decisions = await hr('GET', `/v1/interviews/${reviewedId}/decisions`);
    expectStatus(decisions, 200);
    expect(decisions.body.items).toEqual([
      expect.objectContaining({ decision: 'hold', note: 'Strong on ledgers; a second interview on incidents first.', scorecardVersion: 1 }),
    ]);
    const history = page.locator('.hr-history li');
    await expect.poll(() => history.count()).toBe(1);
    expect(await history.first().textContent()).toMatch(/Hold.*by .?recruiter \d+.*on scorecard version 1.*Strong on ledgers/);
    await expectNoViolations(page, 'review after a decision');

    await page.getByRole('link', { name: /All interviews/ }).click();
    const row = page.locator('table.hr-table tbody tr').filter({ hasText: 'Layla Haddad' });
    await expect.poll(() => row.textContent()).toContain('Hold');
    await context.close();
  });

  it('says so when an interview does not exist, and serves every /hr path the app', async () => {
    const { context, page } = await signedInPage();
    await page.goto(`${api.url}/hr/interviews/00000000-0000-4000-8000-000000000000`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Interview not found');
    await expectNoViolations(page, 'interview not found');
    await page.goto(`${api.url}/hr/no-such-page`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Page not found');
    const html = await fetch(`${api.url}/hr/interviews/anything`);
    expect(html.headers.get('content-type')).toContain('text/html');
    await context.close();
  });

  it('reads right to left in Arabic: sign-in, list and review', async () => {
    const context = await browser.newContext({ viewport: widths[1440], locale: 'ar-AE', timezoneId: 'Asia/Dubai' });
    const page = await context.newPage();
    await page.goto(`${api.url}/hr/sign-in`);
    await expect.poll(() => page.evaluate<string>('document.documentElement.dir')).toBe('rtl');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('تسجيل الدخول');
    await expectNoViolations(page, 'sign-in (ar)');
    await shootBoth(page, 'sign-in-ar');
    await context.close();

    const signed = await signedInPage('ar');
    const rows = signed.page.locator('table.hr-table tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    await expect.poll(() => signed.page.getByRole('heading', { level: 1 }).textContent()).toBe('المقابلات');
    await expectNoViolations(signed.page, 'interviews (ar)');
    await shootBoth(signed.page, 'interviews-ar');
    await signed.page.goto(`${api.url}/hr/interviews/${reviewedId}`);
    await expect.poll(() => signed.page.locator('.hr-question').count()).toBe(3);
    expect(await signed.page.locator('#advisory').textContent()).toContain('القرار قرارك');
    await expectNoViolations(signed.page, 'review (ar)');
    await shootBoth(signed.page, 'review-ar');
    // The switch goes back to English at once, and remembers it.
    await signed.page.getByRole('button', { name: /Switch language to English/ }).click();
    await expect.poll(() => signed.page.evaluate<string>('document.documentElement.dir')).toBe('ltr');
    await signed.context.close();
  });

  it('pages through a long list with the keyset cursor, forwards and back', async () => {
    const { companyId, key } = await seedCompany(api.db, 'Paging Co');
    const pager = await seedUser(api, companyId, 'reviewer');
    const call = client(api.url, key);
    const job = okBody(
      await call('POST', '/v1/jobs', {
        body: { title: 'Support Engineer', description: 'Support.', competencies: [{ key: 'care', name: 'Care', description: 'Helps' }] },
      }),
    );
    const person = okBody(
      await call('POST', '/v1/candidates', { body: { firstName: 'Huda', lastName: 'Karim', phone: '+971501234570', email: 'huda@example.com' } }),
    );
    for (let i = 0; i < 26; i++) {
      const start = new Date(Date.now() + (i + 1) * 3_600_000);
      okBody(
        await call('POST', '/v1/interviews', {
          body: { candidateId: person.id, jobId: job.id, type: 'GENERAL', maxDurationMinutes: 20, scheduledStart: start.toISOString(), scheduledEnd: new Date(start.getTime() + 3_600_000).toISOString() },
        }),
      );
    }
    const context = await browser.newContext({ viewport: widths[1440], locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${api.url}/hr/sign-in`);
    await page.getByLabel('Work e-mail').fill(pager.email);
    await page.getByLabel('Password').fill(pager.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/hr\/interviews$/);
    const rows = page.locator('table.hr-table tbody tr');
    await expect.poll(() => rows.count()).toBe(25);
    const first = await rows.first().textContent();
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await page.locator('.hr-pager').textContent()).toContain('Page 2');
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous' }).click();
    await expect.poll(() => rows.count()).toBe(25);
    expect(await rows.first().textContent()).toBe(first);
    await context.close();
  });

  it('keeps the scheduled interview out of review facts it does not have yet', async () => {
    const { context, page } = await signedInPage();
    await page.goto(`${api.url}/hr/interviews/${scheduledId}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Omar Saleh');
    await expect.poll(() => page.locator('.hr-review-header').textContent()).toContain('Not started');
    await expect.poll(() => page.getByText('No scorecard yet.').count()).toBe(1);
    await expect.poll(() => page.getByText('No transcript').count()).toBe(1);
    await expectNoViolations(page, 'review of a scheduled interview');
    await context.close();
  });
});
