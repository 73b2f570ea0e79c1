import { connectDatabase } from '../shared/db/connect.ts';
import { loadConfigOrExit } from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';
import { surviveDatabaseOutages } from '../shared/process-guards.ts';
import { loadWebhookWorkerConfig } from './config.ts';
import { startJobRunner } from './jobs/runner.ts';
import { deliveryRunnerConcurrency, webhookJobs } from './webhooks/delivery.ts';

// Webhook delivery as its own process, for deployments that scale it apart from the API (set
// WEBHOOK_WORKER_ENABLED=false on the API then): a job runner with the delivery tasks alone. Any number may run:
// the runner hands each job to one of them.

const config = loadConfigOrExit(() => loadWebhookWorkerConfig());
const log = createLogger({ level: config.logLevel, name: 'webhook-worker' });
surviveDatabaseOutages(log);
const database = await connectDatabase({ url: config.database.url, poolSize: config.database.poolSize });
const jobs = webhookJobs({ db: database.db, log, settings: config.webhooks });
const runner = await startJobRunner({
  databaseUrl: config.database.url,
  log,
  name: 'webhook worker',
  concurrency: deliveryRunnerConcurrency,
  tasks: jobs.tasks,
  periodic: jobs.periodic,
  notifications: jobs.notifications,
});
log.info({ concurrency: config.webhooks.concurrency }, 'webhook worker started');

const shutdown = async (signal: string) => {
  log.info({ signal }, 'webhook worker stopping');
  await runner.stop();
  await database.destroy();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
