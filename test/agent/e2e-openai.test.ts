import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScorecardResult } from '../../api/scoring/evaluation.schemas.ts';
import { scoreInterview } from '../../api/scoring/scorecards.ts';
import { loadScenario, runCandidate, type Scenario } from '../support/candidate-sim.ts';
import { honestBrain, isPlanRequest, planBrain } from '../scoring/gemini-evaluation-emulator.ts';
import { seedScenario, startAgentStack, type AgentStack } from './support/stack.ts';

// Bring your own models (issue 22), end to end with real parts: the API, Postgres, the LiveKit server, the agent
// worker as its own process with the real @livekit/agents-plugin-openai code pointed at the OpenAI wire-protocol
// emulator (test/emulators/openai.ts), and a simulated candidate speaking espeak-ng audio. The interview must not
// change with the provider: the same flow, tools, consent and stored metrics as with Deepgram and Gemini.

const scenario = loadScenario(new URL('../../scenarios/backend-fintech-strong.json', import.meta.url));
const jsonBrain = (r: Parameters<typeof honestBrain>[0]) => (isPlanRequest(r) ? planBrain(r) : honestBrain(r));

/** Runs the scenario and checks what every provider choice must give: the same interview, stored the same way. */
async function interviewThrough(stack: AgentStack, s: Scenario) {
  const interview = await seedScenario(stack, s);
  const result = await runCandidate({
    apiUrl: stack.api.url,
    roomCode: interview.roomCode,
    phone: s.candidate.phone,
    firstName: s.candidate.firstName,
    lastName: s.candidate.lastName,
    answers: s.answers,
    timeoutMs: 240_000,
  });
  expect(result.endedBy).not.toBe('timeout');
  expect(result.agentAttributes['interview.question']).toEqual(['1/4', '2/4', '3/4', '4/4']);
  expect(result.agentAttributes['interview.end_reason']).toEqual(['completed']);

  const db = stack.api.db;
  const row = await db.selectFrom('interviews').selectAll().where('id', '=', interview.id).executeTakeFirstOrThrow();
  expect(row).toMatchObject({ status: 'completed', endReason: 'completed' });
  const turns = await db.selectFrom('transcriptTurns').selectAll().where('interviewId', '=', interview.id).orderBy('seq').execute();
  const candidateTurns = turns.filter((t) => t.speaker === 'candidate');
  expect(candidateTurns.map((t) => t.text)).toEqual(s.answers);
  expect(turns[0]!.text).toMatch(/^Hello Ahmed, .*AI interviewer/);
  expect(turns.at(-1)!.text).toMatch(/hiring team will review/);
  const consents = await db.selectFrom('interviewConsents').selectAll().where('interviewId', '=', interview.id).execute();
  expect(consents).toHaveLength(1);
  expect(consents[0]).toMatchObject({ given: true, candidateStatement: s.answers[0] });
  const metrics = await db.selectFrom('turnMetrics').selectAll().where('interviewId', '=', interview.id).execute();
  const spokenReplies = metrics.filter((m) => m.e2eLatency !== null);
  expect(spokenReplies.length).toBeGreaterThanOrEqual(s.answers.length - 1);
  for (const m of spokenReplies) {
    expect(m.endOfTurnDelay).not.toBeNull();
    expect(m.llmTtft).not.toBeNull();
    expect(m.ttsTtfb).not.toBeNull();
  }
  return { row, candidateTurns };
}

/** The interviewer's flow tools went through the OpenAI chat protocol: offered, called (streamed), answered. */
function expectToolRoundTrip(stack: AgentStack) {
  const chat = stack.openai.chat.filter((r) => r.stream);
  expect(chat.length).toBeGreaterThan(0);
  for (const r of chat) expect(r.model).toBe('in-house-llm');
  expect(chat.some((r) => r.tools?.some((t) => t.function.name === 'record_consent'))).toBe(true);
  expect(stack.openai.toolCalls).toContain('record_consent');
  expect(stack.openai.toolCalls).toContain('next_question');
  expect(stack.openai.toolCalls.at(-1)).toBe('finish_interview');
  // A call's result went back to the model as the API expects: the assistant's tool call, then its `tool` message.
  const echoed = chat.flatMap((r) => r.messages.flatMap((m) => m.tool_calls ?? []).map((c) => c.function.name));
  expect(echoed).toContain('next_question');
  expect(chat.some((r) => r.messages.some((m) => m.role === 'tool'))).toBe(true);
}

