import { EventEmitter } from 'node:events';
import {
  Logger as WorkerLogger,
  run,
  runOnce,
  type JobHelpers,
  type Runner,
  type TaskList,
  type WorkerEvents,
} from 'graphile-worker';
import pg from 'pg';
import type { Logger } from '../../shared/logger.ts';

// The one job runner: graphile-worker on our Postgres. Jobs are added with SQL in the transaction that calls for
// them (shared/jobs.ts) and start within milliseconds (LISTEN/NOTIFY); the library locks each job while it runs,
// retries a failed one with exponential backoff and parks it after its last attempt, so a job that always fails
// never holds up the others. What the library leaves to us, and this module adds:
// - a timeout on every job, so no handler (an LLM call, an SMTP exchange) can hold its slot for ever;
// - periodic work: a job that adds its own next run, in a named queue of its own (one run at a time across every
//   process) under a job key (one pending run);
// - a crashed process's jobs. The library keeps a job locked for 4 hours once the process that took it is gone;
//   each runner here holds a session-level advisory lock named after its worker pool, which Postgres releases
//   when the session ends, and every runner frees the jobs of pools whose lock is gone.

export interface JobContext {
  /** Aborted when the job's time is up or the runner is shutting down. */
  signal: AbortSignal;
  /** Aborted as soon as the runner begins to stop: a job that loops over work takes no more (`signal` comes later). */
  stopping?: AbortSignal;
  /** Attempt number, from 1. */
  attempt: number;
  maxAttempts: number;
}

export interface TaskDefinition<P = any> {
  /** Longest a run may take; past it the run fails (and is retried with backoff). */
  timeoutMs: number;
  run(payload: P, context: JobContext): Promise<void>;
}

export interface PeriodicDefinition {
  /** Time between the end of one run and the start of the next. */
  everyMs: number;
  timeoutMs: number;
  run(context: JobContext): Promise<void>;
}

export interface RunnerOptions {
  databaseUrl: string;
  log: Logger;
  /** For the log and the database's view of connections (application_name). */
  name: string;
  concurrency: number;
  tasks: Record<string, TaskDefinition>;
  periodic?: Record<string, PeriodicDefinition>;
  /**
   * Channels to LISTEN on, each with what to do on a notification. Also called once whenever the listening session
   * (re)connects, for whatever was notified while it was away.
   */
  notifications?: Record<string, () => void>;
}

export interface JobRunner {
  /** Stops taking jobs and waits for those running (their signal aborts after 5 s). */
  stop(): Promise<void>;
}

function quietLogger(log: Logger): WorkerLogger {
  return new WorkerLogger((scope) => (level, message, meta) => {
    const fields = { ...(scope.taskIdentifier ? { task: scope.taskIdentifier } : {}), ...(scope.jobId ? { jobId: scope.jobId } : {}) };
    // The library's info lines (connected, looking for jobs) are routine; ours say what matters.
    if (level === 'error') log.error({ ...fields, err: (meta as { error?: unknown } | undefined)?.error }, message);
    else if (level === 'warning') log.warn(fields, message);
    else log.debug(fields, message);
  });
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Runs `run` with a deadline: past it the signal aborts and the returned promise rejects, freeing the slot. */
async function withDeadline(
  timeoutMs: number,
  helpers: JobHelpers,
  stopping: AbortSignal,
  run: (context: JobContext) => Promise<void>,
): Promise<void> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error(`job timed out after ${timeoutMs} ms`)), timeoutMs);
  const signal = AbortSignal.any([deadline.signal, helpers.abortSignal]);
  const aborted = new Promise<never>((_, reject) => {
    deadline.signal.addEventListener('abort', () => reject(deadline.signal.reason), { once: true });
  });
  aborted.catch(() => {});
  try {
    await Promise.race([run({ signal, stopping, attempt: helpers.job.attempts, maxAttempts: helpers.job.max_attempts }), aborted]);
  } finally {
    clearTimeout(timer);
  }
}

