import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChangeSet, Text } from '@codemirror/state';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { insertCodeEvents } from '../../api/coding/code-events.repository.ts';
import { rerunInterviewCode } from '../../api/coding/server-rerun.ts';
import { scoreInterview } from '../../api/scoring/scorecards.ts';
import { oggOpusDurationMs } from '../../shared/recordings/ogg.ts';
import { beginRecordingPart, markPartStored } from '../../shared/recordings/repository.ts';
import { createRecordingStore } from '../../shared/recordings/store.ts';
import { makeOggOpus } from '../recordings/support.ts';
import { honestBrain, isPlanRequest, startEvaluationEmulator } from '../scoring/gemini-evaluation-emulator.ts';
import type { CodeEvent, CodingProblem } from '../../shared/coding/coding.schema.ts';
import { finalCode, replayCode } from '../../shared/coding/replay.ts';
import { seedUser } from '../auth/support.ts';
import { client, okBody, seedCompany, startTestApi, type TestApi } from '../support/harness.ts';
import { launchBrowser, ensureWebBuilt, screenshot } from './support/browser.ts';
import { hrSignIn } from './support/hr.ts';

// The code replay on the review page in Chromium against the real API and Postgres: events seeded through the
// repository, the server's re-run made by the real sandboxes. The replay's last frame is the code the shared
// reconstruction gives; at 32× it reaches the end, driven by the page's fake clock (no sleeps). Screenshots at
// 1440 px in English and Arabic (test-results/web/hr-code-replay-*.png).
// One time axis: the events' receipt times put the editor's clock on the server's, so a transcript turn or a moment of
// the recording shows the code as it was then, and the replay moves the recording. The scorecard (the real scoring
// code, against the model emulator) cites lines of the final code; picking them marks them in the replay.
// Screenshots of that at 1280×800 and 1024×768 in English and Arabic (/work/notes/s5/shots when it exists).

vi.setConfig({ testTimeout: 120_000 });

let api: TestApi;
let browser: Browser;
let emulator: Awaited<ReturnType<typeof startEvaluationEmulator>>;
let dir: string;
let audioFile: string;
/** The interview began here; the coding began two minutes in; the recording covers it from ten seconds before. */
const began = new Date(Date.now() - 3_600_000);
const codingStart = began.getTime() + 120_000;
const recordingStart = codingStart - 10_000;
let events: CodeEvent[] = [];
/** Lines of the final code the scorer cites (whole lines, as the integrity check wants). */
let citedLines = '';
let reviewer: { email: string; password: string };
let interviewId: string;
let problem: CodingProblem;
let codingPosition = -1;
let final: string;
const durationMs = 60_000;

