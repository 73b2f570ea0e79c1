import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed, vi } from 'vitest';
import { startBackgroundWork, type BackgroundWork } from '../../api/jobs/background.ts';
import { seedScenario, stackReport, startAgentStack, type AgentStack } from '../agent/support/stack.ts';
import { seedUser } from '../auth/support.ts';
import {
  isPlanRequest,
  planBrain,
  promptCompetencyKeys,
  promptQuestionIds,
  promptTurns,
  startEvaluationEmulator,
  type EvaluationRequest,
} from '../scoring/gemini-evaluation-emulator.ts';
import { loadScenario, runCandidate, type Scenario } from '../support/candidate-sim.ts';
import { okBody } from '../support/harness.ts';
import { startS3Server, type S3Server } from '../support/services.ts';
import { startConsumer, type Consumer } from '../webhooks/support.ts';
import { axeViolations, ensureWebBuilt, launchBrowser } from './support/browser.ts';
import { hrContext, hrScreenshots, hrSignIn } from './support/hr.ts';

// From a candidate to a decision, every part real: the API (serving web/dist, running its background jobs as the
// API process does), Postgres, LiveKit, the agent worker as its own process with the provider emulators, a recording
// stored in an S3-compatible server (versitygw), and a simulated candidate who speaks a short interview. The API's
// own scoring job scores it against the model emulator; a reviewer signs in in Chromium, finds the stored transcript
// turn by turn, follows an evidence quote to its turn (marked, and the recording seeks there), and records a decision
// with the keyboard. The decision is then read back through the API, the audit log and a webhook consumer.
// Screenshots of the review at 1440 and 1024 px in English and Arabic (test-results/web/hr-review-e2e-*.png).

vi.setConfig({ testTimeout: 240_000 });

const full = loadScenario(new URL('../../scenarios/backend-fintech-strong.json', import.meta.url));
// Short: eight minutes make a two-question plan; the candidate consents, answers both and declines to ask anything.
const scenario: Scenario = {
  ...full,
  interview: { ...full.interview, maxDurationSeconds: 8 * 60 },
  answers: [full.answers[0]!, full.answers[1]!, full.answers[4]!, full.answers.at(-1)!],
};

/** Words from inside an answer's first sentence (from its third word), so the mark is a span and not the turn. */
const quoteIn = (text: string) => text.split(/[.,]/)[0]!.split(' ').slice(2).join(' ');

/** A model that scores each asked question on a quote from the middle of its answer. */
function reviewBrain(request: EvaluationRequest) {
  if (isPlanRequest(request)) return planBrain(request);
  const turns = promptTurns(request.prompt);
  const answer = (qid: string) => turns.find((t) => t.speaker === 'candidate' && t.questionId === qid);
  const questions = promptQuestionIds(request.prompt);
  const first = answer(questions[0]!);
  return {
    questions: questions.map((questionId) => {
      const a = answer(questionId);
      return {
        questionId,
        score: a ? 4 : null,
        rationale: a ? 'A specific system, a personal contribution and how it holds up.' : 'Not answered.',
        evidence: a ? [{ turnSeq: a.seq, quote: quoteIn(a.text) }] : [],
      };
    }),
    competencies: promptCompetencyKeys(request.prompt).map((key, i) => ({
      key,
      score: i === 0 && first ? 4 : null,
      rationale: i === 0 ? 'Reasons about consistency and retries.' : 'Nothing was said about this.',
      evidence: i === 0 && first ? [{ turnSeq: first.seq, quote: quoteIn(first.text) }] : [],
    })),
    overall: {
      recommendation: 'advance',
      summary: 'Concrete answers on a payment ledger and on explaining trade-offs.',
      strengths: ['Idempotent ledger writes'],
      concerns: ['A short interview: two questions'],
    },
  };
}

let stack: AgentStack;
let evaluation: Awaited<ReturnType<typeof startEvaluationEmulator>>;
let s3: S3Server;
let background: BackgroundWork;
let consumer: Consumer;
let browser: Browser;
let spool: string;

