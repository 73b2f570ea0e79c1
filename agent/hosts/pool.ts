import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ipc, loggerOptions, type RunningJobInfo } from '@livekit/agents';
import type { Logger } from 'pino';
import { hostMain, type FromHost, type ToHost } from './protocol.ts';

// Job hosts: processes that run several interviews each, instead of the SDK's process per interview. Every job
// process carries its own WebRTC stack (an audio device ticking every 10 ms, the Rust runtime, the event loop's
// base cost) and its own copy of the pipeline's modules and the VAD model: bench/voice-rooms-per-process.bench.ts
// measured about 1.1 CPU-seconds per interview-minute and 95 MB per interview paid again in every process.
//
// The SDK's worker keeps its process pool (it warms `numIdleProcesses` executors ahead of dispatch and launches each
// job on one); through the patched `ServerOptions.jobExecutorFactory` each of its executors is a `HostedJob` here: a
// slot in a host, reserved when the pool warms it, used by one job, released when the job ends. A host takes up to
// `jobsPerHost` slots; a new one is forked when every host is full. A host that has run `retireAfterJobs` jobs
// takes no more and exits once empty, so whatever a long-lived process accumulates is bounded. A host that dies
// (crash, SIGKILL) ends the jobs it ran as failed: LiveKit does not re-dispatch them, the API's reconciler does, and
// the new job resumes the interview (agent/README.md, Resuming). As the SDK watches its job processes, a host is
// pinged (killed when it stops answering) and its memory checked; when the worker goes, its hosts end their jobs and
// exit (agent/hosts/main.ts).

export interface JobHostsOptions {
  /** The agent module (its default export is the SDK's agent definition): agent/worker.ts. */
  agentFile: string;
  jobsPerHost: number;
  retireAfterJobs: number;
  sessionEndTimeout: number;
  log: Logger;
}

/** An executor's hold on a host: warm (reserved) or running its job. */
interface Slot {
  runningJob: RunningJobInfo | undefined;
  ended(failed: boolean): void;
  /** Its host died before it got a job: take a place in another. */
  rehost(): void;
}

interface Host {
  child: ChildProcess;
  ready: Promise<void>;
  /** Slots held by executors (warm or running). */
  slots: Set<Slot>;
  /** Jobs started in it, ever. */
  served: number;
  retiring: boolean;
  exited: boolean;
  /** It finished its start-up (prewarm). */
  started: boolean;
  /** When it last answered a ping (its event loop turned). */
  lastPong: number;
}

type ExecutorOptions = Parameters<ipc.JobExecutorFactory>[0];

