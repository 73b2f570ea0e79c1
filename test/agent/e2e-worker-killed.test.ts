import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Room } from '@livekit/rtc-node';
import { AccessToken } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackgroundWork, type BackgroundWork } from '../../api/jobs/background.ts';
import { dispatchInterviewer } from '../../api/livekit/interview-lifecycle.ts';
import { honestBrain, isPlanRequest, planBrain, startEvaluationEmulator } from '../scoring/gemini-evaluation-emulator.ts';
import { loadScenario, runCandidate, type Scenario } from '../support/candidate-sim.ts';
import { okBody } from '../support/harness.ts';
import { startConsumer, type Consumer } from '../webhooks/support.ts';
import { jobPid, seedScenario, startAgentStack, type AgentStack } from './support/stack.ts';

// A worker's job process killed outright (SIGKILL) in the middle of an interview, with real parts: the API with its
// background work (the reconciler every second, scoring, webhook delivery) and LiveKit's webhooks, Postgres, the
// LiveKit server, the worker as its own process, the provider emulators and a simulated candidate. Self-hosted
// LiveKit never dispatches a dead job again; the API does (the agent's participant_left, or the reconciler seeing
// the candidate alone), and the new interviewer resumes where the first stopped: an apology and the same question,
// no second greeting or consent, the turns numbered on, the clock kept, the recording in a second part.

const full = loadScenario(new URL('../../scenarios/backend-fintech-strong.json', import.meta.url));
// Eight minutes make a two-question plan: consent, two answers, no questions of their own.
const scenario: Scenario = {
  ...full,
  interview: { ...full.interview, maxDurationSeconds: 8 * 60 },
  answers: [full.answers[0]!, full.answers[1]!, full.answers[4]!, full.answers.at(-1)!],
};

const dir = mkdtempSync(path.join(tmpdir(), 'e2e-worker-killed-'));
let stack: AgentStack;
let evaluation: Awaited<ReturnType<typeof startEvaluationEmulator>>;
let background: BackgroundWork;
let consumer: Consumer;

beforeAll(async () => {
  evaluation = await startEvaluationEmulator((request) => (isPlanRequest(request) ? planBrain(request) : honestBrain(request)));
  const recordings = { RECORDINGS_DIR: path.join(dir, 'store') };
  stack = await startAgentStack({
    workerEnv: {
      ...recordings,
      RECORDINGS_SPOOL_DIR: path.join(dir, 'spool'),
      RECORDINGS_RECOVERY_INTERVAL_MS: '1000',
      SILENCE_PROMPT_SECONDS: '20',
      // The second case waits this long for a candidate who does not come back (the default is 2 minutes).
      CANDIDATE_ARRIVAL_TIMEOUT_SECONDS: '30',
      // No load limit of our own: a machine made busy by other test runs must not mark the one worker full.
      AGENT_MAX_JOBS: '0',
    },
    apiEnv: {
      ...recordings,
      GOOGLE_API_KEY: 'emulated',
      GEMINI_BASE_URL: evaluation.url,
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      RECONCILE_INTERVAL_MS: '1000',
    },
    livekitWebhooks: true,
  });
  background = await startBackgroundWork(stack.api.deps);
  consumer = await startConsumer();
}, 120_000);

