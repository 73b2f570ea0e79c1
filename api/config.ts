import { z } from 'zod';
import { booleanFromEnv, parseEnv, portFromEnv } from '../shared/env.ts';
import { recordingEnvFields, recordingSettings, type RecordingSettings } from '../shared/recordings/config.ts';
import { defaultLlmModels, llmEnvFields, llmProvider, openaiEndpoint, openaiEnvFields } from '../shared/model-providers.ts';
import { speechEnvFields, speechSettings, type SpeechSettings } from '../shared/speech-languages.ts';
import type { LlmSettings } from './llm/client.ts';

/** Outbound webhook settings; shared with the stand-alone worker (api/webhook-worker.ts), which needs nothing else. */
const webhookEnvFields = {
  /** Run the delivery worker inside the API process; turn off when it runs as its own process. */
  WEBHOOK_WORKER_ENABLED: booleanFromEnv.default(true),
  /** Allow endpoints on loopback, private, link-local and metadata addresses. Defaults to on only outside production. */
  WEBHOOK_ALLOW_PRIVATE_URLS: booleanFromEnv.optional(),
  /** Require https endpoint URLs; defaults to on in production. */
  WEBHOOK_REQUIRE_HTTPS: booleanFromEnv.optional(),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(15_000),
  /** Deliveries sent at once by one process (its webhook drain's send slots). */
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(32),
  /** Sends in flight to one endpoint per process, so one slow consumer cannot hold every slot. */
  WEBHOOK_ENDPOINT_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(16),
  /** An endpoint failing without a single success for this long is disabled. */
  WEBHOOK_DISABLE_AFTER_HOURS: z.coerce.number().min(1).max(24 * 60).default(5 * 24),
  /** After a rotation the old secret keeps signing (beside the new one) for this long. */
  WEBHOOK_SECRET_GRACE_HOURS: z.coerce.number().min(0).max(24 * 30).default(24),
  /** Events, deliveries and the attempt log are kept this long (pending deliveries are always kept). */
  WEBHOOK_RETENTION_DAYS: z.coerce.number().min(1).max(3_650).default(30),
  /** Encrypts endpoint signing secrets at rest; the API and every worker need the same value. */
  WEBHOOK_SECRET_ENCRYPTION_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
};

export interface WebhookSettings {
  workerEnabled: boolean;
  allowPrivateUrls: boolean;
  requireHttps: boolean;
  timeoutMs: number;
  concurrency: number;
  endpointConcurrency: number;
  disableAfterMs: number;
  secretGraceMs: number;
  retentionMs: number;
  secretEncryptionKey: string | undefined;
}

type WebhookEnv = z.infer<z.ZodObject<typeof webhookEnvFields>>;

function webhookSettings(e: WebhookEnv, nodeEnv: 'development' | 'production' | 'test'): WebhookSettings {
  return {
    workerEnabled: e.WEBHOOK_WORKER_ENABLED,
    allowPrivateUrls: e.WEBHOOK_ALLOW_PRIVATE_URLS ?? nodeEnv !== 'production',
    requireHttps: e.WEBHOOK_REQUIRE_HTTPS ?? nodeEnv === 'production',
    timeoutMs: e.WEBHOOK_TIMEOUT_MS,
    concurrency: e.WEBHOOK_CONCURRENCY,
    endpointConcurrency: Math.min(e.WEBHOOK_ENDPOINT_CONCURRENCY, e.WEBHOOK_CONCURRENCY),
    disableAfterMs: e.WEBHOOK_DISABLE_AFTER_HOURS * 3_600_000,
    secretGraceMs: e.WEBHOOK_SECRET_GRACE_HOURS * 3_600_000,
    retentionMs: e.WEBHOOK_RETENTION_DAYS * 86_400_000,
    secretEncryptionKey: e.WEBHOOK_SECRET_ENCRYPTION_KEY,
  };
}

export const webhookWorkerEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.url(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  ...webhookEnvFields,
});

export interface WebhookWorkerConfig {
  logLevel: ApiConfig['logLevel'];
  database: { url: string; poolSize: number };
  webhooks: WebhookSettings;
}

/** Config of the stand-alone delivery worker: a database and the webhook settings, no LiveKit or HTTP. */
export function loadWebhookWorkerConfig(env: Record<string, string | undefined> = process.env): WebhookWorkerConfig {
  const e = parseEnv(webhookWorkerEnvSchema, env);
  return {
    logLevel: e.LOG_LEVEL,
    database: { url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE },
    webhooks: webhookSettings(e, e.NODE_ENV),
  };
}

const minutes = z.coerce.number().int().min(0).max(7 * 24 * 60);

