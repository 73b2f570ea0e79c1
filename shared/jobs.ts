import { sql, type Kysely } from 'kysely';
import type { Database } from './db/schema.ts';

// Background work runs on graphile-worker (api/jobs/runner.ts). A job is added with the library's own SQL
// function, so it can be added inside any transaction, from any process that has a database connection (the API,
// the agent, the CLI): it exists exactly when the change that calls for it commits, like the webhook outbox, and
// the library's NOTIFY at commit starts it within milliseconds.

/** Every task the runner knows, with its payload. */
export interface JobPayloads {
  'score-interview': { interviewId: string; trigger?: 'interview_completed' | 'llm_configured' };
  /** Webhook delivery: one drain at a time claims every due delivery (api/webhooks/delivery.ts). */
  'drain-webhooks': Record<string, never>;
  'send-email': { emailId: string };
  'generate-plan': { interviewId: string };
  /** A candidate's erasure, run or resumed to the end (api/data-rights/erasure.ts). */
  'erase-candidate': { candidateId: string };
}
export type JobName = keyof JobPayloads;

export interface EnqueueOptions {
  /** One pending job per key: adding another with the same key replaces it (see jobKeyMode). */
  jobKey?: string;
  /**
   * `replace` (default) updates the pending job; `preserve_run_at` keeps its run time; `unsafe_dedupe` adds nothing
   * while a job with the key exists, even one running: at most one job per key at any time.
   */
  jobKeyMode?: 'replace' | 'preserve_run_at' | 'unsafe_dedupe';
  runAt?: Date;
  maxAttempts?: number;
  /** Jobs of one named queue run one at a time across every process. */
  queueName?: string;
}

/** Adds a job in the caller's transaction (or on its own when `db` is not one). */
export async function enqueueJob<T extends JobName>(
  db: Kysely<Database>,
  task: T,
  payload: JobPayloads[T],
  options: EnqueueOptions = {},
): Promise<void> {
  await sql`select graphile_worker.add_job(
      ${task}::text,
      payload => ${JSON.stringify(payload)}::json,
      queue_name => ${options.queueName ?? null}::text,
      run_at => ${options.runAt ?? null}::timestamptz,
      max_attempts => ${options.maxAttempts ?? null}::smallint,
      job_key => ${options.jobKey ?? null}::text,
      job_key_mode => ${options.jobKeyMode ?? 'replace'}::text)`.execute(db);
}

/** Scoring starts when an interview completes: one job per interview, never two at once (two API processes). */
export function enqueueScoring(
  db: Kysely<Database>,
  interviewId: string,
  trigger: JobPayloads['score-interview']['trigger'] = 'interview_completed',
): Promise<void> {
  return enqueueJob(db, 'score-interview', { interviewId, trigger }, {
    jobKey: `score-interview:${interviewId}`,
    jobKeyMode: 'unsafe_dedupe',
    maxAttempts: 10,
  });
}
