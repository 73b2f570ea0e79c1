import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadApiConfig, scoringSettings } from '../../api/config.ts';
import { loadAgentConfig } from '../../agent/config.ts';
import { ConfigError } from '../../shared/env.ts';
import { client, expectOk, expectStatus, seedCompany, seedInterview, startTestApi, testEnv, type TestApi } from '../support/harness.ts';
import { startOpenAiEmulator, type OpenAiEmulator } from '../emulators/openai.ts';
import { honestBrain, isPlanRequest, planBrain, type EvaluationRequest } from './gemini-evaluation-emulator.ts';

// Plans and scorecards through an OpenAI-compatible chat completions endpoint (issue 22), over the API: the real
// routes, Postgres, and test/emulators/openai.ts in place of vLLM, llama.cpp's server or OpenAI. Structured output
// where the endpoint takes it, JSON by prompt where it does not, zod on every answer either way.

let broken = false;
/** Plans and evaluations; while `broken`, a model that ignores the schema (four anchors, no scores). */
function brain(request: EvaluationRequest) {
  if (isPlanRequest(request)) {
    const plan = planBrain(request);
    if (broken) plan.questions[0]!.anchors = plan.questions[0]!.anchors.slice(0, 4);
    return plan;
  }
  return broken ? { verdict: 'hire' } : honestBrain(request);
}

let api: TestApi;
let emulator: OpenAiEmulator;
let hr: ReturnType<typeof client>;
/** An endpoint that takes no response_format at all (an older llama.cpp or a proxy in front of one). */
let plainApi: TestApi;
let plainEmulator: OpenAiEmulator;
let hrPlain: ReturnType<typeof client>;

const openaiEnv = (url: string) => ({ LLM_PROVIDER: 'openai', LLM_MODEL: 'in-house-llm', OPENAI_BASE_URL: url, OPENAI_API_KEY: 'in-house-key' });

beforeAll(async () => {
  emulator = await startOpenAiEmulator({ jsonBrain: brain });
  plainEmulator = await startOpenAiEmulator({ jsonBrain: brain, structuredOutput: 'none' });
  api = await startTestApi({ env: openaiEnv(emulator.baseUrl) });
  plainApi = await startTestApi({ env: openaiEnv(plainEmulator.baseUrl) });
  hr = client(api.url, (await seedCompany(api.db, 'Acme')).key);
  hrPlain = client(plainApi.url, (await seedCompany(plainApi.db, 'Acme')).key);
});
afterAll(async () => {
  await api?.stop();
  await plainApi?.stop();
  await emulator?.close();
  await plainEmulator?.close();
});

const strongAnswer =
  'At Fintech Co I rebuilt the ledger service in TypeScript and Postgres, cutting reconciliation time from six hours to twelve minutes.';

/** A finished interview whose candidate answered its first plan question. */
async function finished(target: TestApi, call: ReturnType<typeof client>) {
  const { interview } = await seedInterview(call);
  const first = interview.plan.questions[0]!;
  const start = Date.now() - 600_000;
  const lines: Array<['interviewer' | 'candidate', string, string | null]> = [
    ['interviewer', 'Hello Layla. Do you agree to continue?', null],
    ['candidate', 'Yes, I agree.', null],
    ['interviewer', first.text, first.questionId],
    ['candidate', strongAnswer, first.questionId],
  ];
  await target.db
    .insertInto('transcriptTurns')
    .values(
      lines.map(([speaker, text, questionId], i) => ({
        interviewId: interview.id,
        seq: i + 1,
        speaker,
        text,
        questionId,
        stage: questionId ? 'question' : 'greeting',
        startedAt: new Date(start + i * 10_000),
        endedAt: new Date(start + i * 10_000 + 8_000),
      })),
    )
    .execute();
  await target.db
    .updateTable('interviews')
    .set({ status: 'completed', startedAt: new Date(start), endedAt: new Date(Date.now() - 60_000), endReason: 'completed' })
    .where('id', '=', interview.id)
    .execute();
  return interview;
}

