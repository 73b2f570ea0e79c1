import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { scoreInterview } from '../../api/scoring/scorecards.ts';
import { oggOpusDurationMs } from '../../shared/recordings/ogg.ts';
import { beginRecordingPart, markPartStored } from '../../shared/recordings/repository.ts';
import { createRecordingStore } from '../../shared/recordings/store.ts';
import { seedUser } from '../auth/support.ts';
import { makeOggOpus } from '../recordings/support.ts';
import { honestBrain, isPlanRequest, planBrain, startEvaluationEmulator } from '../scoring/gemini-evaluation-emulator.ts';
import { client, okBody, seedCompany, startTestApi, type TestApi } from '../support/harness.ts';
import { axeViolations, ensureWebBuilt, launchBrowser, screenshot } from './support/browser.ts';
import { hrSignIn } from './support/hr.ts';

// The recording player on the review page (issue 16) in Debian's Chromium against the real API, Postgres and the
// local recording store: two stored Ogg/Opus parts that ffmpeg encodes at test time, turns placed in them, and an
// interview with no recording beside it. The native <audio> loads the API's byte ranges; clicking a turn (or an
// evidence quote of the scorecard the real scoring code wrote, from the model emulator) seeks there,
// moving the playhead highlights the turn under it, the speed selector sets playbackRate, only an admin gets the
// download link. axe-core on the page; screenshots at 1440 px in English and Arabic (test-results/web/hr-recording-*).

vi.setConfig({ testTimeout: 120_000 });

const partSeconds = [20, 6] as const;
let api: TestApi;
let emulator: Awaited<ReturnType<typeof startEvaluationEmulator>>;
let browser: Browser;
let dir: string;
let fixtures: string[] = [];
let recordedId: string;
let unrecordedId: string;
let reviewer: { email: string; password: string };
let admin: { email: string; password: string };

/** Where each seeded turn begins in its part's audio. */
const turns: { part: 1 | 2; startMs: number; speaker: 'interviewer' | 'candidate'; text: string; questionId?: string }[] = [
  { part: 1, startMs: 500, speaker: 'interviewer', text: 'Hello Layla, I am the AI interviewer. Shall we begin?' },
  { part: 1, startMs: 4_000, speaker: 'candidate', text: 'Yes, I am ready.' },
  { part: 1, startMs: 8_000, speaker: 'interviewer', text: 'Tell me about a system you built.', questionId: 'q-opening' },
  { part: 1, startMs: 12_000, speaker: 'candidate', text: 'I rebuilt the ledger service, cutting reconciliation from six hours to twelve minutes.', questionId: 'q-opening' },
  { part: 1, startMs: 16_500, speaker: 'interviewer', text: 'What was the hardest part of that?' },
  { part: 2, startMs: 1_500, speaker: 'candidate', text: 'Sorry, my connection dropped. Backfilling five years of entries was the hardest part.' },
];

async function seed() {
  const { companyId, key } = await seedCompany(api.db, 'Noor Logistics');
  reviewer = await seedUser(api, companyId, 'reviewer');
  admin = await seedUser(api, companyId, 'admin');
  const hr = client(api.url, key);
  const job = okBody(
    await hr('POST', '/v1/jobs', {
      body: {
        title: 'Backend Engineer',
        description: 'Ledger and payments services.',
        competencies: [{ key: 'system_design', name: 'System design', description: 'Designs robust services' }],
      },
    }),
  );
  const candidate = async (firstName: string, lastName: string, phone: string) =>
    okBody(await hr('POST', '/v1/candidates', { body: { firstName, lastName, phone } }));
  const interview = async (candidateId: string) =>
    okBody(await hr('POST', '/v1/interviews', { body: { candidateId, jobId: job.id, type: 'TECHNICAL' } }));
  recordedId = (await interview((await candidate('Layla', 'Haddad', '+971501234567')).id)).id;
  unrecordedId = (await interview((await candidate('Omar', 'Saleh', '+971501234568')).id)).id;

  // Two parts, as a resumed interview leaves them: the second began a minute after the first.
  const store = createRecordingStore(api.deps.config.recordings.store);
  const began = new Date(Date.now() - 30 * 60_000);
  const partStart = [began, new Date(began.getTime() + 60_000)] as const;
  for (const [i, seconds] of partSeconds.entries()) {
    const file = makeOggOpus(seconds);
    fixtures.push(file);
    const part = await beginRecordingPart(api.db, { interviewId: recordedId, companyId, store: store.kind, startedAt: partStart[i]! });
    const { sizeBytes } = await store.put(part.objectKey, file, 'audio/ogg');
    await markPartStored(api.db, part.id, { durationMs: (await oggOpusDurationMs(file))!, sizeBytes, recovered: false });
  }
  await api.db
    .insertInto('transcriptTurns')
    .values(
      turns.map((turn, i) => {
        const at = partStart[turn.part - 1]!.getTime() + turn.startMs;
        return {
          interviewId: recordedId,
          seq: i + 1,
          speaker: turn.speaker,
          text: turn.text,
          questionId: turn.questionId ?? null,
          stage: 'question',
          startedAt: new Date(at),
          endedAt: new Date(at + 3_000),
        };
      }),
    )
    .execute();
  // A one-question plan, so the real scoring code (against the model emulator) leaves an evidence quote from turn 4.
  await api.db.deleteFrom('interviewPlanQuestions').where('interviewId', '=', recordedId).execute();
  await api.db
    .insertInto('interviewPlanQuestions')
    .values({
      interviewId: recordedId,
      questionId: 'q-opening',
      position: 0,
      competencyKey: null,
      text: 'Tell me about a system you built.',
      timeBudgetSeconds: 120,
      source: 'template-bank:v1',
      anchors: JSON.stringify([1, 2, 3, 4, 5].map((l) => `An answer at depth ${l}.`)),
    })
    .execute();
  for (const [id, ended] of [
    [recordedId, new Date(began.getTime() + 70_000)],
    [unrecordedId, new Date(began.getTime() + 10 * 60_000)],
  ] as const) {
    await api.db
      .updateTable('interviews')
      .set({ status: 'completed', startedAt: began, endedAt: ended, endReason: 'completed' })
      .where('id', '=', id)
      .execute();
  }
  const row = await api.db.selectFrom('interviews').selectAll().where('id', '=', recordedId).executeTakeFirstOrThrow();
  await scoreInterview({ db: api.db, log: api.deps.log, now: api.deps.now, scoring: api.deps.config.scoring }, row, 'interview_completed');
}