beforeAll(async () => {
  ensureWebBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'hr-code-replay-'));
  // The model emulator scores only (the plan comes from the template bank, with its coding problem).
  emulator = await startEvaluationEmulator((request) => {
    if (isPlanRequest(request)) throw new Error('no plan is asked of the model here');
    const card = honestBrain(request);
    // Cited the way a model copies code: every line without its indentation.
    const asModelCopies = citedLines.split('\n').map((line) => line.trim()).join('\n');
    return { ...card, questions: card.questions.map((q) => ({ ...q, codeEvidence: [asModelCopies] })) };
  });
  api = await startTestApi({ env: { RECORDINGS_DIR: dir } });
  const { companyId, key } = await seedCompany(api.db, 'Replay Co');
  reviewer = await seedUser(api, companyId, 'reviewer');
  const hr = client(api.url, key);
  const job = okBody(
    await hr('POST', '/v1/jobs', { body: { title: 'Backend Engineer', description: 'Python services.', codingLanguage: 'PYTHON', competencies: [] } }),
  );
  const candidate = okBody(await hr('POST', '/v1/candidates', { body: { firstName: 'Layla', lastName: 'Haddad', phone: '+971501234567' } }));
  const interview = okBody(await hr('POST', '/v1/interviews', { body: { candidateId: candidate.id, jobId: job.id, type: 'CODING' } }));
  interviewId = interview.id;
  const question = interview.plan.questions.find((q) => q.coding)!;
  problem = question.coding as CodingProblem;
  codingPosition = question.position;

  // Typing the reference solution a character at a time after a first wrong attempt, a run, a paste, a focus loss.
  let doc = Text.of(problem.starterCode.split('\n'));
  events = [];
  const replace = (code: string, at: number) => {
    const change = ChangeSet.of({ from: 0, to: doc.length, insert: code }, doc.length);
    doc = change.apply(doc);
    events.push({ type: 'change', at, changes: change.toJSON() });
  };
  replace(`${problem.starterCode.trimEnd()}\n    return None\n`, 5_000);
  const claimPassed = () =>
    problem.tests.filter((t) => t.visible).map((t) => ({ name: t.name, passed: true, actual: 'null', output: '', error: null, timedOut: false, durationMs: 1 }));
  events.push({ type: 'run', at: 10_000, results: claimPassed() });
  events.push({ type: 'focus', at: 12_000, state: 'lost' });
  events.push({ type: 'focus', at: 15_000, state: 'regained' });
  replace('', 20_000);
  const solution = problem.referenceSolution!;
  for (let i = 1; i <= solution.length; i++) {
    const change = ChangeSet.of({ from: i - 1, insert: solution[i - 1]! }, doc.length);
    doc = change.apply(doc);
    events.push({ type: 'change', at: 20_000 + Math.round((i / solution.length) * 30_000), changes: change.toJSON() });
  }
  events.push({ type: 'paste', at: 52_000, chars: 14 });
  events.push({ type: 'run', at: durationMs, results: claimPassed() });
  await insertCodeEvents(api.db, interviewId, question.questionId, 0, events);
  // Received as the editor sends them: the batching delay after each event (the editor's zero is the coding's start).
  await sql`update code_events set received_at = ${new Date(codingStart)}::timestamptz + (at + 300) * interval '1 millisecond'
    where interview_id = ${interviewId}`.execute(api.db);
  final = finalCode(problem.starterCode, events.map((event, seq) => ({ seq, event })));
  expect(final).toBe(solution);
  // Two lines at different depths (inside a loop and the loop's body), so the kept indentation shows.
  citedLines = solution.split('\n').slice(2, 4).join('\n');
  expect(citedLines).toMatch(/^ {4}\S.*\n {8}\S/);
  await api.db.updateTable('interviews').set({ status: 'completed', startedAt: began, endedAt: new Date(), endReason: 'completed' }).where('id', '=', interviewId).execute();
  // The coding question asked and answered while the code was written: turns at known moments.
  const turnAt = (seq: number, speaker: 'interviewer' | 'candidate', ms: number, text: string) => ({
    interviewId,
    seq,
    speaker,
    text,
    questionId: question.questionId,
    stage: 'question',
    startedAt: new Date(codingStart + ms),
    endedAt: new Date(codingStart + ms + 2_000),
  });
  await api.db
    .insertInto('transcriptTurns')
    .values([
      turnAt(1, 'interviewer', -5_000, question.text),
      turnAt(2, 'candidate', 7_000, 'My first try returns None so I can see the tests fail.'),
      turnAt(3, 'candidate', 35_000, 'Now I sort the intervals and merge them in one pass.'),
    ])
    .execute();
  // A recording part that holds the coding: 75 s from ten seconds before it.
  const store = createRecordingStore(api.deps.config.recordings.store);
  audioFile = makeOggOpus(75);
  const part = await beginRecordingPart(api.db, { interviewId, companyId, store: store.kind, startedAt: new Date(recordingStart) });
  const { sizeBytes } = await store.put(part.objectKey, audioFile, 'audio/ogg');
  await markPartStored(api.db, part.id, { durationMs: (await oggOpusDurationMs(audioFile))!, sizeBytes, recovered: false });
  await rerunInterviewCode(api.db, interviewId);
  const row = await api.db.selectFrom('interviews').selectAll().where('id', '=', interviewId).executeTakeFirstOrThrow();
  const scoring = { googleApiKey: 'test-key-for-emulator', baseUrl: emulator.url, model: 'gemini-2.5-flash' };
  await scoreInterview({ db: api.db, log: api.deps.log, now: api.deps.now, scoring }, row, 'interview_completed');
  const card = await api.db.selectFrom('scorecards').select('status').where('interviewId', '=', interviewId).executeTakeFirstOrThrow();
  expect(card.status).toBe('complete');
  // The scorer matched the lines with their indentation ignored and stored them as the code has them.
  const stored = await api.db.selectFrom('scorecards').select('result').where('interviewId', '=', interviewId).executeTakeFirstOrThrow();
  expect((stored.result as { questions: { codeEvidence?: string[] }[] }).questions.flatMap((q) => q.codeEvidence ?? [])).toEqual([citedLines]);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await emulator?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (audioFile) rmSync(path.dirname(audioFile), { recursive: true, force: true });
});

