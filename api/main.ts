import type { Server } from 'node:http';
import { connectDatabase } from '../shared/db/connect.ts';
import { migrateToLatest } from '../shared/db/migrate.ts';
import { loadConfigOrExit } from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';
import { createApp } from './app.ts';
import { handlersInFlight } from './http/middleware.ts';
import { loadApiConfig, type ApiConfig } from './config.ts';
import type { AppDeps } from './deps.ts';
import { createLiveKitGateway } from './livekit/gateway.ts';
import { startReconciler } from './livekit/reconciler.ts';
import { startScoringWorker } from './scoring/scoring-worker.ts';
import { createDeliveryWorker } from './webhooks/worker.ts';
import { createEmailWorker } from './email/worker.ts';
import { schedulingMaintenance } from './scheduling/maintenance.ts';

export interface RunningApi {
  deps: AppDeps;
  server: Server;
  url: string;
  stop(): Promise<void>;
}

/** Starts the API with everything it runs in-process: HTTP server, reconciler, scoring and webhook workers. */
export async function startApi(config: ApiConfig): Promise<RunningApi> {
  const log = createLogger({ level: config.logLevel, name: 'api' });
  const database = await connectDatabase({ url: config.database.url, poolSize: config.database.poolSize });
  if (config.database.migrateOnStart) {
    const { results } = await migrateToLatest(database.db);
    for (const r of results ?? []) log.info({ migration: r.migrationName, status: r.status }, 'migration');
  }
  const deps: AppDeps = {
    db: database.db,
    config,
    log,
    livekit: createLiveKitGateway(config.livekit),
    now: () => new Date(),
  };
  const handlers = handlersInFlight();
  const app = createApp(deps, { inFlight: handlers.middleware });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
  });
  // Keep-alive longer than typical proxies' idle timeouts, so a proxy never reuses a socket we just closed.
  server.keepAliveTimeout = 65_000;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host}:${port}`;
  const reconciler = startReconciler(deps);
  const scoring = startScoringWorker({ db: deps.db, log, now: deps.now, scoring: config.scoring }, config.scoring.intervalMs);
  // Off when the delivery worker runs as its own process (api/webhook-worker.ts).
  const webhookWorker = config.webhooks.workerEnabled
    ? createDeliveryWorker({ db: deps.db, log, settings: config.webhooks })
    : undefined;
  webhookWorker?.start();
  // E-mails and reminders from the Postgres queue; its loop also runs the scheduling chores (horizon, conflicts).
  const emailWorker = config.email.workerEnabled
    ? createEmailWorker({ db: deps.db, log, settings: config.email, now: deps.now, maintenance: schedulingMaintenance(deps) })
    : undefined;
  emailWorker?.start();
  if (!config.email.smtpUrl) log.info('SMTP_URL is not set: e-mails go to the local outbox (GET /v1/email/messages)');
  log.info({ url }, 'api listening');
  return {
    deps,
    server,
    url,
    async stop() {
      await reconciler.stop();
      await scoring.stop();
      await webhookWorker?.stop();
      await emailWorker?.stop();
      // Stop accepting, let in-flight requests finish (10 s at most), then close the database they use — also for
      // handlers whose client already hung up, which the server no longer waits for.
      const deadline = Date.now() + 10_000;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.race([closed, new Promise((r) => setTimeout(r, 10_000).unref())]);
      server.closeAllConnections();
      await handlers.drained(Math.max(0, deadline - Date.now()));
      await database.destroy();
    },
  };
}

if (import.meta.main) {
  const config = loadConfigOrExit(() => loadApiConfig());
  const api = await startApi(config);
  const shutdown = async (signal: string) => {
    api.deps.log.info({ signal }, 'shutting down');
    await api.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}
