import type Router from '@koa/router';
import { RoomServiceClient } from 'livekit-server-sdk';
import { sql } from 'kysely';
import nodemailer from 'nodemailer';
import { createRecordingStore, recordingKey } from '../../shared/recordings/store.ts';
import type { AppDeps } from '../deps.ts';

// GET /health: which of the API's dependencies answer. 503 when one the API cannot work without is down (Postgres:
// every request; LiveKit: every join); S3 (when recordings go there) and SMTP (when set) are reported, and the API
// keeps serving without them (recordings wait in the worker's spool, e-mails are retried). Each check has its own
// time limit, so a dependency that hangs reads as down instead of hanging the probe. What failed goes to the log;
// the answer says only up or down (the endpoint is unauthenticated, for load balancers and probes).

const checkTimeoutMs = 3_000;
const nilId = '00000000-0000-0000-0000-000000000000';

export type DependencyState = 'up' | 'down' | 'not_configured';

export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  dependencies: Record<
    'postgres' | 'livekit' | 's3' | 'smtp',
    { state: DependencyState; required: boolean; ms?: number }
  >;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function healthChecks(deps: AppDeps) {
  const { config, log } = deps;
  const rooms = new RoomServiceClient(
    config.livekit.url.replace(/^ws/, 'http'),
    config.livekit.apiKey,
    config.livekit.apiSecret,
  );
  const store = config.recordings.store.kind === 's3' ? createRecordingStore(config.recordings.store) : undefined;
  const smtpUrl = config.email.smtpUrl;

  const checks: Record<keyof HealthReport['dependencies'], { required: boolean; run?: () => Promise<unknown> }> = {
    postgres: { required: true, run: () => sql`select 1`.execute(deps.db) },
    // An authenticated call: a LiveKit that answers but rejects our key is as down as one that does not answer.
    livekit: { required: true, run: () => rooms.listRooms([`health-${nilId}`]) },
    // A key that is never written: "not there" is the answer of a bucket that works.
    s3: { required: false, ...(store ? { run: () => store.head(recordingKey(nilId, nilId, 1)) } : {}) },
    smtp: {
      required: false,
      ...(smtpUrl
        ? {
            run: async () => {
              const transport = nodemailer.createTransport({
                url: smtpUrl,
                connectionTimeout: checkTimeoutMs,
                greetingTimeout: checkTimeoutMs,
              });
              try {
                await transport.verify();
              } finally {
                transport.close();
              }
            },
          }
        : {}),
    },
  };

  return async function check(): Promise<HealthReport> {
    const entries = await Promise.all(
      Object.entries(checks).map(async ([name, c]) => {
        if (!c.run) return [name, { state: 'not_configured' as const, required: c.required }] as const;
        const started = Date.now();
        try {
          await withTimeout(c.run(), checkTimeoutMs);
          return [name, { state: 'up' as const, required: c.required, ms: Date.now() - started }] as const;
        } catch (error) {
          log.warn({ err: error, dependency: name }, 'health: dependency down');
          return [name, { state: 'down' as const, required: c.required, ms: Date.now() - started }] as const;
        }
      }),
    );
    const dependencies = Object.fromEntries(entries) as HealthReport['dependencies'];
    const down = Object.values(dependencies).filter((d) => d.state === 'down');
    const status = down.some((d) => d.required) ? 'down' : down.length > 0 ? 'degraded' : 'ok';
    return { status, dependencies };
  };
}

export function mountHealth(router: Router, deps: AppDeps): void {
  const check = healthChecks(deps);
  router.get('/health', async (ctx) => {
    const report = await check();
    ctx.status = report.status === 'down' ? 503 : 200;
    if (report.status === 'down') ctx.set('Retry-After', '5');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = report;
  });
}
