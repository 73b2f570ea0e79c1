import { sql } from 'kysely';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReconciler } from '../../api/livekit/reconciler.ts';
import { ar } from '../../web/src/i18n/ar.ts';
import { en, type Messages } from '../../web/src/i18n/en.ts';
import { seedScenario, startAgentStack, type AgentStack } from '../agent/support/stack.ts';
import { loadScenario } from '../support/candidate-sim.ts';
import { interviewRoom } from '../support/harness.ts';
import {
  allowMicrophone,
  checkAtBothSizes,
  ensureWebBuilt,
  launchBrowser,
  newPage,
  screenshot,
  silenceWav,
} from './support/browser.ts';

// The ways an interview ends without the candidate pressing "End", each reaching the Done page with words that fit,
// in Debian's Chromium against the real stack (API, Postgres, LiveKit server, the agent worker process with the
// Deepgram and Gemini emulators). The fake microphone hears silence throughout; answers are typed on lk.chat.
// Short silence settings: the interviewer prompts once after 5 s of silence and gives up 5 s after that; a candidate
// who drops gets 3 s to come back.

const scenario = loadScenario(new URL('../../scenarios/backend-fintech-strong.json', import.meta.url));
const typedPhone = '050 987 6543'; // the scenario's candidate, +971509876543, in the national form
let stack: AgentStack;
let browser: Browser;