export function jobHosts(options: JobHostsOptions) {
  const hosts = new Set<Host>();
  const log = options.log.child({ component: 'job-hosts' });

  function spawnHost(opts: ExecutorOptions): Host {
    // The worker's execArgv (V8's heap flags, agent/worker.ts) apply to hosts as they would to the SDK's processes.
    // JSON over the channel, as the SDK sends a job to its own processes (the job's protobuf messages as JSON).
    const child = fork(hostMain, [], { execArgv: process.execArgv });
    // An 'error' event nobody listens to would throw in the worker's main process (a failed kill, say); the host's
    // exit is what ends its jobs.
    child.on('error', (error) => log.warn({ err: error, pid: child.pid }, 'job host process error'));
    const host: Host = {
      child,
      ready: Promise.resolve(),
      slots: new Set(),
      served: 0,
      retiring: false,
      exited: false,
      started: false,
      lastPong: Date.now(),
    };
    host.ready = new Promise<void>((resolve, reject) => {
      child.on('message', (message: FromHost) => {
        switch (message.case) {
          case 'ready':
            host.started = true;
            resolve();
            watchPings(host, opts, log);
            break;
          case 'pong':
            host.lastPong = Date.now();
            break;
          case 'jobDone':
            for (const slot of host.slots) if (slot.runningJob?.job.id === message.jobId) slot.ended(message.crashed);
            break;
          case 'inferenceRequest':
            void answerInference(child, opts.inferenceExecutor, message);
            break;
        }
      });
      child.once('exit', (code, signal) => {
        host.exited = true;
        hosts.delete(host);
        reject(new Error(`job host exited before it was ready (${signal ?? code})`));
        const running = [...host.slots].filter((slot) => slot.runningJob).length;
        if (running) log.error({ pid: child.pid, code, signal, jobs: running }, 'job host exited with jobs running');
        else log.debug({ pid: child.pid, code, signal }, 'job host exited');
        // A warm slot moves to another host: the SDK's pool keeps it in its queue of warm executors and would hand
        // it the next job, which a dead host could not start (the job would be lost until dispatched again).
        // Only from a host that had started: one that cannot start fails its slots' initialisation instead of being
        // forked again and again.
        for (const slot of host.slots) if (slot.runningJob || !host.started) slot.ended(true);
        for (const slot of host.slots) if (!slot.runningJob && host.started) slot.rehost();
      });
    });
    host.ready.catch(() => {});
    send(host, {
      case: 'init',
      agentFile: options.agentFile,
      loggerOptions: loggerOptions() ?? { pretty: false },
      sessionEndTimeout: options.sessionEndTimeout,
    });
    hosts.add(host);
    watchMemory(host, opts, options.jobsPerHost, log);
    log.debug({ pid: child.pid }, 'job host started');
    return host;
  }

  /** The fullest host with a free slot (fewer processes), or a new one. */
  function reserve(slot: Slot, opts: ExecutorOptions): Host {
    let chosen: Host | undefined;
    for (const host of hosts) {
      if (host.exited || host.retiring || host.slots.size >= options.jobsPerHost) continue;
      if (!chosen || host.slots.size > chosen.slots.size) chosen = host;
    }
    chosen ??= spawnHost(opts);
    chosen.slots.add(slot);
    return chosen;
  }

  function release(host: Host, slot: Slot) {
    host.slots.delete(slot);
    if (host.slots.size === 0 && host.retiring && !host.exited) send(host, { case: 'exit' });
  }

  class HostedJob implements ipc.JobExecutor {
    started = false;
    userArguments: unknown;
    runningJob: RunningJobInfo | undefined;
    #status = ipc.JobStatus.RUNNING;
    #host: Host | undefined;
    #ended = Promise.withResolvers<void>();
    #done = false;
    readonly opts: ExecutorOptions;

    constructor(opts: ExecutorOptions) {
      this.opts = opts;
    }

    get status() {
      return this.#status;
    }

    /** The host's process id, once the slot is reserved. */
    get pid() {
      return this.#host?.child.pid;
    }

    async start() {
      this.started = true;
    }

    async initialize() {
      const host = reserve(this, this.opts);
      this.#host = host;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          host.ready,
          new Promise((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`job host not ready within ${this.opts.initializeTimeout} ms`)),
              this.opts.initializeTimeout,
            );
          }),
        ]);
      } catch (error) {
        this.ended(true);
        throw error;
      } finally {
        clearTimeout(timer);
      }
    }

    rehost() {
      if (this.#done) return;
      this.#host = reserve(this, this.opts);
    }

    async launchJob(info: RunningJobInfo) {
      if (this.runningJob) throw new Error('executor already has a running job');
      // A slot moved to a new host (rehost) waits for it to be ready.
      await this.#host?.ready.catch(() => {});
      const host = this.#host;
      if (!host || host.exited || this.#done) throw new Error('job host not available');
      this.runningJob = info;
      host.served += 1;
      // Its quota served: no new slot here (a warm one it holds may still get a job), and it exits once empty.
      if (host.served >= options.retireAfterJobs) host.retiring = true;
      send(host, { case: 'startJob', info });
    }

    join() {
      return this.#ended.promise;
    }

    async close() {
      const host = this.#host;
      if (!host || !this.runningJob || host.exited) {
        this.ended(false);
        return;
      }
      if (this.#done) return;
      send(host, { case: 'shutdownJob', jobId: this.runningJob.job.id, reason: 'shutdown request' });
      let timer: NodeJS.Timeout | undefined;
      const late = await Promise.race([
        this.#ended.promise.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), this.opts.closeTimeout))),
      ]);
      clearTimeout(timer);
      if (late) {
        // A job process would be killed here; a host holds other interviews, so it takes no new ones and goes once
        // the others have ended.
        log.error({ pid: host.child.pid, jobId: this.runningJob.job.id }, 'job did not end in time; its host retires');
        host.retiring = true;
        this.ended(true);
      }
    }

    /** The job ended (or its slot was never used): the pool's watch on this executor resolves. */
    ended(failed: boolean) {
      if (this.#done) return;
      this.#done = true;
      this.#status = failed ? ipc.JobStatus.FAILED : ipc.JobStatus.SUCCESS;
      if (this.#host) release(this.#host, this);
      this.#ended.resolve();
    }
  }

  return { factory: ((opts) => new HostedJob(opts)) satisfies ipc.JobExecutorFactory };
}

/**
 * The SDK's ping, as it pings its job processes (every `pingInterval`, 2.5 s): a host whose event loop has not
 * answered for `pingTimeout` (60 s) is stuck (a job in an endless loop): it is killed, and its interviews resume
 * elsewhere, as the SDK kills a job process that stops answering.
 */
function watchPings(host: Host, opts: ExecutorOptions, log: Logger) {
  host.lastPong = Date.now();
  const timer = setInterval(() => {
    if (Date.now() - host.lastPong > opts.pingTimeout) {
      log.error({ pid: host.child.pid, jobs: host.slots.size, silentMs: Date.now() - host.lastPong }, 'job host stopped answering; killing it');
      host.child.kill('SIGKILL');
      clearInterval(timer);
      return;
    }
    send(host, { case: 'ping' });
  }, opts.pingInterval);
  timer.unref();
  host.child.once('exit', () => clearInterval(timer));
}

/**
 * The SDK's per-process memory limits (AGENT_JOB_MEMORY_LIMIT_MB, its warning at 1,000 MB), scaled to the slots of a
 * host: above the warning it is logged, above the limit killed as the SDK kills a job process (its interviews are
 * dispatched again by the reconciler and resume).
 */
function watchMemory(host: Host, opts: ExecutorOptions, jobsPerHost: number, log: Logger) {
  const [warnMB, limitMB] = [opts.memoryWarnMB * jobsPerHost, opts.memoryLimitMB * jobsPerHost];
  let warned = false;
  const timer = setInterval(() => {
    let rssMB: number;
    try {
      rssMB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${host.child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    } catch {
      return;
    }
    if (limitMB > 0 && rssMB > limitMB) {
      log.error({ pid: host.child.pid, rssMB, limitMB, jobs: host.slots.size }, 'job host over its memory limit; killing it');
      host.child.kill('SIGKILL');
    } else if (warnMB > 0 && rssMB > warnMB && !warned) {
      warned = true;
      log.warn({ pid: host.child.pid, rssMB, warnMB }, 'job host memory is high');
    }
  }, 5_000);
  timer.unref();
  host.child.once('exit', () => clearInterval(timer));
}

function send(host: Host, message: ToHost) {
  if (!host.exited) sendTo(host.child, message);
}

function sendTo(child: ChildProcess, message: ToHost) {
  if (!child.connected) return;
  // The channel can close between the check and the write (the host exiting): EPIPE, which without a callback is an
  // 'error' event on the child. Nothing to do about it here: the host's exit ends its jobs (spawnHost).
  child.send(message, () => {});
}

async function answerInference(
  child: ChildProcess,
  inference: ExecutorOptions['inferenceExecutor'],
  request: Extract<FromHost, { case: 'inferenceRequest' }>,
) {
  const reply = (message: ToHost) => sendTo(child, message);
  if (!inference) return reply({ case: 'inferenceResponse', requestId: request.requestId, error: 'no inference executor' });
  try {
    const data = await inference.doInference(request.method, request.data);
    reply({ case: 'inferenceResponse', requestId: request.requestId, data });
  } catch (error) {
    reply({ case: 'inferenceResponse', requestId: request.requestId, error: String(error) });
  }
}