/** The code as the replay's frames have it at `ms` on the editor's clock. */
function codeAt(ms: number): string {
  let code = problem.starterCode;
  for (const f of replayCode(problem.starterCode, events.map((event, seq) => ({ seq, event })))) {
    if (f.event.at > ms) break;
    code = f.code;
  }
  return code;
}

/**
 * The transcript's code button by its accessible name: the catalogue isolates the interpolated time (U+2068 … U+2069,
 * so a right-to-left page cannot reorder it), and the name keeps those marks.
 */
const showCodeAt = (time: string) => new RegExp(`^Show the code at \u2068?${time}\u2069?$`);

const shotsDir = '/work/notes/s5/shots';
async function shot(page: Page, name: string) {
  await screenshot(page, name);
  try {
    mkdirSync(shotsDir, { recursive: true });
    await page.screenshot({ path: path.join(shotsDir, `${name}.png`) });
  } catch {
    // Only where the notes folder exists (a developer's machine, not CI).
  }
}

describe('code replay on the review page', () => {
  it('shows the final code, replays from the start at 32× to the same code, with marks, focus facts and the server results', async () => {
    const { context, page, errors } = await hrSignIn(browser, api.url, reviewer);
    await page.clock.install();
    await page.goto(`${api.url}/hr/interviews/${interviewId}`);
    const code = page.getByTestId('code-replay');
    await expect.poll(() => code.textContent(), { timeout: 30_000 }).toBe(final);
    const region = page.locator('.hr-code-replay');
    // Numbered as the plan, the transcript and the scorecard number it (the opening question comes first).
    expect(codingPosition).toBeGreaterThan(0);
    expect((await region.locator('h3').first().textContent())?.replace(/[\u2068\u2069]/g, '')).toBe(`Question ${codingPosition + 1}`);
    expect(await region.locator('.hr-code-marks li').count()).toBe(3);
    expect(await region.locator('.hr-code-focus li').count()).toBe(2);
    // Every test, hidden ones too, passed on the server; the browser's claim about the wrong code is shown as wrong.
    await expect.poll(() => region.locator('.hr-code-results li[data-passed="true"]').count()).toBe(problem.tests.length);
    expect(await region.locator('.hr-code-disagree').count()).toBe(1);
    expect(await region.locator('.hr-code-disagree').textContent()).toContain('The browser reported a different result');

    // Back to the start with the scrubber: the starter code.
    await region.getByLabel('Position in the replay').fill('0');
    await expect.poll(() => code.textContent()).toBe(problem.starterCode);
    await region.getByLabel('Speed').selectOption('32');
    await region.getByRole('button', { name: 'Play', exact: true }).click();
    // Halfway through at 32×: 30 s of the interview in under a second of the page's clock.
    await page.clock.runFor(durationMs / 32 / 2);
    const middle = await code.textContent();
    expect(middle).not.toBe(final);
    await page.clock.runFor(durationMs / 32 / 2 + 200);
    await expect.poll(() => code.textContent()).toBe(final);
    await expect.poll(() => region.getByRole('button', { name: 'Play', exact: true }).count()).toBe(1);

    await screenshot(page, 'hr-code-replay-en-1440');
    expect(errors).toEqual([]);
    await context.close();

    const ar = await hrSignIn(browser, api.url, reviewer, 'ar');
    await ar.page.goto(`${api.url}/hr/interviews/${interviewId}`);
    const arCode = ar.page.getByTestId('code-replay');
    await expect.poll(() => arCode.textContent(), { timeout: 30_000 }).toBe(final);
    expect(await arCode.getAttribute('dir')).toBe('ltr');
    await expect.poll(() => ar.page.locator('.hr-code-results li').count()).toBe(problem.tests.length);
    await screenshot(ar.page, 'hr-code-replay-ar-1440');
    expect(ar.errors).toEqual([]);
    await ar.context.close();
  });
  it('one time axis: a transcript turn and the recording move the replay to the code of that moment, the replay moves the recording', async () => {
    const { context, page, errors } = await hrSignIn(browser, api.url, reviewer);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${api.url}/hr/interviews/${interviewId}`);
    const code = page.getByTestId('code-replay');
    await expect.poll(() => code.textContent(), { timeout: 30_000 }).toBe(final);
    const region = page.locator('.hr-code-replay');

    await expect.poll(() => page.locator('#turn-2 .hr-turn-code').count()).toBe(1);
    // Turn 2 began 7 s into the coding: the first wrong try (at 5 s), not yet run. Its time reads from the
    // interview's start (2:07), as the transcript's does.
    await page.locator('#turn-2').getByRole('button', { name: showCodeAt('2:07') }).click();
    await expect.poll(() => code.textContent()).toBe(codeAt(7_000));
    expect(codeAt(7_000)).toBe(`${problem.starterCode.trimEnd()}\n    return None\n`);
    expect(await region.locator('output').first().textContent()).toMatch(/^2:07 \/ 3:00$/);
    // Turn 3, 35 s in: halfway through typing the solution.
    await page.locator('#turn-3').getByRole('button', { name: showCodeAt('2:35') }).click();
    await expect.poll(() => code.textContent()).toBe(codeAt(35_000));
    expect(codeAt(35_000)).not.toBe(final);

    // The replay moves the recording to the same moment: 45 s into the part (it began 10 s before the coding).
    const audio = page.locator('audio');
    await expect.poll(() => audio.evaluate((el: any) => el.readyState), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    await region.getByRole('button', { name: 'Play the recording from here' }).click();
    await expect.poll(() => audio.evaluate((el: any) => Math.round(el.currentTime))).toBe(45);
    // And the recording moves the replay: 12 s into the part is 2 s into the coding (the starter code), 40 s in
    // is 30 s into it.
    await audio.evaluate((el: any) => (el.currentTime = 12));
    await expect.poll(() => code.textContent()).toBe(codeAt(2_000));
    expect(codeAt(2_000)).toBe(problem.starterCode);
    await audio.evaluate((el: any) => (el.currentTime = 40));
    await expect.poll(() => code.textContent()).toBe(codeAt(30_000));
    expect(errors).toEqual([]);
    await context.close();
  });

  it("the scorecard's cited code beside the transcript evidence; picking it marks the lines in the final code (English and Arabic, code left to right)", async () => {
    for (const lang of ['en', 'ar'] as const) {
      const { context, page, errors } = await hrSignIn(browser, api.url, reviewer, lang);
      for (const [width, height] of [
        [1280, 800],
        [1024, 768],
      ] as const) {
        await page.setViewportSize({ width, height });
        await page.goto(`${api.url}/hr/interviews/${interviewId}`);
        const cited = page.locator('.hr-code-evidence .hr-code-quote');
        await cited.first().waitFor({ timeout: 30_000 });
        expect(await cited.count()).toBe(1);
        // Shown with the code's own indentation.
        expect(await cited.locator('code').textContent()).toBe(citedLines);
        expect(await cited.locator('code').evaluate((el: any) => (globalThis as any).getComputedStyle(el).direction)).toBe('ltr');
        // Beside the candidate's quoted words of the same question.
        const card = page.locator('.hr-question', { has: cited });
        expect(await card.locator('.hr-quote:not(.hr-code-quote)').count()).toBeGreaterThan(0);
        await cited.scrollIntoViewIfNeeded();
        await shot(page, `review-code-evidence-${lang}-${width}`);

        await cited.click();
        const code = page.getByTestId('code-replay');
        await expect.poll(() => code.locator('mark.hr-code-line-cited').allTextContents()).toEqual(citedLines.split('\n'));
        expect(await code.textContent()).toBe(final);
        expect(await code.getAttribute('dir')).toBe('ltr');
        await expect.poll(() => page.evaluate(() => (globalThis as any).document.activeElement?.dataset?.testid)).toBe('code-replay');
        await shot(page, `review-code-cited-${lang}-${width}`);
        // Moving the replay takes the marks away (they are lines of the final code only).
        await page.locator('.hr-code-replay input[type=range]').fill('0');
        await expect.poll(() => code.locator('mark').count()).toBe(0);
      }
      expect(errors).toEqual([]);
      await context.close();
    }
  });
});
