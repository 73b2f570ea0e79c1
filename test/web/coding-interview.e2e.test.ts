import { ChangeSet, Text } from '@codemirror/state';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { runLimits, type CodeEvent } from '../../shared/coding/coding.schema.ts';
import { ar } from '../../web/src/i18n/ar.ts';
import { en } from '../../web/src/i18n/en.ts';
import { stackReport, startAgentStack, type AgentStack } from '../agent/support/stack.ts';
import {
  allowMicrophone,
  axeViolations,
  ensureWebBuilt,
  launchBrowser,
  newPage,
  pageReport,
  screenshot,
  silenceWav,
} from './support/browser.ts';

// The candidate's side of a coding interview in Debian's Chromium against the real stack (API, Postgres, LiveKit,
// the agent worker with the Deepgram and Gemini emulators): the interviewer sends the problem as the coding question
// starts, the page shows the recording notice, then the editor; the candidate types, runs the visible tests in
// Pyodide (failing, a runaway loop stopped, passing), pastes; the events stored by the interviewer replay to exactly
// the editor's text. The same for JavaScript (QuickJS) and SQL (PGlite): a failing and a passing run shown and stored
// as events. A batch the database refused is sent again when the connection comes back, and a phone is offered the
// voice part alone only where HR allowed it. Every answer is typed on lk.chat (the microphone plays silence).

let stack: AgentStack;
let browser: Browser;