/** The library's task list for our definitions: each with its deadline, periodic ones adding their next run. */
export function buildTaskList(
  log: Logger,
  tasks: Record<string, TaskDefinition>,
  periodic: Record<string, PeriodicDefinition> = {},
  stopping: AbortSignal = new AbortController().signal,
): TaskList {
  const list: TaskList = {};
  for (const [name, task] of Object.entries(tasks)) {
    list[name] = async (payload, helpers) => {
      try {
        await withDeadline(task.timeoutMs, helpers, stopping, (context) => task.run(payload, context));
      } catch (err) {
        const last = helpers.job.attempts >= helpers.job.max_attempts;
        log.warn({ task: name, jobId: helpers.job.id, attempt: helpers.job.attempts, last, err: errorMessage(err) }, last ? 'job failed for the last time; parked' : 'job failed; will retry');
        throw err;
      }
    };
  }
  for (const [name, task] of Object.entries(periodic)) {
    list[name] = async (_payload, helpers) => {
      try {
        await withDeadline(task.timeoutMs, helpers, stopping, (context) => task.run(context));
      } catch (err) {
        // A failed pass is logged and the next one comes at the usual time, as a pass that found nothing would.
        log.warn({ task: name, err: errorMessage(err) }, 'periodic job failed');
      } finally {
        await helpers.addJob(name, {}, periodicJobSpec(name, new Date(Date.now() + task.everyMs), 'replace'));
      }
    };
  }
  return list;
}

function periodicJobSpec(name: string, runAt: Date, jobKeyMode: 'replace' | 'preserve_run_at') {
  return { queueName: `periodic:${name}`, jobKey: `periodic:${name}`, jobKeyMode, runAt, maxAttempts: 3 };
}

/** Namespace of the advisory locks that say a worker pool is alive (the other half is hashtext(pool id)). */
const livenessLockSpace = 7_314_001;

/**
 * Frees the jobs of worker pools that are gone, so they run again (their handlers are idempotent). A pool counts as
 * gone when it has held a job a few seconds (its lock is taken as it starts) and no session holds its liveness lock.
 * Returns the pools it freed.
 */
export async function releaseDeadRunners(db: Pick<pg.Pool, 'query'>, log: Logger): Promise<string[]> {
  const result = await db.query<{ locked_by: string }>(
    `select distinct locked_by from graphile_worker.jobs
      where locked_by is not null and locked_at < now() - interval '5 seconds'
        and pg_try_advisory_xact_lock($1, hashtext(locked_by))`,
    [livenessLockSpace],
  );
  const dead = result.rows.map((r) => r.locked_by);
  if (dead.length === 0) return dead;
  await db.query('select graphile_worker.force_unlock_workers($1::text[])', [dead]);
  log.warn({ pools: dead }, 'freed the jobs of a job runner that is gone');
  return dead;
}

