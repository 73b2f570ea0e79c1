import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { client, seedCompany, startTestApi, testEnv, type TestApi } from '../../support/harness.ts';
import { spokenSegments, type Scenario } from '../../support/candidate-sim.ts';
import { startDeepgramEmulator, type DeepgramEmulator, type DeepgramEmulatorOptions } from '../../emulators/deepgram.ts';
import { startGeminiEmulator, type GeminiEmulator, type GeminiEmulatorOptions } from '../../emulators/gemini.ts';
import { startOpenAiEmulator, type OpenAiEmulator, type OpenAiEmulatorOptions } from '../../emulators/openai.ts';

// The whole product for one scenario: the real API on a cloned Postgres database, the real LiveKit server, the
// agent worker as its own process (`node agent/worker.ts start`, as in production) and the provider emulators.

const root = fileURLToPath(new URL('../../../', import.meta.url));

export interface AgentStack {
  api: TestApi;
  hr: ReturnType<typeof client>;
  /** The seeded company's HR API key. */
  hrKey: string;
  deepgram: DeepgramEmulator;
  gemini: GeminiEmulator;
  /** Serves the stages a test moves to `openai` (LLM_PROVIDER, STT_PROVIDER, TTS_PROVIDER in workerEnv). */
  openai: OpenAiEmulator;
  agentName: string;
  /** The worker's own HTTP port: `/worker` reports its active jobs. */
  workerHttpPort: number;
  worker: ChildProcess;
  workerLog: string[];
  /** Whether the worker logs at debug (its report then keeps those lines). */
  workerDebug: boolean;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Extra worker environment (timeouts, turn settings). */
  workerEnv?: Record<string, string>;
  /**
   * The worker logs at debug (the SDK's speech scheduling and agent states among it), and a failure's report shows
   * those lines: for a test whose rare failure the info lines could not explain. TEST_AGENT_LOG_LEVEL=debug: all.
   */
  workerDebug?: boolean;
  /** Extra API environment. */
  apiEnv?: Record<string, string>;
  /** The API receives the LiveKit server's webhooks (one of the few ports the test server sends them to). */
  livekitWebhooks?: boolean;
  deepgram?: DeepgramEmulatorOptions;
  gemini?: GeminiEmulatorOptions;
  openai?: OpenAiEmulatorOptions;
}

function childPids(parent: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(parent)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((pid) => pid > 0);
  } catch {
    return []; // ps exits non-zero when there are none
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startAgentStack(options: StackOptions = {}): Promise<AgentStack> {
  // A name of its own, so another test run on the same LiveKit server cannot take this run's dispatches.
  const agentName = `interviewer-${randomBytes(5).toString('hex')}`;
  // The API knows the interviewer has speech recognition as the agent does (by its key): the page offers voice.
  const api = await startTestApi({
    env: { AGENT_NAME: agentName, DEEPGRAM_API_KEY: 'emulated', ...options.apiEnv },
    ...(options.livekitWebhooks ? { livekitWebhooks: true } : {}),
  });
  const { key } = await seedCompany(api.db, 'MENA Bank');
  const hr = client(api.url, key);
  const deepgram = await startDeepgramEmulator({ ttsWordsPerMinute: 330, ...options.deepgram });
  const gemini = await startGeminiEmulator(options.gemini);
  const openai = await startOpenAiEmulator({ ttsWordsPerMinute: 330, ...options.openai });
  const base = testEnv();
  const workerHttpPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    DATABASE_URL: api.deps.config.database.url!,
    LIVEKIT_URL: base.LIVEKIT_URL,
    LIVEKIT_API_KEY: base.LIVEKIT_API_KEY,
    LIVEKIT_API_SECRET: base.LIVEKIT_API_SECRET,
    AGENT_NAME: agentName,
    AGENT_HTTP_PORT: String(workerHttpPort),
    DEEPGRAM_API_KEY: 'emulated',
    GOOGLE_API_KEY: 'emulated',
    DEEPGRAM_STT_URL: deepgram.url.replace(/^http/, 'ws'),
    DEEPGRAM_TTS_URL: deepgram.url,
    GEMINI_BASE_URL: gemini.url,
    // Gemini TTS (the Arabic voice) takes no base URL from the plugin: the Google SDK's own variable points it here.
    GOOGLE_GEMINI_BASE_URL: gemini.url,
    OPENAI_BASE_URL: openai.baseUrl,
    OPENAI_API_KEY: 'emulated',
    ...options.workerEnv,
    // Readiness is read from the worker's 'registered worker' line, an info message.
    LOG_LEVEL: options.workerDebug || process.env.TEST_AGENT_LOG_LEVEL === 'debug' ? 'debug' : 'info',
  };
  const worker = spawn(process.execPath, ['agent/worker.ts', 'start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const workerLog: string[] = [];
  const registered = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        workerLog.push(line);
        if (process.env.TEST_AGENT_ECHO) process.stderr.write(`[worker] ${line}\n`);
        if (line.includes('registered worker')) resolve();
      }
    };
    worker.stdout!.on('data', onData);
    worker.stderr!.on('data', onData);
    worker.once('exit', (code) => reject(new Error(`worker exited (${code}) before registering:\n${workerLog.join('\n')}`)));
  });
  // Never leave a worker behind: not when this process exits, not when registration fails.
  const killWorker = () => {
    if (worker.exitCode === null) worker.kill('SIGKILL');
  };
  process.once('exit', killWorker);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      registered,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`worker did not register:\n${workerLog.join('\n')}`)), 60_000);
      }),
    ]);
  } catch (error) {
    killWorker();
    await Promise.all([deepgram.close(), gemini.close(), openai.close(), api.stop()]);
    throw error;
  } finally {
    clearTimeout(timer);
  }

  return {
    api,
    hr,
    hrKey: key,
    deepgram,
    gemini,
    openai,
    agentName,
    worker,
    workerLog,
    workerDebug: env.LOG_LEVEL === 'debug',
    workerHttpPort,
    async stop() {
      if (worker.exitCode === null) {
        // Job and inference processes a stopping worker leaves behind (an idle process forked at shutdown) are
        // ended too, by their ids.
        const children = childPids(worker.pid!);
        const exited = new Promise((resolve) => worker.once('exit', resolve));
        worker.kill('SIGTERM');
        const timer = setTimeout(() => worker.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
        for (const pid of children) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
      }
      await deepgram.close();
      await gemini.close();
      await openai.close();
      await api.stop();
    },
  };
}

