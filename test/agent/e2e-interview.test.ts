import { initializeLogger, voice } from '@livekit/agents';
import { ParticipantKind, type Room } from '@livekit/rtc-node';
import { RoomServiceClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadScenario, runCandidate } from '../support/candidate-sim.ts';
import { testLivekit } from '../support/services.ts';
import { seedScenario, startAgentStack, type AgentStack } from './support/stack.ts';
import type { ScorecardResult } from '../../api/scoring/evaluation.schemas.ts';
import { normalise } from '../../api/scoring/integrity.ts';
import { scoreInterview } from '../../api/scoring/scorecards.ts';
import { honestBrain, isPlanRequest, planBrain, startEvaluationEmulator } from '../scoring/gemini-evaluation-emulator.ts';
import { readPlan } from '../../api/plans/plans.repository.ts';

// End to end with real parts: the API, Postgres, the LiveKit server, the agent worker as its own process with the
// real Deepgram and Google plugins pointed at the emulators, and a simulated candidate speaking espeak-ng audio.

initializeLogger({ pretty: false, level: 'warn' });

const scenario = loadScenario(new URL('../../scenarios/backend-fintech-strong.json', import.meta.url));
let stack: AgentStack;

/**
 * The SDK's remote session, asked from the candidate's side with the SDK's own client: the interviewer's
 * instructions on request, and the session's events streamed to the candidate. Started once the interviewer is in.
 */
async function remoteSessionProbe(room: Room) {
  const interviewer = [...room.remoteParticipants.values()].find((p) => p.kind === ParticipantKind.AGENT)!;
  // The client finds the agent through a room input's linked participant: only that field is read.
  const client = new voice.RemoteSession(
    new voice.RoomSessionTransport(room, { linkedParticipant: { identity: interviewer.identity } } as unknown as voice.RoomIO),
  );
  let events = 0;
  for (const type of ['agent_state_changed', 'user_state_changed', 'conversation_item_added', 'user_input_transcribed'] as const) {
    client.on(type, () => events++);
  }
  await client.start();
  const instructions = Promise.race([
    client.fetchAgentInfo().then((info) => info.instructions),
    // A session with the remote session on answers within milliseconds (test/agent/sdk-patches.test.ts).
    new Promise<'no answer'>((resolve) => setTimeout(() => resolve('no answer'), 5000)),
  ]);
  return { instructions, events: () => events, close: () => client.close() };
}

beforeAll(async () => {
  stack = await startAgentStack({ workerEnv: { SILENCE_PROMPT_SECONDS: '20' } });
});
afterAll(async () => {
  await stack?.stop();
});

