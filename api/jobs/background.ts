import { eraseCandidateTask } from '../data-rights/erasure.ts';
import { dataRetention } from '../data-rights/retention.ts';
import type { AppDeps } from '../deps.ts';
import { emailJobs } from '../email/sender.ts';
import { generatePlanTask } from '../interviews/create-interview.ts';
import { reconcilePeriodic } from '../livekit/reconciler.ts';
import { recordingRetention } from '../recordings/retention.ts';
import { schedulingChores } from '../scheduling/maintenance.ts';
import { scoreInterviewTask, scoringBacklog } from '../scoring/scoring-jobs.ts';
import { deliveryRunnerConcurrency, webhookJobs } from '../webhooks/delivery.ts';
import { startJobRunner, type JobRunner, type PeriodicDefinition, type TaskDefinition } from './runner.ts';

// What the API process runs in the background, on the job runner (api/jobs/runner.ts). Two runners share the
// database: one for webhook delivery (many short sends at once, WEBHOOK_CONCURRENCY) and one for the rest (scoring,
// plans, e-mail, the reconciler and the scheduling chores, JOBS_CONCURRENCY), so a burst of deliveries never waits
// behind a model call, nor the other way round.

export interface BackgroundWork {
  stop(): Promise<void>;
}

/** Every task and periodic job of the API process but webhook delivery. */
export function apiJobs(deps: AppDeps): {
  tasks: Record<string, TaskDefinition>;
  periodic: Record<string, PeriodicDefinition>;
  close(): void;
} {
  const { db, log, now, config } = deps;
  const scoringDeps = { db, log, now, scoring: config.scoring };
  const email = config.email.workerEnabled ? emailJobs({ db, log, settings: config.email, now }) : undefined;
  return {
    tasks: {
      'score-interview': scoreInterviewTask(scoringDeps),
      'generate-plan': generatePlanTask(deps),
      'erase-candidate': eraseCandidateTask(deps),
      ...email?.tasks,
    },
    periodic: {
      reconcile: reconcilePeriodic(deps),
      'score-backlog': scoringBacklog(scoringDeps),
      ...recordingRetention(deps),
      ...dataRetention(deps),
      ...(config.email.workerEnabled ? schedulingChores(deps) : {}),
    },
    close: () => email?.close(),
  };
}

export async function startBackgroundWork(deps: AppDeps): Promise<BackgroundWork> {
  const { config, log } = deps;
  const runners: JobRunner[] = [];
  const jobs = apiJobs(deps);
  runners.push(
    await startJobRunner({
      databaseUrl: config.database.url,
      log,
      name: 'api jobs',
      concurrency: config.jobs.concurrency,
      tasks: jobs.tasks,
      periodic: jobs.periodic,
    }),
  );
  // Off when delivery runs as its own process (api/webhook-worker.ts).
  if (config.webhooks.workerEnabled) {
    const webhooks = webhookJobs({ db: deps.db, log, settings: config.webhooks });
    runners.push(
      await startJobRunner({
        databaseUrl: config.database.url,
        log,
        name: 'webhook delivery',
        concurrency: deliveryRunnerConcurrency,
        tasks: webhooks.tasks,
        periodic: webhooks.periodic,
        notifications: webhooks.notifications,
      }),
    );
  }
  return {
    async stop() {
      await Promise.all(runners.map((r) => r.stop()));
      jobs.close();
    },
  };
}
