import { z } from 'zod';
import { booleanFromEnv, parseEnv } from '../shared/env.ts';
import { defaultMaxJobs } from './load.ts';
import { recordingEnvFields, recordingSettings, type RecordingSettings } from '../shared/recordings/config.ts';
import {
  defaultLlmModels,
  llmEnvFields,
  openaiEndpoint,
  openaiEnvFields,
  type LlmProvider,
  type OpenAiEndpoint,
} from '../shared/model-providers.ts';
import { speechEnvFields, speechSettings, ttsProvidersOf, type SpeechSettings } from '../shared/speech-languages.ts';

// The worker's configuration, parsed once at start. Provider keys are optional: without them the worker runs in
// local mode (see agent/README.md) instead of refusing to start.

const seconds = z.coerce.number().min(0);
const ms = z.coerce.number().int().min(0);

export const agentEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** The agents CLI reads LOG_LEVEL too and knows no 'silent'. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  /** Postgres: the worker and the API share it (an embedded PGlite cannot be shared between processes). */
  DATABASE_URL: z.url(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(50).default(4),

  LIVEKIT_URL: z.url(),
  LIVEKIT_API_KEY: z.string().min(1),
  LIVEKIT_API_SECRET: z.string().min(1),
  /** Dispatch is explicit: the API dispatches to this name. */
  AGENT_NAME: z.string().min(1).default('interviewer'),
  /** The worker's health/status HTTP port; 0 picks a free one. */
  AGENT_HTTP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Job processes kept warm (Silero and the turn model loaded) so a dispatched interview starts at once. */
  AGENT_IDLE_PROCESSES: z.coerce.number().int().min(1).max(16).default(1),
  /**
   * Interviews one job process runs at once (agent/hosts): a process per interview (1, the SDK's way) pays a WebRTC
   * stack, the pipeline's modules and the VAD model again for each; several share them (docs/deploy.md, Sizing). 1
   * keeps the SDK's process per interview, where a crash ends one interview rather than up to four.
   */
  AGENT_JOBS_PER_PROCESS: z.coerce.number().int().min(1).max(32).default(4),
  /** A job process that has run this many interviews takes no more and exits once its last one ends. */
  AGENT_PROCESS_MAX_JOBS_SERVED: z.coerce.number().int().min(1).default(100),
  AGENT_JOB_MEMORY_LIMIT_MB: z.coerce.number().int().min(0).default(0),
  /**
   * How long a new job process may take to start (imports, the VAD model, prewarm) before the SDK gives up on it
   * (its default, 10 s, is short for a machine already busy with interviews: the job then fails to start).
   */
  AGENT_PROCESS_INIT_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000),
  /**
   * Interviews one worker takes at once; the worker reports itself full beyond that. Unset: what the machine's cores
   * hold at the measured cost of an interview (agent/load.ts). 0 keeps the SDK's CPU-based load.
   */
  AGENT_MAX_JOBS: z.coerce.number().int().min(0).max(64).optional(),
  /**
   * The machine's busy CPU fraction (everything on it) at which the worker stops taking interviews (agent/load.ts).
   * Unset: 0.85 in production, 0 (CPU not considered) elsewhere, where a busy development or CI machine would
   * otherwise turn dispatches away.
   */
  AGENT_MAX_CPU: z.coerce.number().min(0).max(1).optional(),
  /** Port of the worker's Prometheus metrics (GET /metrics, agent/metrics.ts); unset: none. 0 picks a free one. */
  AGENT_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Address the metrics port binds to: it has no authentication, keep it private. */
  AGENT_METRICS_HOST: z.string().min(1).default('127.0.0.1'),

  DEEPGRAM_API_KEY: z.string().min(1).optional(),
  /** Streaming STT endpoint (ws/wss). */
  DEEPGRAM_STT_URL: z.url().default('wss://api.deepgram.com'),
  /** TTS endpoint (http/https; the streaming socket uses the same host). */
  DEEPGRAM_TTS_URL: z.url().default('https://api.deepgram.com'),
  /** STT and TTS per interview language (shared/speech-languages.ts, which the API reads too). */
  ...speechEnvFields,

  GOOGLE_API_KEY: z.string().min(1).optional(),
  /** Gemini API base URL; unset uses Google's. */
  GEMINI_BASE_URL: z.url().optional(),
  /** LLM_PROVIDER (gemini | openai) and LLM_MODEL; STT_PROVIDER and TTS_PROVIDER are with the speech settings. */
  ...llmEnvFields,
  /** OpenAI-compatible endpoints (shared/model-providers.ts): every stage chosen as `openai` uses them. */
  ...openaiEnvFields,

  /** Force local mode even when keys are present (demos, tests of local mode). */
  AGENT_LOCAL_MODE: booleanFromEnv.default(false),

  /** Seconds of mutual silence before the interviewer checks on the candidate. */
  SILENCE_PROMPT_SECONDS: seconds.default(12),
  /** Prompts without an answer before the interview ends as candidate_unresponsive. */
  SILENCE_MAX_PROMPTS: z.coerce.number().int().min(1).default(2),
  /** How long to wait for a disconnected candidate to come back before ending as candidate_left. */
  REJOIN_GRACE_SECONDS: seconds.default(60),
  /**
   * How long the interviewer waits for a candidate who took a join token and has not arrived (microphone trouble,
   * a closed tab) before it leaves and frees its place for other interviews; the next join dispatches it again.
   */
  CANDIDATE_ARRIVAL_TIMEOUT_SECONDS: seconds.default(120),
  /** Share of the maximum duration after which no new question starts. */
  WRAP_UP_AT: z.coerce.number().min(0.5).max(1).default(0.9),

  /**
   * Turn-taking. Defaults chosen by `npm run bench:voice` measurements (see agent/README.md). `text` reads the
   * transcript and the interview stage (agent/end-of-turn.ts); `model` is the SDK's local audio model (v1-mini);
   * `vad` and `stt` use silence alone.
   */
  TURN_DETECTION: z.enum(['text', 'model', 'vad', 'stt']).default('text'),
  /** `dynamic` lets the SDK raise the short wait towards the pauses it has seen this candidate make. */
  ENDPOINTING_MODE: z.enum(['fixed', 'dynamic']).default('fixed'),
  /**
   * Wait after the last speech when the answer sounds finished... 550 ms: the reply is ready about then (preemptive
   * generation), and the SDK decides no sooner than Silero's end of speech (VAD_MIN_SILENCE_MS) anyway.
   */
  ENDPOINTING_MIN_DELAY_MS: ms.default(550),
  /** ...and when it does not (trailing words, a short answer to an open question). */
  ENDPOINTING_MAX_DELAY_MS: ms.default(3000),
  /**
   * An answer to a plan question shorter than this many words counts as unfinished (TURN_DETECTION=text). English
   * words: an Arabic answer counts three quarters of them (agent/end-of-turn.ts).
   */
  TURN_SHORT_ANSWER_WORDS: z.coerce.number().int().min(0).default(20),
  /** Synthesise the likely reply while waiting for the end of the turn, not only generate its text. */
  PREEMPTIVE_TTS: booleanFromEnv.default(true),
  VAD_MIN_SILENCE_MS: z.coerce.number().int().min(250).default(550),
  INTERRUPTION_MIN_DURATION_MS: ms.default(600),
  INTERRUPTION_MIN_WORDS: z.coerce.number().int().min(0).default(2),
  ...recordingEnvFields,
});