beforeAll(async () => {
  ensureWebBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'hr-recording-'));
  emulator = await startEvaluationEmulator((request) => (isPlanRequest(request) ? planBrain(request) : honestBrain(request)));
  api = await startTestApi({ env: { RECORDINGS_DIR: dir, GOOGLE_API_KEY: 'test-key-for-emulator', GEMINI_BASE_URL: emulator.url } });
  await seed();
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await emulator?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  for (const file of fixtures) rmSync(path.dirname(file), { recursive: true, force: true });
});

/** The media element's side the test reads and drives (the test code's types have no DOM). */
interface AudioLike {
  currentSrc: string;
  duration: number;
  currentTime: number;
  playbackRate: number;
  readyState: number;
  play(): Promise<void>;
  pause(): void;
}

const audioState = (page: Page) =>
  page.locator('audio').evaluate((node) => {
    const el = node as unknown as AudioLike;
    return {
    src: el.currentSrc,
    duration: el.duration,
    currentTime: el.currentTime,
    playbackRate: el.playbackRate,
    readyState: el.readyState,
    };
  });

/** Text without the bidi isolates the workspace puts around interpolated values. */
const plain = (text: string | null) => (text ?? '').replace(/[\u2068\u2069]/g, '');
const partName = (n: number, time: string) => new RegExp(`^Part ${n} \\(\u2068?${time}\u2069?\\)$`);

const currentSeq = (page: Page) => page.locator('.hr-transcript [aria-current="time"]').getAttribute('data-seq', { timeout: 20_000 });