describe('plans and scorecards through an OpenAI-compatible endpoint', () => {
  it('generates the plan with json_schema structured output, validated, from the configured model and key', async () => {
    const { interview } = await seedInterview(hr);
    expect(interview.plan.source).toBe('in-house-llm:plan-prompt:v1');
    expect(interview.plan.fallbackReason).toBeUndefined();
    for (const q of interview.plan.questions) expect(q.anchors).toHaveLength(5);
    const request = emulator.chat.at(-1)!;
    expect(request).toMatchObject({ model: 'in-house-llm', temperature: 0, response_format: { type: 'json_schema' } });
    expect(request.stream).toBeUndefined();
    const schema = (request.response_format as { json_schema: { schema: { properties: Record<string, unknown> } } }).json_schema.schema;
    expect(Object.keys(schema.properties)).toEqual(['questions']);
    expect(emulator.authorizations.at(-1)).toBe('Bearer in-house-key');
  });

  it('scores a finished interview: the scorecard names the model and keeps only verbatim evidence', async () => {
    const interview = await finished(api, hr);
    const card = await hr('POST', `/v1/interviews/${interview.id}/scorecard/rescore`, { body: {} });
    expectStatus(card, 201);
    expect(card.body).toMatchObject({ status: 'complete', model: 'in-house-llm' });
    const quotes = card.body.result.questions.flatMap((q: { evidence: Array<{ quote: string }> }) => q.evidence);
    expect(quotes.length).toBeGreaterThan(0);
    for (const q of quotes) expect(strongAnswer).toContain(q.quote);
    expect(emulator.chat.at(-1)?.messages[0]?.content).toMatch(/evaluate a job interview transcript/);
  });

  it('falls back when the model does not follow the schema, and says so: the template plan with its reason, a 503 for the scorecard', async () => {
    broken = true;
    try {
      const { interview } = await seedInterview(hr);
      expect(interview.plan.source).toBe('template-bank:v3');
      expect(interview.plan.fallbackReason).toMatch(/template bank/);
      const done = await finished(api, hr);
      const card = await hr('POST', `/v1/interviews/${done.id}/scorecard/rescore`, { body: {} });
      expectStatus(card, 503);
      const stored = await api.db.selectFrom('scorecards').select('id').where('interviewId', '=', done.id).execute();
      expect(stored).toEqual([]);
    } finally {
      broken = false;
    }
  });

  it('asks an endpoint that refuses response_format for JSON by prompt, once it has refused, and still validates', async () => {
    const { interview } = await seedInterview(hrPlain);
    expect(interview.plan.source).toBe('in-house-llm:plan-prompt:v1');
    expect(interview.plan.fallbackReason).toBeUndefined();
    // json_schema refused, json_object refused, then the schema in the prompt (the answer comes fenced).
    expect(plainEmulator.chat.map((r) => r.response_format?.type ?? 'none')).toEqual(['json_schema', 'json_object', 'none']);
    expect(plainEmulator.chat.at(-1)?.messages[0]?.content).toMatch(/follows this JSON schema/);
    const done = await finished(plainApi, hrPlain);
    const card = await hrPlain('POST', `/v1/interviews/${done.id}/scorecard/rescore`, { body: {} });
    expectStatus(card, 201);
    expect(card.body).toMatchObject({ status: 'complete', model: 'in-house-llm' });
    // The client remembers: later requests go straight to the prompt.
    expect(plainEmulator.chat.slice(3).map((r) => r.response_format?.type ?? 'none')).toEqual(['none', 'none']);
  });
});