export type AgentEnv = z.infer<typeof agentEnvSchema>;

export interface AgentConfig {
  /** Where interview recordings go (shared/recordings/config.ts). */
  recordings: RecordingSettings;
  env: AgentEnv['NODE_ENV'];
  logLevel: AgentEnv['LOG_LEVEL'];
  database: { url: string; poolSize: number };
  livekit: { url: string; apiKey: string; apiSecret: string };
  worker: {
    agentName: string;
    httpPort: number | undefined;
    idleProcesses: number;
    jobsPerProcess: number;
    processMaxJobsServed: number;
    jobMemoryLimitMB: number;
    processInitTimeoutMs: number;
    maxJobs: number;
    maxCpu: number;
    metrics: { port: number; host: string } | undefined;
  };
  /** Null when the worker runs in local mode. */
  providers: null | {
    /** Set when a stage uses Deepgram (STT, or a language's TTS). */
    deepgramApiKey: string | undefined;
    /** Set when a stage uses Gemini (the LLM, or a language's TTS). */
    googleApiKey: string | undefined;
    sttUrl: string;
    ttsUrl: string;
    /** Models and voices per interview language, and the STT provider. */
    speech: SpeechSettings;
    geminiBaseUrl: string | undefined;
    llmProvider: LlmProvider;
    llmModel: string;
    /** The OpenAI-compatible endpoint of each stage that uses one. */
    openai: { llm?: OpenAiEndpoint; stt?: OpenAiEndpoint; tts?: OpenAiEndpoint };
  };
  /** Why the worker runs in local mode (null when it does not), for its start-up line. */
  localReason: string | null;
  conversation: {
    silencePromptSeconds: number;
    silenceMaxPrompts: number;
    rejoinGraceSeconds: number;
    arrivalTimeoutSeconds: number;
    wrapUpAt: number;
  };
  turns: {
    detection: 'text' | 'model' | 'vad' | 'stt';
    endpointingMode: 'fixed' | 'dynamic';
    endpointingMinDelayMs: number;
    endpointingMaxDelayMs: number;
    shortAnswerWords: number;
    preemptiveTts: boolean;
    vadMinSilenceMs: number;
    interruptionMinDurationMs: number;
    interruptionMinWords: number;
  };
}

