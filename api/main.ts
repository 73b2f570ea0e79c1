import type { Server } from 'node:http';
import { connectDatabase } from '../shared/db/connect.ts';
import { migrateToLatest } from '../shared/db/migrate.ts';
import { loadConfigOrExit } from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';
import { surviveDatabaseOutages } from '../shared/process-guards.ts';
import { createApp } from './app.ts';
import { handlersInFlight } from './http/middleware.ts';
import { loadApiConfig, type ApiConfig } from './config.ts';
import type { AppDeps } from './deps.ts';
import { createLiveKitGateway } from './livekit/gateway.ts';
import { startBackgroundWork } from './jobs/background.ts';

export interface RunningApi {
  deps: AppDeps;
  server: Server;
  url: string;
  stop(): Promise<void>;
}

/** Starts the API with everything it runs in-process: the HTTP server and the job runners (api/jobs/background.ts). */
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
  // Scoring, plans, e-mail, webhook delivery, the reconciler and the scheduling chores.
  const background = await startBackgroundWork(deps);
  if (!config.email.smtpUrl) log.info('SMTP_URL is not set: e-mails go to the local outbox (GET /v1/email/messages)');
  log.info({ url }, 'api listening');
  return {
    deps,
    server,
    url,
    async stop() {
      // Running jobs finish (or are released for another process) before the database they use closes.
      await background.stop();
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
  surviveDatabaseOutages(api.deps.log);
  const shutdown = async (signal: string) => {
    api.deps.log.info({ signal }, 'shutting down');
    await api.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}