describe('a full voice interview', () => {
  it(
    'backend-fintech-strong runs to completion: every line stored in order, consent, metrics, room deleted',
    async () => {
      const interview = await seedScenario(stack, scenario);
      let probe: ReturnType<typeof remoteSessionProbe> | undefined;
      const result = await runCandidate({
        apiUrl: stack.api.url,
        roomCode: interview.roomCode,
        phone: scenario.candidate.phone,
        firstName: scenario.candidate.firstName,
        lastName: scenario.candidate.lastName,
        answers: scenario.answers,
        timeoutMs: 240_000,
        beforeAnswer: async (index, room) => {
          if (index === 0) probe = remoteSessionProbe(room);
        },
      });
      expect(result.endedBy).not.toBe('timeout');
      // The SDK's remote session is off (agent/run-interview.ts): the candidate cannot ask the interviewer for its
      // instructions (the hiring team's notes among them), and no session event reached them all interview long.
      const remote = await probe!;
      expect(await remote.instructions).toBe('no answer');
      expect(remote.events()).toBe(0);
      await remote.close();
      expect(result.answers.map((a) => a.text)).toEqual(scenario.answers);
      expect(result.firstAudioAt).toBeDefined();
      // What the candidate's page shows: "Question n of N" for each plan question in turn, and why it ended.
      expect(result.agentAttributes['interview.question']).toEqual(['1/4', '2/4', '3/4', '4/4']);
      expect(result.agentAttributes['interview.end_reason']).toEqual(['completed']);
      expect(Date.parse(result.agentAttributes['interview.ends_at']![0]!)).toBeGreaterThan(Date.now());

      const db = stack.api.db;
      const row = await db.selectFrom('interviews').selectAll().where('id', '=', interview.id).executeTakeFirstOrThrow();
      expect(row.status).toBe('completed');
      expect(row.endReason).toBe('completed');

      const turns = await db
        .selectFrom('transcriptTurns')
        .selectAll()
        .where('interviewId', '=', interview.id)
        .orderBy('seq')
        .execute();
      expect(turns.map((t) => t.seq)).toEqual(turns.map((_, i) => i + 1));
      // Every scenario line, in order, each one after an interviewer turn; the interviewer has the last word.
      // Each question's counter reaches the page while the question is being asked, not after it has been said.
      const questionIds = (await readPlan(db, interview.id)).map((q) => q.questionId);
      const counterTimes = result.agentAttributeTimes['interview.question']!;
      for (const [i, questionId] of questionIds.entries()) {
        const asked = turns.find((t) => t.speaker === 'interviewer' && t.questionId === questionId)!;
        expect(counterTimes[i], `counter ${i + 1}/4`).toBeLessThan(asked.endedAt!.getTime());
      }
      const candidateTurns = turns.filter((t) => t.speaker === 'candidate');
      expect(candidateTurns.map((t) => t.text)).toEqual(scenario.answers);
      for (const t of candidateTurns) expect(turns[turns.indexOf(t) - 1]?.speaker).toBe('interviewer');
      expect(turns.at(-1)?.speaker).toBe('interviewer');
      expect(turns[0]!.text).toMatch(/^Hello Ahmed, .*AI interviewer/);
      expect(turns.at(-1)!.text).toMatch(/hiring team will review/);
      // Answers link to the plan question they answer (the plan the interview was created with, or the template
      // bank's when it had none).
      const plan = await db
        .selectFrom('interviewPlanQuestions')
        .select(['questionId', 'source'])
        .where('interviewId', '=', interview.id)
        .orderBy('position')
        .execute();
      expect(plan.length).toBe(4);
      for (const q of plan) expect(q.source).toMatch(/\S/);
      expect(candidateTurns.map((t) => t.questionId)).toEqual([null, ...plan.map((q) => q.questionId), null]);
      for (const t of turns) expect(t.endedAt.getTime()).toBeGreaterThanOrEqual(t.startedAt.getTime());

      const consents = await db.selectFrom('interviewConsents').selectAll().where('interviewId', '=', interview.id).execute();
      expect(consents).toHaveLength(1);
      expect(consents[0]).toMatchObject({ given: true, candidateStatement: scenario.answers[0] });
      expect(consents[0]!.noticeVersion).toMatch(/\S/);

      // The SDK's per-turn measurements, stored for the replies that followed a spoken answer.
      const metrics = await db.selectFrom('turnMetrics').selectAll().where('interviewId', '=', interview.id).execute();
      const spokenReplies = metrics.filter((m) => m.e2eLatency !== null);
      expect(spokenReplies.length).toBeGreaterThanOrEqual(scenario.answers.length - 1);
      for (const m of spokenReplies) {
        expect(m.endOfTurnDelay).not.toBeNull();
        expect(m.llmTtft).not.toBeNull();
        expect(m.ttsTtfb).not.toBeNull();
      }

      const timeline = await db
        .selectFrom('interviewStatusEvents')
        .select(['toStatus', 'reason', 'actor'])
        .where('interviewId', '=', interview.id)
        .orderBy('id')
        .execute();
      expect(timeline.at(-1)).toEqual({ toStatus: 'completed', reason: 'completed', actor: 'agent' });

      const rooms = new RoomServiceClient(inject('livekitUrl').replace('ws', 'http'), testLivekit.apiKey, testLivekit.apiSecret);
      expect(await rooms.listRooms([interview.roomName])).toEqual([]);

      // The stored transcript, scored (by the real @google/genai client against the evaluation emulator), gives a
      // scorecard that obeys every integrity rule: each quote is the candidate's own words from an answer, every
      // score has evidence, unasked questions have none.
      const evaluation = await startEvaluationEmulator((r) => (isPlanRequest(r) ? planBrain(r) : honestBrain(r)));
      try {
        const card = await scoreInterview(
          { db, log: stack.api.deps.log, now: () => new Date(), scoring: { googleApiKey: 'emulated', baseUrl: evaluation.url, model: 'gemini-2.5-flash' } },
          row,
          'interview_completed',
        );
        expect(card).toMatchObject({ status: 'complete', isLatest: true, model: 'gemini-2.5-flash' });
        const result = card.result as ScorecardResult;
        const answers = candidateTurns.filter((t) => t.questionId !== null).map((t) => ({ seq: t.seq, text: normalise(t.text) }));
        const quotes = [...result.questions, ...result.competencies].flatMap((x) => x.evidence);
        expect(quotes.length).toBeGreaterThan(0);
        for (const q of quotes) expect(answers.find((a) => a.seq === q.turnSeq)?.text).toContain(normalise(q.quote));
        for (const q of result.questions) {
          expect(q.score === null || q.evidence.length > 0).toBe(true);
          if (q.status !== 'asked') expect(q.score).toBeNull();
        }
        expect(result.questions.filter((q) => q.status === 'asked')).toHaveLength(plan.length);
        expect(card.overallScore).not.toBeNull();
      } finally {
        await evaluation.close();
      }
    },
    300_000,
  );
});