describe('provider configuration', () => {
  const agentBase = { DATABASE_URL: 'postgres://a@127.0.0.1/x', LIVEKIT_URL: 'ws://127.0.0.1:7880', LIVEKIT_API_KEY: 'k', LIVEKIT_API_SECRET: 's' };

  it('builds every stage on OpenAI-compatible endpoints, one endpoint per stage when asked, without Deepgram or Google keys', () => {
    const config = loadAgentConfig({
      ...agentBase,
      SPEECH_LANGUAGES: 'en',
      LLM_PROVIDER: 'openai',
      STT_PROVIDER: 'openai',
      TTS_PROVIDER: 'openai',
      OPENAI_BASE_URL: 'http://vllm.internal:8000/v1/',
      OPENAI_API_KEY: 'none',
      OPENAI_STT_BASE_URL: 'http://speaches.internal:8000/v1',
    });
    expect(config.providers).toMatchObject({
      llmProvider: 'openai',
      llmModel: 'gpt-4.1-mini',
      speech: { sttProvider: 'openai', byLanguage: { en: { stt: { model: 'whisper-1' }, tts: { provider: 'openai' } } } },
      openai: {
        llm: { baseUrl: 'http://vllm.internal:8000/v1', apiKey: 'none' },
        stt: { baseUrl: 'http://speaches.internal:8000/v1', apiKey: 'none' },
        tts: { baseUrl: 'http://vllm.internal:8000/v1', apiKey: 'none' },
      },
    });
    // The defaults are as before: Deepgram and Gemini, local mode without their keys, and it says why.
    expect(loadAgentConfig(agentBase)).toMatchObject({ providers: null, localReason: 'no DEEPGRAM_API_KEY or GOOGLE_API_KEY' });
  });

  it('refuses an openai stage without a key, and an unknown provider, naming the variable', () => {
    expect(() => loadAgentConfig({ ...agentBase, LLM_PROVIDER: 'openai' })).toThrow(
      /OPENAI_LLM_API_KEY or OPENAI_API_KEY is required when LLM_PROVIDER is openai/,
    );
    expect(() => loadAgentConfig({ ...agentBase, STT_PROVIDER: 'whisper' })).toThrow(ConfigError);
    expect(() => loadAgentConfig({ ...agentBase, STT_PROVIDER: 'whisper' })).toThrow(/STT_PROVIDER/);
    expect(() => loadAgentConfig({ ...agentBase, TTS_PROVIDER: 'openai', DEEPGRAM_API_KEY: 'd', GOOGLE_API_KEY: 'g' })).toThrow(
      /OPENAI_TTS_API_KEY or OPENAI_API_KEY is required when TTS_PROVIDER is openai/,
    );
    expect(() => loadApiConfig({ ...testEnv(), LLM_PROVIDER: 'openai' })).toThrow(/OPENAI_SCORING_API_KEY or OPENAI_API_KEY is required when LLM_PROVIDER/);
  });

  it('gives plans and scoring the interviewer\'s model unless their own is set', () => {
    const none = { GOOGLE_API_KEY: undefined, GEMINI_BASE_URL: undefined, LLM_MODEL: undefined, SCORING_PROVIDER: undefined, SCORING_MODEL: undefined };
    const urls = { OPENAI_BASE_URL: 'http://llm.internal/v1', OPENAI_API_KEY: 'k', OPENAI_LLM_BASE_URL: undefined, OPENAI_LLM_API_KEY: undefined, OPENAI_SCORING_BASE_URL: undefined, OPENAI_SCORING_API_KEY: undefined };
    expect(scoringSettings({ ...none, ...urls, LLM_PROVIDER: 'gemini', GOOGLE_API_KEY: 'g', LLM_MODEL: 'gemini-2.5-pro' })).toEqual({
      googleApiKey: 'g',
      baseUrl: undefined,
      model: 'gemini-2.5-flash',
    });
    expect(scoringSettings({ ...none, ...urls, LLM_PROVIDER: 'openai', LLM_MODEL: 'qwen3-32b', OPENAI_LLM_BASE_URL: 'http://vllm/v1' })).toEqual({
      provider: 'openai',
      model: 'qwen3-32b',
      baseUrl: 'http://vllm/v1',
      apiKey: 'k',
    });
    expect(
      scoringSettings({ ...none, ...urls, LLM_PROVIDER: 'gemini', SCORING_PROVIDER: 'openai', SCORING_MODEL: 'llama-3.3-70b', OPENAI_SCORING_BASE_URL: 'http://big/v1' }),
    ).toEqual({ provider: 'openai', model: 'llama-3.3-70b', baseUrl: 'http://big/v1', apiKey: 'k' });
  });
});
