import { EventEmitter, once } from 'node:events';
import { pathToFileURL } from 'node:url';
import {
  initializeLogger,
  ipc,
  isAgent,
  JobContext,
  JobProcess,
  log,
  runWithJobContextAsync,
  shortuuid,
  type AgentDefinition,
  type RunningJobInfo,
} from '@livekit/agents';
import { dispose, Room, RoomEvent } from '@livekit/rtc-node';
import type { FromHost, ToHost } from './protocol.ts';

// A job host (agent/hosts/pool.ts): one process, prewarmed once, running several interviews. Each job goes through
// the steps of the SDK's own job process (@livekit/agents, ipc/job_proc_lazy_main): a room of its own, the entry
// function inside its job context, and on its end (room gone, shutdown asked, entry failed) the session finalised,
// the room left and the shutdown callbacks run, with the SDK's lifecycle functions. What differs is only that the
// process outlives the job.

const send = (message: FromHost) => {
  // A channel closing as the worker goes (EPIPE) would otherwise be an uncaught 'error' event; its 'disconnect' is
  // handled below.
  if (process.connected) process.send!(message, undefined, {}, () => {});
};

// The worker handles Ctrl+C and SIGTERM (they reach the whole process group) by closing its jobs through us.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});

const [init] = (await once(process, 'message')) as [ToHost];
if (init.case !== 'init') throw new Error(`a job host's first message must be init, not ${init.case}`);
initializeLogger(init.loggerOptions);
const sessionEndTimeout = ipc.validateSessionEndTimeout(init.sessionEndTimeout);
const logger = log().child({ pid: process.pid, component: 'job-host' });
process.on('unhandledRejection', (reason) => logger.debug({ error: reason }, 'unhandled promise rejection in job host'));

const agent: AgentDefinition = await import(pathToFileURL(init.agentFile).href).then((module) => module.default);
if (!isAgent(agent)) throw new Error(`${init.agentFile} has no agent as its default export`);
const proc = new JobProcess();
// What belongs to the process (the database pool) is not closed when one of its jobs ends (agent/worker.ts).
proc.userData.sharedProcess = true;
await agent.prewarm?.(proc);

const pendingInference = new Map<string, PromiseWithResolvers<unknown>>();
const inference: ipc.InferenceExecutor = {
  async doInference(method, data) {
    const requestId = shortuuid('inference_job_');
    const pending = Promise.withResolvers<unknown>();
    pendingInference.set(requestId, pending);
    send({ case: 'inferenceRequest', requestId, method, data });
    return pending.promise;
  },
};

/** The running jobs' close signals, by job id. */
const jobs = new Map<string, EventEmitter>();
let exitAsked = false;

process.on('message', (message: ToHost) => {
  switch (message.case) {
    case 'startJob':
      startJob(message.info);
      break;
    case 'shutdownJob':
      jobs.get(message.jobId)?.emit('close', message.reason);
      break;
    case 'inferenceResponse': {
      const pending = pendingInference.get(message.requestId);
      pendingInference.delete(message.requestId);
      if (message.error !== undefined) pending?.reject(new Error(`inference failed: ${message.error}`));
      else pending?.resolve(message.data);
      break;
    }
    case 'ping':
      send({ case: 'pong' });
      break;
    case 'exit':
      exitAsked = true;
      void exitWhenEmpty();
      break;
  }
});
// The worker is gone (it crashed or was killed): its LiveKit registration went with it; end the jobs and go.
process.on('disconnect', () => {
  exitAsked = true;
  for (const close of jobs.values()) close.emit('close', 'worker disconnected');
  void exitWhenEmpty();
  // As the SDK's orphaned job process does, the host does not outlive its worker for long.
  setTimeout(() => process.exit(1), 15_000).unref();
});

send({ case: 'ready' });
logger.debug('job host ready');

function startJob(info: RunningJobInfo) {
  const jobId = info.job.id;
  const jobLogger = logger.child({ jobID: jobId, room_id: info.job.room?.sid });
  const close = new EventEmitter();
  let shutdown = false;
  let crashed = false;
  const room = new Room();
  room.on(RoomEvent.Disconnected, () => {
    if (!shutdown) close.emit('close', 'room disconnected');
  });
  const ctx = new JobContext(
    proc,
    info,
    room,
    () => {},
    (reason: string) => {
      shutdown = true;
      close.emit('close', reason);
    },
    inference,
  );
  void (async () => {
    try {
      const closed = once(close, 'close').then(([reason]) => {
        shutdown = true;
        jobLogger.debug({ reason }, 'job shutting down');
      });
      const entry = runWithJobContextAsync(ctx, () => agent.entry(ctx));
      entry.catch(() => {
        crashed = true;
        close.emit('close', 'job crashed');
      });
      await closed;
      await ipc.waitForEntrypointShutdown(entry, jobLogger);
      await runWithJobContextAsync(ctx, async () => {
        await ipc.finalizeSession(ctx, agent.onSessionEnd, sessionEndTimeout, jobLogger);
        await room.disconnect().catch((error: unknown) => jobLogger.error({ error }, 'error while disconnecting room'));
        await ipc.runShutdownCallbacks(ctx.shutdownCallbacks, jobLogger);
      });
    } catch (error) {
      crashed = true;
      jobLogger.error({ error }, 'job ended with an error');
    } finally {
      jobs.delete(jobId);
      send({ case: 'jobDone', jobId, crashed });
      if (exitAsked) void exitWhenEmpty();
    }
  })();
  jobs.set(jobId, close);
}

let exiting = false;
async function exitWhenEmpty() {
  if (jobs.size || exiting) return;
  exiting = true;
  // Native resources (the FFI server, its runtimes, WebRTC) go before exit, as in the SDK's job process.
  await dispose().catch((error: unknown) => logger.warn({ error }, 'failed to dispose native resources'));
  logger.debug('job host exiting');
  process.exit(0);
}
