import { fileURLToPath } from 'node:url';
import {
  cli,
  defineAgent,
  InferenceRunner,
  ServerOptions,
  type AgentServer,
  type JobContext,
  type JobProcess,
  type VAD,
} from '@livekit/agents';
import { connectDatabase, type DatabaseHandle } from '../shared/db/connect.ts';
import { loadConfigOrExit } from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';
import { loadAgentConfig } from './config.ts';
import { jobHosts } from './hosts/pool.ts';
import { cpuSampler, workerLoad } from './load.ts';
import { workerMetrics, type WorkerLoadState } from './metrics.ts';
import { recordingsFinished, startRecordingRecovery } from './recording.ts';
import type { runInterview } from './run-interview.ts';

// The worker entry: `node agent/worker.ts start`. The main process registers with LiveKit under AGENT_NAME (dispatch
// is explicit, from the API's join endpoint); interviews run in job hosts (agent/hosts), AGENT_JOBS_PER_PROCESS to a
// process, or with 1 in the SDK's own process per interview, forked from this file.

const config = loadConfigOrExit(() => loadAgentConfig());
const log = createLogger({ level: config.logLevel, name: 'agent' });

export default defineAgent({
  // Once per job process, before any interview: the VAD model load takes a moment and must not delay a greeting.
  // The database pool is made here too (its connections open on first use: a warm process may wait hours).
  // The interview's modules (the pipeline, the provider plugins, onnxruntime) are imported here, not at the top: the
  // worker's main process, which imports this file too, never runs an interview and stays small.
  prewarm: async (proc: JobProcess) => {
    const [vad, database, interview] = await Promise.all([
      import('@livekit/agents-plugin-silero').then((silero) =>
        silero.VAD.load({ minSilenceDuration: config.turns.vadMinSilenceMs }),
      ),
      connectDatabase({ url: config.database.url, poolSize: config.database.poolSize }),
      import('./run-interview.ts'),
    ]);
    proc.userData.vad = vad;
    proc.userData.database = database;
    proc.userData.runInterview = interview.runInterview;
  },
  entry: async (job: JobContext) => {
    const database = job.proc.userData.database as DatabaseHandle;
    // A process of its own ends with its job: its pool closes after the recording's upload (run-interview's own
    // shutdown callback, run at the same time) has written its row. A job host's pool serves its other interviews.
    if (!job.proc.userData.sharedProcess) {
      job.addShutdownCallback(async () => {
        await recordingsFinished();
        await database.destroy();
      });
    }
    const run = job.proc.userData.runInterview as typeof runInterview;
    await run(job, { config, db: database.db, vad: job.proc.userData.vad as VAD, log });
  },
});

// Guarded so tests and tools can import this module without starting a worker.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (config.providers === null) {
    log.info(
      { reason: config.localReason },
      'no provider keys: local mode (plan questions in order, typed answers, espeak-ng speech if installed; scoring waits for an LLM)',
    );
  }
  // What a killed job left in the recordings spool goes to the store from here, the process that outlives its jobs.
  void connectDatabase({ url: config.database.url, poolSize: 2 }).then(({ db }) =>
    startRecordingRecovery({ db, settings: config.recordings, log }),
  );
  // The SDK starts a shared inference process (about 365 MB) whenever an inference runner is registered, and
  // @livekit/agents 1.9 registers its local audio end-of-turn model's runner unconditionally. Only
  // TURN_DETECTION=model asks it anything: otherwise the registration is dropped (an accessor that ignores the
  // write and is not enumerable, so the SDK finds no runner and starts no process).
  if (config.turns.detection !== 'model') {
    Object.defineProperty(InferenceRunner.registeredRunners, 'lk_eot_audio', {
      get: () => undefined,
      set: () => {},
      enumerable: false,
      configurable: true,
    });
  }
  // Job processes are forked with this process's execArgv. V8's young generation may otherwise grow to 3 × 16 MB,
  // which an interview's short-lived audio frames fill: at 2 MB semi-spaces a job process holds tens of MB less,
  // and the scavenges of so few live objects stay cheap. --optimize-for-size makes V8 grow the old generation less
  // eagerly and keep less compiled code: 15 MB less per job, idle and at its peak, for the same CPU per
  // interview-minute and 0.3 s more at start-up (bench/voice-concurrency.bench.ts, two runs each, agent/README).
  process.execArgv.push('--max-semi-space-size=2', '--optimize-for-size');
  // The SDK's event-loop monitor runs in every job process: a worker thread (a V8 instance of its own) and a timer
  // waking every 20 ms, to log stalls. Off unless the operator sets its threshold (LIVEKIT_AGENTS_LOOP_BLOCK_WARN_MS);
  // the job processes inherit this environment.
  process.env.LIVEKIT_AGENTS_LOOP_BLOCK_WARN_MS ??= '0';
  const cpu = cpuSampler();
  let loadState: WorkerLoadState | undefined;
  if (config.worker.metrics) {
    const { port, host } = config.worker.metrics;
    void workerMetrics(() => loadState)
      .listen(port, host)
      .then((server) => log.info({ address: server.address() }, 'metrics listening'));
  }
  cli.runApp(
    new ServerOptions({
      agent: fileURLToPath(import.meta.url),
      agentName: config.worker.agentName,
      wsURL: config.livekit.url,
      apiKey: config.livekit.apiKey,
      apiSecret: config.livekit.apiSecret,
      numIdleProcesses: config.worker.idleProcesses,
      ...(config.worker.jobsPerProcess > 1
        ? {
            jobExecutorFactory: jobHosts({
              agentFile: fileURLToPath(import.meta.url),
              jobsPerHost: config.worker.jobsPerProcess,
              retireAfterJobs: config.worker.processMaxJobsServed,
              sessionEndTimeout: 300_000,
              log,
            }).factory,
          }
        : {}),
      jobMemoryLimitMB: config.worker.jobMemoryLimitMB,
      initializeProcessTimeout: config.worker.processInitTimeoutMs,
      production: config.env === 'production',
      // The SDK's `start` command always drains on SIGTERM (up to 30 minutes). Outside production a stopped worker
      // ends its interviews instead (each with its reason): the drain gives up at once, and a job process
      // that has not exited a few seconds later is killed.
      ...(config.env === 'production' ? {} : { drainTimeout: 200, shutdownProcessTimeout: 3_000 }),
      ...(config.worker.maxJobs > 0
        ? {
            // Full at AGENT_MAX_JOBS interviews, or earlier when the machine's CPU passes AGENT_MAX_CPU.
            loadFunc: async (server: AgentServer) => {
              const state = {
                activeJobs: server.activeJobs.length,
                maxJobs: config.worker.maxJobs,
                cpu: cpu(),
                maxCpu: config.worker.maxCpu,
              };
              const load = workerLoad(state);
              loadState = { ...state, load };
              return load;
            },
            loadThreshold: 1,
          }
        : {}),
      ...(config.worker.httpPort !== undefined ? { port: config.worker.httpPort } : {}),
    }),
  );
}
