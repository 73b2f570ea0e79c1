import { ChangeSet, Text } from '@codemirror/state';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { insertCodeEvents } from '../../api/coding/code-events.repository.ts';
import { rerunInterviewCode } from '../../api/coding/server-rerun.ts';
import type { CodeEvent, CodingProblem } from '../../shared/coding/coding.schema.ts';
import { finalCode } from '../../shared/coding/replay.ts';
import { seedUser } from '../auth/support.ts';
import { client, okBody, seedCompany, startTestApi, type TestApi } from '../support/harness.ts';
import { launchBrowser, ensureWebBuilt, screenshot } from './support/browser.ts';
import { hrSignIn } from './support/hr.ts';

// The code replay on the review page in Chromium against the real API and Postgres: events seeded through the
// repository, the server's re-run made by the real sandboxes. The replay's last frame is the code the shared
// reconstruction gives; at 32× it reaches the end, driven by the page's fake clock (no sleeps). Screenshots at
// 1440 px in English and Arabic (test-results/web/hr-code-replay-*.png).

vi.setConfig({ testTimeout: 120_000 });

let api: TestApi;
let browser: Browser;
let reviewer: { email: string; password: string };
let interviewId: string;
let problem: CodingProblem;
let final: string;
const durationMs = 60_000;

beforeAll(async () => {
  ensureWebBuilt();
  api = await startTestApi();
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

  // Typing the reference solution a character at a time after a first wrong attempt, a run, a paste, a focus loss.
  let doc = Text.of(problem.starterCode.split('\n'));
  const events: CodeEvent[] = [];
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
  final = finalCode(problem.starterCode, events.map((event, seq) => ({ seq, event })));
  expect(final).toBe(solution);
  await api.db.updateTable('interviews').set({ status: 'completed', startedAt: new Date(Date.now() - 3_600_000), endedAt: new Date(), endReason: 'completed' }).where('id', '=', interviewId).execute();
  await rerunInterviewCode(api.db, interviewId);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

describe('code replay on the review page', () => {
  it('shows the final code, replays from the start at 32× to the same code, with marks, focus facts and the server results', async () => {
    const { context, page, errors } = await hrSignIn(browser, api.url, reviewer);
    await page.clock.install();
    await page.goto(`${api.url}/hr/interviews/${interviewId}`);
    const code = page.getByTestId('code-replay');
    await expect.poll(() => code.textContent(), { timeout: 30_000 }).toBe(final);
    const region = page.locator('.hr-code-replay');
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
    await region.getByRole('button', { name: 'Play' }).click();
    // Halfway through at 32×: 30 s of the interview in under a second of the page's clock.
    await page.clock.runFor(durationMs / 32 / 2);
    const middle = await code.textContent();
    expect(middle).not.toBe(final);
    await page.clock.runFor(durationMs / 32 / 2 + 200);
    await expect.poll(() => code.textContent()).toBe(final);
    await expect.poll(() => region.getByRole('button', { name: 'Play' }).count()).toBe(1);

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
});
