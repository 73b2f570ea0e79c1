// Test support for the webhook tests: a real consumer that verifies every delivery with the standardwebhooks
// library, an API wired to a per-file database with a movable schedule clock, and a log sink to inspect.
import { once } from 'node:events';
import http, { type IncomingHttpHeaders, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { Webhook } from 'standardwebhooks';
import { createApp } from '../../api/app.ts';
import { loadApiConfig, type WebhookSettings } from '../../api/config.ts';
import type { AppDeps } from '../../api/deps.ts';
import { createLiveKitGateway } from '../../api/livekit/gateway.ts';
import { deliveryRunnerConcurrency, webhookJobs } from '../../api/webhooks/delivery.ts';
import { createLogger } from '../../shared/logger.ts';
import { createTestDatabase, testEnv } from '../support/harness.ts';
import { testJobWorker } from '../support/jobs.ts';

export interface ReceivedDelivery {
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: number;
  /** What the standardwebhooks verifier returned for this request with the consumer's secret(s), or its error. */
  verified: { ok: true; payload: any } | { ok: false; error: string };
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (the sender must time out). */
  hang?: boolean;
}

/** A webhook consumer on a real socket. `reply` decides each answer; every request is verified and kept. */
export type ReplyFn = (n: number, d: ReceivedDelivery) => Reply;

export async function startConsumer(options: { reply?: ReplyFn } = {}) {
  const received: ReceivedDelivery[] = [];
  let secrets: string[] = [];
  let reply: (n: number, d: ReceivedDelivery) => Reply = options.reply ?? (() => ({ status: 204 }));
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const hanging = new Set<http.ServerResponse>();
  const server: Server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const delivery: ReceivedDelivery = {
        headers: req.headers,
        body,
        receivedAt: Date.now(),
        verified: verify(body, req.headers),
      };
      received.push(delivery);
      const r = reply(received.length, delivery);
      for (const w of waiters.filter((w) => received.length >= w.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      if (r.hang) {
        hanging.add(res);
        return;
      }
      res.writeHead(r.status ?? 204, r.headers ?? {});
      res.end(r.body ?? '');
    });
  });
  function verify(body: string, headers: IncomingHttpHeaders): ReceivedDelivery['verified'] {
    const errors: string[] = [];
    for (const secret of secrets) {
      try {
        return { ok: true, payload: new Webhook(secret).verify(body, headers as Record<string, string>) };
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    return { ok: false, error: errors.join('; ') || 'no secret set' };
  }
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    received,
    /** The secrets the consumer verifies with (any one may match). */
    setSecrets(list: string[]) {
      secrets = list;
    },
    setReply(fn: (n: number, d: ReceivedDelivery) => Reply) {
      reply = fn;
    },
    verify,
    /** Resolves once `n` requests in all have arrived (readiness by event, not by sleeping). */
    waitFor(n: number, timeoutMs = 30_000): Promise<void> {
      if (received.length >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`consumer got ${received.length} of ${n} requests`)),
          timeoutMs,
        );
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    releaseHanging() {
      for (const res of hanging) res.destroy();
      hanging.clear();
    },
    async stop() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export type Consumer = Awaited<ReturnType<typeof startConsumer>>;

/** A log destination that keeps every line, so tests can check what the API and worker wrote. */
export function logSink() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => lines.join('') };
}

/**
 * The real app on a real socket, like the shared harness, plus: a schedule clock the tests move, a log sink at
 * debug level, and delivery workers built on the same database.
 */
export async function startWebhookApi(env: Record<string, string> = {}) {
  const database = await createTestDatabase();
  const config = loadApiConfig(testEnv({ DATABASE_URL: database.url, ...env }));
  const sink = logSink();
  const log = createLogger({ level: 'debug', name: 'webhook-test' }, sink.stream);
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  const deps: AppDeps = { db: database.db, config, log, livekit: createLiveKitGateway(config.livekit), now };
  const server = createApp(deps).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    db: database.db,
    dbUrl: database.url,
    deps,
    config,
    logs: sink.text,
    now,
    /** Moves the schedule clock forward: retries hours away become due without waiting for them. */
    advance(ms: number) {
      offsetMs += ms;
    },
    /**
     * The delivery task on the job runner, with no jitter (random 0.5 gives the nominal delay) unless the test passes
     * its own. `runOnce()` runs what is due on the schedule clock and resolves with the attempts made; `start()` runs
     * it as the API does.
     */
    worker(overrides: Partial<WebhookSettings> = {}, random: () => number = () => 0.5, lockWaitMs?: number) {
      const settings = { ...config.webhooks, ...overrides };
      let jobs: ReturnType<typeof webhookJobs> | undefined;
      const worker = testJobWorker({
        db: database.db,
        databaseUrl: database.url,
        log,
        now,
        tasks: (onAttempt) =>
          (jobs = webhookJobs({ db: database.db, log, settings, now, random, onAttempt, lockWaitMs })).tasks,
      });
      return {
        ...worker,
        // Nothing listens for the outbox's notification here: ask for a drain, as the runner's listener would.
        runOnce: async () => {
          await jobs!.kick();
          return worker.runOnce();
        },
        start: () => worker.start({ concurrency: deliveryRunnerConcurrency, notifications: jobs!.notifications }),
      };
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await database.destroy();
    },
  };
}

export type WebhookApi = Awaited<ReturnType<typeof startWebhookApi>>;
