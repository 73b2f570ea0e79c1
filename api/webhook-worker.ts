import { connectDatabase } from '../shared/db/connect.ts';
import { loadConfigOrExit } from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';
import { loadWebhookWorkerConfig } from './config.ts';
import { createDeliveryWorker } from './webhooks/worker.ts';

// The webhook delivery worker as its own process, for deployments that scale it apart from the API (set
// WEBHOOK_WORKER_ENABLED=false on the API then). Any number may run: deliveries are claimed with SKIP LOCKED.

const config = loadConfigOrExit(() => loadWebhookWorkerConfig());
const log = createLogger({ level: config.logLevel, name: 'webhook-worker' });
const database = await connectDatabase({ url: config.database.url, poolSize: config.database.poolSize });
const worker = createDeliveryWorker({ db: database.db, log, settings: config.webhooks });
worker.start();

const shutdown = async (signal: string) => {
  log.info({ signal }, 'webhook worker stopping');
  await worker.stop();
  await database.destroy();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