export function loadAgentConfig(env: Record<string, string | undefined> = process.env): AgentConfig {
  const e = parseEnv(agentEnvSchema, env);
  // Local mode as before: a stage on Deepgram or Gemini without its key. A stage chosen as `openai` without a key
  // is refused instead (openaiEndpoint): that choice is explicit.
  const tts = ttsProvidersOf(e);
  const needed = [
    ...(e.STT_PROVIDER === 'deepgram' || tts.includes('deepgram') ? ['DEEPGRAM_API_KEY'] : []),
    ...(e.LLM_PROVIDER === 'gemini' || tts.includes('gemini') ? ['GOOGLE_API_KEY'] : []),
  ];
  const missing = needed.filter((name) => !e[name as 'DEEPGRAM_API_KEY' | 'GOOGLE_API_KEY']);
  const openai = e.AGENT_LOCAL_MODE
    ? {}
    : {
        ...(e.LLM_PROVIDER === 'openai' ? { llm: openaiEndpoint(e, ['LLM'], 'LLM_PROVIDER') } : {}),
        ...(e.STT_PROVIDER === 'openai' ? { stt: openaiEndpoint(e, ['STT'], 'STT_PROVIDER') } : {}),
        ...(tts.includes('openai') ? { tts: openaiEndpoint(e, ['TTS'], 'TTS_PROVIDER') } : {}),
      };
  const localReason = e.AGENT_LOCAL_MODE ? 'AGENT_LOCAL_MODE' : missing.length > 0 ? `no ${missing.join(' or ')}` : null;
  const local = localReason !== null;
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    database: { url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE },
    recordings: recordingSettings(e),
    livekit: { url: e.LIVEKIT_URL, apiKey: e.LIVEKIT_API_KEY, apiSecret: e.LIVEKIT_API_SECRET },
    worker: {
      agentName: e.AGENT_NAME,
      httpPort: e.AGENT_HTTP_PORT,
      idleProcesses: e.AGENT_IDLE_PROCESSES,
      jobsPerProcess: e.AGENT_JOBS_PER_PROCESS,
      processMaxJobsServed: e.AGENT_PROCESS_MAX_JOBS_SERVED,
      jobMemoryLimitMB: e.AGENT_JOB_MEMORY_LIMIT_MB,
      processInitTimeoutMs: e.AGENT_PROCESS_INIT_TIMEOUT_MS,
      maxJobs: e.AGENT_MAX_JOBS ?? defaultMaxJobs(),
      maxCpu: e.AGENT_MAX_CPU ?? (e.NODE_ENV === 'production' ? 0.85 : 0),
      metrics: e.AGENT_METRICS_PORT === undefined ? undefined : { port: e.AGENT_METRICS_PORT, host: e.AGENT_METRICS_HOST },
    },
    providers: local
      ? null
      : {
          deepgramApiKey: e.DEEPGRAM_API_KEY,
          googleApiKey: e.GOOGLE_API_KEY,
          sttUrl: e.DEEPGRAM_STT_URL,
          ttsUrl: e.DEEPGRAM_TTS_URL,
          speech: speechSettings(e),
          geminiBaseUrl: e.GEMINI_BASE_URL,
          llmProvider: e.LLM_PROVIDER,
          llmModel: e.LLM_MODEL ?? defaultLlmModels[e.LLM_PROVIDER],
          openai,
        },
    localReason,
    conversation: {
      silencePromptSeconds: e.SILENCE_PROMPT_SECONDS,
      silenceMaxPrompts: e.SILENCE_MAX_PROMPTS,
      rejoinGraceSeconds: e.REJOIN_GRACE_SECONDS,
      arrivalTimeoutSeconds: e.CANDIDATE_ARRIVAL_TIMEOUT_SECONDS,
      wrapUpAt: e.WRAP_UP_AT,
    },
    turns: {
      detection: e.TURN_DETECTION,
      endpointingMode: e.ENDPOINTING_MODE,
      endpointingMinDelayMs: e.ENDPOINTING_MIN_DELAY_MS,
      endpointingMaxDelayMs: e.ENDPOINTING_MAX_DELAY_MS,
      shortAnswerWords: e.TURN_SHORT_ANSWER_WORDS,
      preemptiveTts: e.PREEMPTIVE_TTS,
      vadMinSilenceMs: e.VAD_MIN_SILENCE_MS,
      interruptionMinDurationMs: e.INTERRUPTION_MIN_DURATION_MS,
      interruptionMinWords: e.INTERRUPTION_MIN_WORDS,
    },
  };
}