afterAll(async () => {
  await background?.stop();
  await stack?.stop();
  await consumer?.stop();
  await evaluation?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a worker killed mid-interview', () => {
  it('is replaced within seconds and the interview resumes where it stopped, to one scorecard and one webhook', async () => {
    const hr = stack.hr;
    expect((await hr('PATCH', '/v1/company/recording', { body: { enabled: true } })).status).toBe(200);
    const endpoint = okBody(await hr('POST', '/v1/webhook-endpoints', { body: { url: consumer.url, eventTypes: ['interview.completed'] } }));
    consumer.setSecrets([endpoint.secret]);

    const interview = await seedScenario(stack, scenario);
    const db = stack.api.db;
    const row = () => db.selectFrom('interviews').selectAll().where('id', '=', interview.id).executeTakeFirstOrThrow();
    let killed: { pid: number; at: number } | undefined;
    let lostAt: number | undefined;
    let backAt: number | undefined;
    let answers = 0;
    const result = await runCandidate({
      apiUrl: stack.api.url,
      roomCode: interview.roomCode,
      phone: scenario.candidate.phone,
      firstName: scenario.candidate.firstName,
      lastName: scenario.candidate.lastName,
      answers: scenario.answers,
      timeoutMs: 180_000,
      onEvent: (event) => {
        if (event.type === 'interviewer_lost') lostAt ??= Date.now();
        if (event.type === 'interviewer_back') backAt ??= Date.now();
        // After the first answer (consent), as the candidate starts answering the first question: the job dies.
        if (event.type !== 'answer' || ++answers !== 2 || killed) return;
        const pid = jobPid(stack, interview.id);
        expect(pid, 'the job process of the interview').toBeDefined();
        killed = { pid: pid!, at: Date.now() };
        process.kill(pid!, 'SIGKILL');
      },
    });
    expect(killed).toBeDefined();
    expect(result.endedBy).not.toBe('timeout');
    expect(result.agentAttributes['interview.end_reason']).toEqual(['completed']);
    expect(lostAt, 'the candidate saw the interviewer go').toBeDefined();
    expect(backAt, 'a new interviewer joined').toBeDefined();
    const seen = lostAt! - killed!.at;
    const replaced = backAt! - lostAt!;
    console.log(`kill → interviewer gone from the room ${seen} ms; gone → new interviewer in the room ${replaced} ms`);
    // The goal is 10 s from the moment the death is visible; this machine is shared, so the check is looser.
    expect(replaced).toBeLessThan(20_000);

    const done = await row();
    expect(done.status).toBe('completed');
    expect(done.endReason).toBe('completed');
    // One clock: the new interviewer kept the deadline of the first (published to the page once, unchanged).
    expect(result.agentAttributes['interview.ends_at']).toHaveLength(1);
    expect(Date.parse(result.agentAttributes['interview.ends_at']![0]!)).toBe(Math.round(done.deadlineAt!.getTime() / 1000) * 1000);

    const turns = await db
      .selectFrom('transcriptTurns')
      .select(['seq', 'speaker', 'text', 'stage', 'questionId'])
      .where('interviewId', '=', interview.id)
      .orderBy('seq')
      .execute();
    console.log(turns.map((t) => `${t.seq} ${t.speaker} [${t.stage}] ${t.text.slice(0, 70)}`).join('\n'));
    // Numbered on from the first job: no gap, no repeat.
    expect(turns.map((t) => t.seq)).toEqual(turns.map((_, i) => i + 1));
    // Every answer once, in the script's order: the one cut off by the kill was said again, and stored once.
    expect(turns.filter((t) => t.speaker === 'candidate').map((t) => t.text)).toEqual(scenario.answers);
    const said = turns.filter((t) => t.speaker === 'interviewer').map((t) => t.text);
    expect(said.filter((t) => /I am the AI interviewer/.test(t))).toHaveLength(1);
    const apologies = said.filter((t) => t.startsWith('Sorry, I lost the connection for a moment.'));
    expect(apologies).toHaveLength(1);
    // The apology asks the first question again, the one the candidate was answering.
    const plan = await db.selectFrom('interviewPlanQuestions').select(['questionId', 'text']).where('interviewId', '=', interview.id).orderBy('position').execute();
    expect(apologies[0]).toContain(plan[0]!.text);
    const consents = await db.selectFrom('interviewConsents').select('given').where('interviewId', '=', interview.id).execute();
    expect(consents).toEqual([{ given: true }]);

    // The recording: what the killed job had, recovered by the worker, then the resumed interview as part 2.
    const parts = async () =>
      ((await hr('GET', `/v1/interviews/${interview.id}/recording/info`)).body as { parts: Array<{ part: number; status: string; recovered: boolean }> })
        .parts;
    await expect.poll(async () => (await parts()).map((p) => [p.part, p.status, p.recovered]), { timeout: 30_000 }).toEqual([
      [1, 'stored', true],
      [2, 'stored', false],
    ]);

    // One scorecard and one interview.completed webhook, though two interviewers worked on it.
    await expect
      .poll(async () => (await db.selectFrom('scorecards').select('id').where('interviewId', '=', interview.id).execute()).length, {
        timeout: 60_000,
      })
      .toBe(1);
    await expect
      .poll(() => consumer.received.map((d) => (d.verified.ok ? d.verified.payload.type : d.verified.error)), { timeout: 30_000 })
      .toEqual(['interview.completed']);
  }, 240_000);

  it('a resumed interviewer whose candidate is gone ends the interview as candidate_left after the arrival wait', async () => {
    const interview = await seedScenario(stack, { ...scenario, candidate: { ...scenario.candidate, phone: '+971501112233' } });
    const db = stack.api.db;
    const row = () => db.selectFrom('interviews').selectAll().where('id', '=', interview.id).executeTakeFirstOrThrow();
    // Someone else in the room (as an observer seat would be) keeps it open once the candidate and the interviewer
    // are gone, so the state is the one a race leaves: an interview in progress, its room live, nobody to interview.
    const { url, apiKey, apiSecret } = stack.api.deps.config.livekit;
    const grant = new AccessToken(apiKey, apiSecret, { identity: `observer-${interview.id}`, ttl: 600 });
    grant.addGrant({ roomJoin: true, room: interview.roomName, canPublish: false, canSubscribe: false });
    const observer = new Room();
    try {
      // The candidate hears the greeting begin and leaves.
      await runCandidate({
        apiUrl: stack.api.url,
        roomCode: interview.roomCode,
        phone: '+971501112233',
        firstName: scenario.candidate.firstName,
        lastName: scenario.candidate.lastName,
        answers: [],
        leaveAfterFirstAudio: true,
      });
      await observer.connect(url, await grant.toJwt(), { autoSubscribe: false, dynacast: false });
      await expect.poll(async () => (await row()).candidateConnected, { timeout: 30_000 }).toBe(false);
      expect((await row()).status).toBe('in_progress');
      // Its interviewer dies while waiting for the rejoin; LiveKit drops it, and the API, with no candidate in the
      // room, leaves the next dispatch to their next join.
      const pid = jobPid(stack, interview.id);
      expect(pid, 'the job process of the interview').toBeDefined();
      process.kill(pid!, 'SIGKILL');
      await expect.poll(async () => (await row()).agentDispatchedAt, { timeout: 60_000 }).toBeNull();
      // What the API does when it still counted the candidate in: an interviewer for the interview in progress.
      expect(await dispatchInterviewer(stack.api.deps, interview)).toBe(true);
      await expect
        .poll(async () => {
          const r = await row();
          return [r.status, r.endReason];
        }, { timeout: 120_000 })
        .toEqual(['completed', 'candidate_left']);
      expect(stack.workerLog.some((l) => l.includes(interview.id) && l.includes('did not come back to the resumed interview'))).toBe(
        true,
      );
      // It leaves and deletes the room, as at any end.
      await expect.poll(() => stack.api.deps.livekit.participants(interview.roomName), { timeout: 30_000 }).toBeNull();
    } finally {
      await observer.disconnect();
    }
  }, 240_000);
});