beforeAll(async () => {
  ensureWebBuilt();
  evaluation = await startEvaluationEmulator(reviewBrain);
  s3 = await startS3Server();
  const bucket = 'interview-recordings';
  await new S3Client({
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  }).send(new CreateBucketCommand({ Bucket: bucket }));
  const store = {
    RECORDINGS_S3_BUCKET: bucket,
    RECORDINGS_S3_ENDPOINT: s3.endpoint,
    RECORDINGS_S3_ACCESS_KEY_ID: s3.accessKeyId,
    RECORDINGS_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
  };
  spool = mkdtempSync(path.join(tmpdir(), 'hr-review-e2e-'));
  stack = await startAgentStack({
    workerEnv: { SILENCE_PROMPT_SECONDS: '20', RECORDINGS_SPOOL_DIR: spool, ...store },
    // The API writes plans and scores with the model emulator, and delivers webhooks to the consumer on localhost.
    apiEnv: { GOOGLE_API_KEY: 'emulated', GEMINI_BASE_URL: evaluation.url, WEBHOOK_ALLOW_PRIVATE_URLS: 'true', ...store },
  });
  background = await startBackgroundWork(stack.api.deps);
  consumer = await startConsumer();
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await background?.stop();
  await stack?.stop();
  await consumer?.stop();
  await evaluation?.close();
  await s3?.stop();
  if (spool) rmSync(spool, { recursive: true, force: true });
});

/** Text as read, without the bidi isolation marks the catalogues put around interpolated words. */
const plain = (text: string | null) => (text ?? '').replace(/[\u2066-\u2069]/g, '');

const audioTime = (page: Page) =>
  page.locator('audio').evaluate((node) => {
    const el = node as unknown as { currentTime: number; readyState: number; currentSrc: string };
    return { time: el.currentTime, ready: el.readyState, src: el.currentSrc };
  });