/** Scheduling and e-mail settings (issue 8). */
const schedulingEnvFields = {
  /** smtp://user:pass@host:port or smtps://…; unset: messages go to the local outbox the API lists. */
  SMTP_URL: z.url().optional(),
  EMAIL_FROM: z.string().min(3).default('AI Interviewer <interviews@localhost>'),
  /** Send e-mail and run the scheduling chores in this API process. */
  EMAIL_WORKER_ENABLED: booleanFromEnv.default(true),
  EMAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(12),
  /** How far ahead slots are generated from the availability configurations. */
  SLOT_HORIZON_WEEKS: z.coerce.number().int().min(1).max(104).default(8),
  /** Reminder offsets before the start, in minutes, comma-separated. */
  REMINDER_OFFSETS_MINUTES: z
    .string()
    .default('1440,15')
    .transform((s, ctx) => {
      const values = s.split(',').map((x) => x.trim()).filter(Boolean).map(Number);
      if (values.some((v) => !Number.isInteger(v) || v < 1 || v > 30 * 24 * 60)) {
        ctx.addIssue({ code: 'custom', message: 'must be whole minutes between 1 and 43200, comma-separated' });
        return z.NEVER;
      }
      return [...new Set(values)].sort((a, b) => b - a);
    }),
  /** Candidates cannot reschedule or cancel themselves this close to the start. */
  SELF_SERVICE_MIN_NOTICE_MINUTES: minutes.default(120),
  SELF_SERVICE_MAX_RESCHEDULES: z.coerce.number().int().min(0).max(20).default(3),
  SCHEDULING_INVITATION_TTL_DAYS: z.coerce.number().int().min(1).max(90).default(14),
};

/** HR accounts (issue 15): sessions of the workspace and how hard sign-in may be tried. */
const accountEnvFields = {
  /** A session unused this long ends. */
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(30 * 24 * 60).default(12 * 60),
  /** A session ends this long after sign-in, used or not. */
  SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(365 * 24).default(7 * 24),
  /** Send the session cookie only over https; defaults to on in production or when PUBLIC_BASE_URL is https. */
  SESSION_COOKIE_SECURE: booleanFromEnv.optional(),
  LOGIN_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  LOGIN_RATE_LIMIT_PER_IP: z.coerce.number().int().min(1).default(30),
  LOGIN_RATE_LIMIT_PER_ACCOUNT: z.coerce.number().int().min(1).default(10),
};

export const apiEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('127.0.0.1'),
  PORT: portFromEnv.default(3000),
  /** Where candidates reach the product; join URLs and signed links are built on it. */
  PUBLIC_BASE_URL: z.url().default('http://localhost:3000'),
  /** Honour X-Forwarded-For only behind a proxy we run; otherwise a client could pick its own rate-limit key. */
  TRUST_PROXY: booleanFromEnv.default(false),
  /** Bearer token of GET /metrics (Prometheus); unset turns the endpoint off. */
  METRICS_TOKEN: z.string().min(16).optional(),

  /** `npm start` sets it to its embedded Postgres when unset. */
  DATABASE_URL: z.url(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** Apply pending migrations at start-up; on by default outside production. */
  MIGRATE_ON_START: booleanFromEnv.optional(),

  LIVEKIT_URL: z.url(),
  /** The URL browsers use; differs from LIVEKIT_URL when the API reaches LiveKit over a private network. */
  LIVEKIT_PUBLIC_URL: z.url().optional(),
  LIVEKIT_API_KEY: z.string().min(1),
  LIVEKIT_API_SECRET: z.string().min(32, 'must be at least 32 characters'),
  AGENT_NAME: z.string().min(1).default('interviewer'),
  /** Rooms this deployment owns start with it; the reconciler never touches rooms without it. */
  ROOM_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be lowercase letters, digits and dashes')
    .default('interview-'),
  ROOM_EMPTY_TIMEOUT_SECONDS: z.coerce.number().int().min(10).max(86_400).default(600),
  /** How long a room lives once only the agent is left: it must cover the candidate's rejoin grace period. */
  ROOM_DEPARTURE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3_600).default(120),

  LINK_SIGNING_SECRET: z.string().min(32, 'must be at least 32 characters'),
  JOIN_WINDOW_BEFORE_MINUTES: minutes.default(15),
  JOIN_WINDOW_AFTER_MINUTES: minutes.default(120),
  JOIN_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(900).default(600),
  /** How long a freshly issued token holds the seat before a second join may take it over. */
  JOIN_CONNECT_GRACE_SECONDS: z.coerce.number().int().min(1).max(300).default(20),
  DEFAULT_PHONE_REGION: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as AE')
    .default('AE'),

  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  RATE_LIMIT_PER_IP: z.coerce.number().int().min(1).default(60),
  RATE_LIMIT_PER_CODE: z.coerce.number().int().min(1).default(20),
  RATE_LIMIT_PER_PHONE: z.coerce.number().int().min(1).default(10),

  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),

  /** Scoring needs a language model; without a key, scorecards stay pending and say why. */
  GOOGLE_API_KEY: z.string().min(1).optional(),
  GEMINI_BASE_URL: z.url().optional(),
  /**
   * Plans and scorecards use the interviewer's LLM_PROVIDER (and, on openai, its LLM_MODEL and endpoint) unless
   * SCORING_PROVIDER / SCORING_MODEL / OPENAI_SCORING_BASE_URL / OPENAI_SCORING_API_KEY say otherwise. On gemini the
   * model stays gemini-2.5-flash unless SCORING_MODEL is set, as before.
   */
  ...llmEnvFields,
  SCORING_PROVIDER: llmProvider.optional(),
  SCORING_MODEL: z.string().min(1).optional(),
  ...openaiEnvFields,
  OPENAI_SCORING_BASE_URL: z.url().optional(),
  OPENAI_SCORING_API_KEY: z.string().min(1).optional(),
  /** The interview languages offered and their speech, as the interviewer reads them (shared/speech-languages.ts). */
  ...speechEnvFields,
  /**
   * The interviewer's speech recognition (agent/config.ts): without it, or in AGENT_LOCAL_MODE, the interviewer
   * cannot hear, and the candidate's page says that answers are typed. Set them as the agent's are.
   */
  DEEPGRAM_API_KEY: z.string().min(1).optional(),
  AGENT_LOCAL_MODE: booleanFromEnv.default(false),
  /** Jobs run at once by the API's job runner (scoring, plans, e-mail, chores); webhook sends have their own. */
  JOBS_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  ...webhookEnvFields,
  ...schedulingEnvFields,
  ...recordingEnvFields,
  ...accountEnvFields,
});