describe('every stage on OpenAI-compatible servers', () => {
  let stack: AgentStack;
  beforeAll(async () => {
    stack = await startAgentStack({
      openai: { jsonBrain },
      workerEnv: {
        SILENCE_PROMPT_SECONDS: '20',
        SPEECH_LANGUAGES: 'en',
        LLM_PROVIDER: 'openai',
        LLM_MODEL: 'in-house-llm',
        STT_PROVIDER: 'openai',
        STT_MODEL: 'faster-whisper-small',
        TTS_PROVIDER: 'openai',
        TTS_MODEL: 'kokoro',
        TTS_VOICE: 'af_heart',
        // No Deepgram or Google key: nothing of theirs can be reached, and nothing needs them.
        DEEPGRAM_API_KEY: '',
        GOOGLE_API_KEY: '',
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it(
    'runs the interview through the OpenAI plugin (STT through the VAD stream adapter), then scores it through the same endpoint',
    async () => {
      const { row, candidateTurns } = await interviewThrough(stack, scenario);
      expectToolRoundTrip(stack);
      // Each answer was one transcription request of speech (the VAD cut it); the model and language as configured.
      const heard = stack.openai.transcriptions.filter((t) => t.text !== '');
      expect(heard.map((t) => t.text)).toEqual(scenario.answers);
      for (const t of stack.openai.transcriptions) expect(t).toMatchObject({ model: 'faster-whisper-small', language: 'en' });
      expect(stack.openai.speech.length).toBeGreaterThan(0);
      for (const s of stack.openai.speech) expect(s).toMatchObject({ model: 'kokoro', voice: 'af_heart', responseFormat: 'pcm' });
      expect(stack.openai.speech.map((s) => s.text).join(' ')).toContain('Ahmed');
      expect(new Set(stack.openai.authorizations)).toEqual(new Set(['Bearer emulated']));
      expect(stack.deepgram.sttConnections).toBe(0);
      expect(stack.deepgram.spoken).toEqual([]);
      expect(stack.gemini.requests).toEqual([]);

      const card = await scoreInterview(
        {
          db: stack.api.db,
          log: stack.api.deps.log,
          now: () => new Date(),
          scoring: { provider: 'openai', baseUrl: stack.openai.baseUrl, apiKey: 'emulated', model: 'in-house-llm' },
        },
        row,
        'interview_completed',
      );
      expect(card).toMatchObject({ status: 'complete', model: 'in-house-llm' });
      const structured = stack.openai.chat.filter((r) => !r.stream);
      expect(structured.at(-1)?.response_format).toMatchObject({ type: 'json_schema' });
      const result = card.result as ScorecardResult;
      const quotes = [...result.questions, ...result.competencies].flatMap((x) => x.evidence);
      expect(quotes.length).toBeGreaterThan(0);
      for (const q of quotes) expect(candidateTurns.find((t) => t.seq === q.turnSeq)?.text).toContain(q.quote);
    },
    300_000,
  );
});

describe('mixed providers in one interview', () => {
  let stack: AgentStack;
  beforeAll(async () => {
    stack = await startAgentStack({
      workerEnv: { SILENCE_PROMPT_SECONDS: '20', SPEECH_LANGUAGES: 'en', LLM_PROVIDER: 'openai', LLM_MODEL: 'in-house-llm', GOOGLE_API_KEY: '' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it(
    'Deepgram STT + an OpenAI-compatible LLM + Deepgram TTS',
    async () => {
      await interviewThrough(stack, scenario);
      expectToolRoundTrip(stack);
      expect(stack.deepgram.sttConnections).toBeGreaterThan(0);
      expect(stack.deepgram.segments.filter((s) => s.text !== '').map((s) => s.text).join(' ')).toContain('idempotency key');
      expect(stack.deepgram.spoken.join(' ')).toContain('Ahmed');
      expect(stack.openai.transcriptions).toEqual([]);
      expect(stack.openai.speech).toEqual([]);
      expect(stack.gemini.requests).toEqual([]);
    },
    300_000,
  );
});