describe('HR review, end to end', () => {
  it('a simulated candidate completes an interview; a reviewer reviews its scorecard against the transcript and recording, and decides', async () => {
    const hr = stack.hr;
    onTestFailed(() => {
      console.error(stackReport(stack));
    });
    expect((await hr('PATCH', '/v1/company/recording', { body: { enabled: true } })).status).toBe(200);
    const endpoint = okBody(
      await hr('POST', '/v1/webhook-endpoints', { body: { url: consumer.url, eventTypes: ['interview.completed', 'scorecard.updated'] } }),
    );
    consumer.setSecrets([endpoint.secret]);

    const interview = await seedScenario(stack, scenario);
    const plan = await stack.api.db
      .selectFrom('interviewPlanQuestions')
      .select(['questionId', 'source'])
      .where('interviewId', '=', interview.id)
      .orderBy('position')
      .execute();
    expect(plan).toHaveLength(2);
    const result = await runCandidate({
      apiUrl: stack.api.url,
      roomCode: interview.roomCode,
      phone: scenario.candidate.phone,
      firstName: scenario.candidate.firstName,
      lastName: scenario.candidate.lastName,
      answers: scenario.answers,
      timeoutMs: 150_000,
    });
    expect(result.endedBy).not.toBe('timeout');
    expect(result.agentAttributes['interview.end_reason']).toEqual(['completed']);

    // The API's scoring job (added with the completion) scores it; the interview.completed webhook carries it.
    await expect
      .poll(async () => (await hr('GET', `/v1/interviews/${interview.id}/scorecard`)).body, { timeout: 60_000 })
      .toMatchObject({ status: 'complete', version: 1 });
    const card = okBody(await hr('GET', `/v1/interviews/${interview.id}/scorecard`));
    const db = stack.api.db;
    const turns = await db.selectFrom('transcriptTurns').selectAll().where('interviewId', '=', interview.id).orderBy('seq').execute();
    const answers = turns.filter((t) => t.speaker === 'candidate');
    expect(answers.map((t) => t.text)).toEqual(scenario.answers);
    const firstAnswer = answers.find((t) => t.questionId === plan[0]!.questionId)!;
    const quote = quoteIn(firstAnswer.text);
    const cardQuestion = card.result!.questions.find((q) => q.questionId === plan[0]!.questionId)!;
    expect(cardQuestion.evidence).toEqual([expect.objectContaining({ turnSeq: firstAnswer.seq, quote })]);
    await expect
      .poll(() => consumer.received.map((d) => (d.verified.ok ? d.verified.payload.type : d.verified.error)))
      .toEqual(['interview.completed']);

    // The recording is in the S3 store, and the answer's place in it is known.
    const recordingInfo = async () => okBody(await hr('GET', `/v1/interviews/${interview.id}/recording/info`));
    await expect.poll(async () => (await recordingInfo()).parts.map((p) => p.status), { timeout: 30_000 }).toEqual(['stored']);
    const placed = (await recordingInfo()).turns.find((t) => t.seq === firstAnswer.seq)!;
    expect(placed.part).toBe(1);

    // The reviewer, a workspace user of the company, signs in.
    const row = await db.selectFrom('interviews').select(['companyId', 'status']).where('id', '=', interview.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('completed');
    const reviewer = await seedUser(stack.api, row.companyId, 'reviewer');
    // From the review's link, signed out: the detour through sign-in comes back to the review, whose data the
    // page then asks for again (what it asked for before the sign-in was refused).
    const context = await hrContext(browser);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${stack.api.url}/hr/interviews/${interview.id}`);
    await page.waitForURL(/\/hr\/sign-in\?next=/);
    await page.getByLabel('Work e-mail').fill(reviewer.email);
    await page.getByLabel('Password').fill(reviewer.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(new RegExp(`/hr/interviews/${interview.id}$`));
    const name = `${scenario.candidate.firstName} ${scenario.candidate.lastName}`;
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(name);
    expect(await page.getByRole('alert').count()).toBe(0);

    // The transcript is the stored one: every turn, in order, with its speaker and words.
    const shown = page.locator('.hr-transcript > li');
    await expect.poll(() => shown.count()).toBe(turns.length);
    const rows = await shown.evaluateAll((items) =>
      items.map((li) => ({
        seq: Number(li.getAttribute('data-seq')),
        speaker: li.querySelector('.hr-turn-speaker')?.textContent,
        text: li.querySelector('.hr-turn-text')?.textContent,
      })),
    );
    expect(rows).toEqual(turns.map((t) => ({ seq: t.seq, speaker: t.speaker === 'candidate' ? 'Candidate' : 'Interviewer', text: t.text })));
    await expect.poll(() => page.locator('.hr-question').count()).toBe(plan.length);

    // The quote: its turn scrolls into view and takes focus, the quoted words are marked, the recording seeks there.
    await expect.poll(async () => (await audioTime(page)).ready).toBeGreaterThanOrEqual(1);
    expect((await audioTime(page)).src).toBe(`${stack.api.url}/v1/interviews/${interview.id}/recording?part=1`);
    // The label isolates the quote (bidi marks around it).
    const label = new RegExp(`^Show this quote in the transcript: .?${quote.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.?$`);
    await page.getByRole('button', { name: label }).first().click();
    const turn = page.locator(`#turn-${firstAnswer.seq}`);
    await expect.poll(() => turn.locator('mark').textContent()).toBe(quote);
    await expect.poll(() => page.evaluate<string | undefined>('document.activeElement?.id')).toBe(`turn-${firstAnswer.seq}`);
    await expect
      .poll(() =>
        turn.evaluate((el) => {
          const box = el.getBoundingClientRect();
          const scroller = el.closest('.hr-transcript-scroll')!.getBoundingClientRect();
          return box.top >= scroller.top - 1 && box.bottom <= scroller.bottom + 1;
        }),
      )
      .toBe(true);
    await expect.poll(async () => Math.abs((await audioTime(page)).time - placed.startMs! / 1000)).toBeLessThan(0.3);
    expect(await page.locator('.hr-transcript [aria-current="time"]').getAttribute('data-seq')).toBe(String(firstAnswer.seq));
    expect(await axeViolations(page), 'axe on the review').toEqual([]);
    // At 1024 × 768 the side column (player, transcript) fits the window: the transcript's end is never below it.
    await page.setViewportSize({ width: 1024, height: 768 });
    expect(await page.locator('.hr-review-side').evaluate((el) => el.getBoundingClientRect().height)).toBeLessThanOrEqual(768);
    await hrScreenshots(page, 'review-e2e-en');

    // The decision, with the keyboard alone: Tab from the top of the page to the decision's radios.
    await page.locator('body').focus();
    let onRadio = false;
    for (let i = 0; i < 120 && !onRadio; i++) {
      await page.keyboard.press('Tab');
      onRadio = await page.evaluate<boolean>("document.activeElement?.getAttribute('type') === 'radio'");
    }
    expect(onRadio, 'Tab reaches the decision').toBe(true);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.evaluate<string>('document.activeElement.value')).toBe('hold');
    const note = 'Good ledger answer; a second interview on incidents before an offer.';
    await page.keyboard.press('Tab');
    await page.keyboard.type(note);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.hr-decision [role=status]').textContent()).toBe('Decision recorded.');
    await expect.poll(() => page.locator('.hr-history li').count()).toBe(1);
    expect(plain(await page.locator('.hr-history li').first().textContent())).toMatch(/Hold.*on scorecard version 1.*Good ledger answer/);

    // Through the API: the decision, the audit log (with the reviewer as the actor), and the webhook.
    const decisions = okBody(await hr('GET', `/v1/interviews/${interview.id}/decisions`));
    expect(decisions.items).toEqual([expect.objectContaining({ decision: 'hold', note, scorecardVersion: 1 })]);
    const audit = okBody(await hr('GET', `/v1/audit-events?interviewId=${interview.id}&action=decision.record`));
    expect(audit.items).toEqual([
      expect.objectContaining({ actorType: 'user', actorId: reviewer.id, action: 'decision.record', details: { decision: 'hold' } }),
    ]);
    await expect.poll(() => consumer.received.length).toBe(2);
    const delivered = consumer.received[1]!.verified;
    expect(delivered.ok).toBe(true);
    expect(delivered.ok && delivered.payload).toMatchObject({
      type: 'scorecard.updated',
      data: { interviewId: interview.id, reason: 'human_decision', decision: 'hold' },
    });
    const deliveries = okBody(await hr('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries?status=succeeded`));
    expect(deliveries.items.map((d) => d.eventType).sort()).toEqual(['interview.completed', 'scorecard.updated']);
    expect(errors).toEqual([]);
    await context.close();

    // The same review in Arabic, right to left, after following the same quote.
    const ar = await hrSignIn(browser, stack.api.url, reviewer, 'ar');
    await ar.page.goto(`${stack.api.url}/hr/interviews/${interview.id}`);
    await expect.poll(() => ar.page.locator('.hr-transcript > li').count()).toBe(turns.length);
    expect(await ar.page.evaluate<string>('document.documentElement.dir')).toBe('rtl');
    await expect.poll(() => ar.page.locator('.hr-history li').count()).toBe(1);
    await ar.page.locator('.hr-quote').first().click();
    await expect.poll(() => ar.page.locator(`#turn-${firstAnswer.seq} mark`).textContent()).toBe(quote);
    // The quote marks are the quoted words' (English), not the page's.
    expect(await ar.page.locator('.hr-quote bdi').first().getAttribute('lang')).toBe('en');
    expect(await axeViolations(ar.page), 'axe on the review (ar)').toEqual([]);
    await hrScreenshots(ar.page, 'review-e2e-ar');
    expect(ar.errors).toEqual([]);
    await ar.context.close();
  });
});