export type ApiEnv = z.infer<typeof apiEnvSchema>;

export interface ApiConfig {
  /** Where interview recordings are (shared/recordings/config.ts). */
  recordings: RecordingSettings;
  env: ApiEnv['NODE_ENV'];
  logLevel: ApiEnv['LOG_LEVEL'];
  host: string;
  port: number;
  metricsToken: string | undefined;
  publicBaseUrl: string;
  trustProxy: boolean;
  database: { url: string; poolSize: number; migrateOnStart: boolean };
  livekit: {
    url: string;
    publicUrl: string;
    apiKey: string;
    apiSecret: string;
    agentName: string;
    roomPrefix: string;
    emptyTimeoutSeconds: number;
    departureTimeoutSeconds: number;
  };
  links: { secret: string; windowBeforeMinutes: number; windowAfterMinutes: number };
  /** Languages an interview may be held in here: one without a voice is refused when the interview is created. */
  speech: SpeechSettings;
  join: {
    tokenTtlSeconds: number;
    connectGraceSeconds: number;
    defaultPhoneRegion: string;
    /** 'typed' when the interviewer runs in local mode (no speech recognition): the page says so. */
    answers: 'voice' | 'typed';
  };
  rateLimits: { windowSeconds: number; perIp: number; perCode: number; perPhone: number };
  reconcileIntervalMs: number;
  webhooks: WebhookSettings;
  /** The language model of plans and scorecards. */
  scoring: LlmSettings;
  jobs: { concurrency: number };
  email: { smtpUrl: string | undefined; from: string; workerEnabled: boolean; maxAttempts: number };
  scheduling: {
    horizonWeeks: number;
    reminderOffsetsMinutes: number[];
    selfServiceMinNoticeMinutes: number;
    selfServiceMaxReschedules: number;
    invitationTtlDays: number;
  };
  accounts: {
    sessionIdleMs: number;
    sessionMaxMs: number;
    secureCookie: boolean;
    loginWindowSeconds: number;
    loginPerIp: number;
    loginPerAccount: number;
  };
}

