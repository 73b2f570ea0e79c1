// Running the job runner's tasks in tests, on the test's schedule clock: tests move a clock to reach a retry hours
// away or a reminder a day ahead, while the runner judges "due" by the database's clock. `runOnce` first makes due
// (reschedules to now, with the library's own reschedule_jobs) the jobs of these tasks whose run time has come on the
// test's clock, then runs every due job one at a time until none is left (the library's runOnce), and returns how
// many units of work the tasks reported. `start` runs them the way the API does, in real time.
import { sql, type Kysely } from 'kysely';
import { buildTaskList, runDueJobsOnce, startJobRunner, type JobRunner, type TaskDefinition } from '../../api/jobs/runner.ts';
import type { Database } from '../../shared/db/schema.ts';
import type { Logger } from '../../shared/logger.ts';

export interface TestJobWorker {
  /** Runs what is due on the test's clock; resolves with the count the tasks reported through `count`. */
  runOnce(): Promise<number>;
  start(options?: { concurrency?: number; notifications?: Record<string, () => void> }): void;
  stop(): Promise<void>;
}

export function testJobWorker(options: {
  db: Kysely<Database>;
  databaseUrl: string;
  log: Logger;
  now: () => Date;
  /** The tasks, built with a `count` callback they call once per unit of work (an attempt, a message). */
  tasks: (count: () => void) => Record<string, TaskDefinition>;
}): TestJobWorker {
  let counted = 0;
  const tasks = options.tasks(() => counted++);
  const names = Object.keys(tasks);
  let runner: Promise<JobRunner> | undefined;
  return {
    async runOnce() {
      counted = 0;
      await sql`select graphile_worker.reschedule_jobs(
          array(select id from graphile_worker.jobs
                 where locked_at is null and task_identifier = any(${names}::text[])
                   and run_at > now() and run_at <= ${options.now()}::timestamptz),
          run_at => now())`.execute(options.db);
      await runDueJobsOnce({ databaseUrl: options.databaseUrl, log: options.log, tasks: buildTaskList(options.log, tasks) });
      return counted;
    },
    start({ concurrency = 4, notifications } = {}) {
      runner = startJobRunner({ databaseUrl: options.databaseUrl, log: options.log, name: 'test', concurrency, tasks, notifications });
    },
    async stop() {
      await (await runner)?.stop();
    },
  };
}