beforeAll(async () => {
  ensureWebBuilt();
  // Three interviews one after the other: the ones before are still in their rejoin grace when the next starts.
  stack = await startAgentStack({ workerEnv: { SILENCE_PROMPT_SECONDS: '120', AGENT_MAX_JOBS: '4' } });
  browser = await launchBrowser({ wav: silenceWav(2) });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const candidate = { firstName: 'Layla', lastName: 'Haddad', phone: '+971509876543' };
const interviewerLines = (page: Page) => page.locator('[data-testid=transcript] li[data-who=interviewer]');
const agentState = (page: Page) => page.getByTestId('agent-state').getAttribute('data-state');
/** The text the candidate sees in the editor, line by line. */
const editorText = (page: Page) =>
  page.locator('.cm-content .cm-line').evaluateAll((lines: any[]) => lines.map((l) => l.textContent ?? '').join('\n'));

/** Replaces the whole editor text as typed input (one transaction), the way an IME or autocomplete inserts it. */
async function replaceCode(page: Page, code: string) {
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(code);
  await expect.poll(() => editorText(page)).toBe(code);
}

/** Types an answer once the interviewer has said something new and listens; returns its line count then. */
async function typeAnswer(page: Page, answer: string, asked: number): Promise<number> {
  await expect
    .poll(async () => (await interviewerLines(page).count()) > asked && (await agentState(page)) === 'listening', {
      timeout: 90_000,
    })
    .toBe(true);
  const count = await interviewerLines(page).count();
  await page.getByLabel(en['interview.typeLabel']).fill(answer);
  await page.keyboard.press('Enter');
  return count;
}

async function runAndWait(page: Page) {
  const started = Date.now();
  await page.getByTestId('run').click();
  await page.getByRole('button', { name: en['coding.run'], disabled: false }).waitFor({ timeout: 120_000 });
  return Date.now() - started;
}

const results = (page: Page) =>
  page.getByTestId('run-result').evaluateAll((items: any[]) => items.map((i) => i.getAttribute('data-passed')));

/** An interview of a job in `codingLanguage`, joined in Chromium, answered up to the coding question's notice. */
async function joinCodingInterview(
  codingLanguage: 'PYTHON' | 'JAVASCRIPT' | 'SQL',
  person: { firstName: string; lastName: string; phone: string; typed: string },
  options: { codingVoiceOnly?: boolean } = {},
) {
  const job = await stack.hr('POST', '/v1/jobs', {
    body: {
      title: 'Backend Engineer',
      description: 'Build payment ledgers.',
      codingLanguage,
      competencies: [],
      ...(options.codingVoiceOnly === undefined ? {} : { codingVoiceOnly: options.codingVoiceOnly }),
    },
  });
  if (job.status !== 201) throw new Error(`job: ${job.status}`);
  const created = await stack.hr('POST', '/v1/candidates', {
    body: { firstName: person.firstName, lastName: person.lastName, phone: person.phone },
  });
  if (created.status !== 201) throw new Error(`candidate: ${created.status}`);
  const made = await stack.hr('POST', '/v1/interviews', {
    body: { candidateId: created.body.id, jobId: job.body.id, type: 'CODING', maxDurationMinutes: 30 },
  });
  if (made.status !== 201) throw new Error(`interview: ${made.status}`);
  const interview = made.body;
  const problem = interview.plan.questions.find((q) => q.coding)!.coding!;
  expect(problem.language).toBe(codingLanguage);

  const { page, context, errors, logged } = await newPage(browser);
  // A failed run says which turn was lost: the worker's log, the emulators' exchanges, the page's state.
  onTestFailed(async () => {
    console.error(stackReport(stack, { page: await pageReport(page).catch(String), errors, pageLog: logged.join('\n') }));
  });
  await page.goto(`${stack.api.url}/join/${interview.roomCode}`);
  await page.getByLabel('Phone number').fill(person.typed);
  await page.getByLabel('First name').fill(person.firstName);
  await page.getByLabel('Last name').fill(person.lastName);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Check your microphone and speaker' }).waitFor({ timeout: 30_000 });
  await allowMicrophone(page);
  await expect.poll(() => page.getByTestId('conn-check').textContent()).toBe('Connected to the interview server.');
  await page.getByRole('button', { name: 'Start the interview' }).click();
  await page.getByTestId('agent-state').waitFor();

  // Consent, then the opening question; the coding question follows and its problem reaches the page.
  const asked = await typeAnswer(page, 'Yes, I agree to continue.', 0);
  await typeAnswer(page, 'I built a payment reconciliation service last year.', asked);
  await page.getByTestId('coding-notice').waitFor({ timeout: 90_000 });
  expect(await page.getByTestId('coding-statement').textContent()).toBe(problem.statement);
  return { interview, problem, page, context, errors };
}

/** The events the interviewer stored for the interview, in order. */
async function storedEvents(interviewId: string) {
  const response = await stack.hr('GET', `/v1/interviews/${interviewId}/code-events`);
  if (response.status !== 200) throw new Error(`code events: ${response.status}`);
  return response.body.items.map((i) => ({ seq: i.seq, event: i.event as CodeEvent }));
}

/** The stored events applied to the starter code, the way the replay does. */
function replayed(starterCode: string, events: { event: CodeEvent }[]) {
  let doc = Text.of(starterCode.split('\n'));
  for (const { event } of events) {
    if (event.type === 'change') doc = ChangeSet.fromJSON(event.changes).apply(doc);
    if (event.type === 'snapshot') doc = Text.of(event.code.split('\n'));
  }
  return doc.toString();
}

/** What the page keeps in sessionStorage for its editor: the next event number and the events not yet answered. */
const editorStorage = (page: Page) =>
  page.evaluate(() => {
    const store = (globalThis as any).sessionStorage;
    let nextSeq = 0;
    let unacked = 0;
    for (let i = 0; i < store.length; i++) {
      const key: string = store.key(i);
      if (key.startsWith('code.seq.')) nextSeq = Number(store.getItem(key));
      if (key.startsWith('code.unacked.')) unacked = JSON.parse(store.getItem(key)).length;
    }
    return { nextSeq, unacked };
  });

describe('a coding interview in the browser', () => {
  it('problem → notice → editor → failing, runaway and passing runs → paste → the stored events replay to the editor text', async () => {
    const { interview, problem, page, context, errors } = await joinCodingInterview('PYTHON', {
      ...candidate,
      typed: '050 987 6543',
    });
    // Nothing is recorded before the candidate has read what is: no editor yet.
    expect(await page.getByTestId('code-editor').count()).toBe(0);
    await screenshot(page, 'coding-notice-desktop');
    await page.getByRole('button', { name: en['coding.start'] }).click();
    await expect.poll(() => editorText(page), { timeout: 30_000 }).toBe(problem.starterCode);
    expect(await axeViolations(page)).toEqual([]);

    // Typed key by key: a wrong first try, run and failing.
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(`def ${problem.entry}(*args): return None`);
    await expect.poll(() => editorText(page)).toBe(`def ${problem.entry}(*args): return None`);
    await runAndWait(page);
    const visible = problem.tests.filter((t) => t.visible);
    expect(await results(page)).toEqual(visible.map(() => 'false'));
    expect(await page.getByTestId('run-results').textContent()).toContain(`Results: 0 of ${visible.length} passed`);

    // A runaway loop is stopped at the test's time limit and said so.
    await replaceCode(page, `def ${problem.entry}(*args):\n    while True:\n        pass\n`);
    const loopMs = await runAndWait(page);
    expect(await page.getByTestId('timed-out').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('timed-out').first().textContent()).toBe(en['coding.timedOut']);
    expect(loopMs).toBeLessThan(runLimits.runTimeMs + 15_000);

    // The right solution passes every visible test.
    await replaceCode(page, problem.referenceSolution!);
    await runAndWait(page);
    expect(await results(page)).toEqual(visible.map(() => 'true'));
    await screenshot(page, 'coding-desktop');

    // A paste at the end of the code.
    const pasted = '# merged in one pass after sorting\n';
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.locator('.cm-content').evaluate((el: any, text) => {
      const g = globalThis as any;
      const data = new g.DataTransfer();
      data.setData('text/plain', text);
      el.dispatchEvent(new g.ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, pasted);
    const final = `${problem.referenceSolution}${pasted}`;
    await expect.poll(() => editorText(page)).toBe(final);

    // The interviewer stored every event; replayed from the starter code they give exactly the editor's text, and
    // every snapshot on the way agrees with the changes before it.
    const replay = async () => {
      const response = await stack.hr('GET', `/v1/interviews/${interview.id}/code-events`);
      if (response.status !== 200) throw new Error(`code events: ${response.status}`);
      return response.body.items.map((i) => i.event as CodeEvent);
    };
    let events: CodeEvent[] = [];
    await expect
      .poll(async () => (events = await replay()).some((e) => e.type === 'paste'), { timeout: 30_000 })
      .toBe(true);
    let doc = Text.of(problem.starterCode.split('\n'));
    for (const event of events) {
      if (event.type === 'change') doc = ChangeSet.fromJSON(event.changes).apply(doc);
      if (event.type === 'snapshot') {
        expect(event.code).toBe(doc.toString());
        doc = Text.of(event.code.split('\n'));
      }
    }
    await expect
      .poll(
        async () => {
          let d = Text.of(problem.starterCode.split('\n'));
          for (const e of await replay()) {
            if (e.type === 'change') d = ChangeSet.fromJSON(e.changes).apply(d);
            if (e.type === 'snapshot') d = Text.of(e.code.split('\n'));
          }
          return d.toString();
        },
        { timeout: 30_000 },
      )
      .toBe(final);
    events = await replay();
    expect(events.find((e) => e.type === 'paste')).toMatchObject({ chars: pasted.length });
    const runs = events.filter((e) => e.type === 'run');
    expect(runs.map((r) => r.results.map((x) => x.passed))).toEqual([
      visible.map(() => false),
      visible.map(() => false),
      visible.map(() => true),
    ]);
    expect(runs[1]!.results.some((r) => r.timedOut)).toBe(true);

    // Arabic: the page right to left, the code left to right.
    await page.getByRole('button', { name: en['lang.switchLabel'] }).click();
    await expect.poll(() => page.evaluate('document.documentElement.dir')).toBe('rtl');
    await page.getByText(ar['coding.title']).first().waitFor();
    expect(
      await page.locator('.cm-content').evaluate((el: any) => (globalThis as any).getComputedStyle(el).direction),
    ).toBe('ltr');
    await expect.poll(() => editorText(page)).toBe(final);
    await screenshot(page, 'coding-ar-desktop');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId('coding-small-screen').waitFor();
    expect(await page.getByTestId('coding-small-screen').textContent()).toContain(ar['coding.smallScreen']);
    // HR did not allow the voice part alone for this job: the phone is not offered it.
    expect(await page.getByTestId('coding-voice-only').count()).toBe(0);
    await screenshot(page, 'coding-ar-phone');
    await page.getByRole('button', { name: ar['lang.switchLabel'] }).click();
    await page.getByText(en['coding.smallScreen']).waitFor();
    await screenshot(page, 'coding-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
    // Back on a wide screen the editor comes back with the code as it was.
    await expect.poll(() => editorText(page), { timeout: 30_000 }).toBe(final);

    expect(errors.filter((e) => !e.includes('Room disconnected in the middle of receiving data'))).toEqual([]);
    await context.close();
  }, 400_000);
  it('JavaScript in QuickJS: a failing and a passing run shown and stored; a batch the database refused is sent again when the connection comes back', async () => {
    const { interview, problem, page, context, errors } = await joinCodingInterview('JAVASCRIPT', {
      firstName: 'Omar',
      lastName: 'Nasser',
      phone: '+971501112233',
      typed: '050 111 2233',
    });
    await page.getByRole('button', { name: en['coding.start'] }).click();
    await expect.poll(() => editorText(page), { timeout: 30_000 }).toBe(problem.starterCode);
    const visible = problem.tests.filter((t) => t.visible);

    await replaceCode(page, `function ${problem.entry}(...args) {\n  return null;\n}\n`);
    await runAndWait(page);
    expect(await results(page)).toEqual(visible.map(() => 'false'));
    expect(await page.getByTestId('run-results').textContent()).toContain(`Results: 0 of ${visible.length} passed`);
    await replaceCode(page, problem.referenceSolution!);
    await runAndWait(page);
    expect(await results(page)).toEqual(visible.map(() => 'true'));
    expect(await page.getByTestId('run-results').textContent()).toContain(
      `Results: ${visible.length} of ${visible.length} passed`,
    );
    await expect
      .poll(async () => (await storedEvents(interview.id)).filter((e) => e.event.type === 'run').length, { timeout: 30_000 })
      .toBe(2);
    const runs = (await storedEvents(interview.id)).filter((e) => e.event.type === 'run');
    expect(runs.map((r) => (r.event.type === 'run' ? r.event.results.map((x) => x.passed) : []))).toEqual([
      visible.map(() => false),
      visible.map(() => true),
    ]);
    // Every batch so far was answered: nothing waits to be sent again.
    await expect.poll(async () => (await editorStorage(page)).unacked, { timeout: 30_000 }).toBe(0);

    // The database refuses the interviewer's next batch (a real failure: a trigger raising an error, which counts
    // its tries in a sequence, as that survives the rollback).
    const db = stack.api.db;
    await sql`create sequence code_store_tries`.execute(db);
    await sql`create function refuse_code_events() returns trigger language plpgsql as $$
      begin perform nextval('code_store_tries'); raise exception 'the code store is down (test)'; end $$`.execute(db);
    await sql`create trigger refuse_code_events before insert on code_events
      for each row execute function refuse_code_events()`.execute(db);
    const before = (await editorStorage(page)).nextSeq;
    const edited = `${problem.referenceSolution}// O(n): one pass with a map of seen values\n`;
    await replaceCode(page, edited);
    await expect
      .poll(async () => (await sql<{ tried: boolean }>`select is_called as tried from code_store_tries`.execute(db)).rows[0]!.tried, {
        timeout: 30_000,
      })
      .toBe(true);
    await sql`drop trigger refuse_code_events on code_events`.execute(db);
    await sql`drop function refuse_code_events()`.execute(db);
    const after = (await editorStorage(page)).nextSeq;
    expect(after).toBeGreaterThan(before);
    // The refused events are missing from the store, and the page still holds them.
    expect((await storedEvents(interview.id)).filter((e) => e.seq >= before)).toEqual([]);
    expect((await editorStorage(page)).unacked).toBeGreaterThan(0);

    // The connection drops and comes back: the page sends what was not answered, and the store has every number.
    await context.setOffline(true);
    await page.getByTestId('reconnecting').waitFor({ timeout: 30_000 });
    await context.setOffline(false);
    await page.getByTestId('reconnecting').waitFor({ state: 'detached', timeout: 60_000 });
    await expect
      .poll(
        async () => {
          const seqs = (await storedEvents(interview.id)).map((e) => e.seq);
          return seqs.length > 0 && seqs.every((seq, i) => seq === i) && seqs.at(-1)! >= after - 1;
        },
        { timeout: 60_000 },
      )
      .toBe(true);
    const stored = await storedEvents(interview.id);
    // The refused change itself is there (not only the snapshot the reconnect adds), and the changes alone give the text.
    expect(stored.some((e) => e.seq >= before && e.seq < after && e.event.type === 'change')).toBe(true);
    expect(
      replayed(
        problem.starterCode,
        stored.filter((e) => e.event.type === 'change'),
      ),
    ).toBe(edited);
    await expect.poll(async () => (await editorStorage(page)).unacked, { timeout: 30_000 }).toBe(0);
    await sql`drop sequence code_store_tries`.execute(db);

    expect(errors.filter((e) => !e.includes('Room disconnected in the middle of receiving data'))).toEqual([]);
    await context.close();
  }, 400_000);

  it('SQL in PGlite: a failing and a passing query shown and stored; a phone is offered the voice part alone where HR allowed it', async () => {
    const { interview, problem, page, context, errors } = await joinCodingInterview(
      'SQL',
      { firstName: 'Sara', lastName: 'Khalil', phone: '+971504445566', typed: '050 444 5566' },
      { codingVoiceOnly: true },
    );
    await page.getByRole('button', { name: en['coding.start'] }).click();
    await expect.poll(() => editorText(page), { timeout: 30_000 }).toBe(problem.starterCode);
    const visible = problem.tests.filter((t) => t.visible);

    // The starter query returns the wrong columns: failing, with what it returned shown.
    await runAndWait(page);
    expect(await results(page)).toEqual(visible.map(() => 'false'));
    expect(await page.getByTestId('run-result').first().textContent()).toContain(en['coding.actual']);
    // A query Postgres refuses: its own error message is shown.
    await replaceCode(page, 'select nonsense from payments;\n');
    await runAndWait(page);
    expect(await results(page)).toEqual(visible.map(() => 'false'));
    expect(await page.getByTestId('run-results').textContent()).toContain('column "nonsense" does not exist');
    await replaceCode(page, problem.referenceSolution!);
    await runAndWait(page);
    // The page's words in the message: a failure says what the engine reported.
    expect(await results(page), (await page.getByTestId('run-results').textContent()) ?? '').toEqual(visible.map(() => 'true'));
    await screenshot(page, 'coding-sql-desktop');

    await expect
      .poll(async () => (await storedEvents(interview.id)).filter((e) => e.event.type === 'run').length, { timeout: 30_000 })
      .toBe(3);
    const stored = await storedEvents(interview.id);
    expect(
      stored.flatMap((e) => (e.event.type === 'run' ? [e.event.results.map((x) => x.passed)] : [])),
    ).toEqual([visible.map(() => false), visible.map(() => false), visible.map(() => true)]);
    expect(replayed(problem.starterCode, stored)).toBe(problem.referenceSolution);

    // On a phone: the editor needs a larger screen, and this job lets the candidate stay for the voice part.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId('coding-small-screen').waitFor();
    expect(await page.getByTestId('coding-voice-only').textContent()).toBe(en['coding.voiceOnly']);
    await screenshot(page, 'coding-voice-only-phone');
    await page.getByRole('button', { name: en['lang.switchLabel'] }).click();
    await expect.poll(() => page.getByTestId('coding-voice-only').textContent()).toBe(ar['coding.voiceOnly']);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'coding-voice-only-ar-phone');
    // The conversation carries on beside it: the candidate can still answer.
    await expect(page.getByLabel(ar['interview.typeLabel']).isVisible()).resolves.toBe(true);

    expect(errors.filter((e) => !e.includes('Room disconnected in the middle of receiving data'))).toEqual([]);
    await context.close();
  }, 400_000);
});