export function loadApiConfig(env: Record<string, string | undefined> = process.env): ApiConfig {
  const e = parseEnv(apiEnvSchema, env);
  return {
    recordings: recordingSettings(e),
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    host: e.HOST,
    port: e.PORT,
    metricsToken: e.METRICS_TOKEN,
    publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    trustProxy: e.TRUST_PROXY,
    database: {
      url: e.DATABASE_URL,
      poolSize: e.DATABASE_POOL_SIZE,
      migrateOnStart: e.MIGRATE_ON_START ?? e.NODE_ENV !== 'production',
    },
    livekit: {
      url: e.LIVEKIT_URL,
      publicUrl: e.LIVEKIT_PUBLIC_URL ?? e.LIVEKIT_URL,
      apiKey: e.LIVEKIT_API_KEY,
      apiSecret: e.LIVEKIT_API_SECRET,
      agentName: e.AGENT_NAME,
      roomPrefix: e.ROOM_PREFIX,
      emptyTimeoutSeconds: e.ROOM_EMPTY_TIMEOUT_SECONDS,
      departureTimeoutSeconds: e.ROOM_DEPARTURE_TIMEOUT_SECONDS,
    },
    links: {
      secret: e.LINK_SIGNING_SECRET,
      windowBeforeMinutes: e.JOIN_WINDOW_BEFORE_MINUTES,
      windowAfterMinutes: e.JOIN_WINDOW_AFTER_MINUTES,
    },
    speech: speechSettings(e),
    join: {
      tokenTtlSeconds: e.JOIN_TOKEN_TTL_SECONDS,
      connectGraceSeconds: e.JOIN_CONNECT_GRACE_SECONDS,
      defaultPhoneRegion: e.DEFAULT_PHONE_REGION,
      answers: e.AGENT_LOCAL_MODE || (e.STT_PROVIDER === 'deepgram' && !e.DEEPGRAM_API_KEY) ? 'typed' : 'voice',
    },
    rateLimits: {
      windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
      perIp: e.RATE_LIMIT_PER_IP,
      perCode: e.RATE_LIMIT_PER_CODE,
      perPhone: e.RATE_LIMIT_PER_PHONE,
    },
    reconcileIntervalMs: e.RECONCILE_INTERVAL_MS,
    scoring: scoringSettings(e),
    jobs: { concurrency: e.JOBS_CONCURRENCY },
    webhooks: webhookSettings(e, e.NODE_ENV),
    email: {
      smtpUrl: e.SMTP_URL,
      from: e.EMAIL_FROM,
      workerEnabled: e.EMAIL_WORKER_ENABLED,
      maxAttempts: e.EMAIL_MAX_ATTEMPTS,
    },
    scheduling: {
      horizonWeeks: e.SLOT_HORIZON_WEEKS,
      reminderOffsetsMinutes: e.REMINDER_OFFSETS_MINUTES,
      selfServiceMinNoticeMinutes: e.SELF_SERVICE_MIN_NOTICE_MINUTES,
      selfServiceMaxReschedules: e.SELF_SERVICE_MAX_RESCHEDULES,
      invitationTtlDays: e.SCHEDULING_INVITATION_TTL_DAYS,
    },
    accounts: {
      sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
      sessionMaxMs: e.SESSION_MAX_HOURS * 3_600_000,
      secureCookie: e.SESSION_COOKIE_SECURE ?? (e.NODE_ENV === 'production' || e.PUBLIC_BASE_URL.startsWith('https:')),
      loginWindowSeconds: e.LOGIN_RATE_LIMIT_WINDOW_SECONDS,
      loginPerIp: e.LOGIN_RATE_LIMIT_PER_IP,
      loginPerAccount: e.LOGIN_RATE_LIMIT_PER_ACCOUNT,
    },
  };
}

/** The variables the language model of plans and scorecards is read from (the CLI's `rescore` reads them alone). */
export const scoringEnvKeys = {
  GOOGLE_API_KEY: true,
  GEMINI_BASE_URL: true,
  LLM_PROVIDER: true,
  LLM_MODEL: true,
  SCORING_PROVIDER: true,
  SCORING_MODEL: true,
  OPENAI_BASE_URL: true,
  OPENAI_API_KEY: true,
  OPENAI_LLM_BASE_URL: true,
  OPENAI_LLM_API_KEY: true,
  OPENAI_SCORING_BASE_URL: true,
  OPENAI_SCORING_API_KEY: true,
} as const;

/** The model of plans and scorecards: the interviewer's provider unless SCORING_PROVIDER is set. */
export function scoringSettings(e: Pick<ApiEnv, keyof typeof scoringEnvKeys>): LlmSettings {
  const provider = e.SCORING_PROVIDER ?? e.LLM_PROVIDER;
  if (provider === 'gemini') {
    return { googleApiKey: e.GOOGLE_API_KEY, baseUrl: e.GEMINI_BASE_URL, model: e.SCORING_MODEL ?? defaultLlmModels.gemini };
  }
  const chosenBy = e.SCORING_PROVIDER ? 'SCORING_PROVIDER' : 'LLM_PROVIDER';
  const model = e.SCORING_MODEL ?? (e.LLM_PROVIDER === 'openai' ? e.LLM_MODEL : undefined) ?? defaultLlmModels.openai;
  return { provider: 'openai', model, ...openaiEndpoint(e, ['SCORING', 'LLM'], chosenBy) };
}