describe('recording player', () => {
  it('plays the stored parts with the transcript following along, seeks from a turn, changes speed; no download for a reviewer', async () => {
    const { context, page, errors } = await hrSignIn(browser, api.url, reviewer);
    await page.goto(`${api.url}/hr/interviews/${recordedId}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Layla Haddad');

    // The player loads part 1 from the API and knows its length (Chromium reads the Ogg's end with a range request).
    const player = page.getByRole('region', { name: 'Recording' });
    await expect.poll(async () => (await audioState(page)).readyState).toBeGreaterThanOrEqual(1);
    const loaded = await audioState(page);
    expect(loaded.src).toBe(`${api.url}/v1/interviews/${recordedId}/recording?part=1`);
    expect(Math.abs(loaded.duration - partSeconds[0])).toBeLessThan(0.3);
    expect(plain(await player.textContent())).toContain('Length 0:26');
    expect(await page.locator('audio').getAttribute('aria-label')).toBe('Interview recording, part 1 of 2');
    expect(await page.getByRole('button', { name: partName(1, '0:20') }).getAttribute('aria-pressed')).toBe('true');

    // Clicking a turn seeks to where it begins and highlights it.
    await page.locator('#turn-4 .hr-turn-text').click();
    await expect.poll(async () => Math.abs((await audioState(page)).currentTime - 12)).toBeLessThan(0.3);
    await expect.poll(() => currentSeq(page)).toBe('4');

    // Moving the playhead any other way (the native slider, or playback) moves the highlight to the turn under it.
    await page.locator('audio').evaluate((el) => void ((el as unknown as AudioLike).currentTime = 9.3));
    await expect.poll(() => currentSeq(page)).toBe('3');
    await page.locator('audio').evaluate((el) => void ((el as unknown as AudioLike).currentTime = 17));
    await expect.poll(() => currentSeq(page)).toBe('5');

    // The keyboard's way to seek: each seekable turn has a labelled play button.
    await page.getByRole('button', { name: /^Play from \u2068?0:04\u2069?$/ }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(async () => Math.abs((await audioState(page)).currentTime - 4)).toBeLessThan(0.3);
    await expect.poll(() => currentSeq(page)).toBe('2');

    // Speed.
    await page.getByLabel('Speed').selectOption('1.5');
    await expect.poll(async () => (await audioState(page)).playbackRate).toBe(1.5);

    // A turn in the second part loads that part and seeks inside it; the speed carries over.
    await page.locator('#turn-6 .hr-turn-text').click();
    await expect.poll(async () => (await audioState(page)).src).toBe(`${api.url}/v1/interviews/${recordedId}/recording?part=2`);
    await expect.poll(async () => Math.abs((await audioState(page)).currentTime - 1.5)).toBeLessThan(0.3);
    await expect.poll(() => currentSeq(page)).toBe('6');
    expect((await audioState(page)).playbackRate).toBe(1.5);
    expect(Math.abs((await audioState(page)).duration - partSeconds[1])).toBeLessThan(0.3);
    expect(await page.getByRole('button', { name: partName(2, '0:06') }).getAttribute('aria-pressed')).toBe('true');

    // Playback runs and the highlight follows it.
    await page.getByRole('button', { name: partName(1, '0:20') }).click();
    await expect.poll(async () => (await audioState(page)).readyState).toBeGreaterThanOrEqual(1);
    await page.locator('audio').evaluate(async (node) => {
      const el = node as unknown as AudioLike;
      el.currentTime = 7.6;
      await el.play();
    });
    await expect.poll(() => currentSeq(page)).toBe('3');
    await page.locator('audio').evaluate((el) => (el as unknown as AudioLike).pause());

    // A reviewer listens but does not take the file away.
    expect(await page.getByRole('link', { name: /Download/ }).count()).toBe(0);

    // An evidence quote in the scorecard seeks to its turn as well as marking it.
    await page.getByRole('button', { name: /^Show this quote in the transcript: .?I rebuilt the ledger service/ }).click();
    await expect.poll(async () => Math.abs((await audioState(page)).currentTime - 12)).toBeLessThan(0.3);
    await expect.poll(() => currentSeq(page)).toBe('4');
    await expect.poll(() => page.locator('#turn-4 mark').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'hr-recording-en-1440');

    // No recording: one line that says so, and no player.
    await page.goto(`${api.url}/hr/interviews/${unrecordedId}`);
    await expect.poll(() => page.getByRole('region', { name: 'Recording' }).textContent()).toContain('This interview was not recorded.');
    expect(await page.locator('audio').count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Play from/ }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('gives an admin the download link, in Arabic too; the link serves the audio', async () => {
    const { context, page, errors } = await hrSignIn(browser, api.url, admin, 'ar');
    await page.goto(`${api.url}/hr/interviews/${recordedId}`);
    const player = page.getByRole('region', { name: 'التسجيل' });
    await expect.poll(async () => (await audioState(page)).readyState).toBeGreaterThanOrEqual(1);
    const download = player.getByRole('link', { name: 'تنزيل الجزء 1' });
    const href = await download.getAttribute('href');
    expect(href).toBe(`/v1/interviews/${recordedId}/recording?part=1`);
    expect(await download.getAttribute('download')).toBe(`interview-${recordedId}-part-1.ogg`);
    // The link is the audited API path with the session cookie: the first bytes are an Ogg page.
    const head = await page.evaluate(async (url) => {
      const response = await fetch(url, { headers: { Range: 'bytes=0-3' } });
      return { status: response.status, type: response.headers.get('content-type'), magic: await response.text() };
    }, href!);
    expect(head).toEqual({ status: 206, type: 'audio/ogg', magic: 'OggS' });

    await page.getByLabel('السرعة').selectOption('2');
    await expect.poll(async () => (await audioState(page)).playbackRate).toBe(2);
    await page.locator('#turn-2 .hr-turn-text').click();
    await expect.poll(() => currentSeq(page)).toBe('2');
    await expect.poll(async () => Math.abs((await audioState(page)).currentTime - 4)).toBeLessThan(0.3);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'hr-recording-ar-1440');
    expect(errors).toEqual([]);
    await context.close();
  });
});