export async function startJobRunner(options: RunnerOptions): Promise<JobRunner> {
  const { log } = options;
  const applicationName = `ai-interviewer ${options.name}`.slice(0, 63);
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    // Workers share clients; a couple more for the listener and the library's own statements.
    max: Math.min(options.concurrency + 2, 40),
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: 5_000,
    application_name: applicationName,
  });
  // As in shared/db/connect.ts: a Postgres restart must not crash the process through an idle client's error.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));

  const stopRequested = new AbortController();
  const taskList = buildTaskList(log, options.tasks, options.periodic, stopRequested.signal);
  let stopping = false;
  let runner: Runner | undefined;
  const liveness = new Set<pg.Client>();

  // Takes the session lock that tells other runners this pool is alive; kept until the runner stops.
  async function holdLiveness(poolId: string): Promise<void> {
    while (!stopping) {
      const client = new pg.Client({ connectionString: options.databaseUrl, application_name: applicationName });
      const lost = new Promise<void>((resolve) => client.once('error', () => resolve()));
      try {
        await client.connect();
        await client.query('select pg_advisory_lock($1, hashtext($2))', [livenessLockSpace, poolId]);
        // The same session listens: it lives as long as the runner.
        const handlers = options.notifications ?? {};
        client.on('notification', (msg) => handlers[msg.channel]?.());
        for (const channel of Object.keys(handlers)) await client.query(`listen "${channel}"`);
        for (const handler of Object.values(handlers)) handler();
        liveness.add(client);
        await lost;
      } catch {
        // The database is away: try again shortly.
      }
      liveness.delete(client);
      await client.end().catch(() => {});
      if (!stopping) await new Promise((r) => setTimeout(r, 1_000).unref());
    }
  }

  async function seedPeriodic(): Promise<void> {
    for (const name of Object.keys(options.periodic ?? {})) {
      const spec = periodicJobSpec(name, new Date(), 'preserve_run_at');
      await pool.query(
        `select graphile_worker.add_job($1::text, '{}'::json, queue_name => $2, run_at => $3, max_attempts => $4::smallint,
                                        job_key => $5, job_key_mode => $6)`,
        [name, spec.queueName, spec.runAt, spec.maxAttempts, spec.jobKey, spec.jobKeyMode],
      );
    }
  }

  const events: WorkerEvents = new EventEmitter() as WorkerEvents;
  events.on('pool:create', ({ workerPool }) => void holdLiveness(workerPool.id));
  // A result the library could not record (the database went away at that moment) stops its pool, and that stop
  // can wait on the same database: start a new pool without waiting for the old one to finish.
  events.on('pool:fatalError', ({ error }) => {
    log.warn({ err: errorMessage(error) }, 'job runner lost the database; starting again');
    startOver();
  });
  let restarting = false;
  function startOver(): void {
    if (stopping || restarting) return;
    restarting = true;
    const old = runner;
    setTimeout(() => {
      void Promise.race([old?.stop().catch(() => {}), new Promise((r) => setTimeout(r, 5_000).unref())]).then(() => {
        restarting = false;
        void restart();
      });
    }, 2_000).unref();
  }

  async function begin(): Promise<void> {
    await seedPeriodic();
    runner = await run({
      pgPool: pool,
      taskList,
      concurrency: options.concurrency,
      noHandleSignals: true,
      logger: quietLogger(log),
      events,
      // NOTIFY starts new jobs at once; the poll only finds jobs whose run time has come (retries, schedules).
      pollInterval: 1_000,
      // Results are recorded in (tiny) batches: unbatched, the library records a job's failure in a promise nobody
      // awaits, and a database outage at that moment became an unhandled rejection. Batched, such an error stops
      // the pool, which is started again below.
      preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    });
    // The library stops its pool after an error it cannot recover from (the database gone for long): start over.
    const current = runner;
    current.promise.then(
      () => undefined,
      (err: unknown) => log.error({ err: errorMessage(err) }, 'job runner stopped'),
    ).finally(() => {
      if (runner === current) startOver();
    });
  }

  async function restart(): Promise<void> {
    if (stopping) return;
    try {
      await begin();
      log.info({ runner: options.name }, 'job runner restarted');
    } catch (err) {
      log.warn({ err: errorMessage(err) }, 'job runner cannot reach the database; retrying');
      setTimeout(() => void restart(), 2_000).unref();
    }
  }

  await begin();
  const sweep = setInterval(() => {
    releaseDeadRunners(pool, log).catch((err: unknown) => log.debug({ err: errorMessage(err) }, 'could not check for dead job runners'));
  }, 5_000);
  sweep.unref();
  void releaseDeadRunners(pool, log).catch(() => {});
  log.info({ runner: options.name, concurrency: options.concurrency, tasks: Object.keys(taskList) }, 'job runner started');

  return {
    async stop() {
      stopping = true;
      stopRequested.abort();
      clearInterval(sweep);
      await runner?.stop().catch(() => {});
      for (const client of liveness) await client.end().catch(() => {});
      await pool.end().catch(() => {});
    },
  };
}

/**
 * Runs every job of `tasks` that is due, one at a time, until none is left, and returns (tests, one-off scripts).
 */
export async function runDueJobsOnce(options: { databaseUrl: string; log: Logger; tasks: TaskList }): Promise<void> {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 3 });
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    await runOnce({ pgPool: pool, taskList: options.tasks, noHandleSignals: true, logger: quietLogger(options.log) });
  } finally {
    await pool.end();
  }
}