beforeAll(async () => {
  ensureWebBuilt();
  stack = await startAgentStack({
    workerEnv: { SILENCE_PROMPT_SECONDS: '5', SILENCE_MAX_PROMPTS: '1', REJOIN_GRACE_SECONDS: '3' },
    // The reconciler is started only in the max-duration tests; when it runs, it runs often.
    apiEnv: { RECONCILE_INTERVAL_MS: '500' },
  });
  browser = await launchBrowser({ wav: silenceWav(), loop: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const interviewerLines = (page: Page) => page.locator('[data-testid=transcript] li[data-who=interviewer]');
const agentState = (page: Page) => page.getByTestId('agent-state').getAttribute('data-state');
/** The direction the browser lays the element's text out in (this file's types have no DOM library). */
const directionOf = (locator: Locator) =>
  locator.evaluate(
    (e) =>
      (globalThis as unknown as { getComputedStyle(e: unknown): { direction: string } }).getComputedStyle(e).direction,
  );
const doneReason = (page: Page) => page.getByTestId('done').getAttribute('data-reason');
const privateStorage = (page: Page) =>
  page.evaluate(
    'JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, url: location.href })',
  ) as Promise<string>;
// A room deleted while the interviewer's words are still streaming cuts livekit-client's text-stream reader short: it
// errors the stream with a DataStreamError (AbnormalEnd), "Room disconnected in the middle of receiving data" or
// "Participant … unexpectedly disconnected in the middle of sending data", which components-core's transcription
// subscription does not catch, outside any code of ours (see interview.e2e.test.ts). Anything else fails.
const pageErrors = (errors: string[]) =>
  errors.filter(
    (e) =>
      !e.includes('Room disconnected in the middle of receiving data') &&
      !/^Participant \S+ unexpectedly disconnected in the middle of sending data$/.test(e),
  );

const interviewRow = (id: string) =>
  stack.api.db.selectFrom('interviews').select(['status', 'endReason']).where('id', '=', id).executeTakeFirstOrThrow();

/**
 * A new interview, joined by its signed link and started, optionally with the page in Arabic (screenshots of the
 * prepare page) and with GET /v1/public/session unreachable. Records every status call's Authorization header.
 */
async function startInterview(options: { arabic?: boolean; statusUnreachable?: boolean } = {}) {
  const interview = (await seedScenario(stack, scenario, { answers: [] })) as unknown as {
    id: string;
    signedLink: { url: string };
  };
  const { page, context, errors } = await newPage(browser);
  const consoleLines: string[] = [];
  page.on('console', (message) => consoleLines.push(message.text()));
  const statusCalls: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'GET' && new URL(request.url()).pathname === '/v1/public/session') {
      statusCalls.push(request.headers().authorization ?? '');
    }
  });
  if (options.statusUnreachable) {
    await context.route('**/v1/public/session', (route) =>
      route.request().method() === 'GET' ? route.abort('internetdisconnected') : route.continue(),
    );
  }
  const t: Messages = options.arabic ? ar : en;
  const link = new URL(interview.signedLink.url);
  await page.goto(`${stack.api.url}${link.pathname}${link.search}`);
  await page.getByRole('heading', { name: en['join.title'].replace('{company}', 'MENA Bank') }).waitFor();
  if (options.arabic) {
    await page.getByRole('button', { name: en['lang.switchLabel'] }).click();
    await page.getByRole('heading', { name: ar['join.title'].replace('{company}', 'MENA Bank') }).waitFor();
  }
  await page.getByLabel(t['join.phone']).fill(typedPhone);
  await page.getByLabel(t['join.firstName']).fill(scenario.candidate.firstName);
  await page.getByLabel(t['join.lastName']).fill(scenario.candidate.lastName);
  await page.getByRole('button', { name: t['join.submit'] }).click();
  await page.getByRole('heading', { name: t['prepare.title'] }).waitFor({ timeout: 30_000 });
  await allowMicrophone(page, t['prepare.micAsk']);
  await page.locator('#mic-device').waitFor();
  await expect.poll(() => page.getByTestId('conn-check').textContent(), { timeout: 30_000 }).toBe(t['prepare.connOk']);
  if (options.arabic) expect(await checkAtBothSizes(page, 'prepare-ar')).toEqual([]);
  await page.getByRole('button', { name: t['prepare.start'] }).click();
  return { interview, page, context, errors, consoleLines, statusCalls };
}

/**
 * The server's max-duration rule: the interview's deadline (set by the candidate's first arrival) passed longer ago
 * than the reconciler's grace, as if the interviewer had not closed it, then the reconciler runs.
 */
async function endByMaxDuration(page: Page, interviewId: string) {
  await expect.poll(() => agentState(page), { timeout: 30_000 }).toBe('speaking');
  await stack.api.db
    .updateTable('interviews')
    .set({
      startedAt: sql<Date>`now() - make_interval(mins => max_duration_minutes + 2)`,
      deadlineAt: sql<Date>`now() - interval '2 minutes'`,
    })
    .where('id', '=', interviewId)
    .execute();
  const reconciler = startReconciler(stack.api.deps);
  try {
    await page.getByTestId('done').waitFor({ timeout: 30_000 });
  } finally {
    await reconciler.stop();
  }
  expect(await interviewRow(interviewId)).toEqual({ status: 'completed', endReason: 'max_duration' });
}

describe('the Done page words every ending', () => {
  it('consent declined, typed in the text box, with the page in Arabic (prepare, interview and done screenshots)', async () => {
    const { page, context, errors, interview, statusCalls } = await startInterview({ arabic: true });
    // The greeting (in the interview's language, English) on the Arabic page, at both sizes.
    await expect
      .poll(() => interviewerLines(page).first().textContent(), { timeout: 30_000 })
      .toMatch(/AI interviewer/);
    expect(await checkAtBothSizes(page, 'interview-ar')).toEqual([]);
    // The interviewer speaks English here: its lines and an English typed answer run left to right on the Arabic page.
    expect(await directionOf(interviewerLines(page).first().locator('.text'))).toBe('ltr');

    await expect.poll(() => agentState(page), { timeout: 60_000 }).toBe('listening');
    const typed = page.getByLabel(ar['interview.typeLabel']);
    await typed.fill('No, I do not agree. I would prefer to speak to a person.');
    expect(await directionOf(typed)).toBe('ltr');
    await page.keyboard.press('Enter');
    await page.getByTestId('done').waitFor({ timeout: 60_000 });
    expect(await doneReason(page)).toBe('consent_declined');
    const text = await page.getByTestId('done').innerText();
    expect(text).toContain(ar['done.consent_declined']);
    expect(text).toContain(ar['done.nextAlternative']);
    expect(statusCalls.length).toBeGreaterThan(0); // the API was asked, and its word is the one shown
    expect(await checkAtBothSizes(page, 'done-consent_declined-ar')).toEqual([]);
    expect(await interviewRow(interview.id)).toEqual({ status: 'completed', endReason: 'consent_declined' });
    expect(pageErrors(errors)).toEqual([]);
    await context.close();
  }, 180_000);

  it('candidate unresponsive (silence), with the status API unreachable: the agent’s own word gives the reason', async () => {
    const { page, context, errors, interview, statusCalls } = await startInterview({ statusUnreachable: true });
    await page.getByTestId('done').waitFor({ timeout: 120_000 });
    expect(await doneReason(page)).toBe('candidate_unresponsive');
    const text = await page.getByTestId('done').innerText();
    expect(text).toContain(en['done.candidate_unresponsive']);
    expect(text).toContain(en['done.nextTrouble'].replace('{company}', 'MENA Bank'));
    // The page did ask (and was refused by the network) before falling back.
    expect(statusCalls.length).toBeGreaterThan(0);
    await screenshot(page, 'done-candidate_unresponsive-desktop');
    expect(await interviewRow(interview.id)).toEqual({ status: 'completed', endReason: 'candidate_unresponsive' });
    expect(pageErrors(errors)).toEqual([]);
    await context.close();
  }, 180_000);

  it('max duration enforced by the server (reconciler): worded from the API; no token or phone in URL, storage or logs', async () => {
    const { page, context, errors, interview, statusCalls, consoleLines } = await startInterview();
    await endByMaxDuration(page, interview.id);
    expect(await doneReason(page)).toBe('max_duration');
    const text = await page.getByTestId('done').innerText();
    expect(text).toContain(en['done.max_duration']);
    expect(text).toContain(en['done.next'].replace('{company}', 'MENA Bank'));
    expect(text).not.toContain(en['done.completed']);
    expect(await checkAtBothSizes(page, 'done-max_duration')).toEqual([]);

    // Privacy: the token travelled in the Authorization header of the status call, and nowhere else.
    const token = statusCalls[0]?.replace(/^Bearer /, '') ?? '';
    expect(token).toMatch(/^eyJ/);
    expect(new URL(page.url()).pathname).toBe('/done');
    const stored = await privateStorage(page);
    const logs = consoleLines.join('\n');
    const workerLog = stack.workerLog.join('\n');
    for (const text of [stored, logs, workerLog]) {
      expect(text).not.toContain(token);
      expect(text).not.toMatch(/509876543|987 6543/);
    }
    expect(stored).not.toMatch(/eyJ/);
    expect(pageErrors(errors)).toEqual([]);
    await context.close();
  }, 180_000);

  it('max duration while the status API is unreachable and the agent said nothing: a neutral "ended", never "complete"', async () => {
    const { page, context, errors, interview, statusCalls } = await startInterview({ statusUnreachable: true });
    await endByMaxDuration(page, interview.id);
    expect(await doneReason(page)).toBe('ended');
    const text = await page.getByTestId('done').innerText();
    expect(text).toContain(en['done.ended']);
    expect(text).toContain(en['done.nextContact'].replace('{company}', 'MENA Bank'));
    expect(text).not.toMatch(/complete/i);
    expect(statusCalls.length).toBeGreaterThan(0);
    await screenshot(page, 'done-ended-desktop');
    expect(pageErrors(errors)).toEqual([]);
    await context.close();
  }, 180_000);

  it('a candidate dropped from the room and not back in time: the retry finds the interview ended (candidate_left)', async () => {
    const { page, context, errors, interview } = await startInterview();
    await expect.poll(() => agentState(page), { timeout: 30_000 }).toBe('speaking');
    // Removed from the room by the server: the candidate is out of it, the room stays, the interview is still open.
    // A removal is the server's decision, so the page leaves trying again to the candidate (a lost connection it
    // rejoins by itself: pages.test.ts).
    const row = await interviewRoom(stack.api.db, interview.id);
    await row.rooms.removeParticipant(row.roomName, row.candidateIdentity!);
    // The API says it is still open: the retry screen, not a Done page.
    const retry = page.getByRole('button', { name: en['common.retry'] });
    await retry.waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('done').count()).toBe(0);
    // The interviewer waits out the rejoin grace, then ends the interview.
    await expect
      .poll(async () => (await interviewRow(interview.id)).endReason, { timeout: 60_000, interval: 500 })
      .toBe('candidate_left');
    // Trying again: the join is refused (the interview is over) and the page asks the API why.
    await retry.click();
    await page.getByTestId('done').waitFor({ timeout: 30_000 });
    expect(await doneReason(page)).toBe('candidate_left');
    const text = await page.getByTestId('done').innerText();
    expect(text).toContain(en['done.candidate_left']);
    expect(text).toContain(en['done.nextTrouble'].replace('{company}', 'MENA Bank'));
    await screenshot(page, 'done-candidate_left-desktop');
    expect(pageErrors(errors)).toEqual([]);
    await context.close();
  }, 180_000);
});
