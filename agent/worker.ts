import { fileURLToPath } from 'node:url';
import {
  cli,
  defineAgent,
  ServerOptions,
  type AgentServer,
  type JobContext,
  type JobProcess,
  type VAD,
} from '@livekit/agents';
import * as silero from '@livekit/agents-plugin-silero';
import { connectDatabase, type DatabaseHandle } from '../shared/db/connect.ts';
import { loadConfigOrExit } from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';
import { loadAgentConfig } from './config.ts';
import { recordingsFinished, startRecordingRecovery } from './recording.ts';
import { runInterview } from './run-interview.ts';

// The worker entry: `node agent/worker.ts start`. The main process registers with LiveKit under AGENT_NAME (dispatch
// is explicit, from the API's join endpoint); each interview runs in its own job process, forked from this file.

const config = loadConfigOrExit(() => loadAgentConfig());
const log = createLogger({ level: config.logLevel, name: 'agent' });

export default defineAgent({
  // Once per job process, before any interview: the VAD model load takes a moment and must not delay a greeting.
  // The database pool is made here too (its connections open on first use: a warm process may wait hours).
  prewarm: async (proc: JobProcess) => {
    const [vad, database] = await Promise.all([
      silero.VAD.load({ minSilenceDuration: config.turns.vadMinSilenceMs }),
      connectDatabase({ url: config.database.url, poolSize: config.database.poolSize }),
    ]);
    proc.userData.vad = vad;
    proc.userData.database = database;
  },
  entry: async (job: JobContext) => {
    const database = job.proc.userData.database as DatabaseHandle;
    job.addShutdownCallback(async () => {
      // Shutdown callbacks run at once: the recording's upload (run-interview's own callback) still writes its row.
      await recordingsFinished();
      await database.destroy();
    });
    await runInterview(job, { config, db: database.db, vad: job.proc.userData.vad as VAD, log });
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
  cli.runApp(
    new ServerOptions({
      agent: fileURLToPath(import.meta.url),
      agentName: config.worker.agentName,
      wsURL: config.livekit.url,
      apiKey: config.livekit.apiKey,
      apiSecret: config.livekit.apiSecret,
      numIdleProcesses: config.worker.idleProcesses,
      jobMemoryLimitMB: config.worker.jobMemoryLimitMB,
      production: config.env === 'production',
      // The SDK's `start` command always drains on SIGTERM (up to 30 minutes). Outside production a stopped worker
      // ends its interviews instead (each with its reason): the drain gives up at once, and a job process
      // that has not exited a few seconds later is killed.
      ...(config.env === 'production' ? {} : { drainTimeout: 200, shutdownProcessTimeout: 3_000 }),
      ...(config.worker.maxJobs > 0
        ? {
            loadFunc: async (server: AgentServer) => server.activeJobs.length / config.worker.maxJobs,
            loadThreshold: 1,
          }
        : {}),
      ...(config.worker.httpPort !== undefined ? { port: config.worker.httpPort } : {}),
    }),
  );
}