/**
 * What a failed end-to-end test prints: the worker's last log lines (debug lines left out), the STT segments, the
 * LLM's exchanges and the TTS texts, with times, so a failure seen once in CI can be read without running it again.
 */
/** The job process running an interview: the worker's child that logged its id (pino stamps every line's pid). */
export function jobPid(stack: AgentStack, interviewId: string): number | undefined {
  for (const line of stack.workerLog) {
    if (!line.includes(interviewId)) continue;
    const pid = (JSON.parse(line) as { pid?: number }).pid;
    if (pid && pid !== stack.worker.pid) return pid;
  }
  return undefined;
}

export function stackReport(stack: AgentStack, extra: Record<string, unknown> = {}): string {
  const clock = (at: number) => new Date(at).toISOString().slice(11, 23);
  const short = (text: string | undefined) => (text === undefined ? '(none)' : text.length > 80 ? `${text.slice(0, 80)}…` : text);
  const lines = [
    ...(stack.workerDebug
      ? ['--- worker (last 300 lines, debug included) ---', ...stack.workerLog.filter((l) => !l.includes('"level":10')).slice(-300)]
      : [
          '--- worker (last 120 lines above debug) ---',
          ...stack.workerLog.filter((l) => !l.includes('"level":20') && !l.includes('"level":10')).slice(-120),
        ]),
    '--- STT segments (s of received audio) ---',
    ...stack.deepgram.segments.map((s) => `${s.start.toFixed(2)}–${s.end.toFixed(2)} ${short(s.text)}`),
    '--- LLM exchanges ---',
    ...stack.gemini.exchanges.map(
      (e) => `${clock(e.at)} ${short(e.said)} → ${e.reply.map((p) => p.functionCall?.name ?? short(p.text)).join(', ')}`,
    ),
    '--- TTS (Deepgram, then Gemini) ---',
    ...stack.deepgram.spoken.map(short),
    ...stack.gemini.speech.map((s) => short(s.text)),
    ...Object.entries(extra).map(([key, value]) => `--- ${key} ---\n${typeof value === 'string' ? value : JSON.stringify(value, null, 1)}`),
  ];
  return lines.join('\n');
}

/** Creates the scenario's job, candidate and interview through the HR API; returns the interview. */
export async function seedScenario(stack: AgentStack, scenario: Scenario, overrides: { answers?: string[] } = {}) {
  const job = await stack.hr('POST', '/v1/jobs', {
    body: {
      title: scenario.job.title,
      description: scenario.job.description,
      codingLanguage: scenario.job.codingLanguage ?? null,
      competencies: scenario.job.competencies,
    },
  });
  if (job.status !== 201) throw new Error(`job: ${job.status} ${JSON.stringify(job.body)}`);
  const candidate = await stack.hr('POST', '/v1/candidates', {
    body: {
      firstName: scenario.candidate.firstName,
      lastName: scenario.candidate.lastName,
      phone: scenario.candidate.phone,
      email: scenario.candidate.email,
      resumeText: scenario.candidate.resume ?? null,
    },
  });
  if (candidate.status !== 201) throw new Error(`candidate: ${candidate.status} ${JSON.stringify(candidate.body)}`);
  const interview = await stack.hr('POST', '/v1/interviews', {
    body: {
      candidateId: candidate.body.id,
      jobId: job.body.id,
      type: scenario.interview.type,
      maxDurationMinutes: Math.max(5, Math.ceil(scenario.interview.maxDurationSeconds / 60)),
      language: scenario.interview.language,
      instructions: scenario.interview.instructions,
    },
  });
  if (interview.status !== 201) throw new Error(`interview: ${interview.status} ${JSON.stringify(interview.body)}`);
  // Both speech recognitions get the lines: the one the worker uses says them.
  stack.deepgram.addScript(spokenSegments(overrides.answers ?? scenario.answers));
  stack.openai.addScript(spokenSegments(overrides.answers ?? scenario.answers));
  return interview.body as { id: string; roomCode: string; roomName: string };
}
