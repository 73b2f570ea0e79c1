import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario, runCandidate } from '../support/candidate-sim.ts';
import { seedScenario, startAgentStack, type AgentStack } from './support/stack.ts';

// Local mode end to end: the worker with no provider (AGENT_LOCAL_MODE), espeak-ng speech, the candidate typing
// every answer in the chat (the text input that works in every mode).

const scenario = loadScenario(new URL('../../scenarios/backend-fintech-strong.json', import.meta.url));
let stack: AgentStack;

beforeAll(async () => {
  stack = await startAgentStack({ workerEnv: { AGENT_LOCAL_MODE: 'true', SILENCE_PROMPT_SECONDS: '60' } });
});
afterAll(async () => {
  await stack?.stop();
});

describe('local mode', () => {
  it(
    'asks the plan questions in order with typed answers and no LLM, and completes',
    async () => {
      const interview = await seedScenario(stack, scenario, { answers: [] });
      const result = await runCandidate({
        apiUrl: stack.api.url,
        roomCode: interview.roomCode,
        phone: scenario.candidate.phone,
        firstName: scenario.candidate.firstName,
        lastName: scenario.candidate.lastName,
        answers: scenario.answers,
        mode: 'text',
        timeoutMs: 240_000,
      });
      expect(result.endedBy).not.toBe('timeout');
      expect(result.firstAudioAt).toBeDefined(); // espeak-ng speech reached the candidate
      const row = await stack.api.db.selectFrom('interviews').selectAll().where('id', '=', interview.id).executeTakeFirstOrThrow();
      expect(row.status).toBe('completed');
      expect(row.endReason).toBe('completed');
      const turns = await stack.api.db
        .selectFrom('transcriptTurns')
        .select(['speaker', 'text', 'input', 'questionId'])
        .where('interviewId', '=', interview.id)
        .orderBy('seq')
        .execute();
      const candidate = turns.filter((t) => t.speaker === 'candidate');
      expect(candidate.map((t) => t.text)).toEqual(scenario.answers);
      // Nothing hears speech here: the interviewer says so in its greeting, before asking for consent.
      expect(turns[0]!.text).toMatch(/I cannot hear speech today: please type your answers in the chat\. Do you agree/);
      expect(candidate.every((t) => t.input === 'text')).toBe(true);
      const plan = await stack.api.db.selectFrom('interviewPlanQuestions').select(['questionId', 'text']).where('interviewId', '=', interview.id).orderBy('position').execute();
      // Each plan question asked once, in order, with nothing generated in between.
      const asked = turns.filter((t) => t.speaker === 'interviewer' && plan.some((q) => t.text.endsWith(q.text)));
      expect(asked.map((t) => plan.find((q) => t.text.endsWith(q.text))!.questionId)).toEqual(plan.map((q) => q.questionId));
      expect(stack.gemini.requests).toHaveLength(0);
      expect(stack.deepgram.sttConnections).toBe(0);
    },
    300_000,
  );
});
