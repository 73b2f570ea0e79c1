import { timingSafeEqual } from 'node:crypto';
import type Router from '@koa/router';
import type Koa from 'koa';
import { sql } from 'kysely';
import client from 'prom-client';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../http/problem.ts';

// Prometheus metrics of an API process, GET /metrics with `Authorization: Bearer $METRICS_TOKEN` (off, 404, without
// the token: the API's port is public, and the figures say how busy the business is). Two kinds of series:
// - this process's own (joins it answered, Node's runtime): sum them over the API processes;
// - the database's (interviews in progress, the job queue, webhook deliveries, the stored turn metrics): every API
//   process reports the same values, read at scrape time; take one process's, or max() over them.
// The names are listed in docs/deploy.md.

/** Buckets (seconds) for what a candidate waits: the product's targets sit between 0.8 and 1.5 s. */
const latencyBuckets = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3, 4, 6, 10];
const joinBuckets = [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5];
const joinPath = /^\/v1\/public\/(rooms|links)\/[^/]+\/join$/;

export interface ApiMetrics {
  registry: client.Registry;
  /** Times and counts the join endpoints (mounted before the routes). */
  middleware: Koa.Middleware;
  /** GET /metrics. */
  mount(router: Router): void;
}

/**
 * A histogram whose cumulative bucket counts are read from a table at scrape time: the same on every API process,
 * and kept across restarts (a retention purge that removes rows shows as a counter reset, which rate() handles).
 */
function storedHistogram(
  name: string,
  help: string,
  read: () => Promise<{ buckets: number[]; sum: number; count: number }>,
) {
  let last = { buckets: latencyBuckets.map(() => 0), sum: 0, count: 0 };
  return {
    name,
    help,
    type: 'histogram' as const,
    aggregator: 'max' as const,
    async get() {
      // Without the database the scrape still answers: the counts as last read.
      last = await read().catch(() => last);
      const { buckets, sum, count } = last;
      return {
        name,
        help,
        type: 'histogram' as const,
        aggregator: 'max' as const,
        values: [
          ...latencyBuckets.map((le, i) => ({ metricName: `${name}_bucket`, labels: { le }, value: buckets[i]! })),
          { metricName: `${name}_bucket`, labels: { le: '+Inf' }, value: count },
          { metricName: `${name}_sum`, labels: {}, value: sum },
          { metricName: `${name}_count`, labels: {}, value: count },
        ],
      };
    },
    reset() {},
  };
}

export function apiMetrics(deps: AppDeps): ApiMetrics {
  const { db } = deps;
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'interviewer_api_' });

  const joins = new client.Counter({
    name: 'interviewer_joins_total',
    help: 'Candidate joins this process answered, by outcome (admitted, refused: 4xx, failed: 5xx)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const joinSeconds = new client.Histogram({
    name: 'interviewer_join_duration_seconds',
    help: 'Time the join endpoint takes to answer (room, token and agent dispatch), by outcome',
    labelNames: ['outcome'],
    buckets: joinBuckets,
    registers: [registry],
  });

  // The database's figures, read once per scrape (a failed read leaves database_up at 0 and the rest as last read).
  const databaseUp = new client.Gauge({
    name: 'interviewer_database_up',
    help: '1 when the last scrape could read the database',
    registers: [registry],
  });
  const inProgress = new client.Gauge({
    name: 'interviewer_interviews_in_progress',
    help: 'Interviews in progress (database-wide)',
    registers: [registry],
  });
  const queueDepth = new client.Gauge({
    name: 'interviewer_job_queue_depth',
    help: 'Background jobs due and waiting for a runner, by task (database-wide)',
    labelNames: ['task'],
    registers: [registry],
  });
  const jobsRunning = new client.Gauge({
    name: 'interviewer_jobs_running',
    help: 'Background jobs being run, by task (database-wide)',
    labelNames: ['task'],
    registers: [registry],
  });
  const jobsFailed = new client.Gauge({
    name: 'interviewer_jobs_failed',
    help: 'Background jobs whose last attempt failed: retrying (waiting for their next attempt) or parked (no attempts left), by task',
    labelNames: ['task', 'state'],
    registers: [registry],
  });
  const webhookPending = new client.Gauge({
    name: 'interviewer_webhook_deliveries_pending',
    help: 'Webhook deliveries not yet accepted by their endpoint (database-wide)',
    registers: [registry],
  });
  const webhookLag = new client.Gauge({
    name: 'interviewer_webhook_delivery_lag_seconds',
    help: 'Age of the oldest webhook delivery that is due and not yet accepted (0 when none waits)',
    registers: [registry],
  });

  async function readDatabase() {
    const [interviews, jobs, webhooks] = await Promise.all([
      sql<{ n: number }>`select count(*)::int as n from interviews where status = 'in_progress'`.execute(db),
      sql<{ task: string; due: number; running: number; retrying: number; parked: number }>`
        select task_identifier as task,
               count(*) filter (where locked_at is null and run_at <= now() and attempts < max_attempts)::int as due,
               count(*) filter (where locked_at is not null)::int as running,
               count(*) filter (where last_error is not null and attempts < max_attempts)::int as retrying,
               count(*) filter (where attempts >= max_attempts)::int as parked
        from graphile_worker.jobs group by task_identifier`
        .execute(db)
        // Before the first job runner has started, graphile-worker's schema is not there yet: no jobs.
        .catch((error: { code?: string }) => {
          if (error.code === '3F000' || error.code === '42P01') return { rows: [] };
          throw error;
        }),
      sql<{ pending: number; lag: number | null }>`
        select count(*)::int as pending,
               extract(epoch from now() - min(created_at) filter (where next_attempt_at <= now()))::float8 as lag
        from webhook_deliveries where status = 'pending'`.execute(db),
    ]);
    inProgress.set(interviews.rows[0]?.n ?? 0);
    queueDepth.reset();
    jobsRunning.reset();
    jobsFailed.reset();
    for (const j of jobs.rows) {
      queueDepth.set({ task: j.task }, j.due);
      jobsRunning.set({ task: j.task }, j.running);
      jobsFailed.set({ task: j.task, state: 'retrying' }, j.retrying);
      jobsFailed.set({ task: j.task, state: 'parked' }, j.parked);
    }
    webhookPending.set(webhooks.rows[0]?.pending ?? 0);
    webhookLag.set(Math.max(0, webhooks.rows[0]?.lag ?? 0));
  }

  // The stored turn metrics (seconds), as the candidate heard them: one aggregate over the table per scrape.
  const turnHistogram = (column: 'e2e_latency' | 'end_of_turn_delay') => async () => {
    const buckets = latencyBuckets.map((le) => sql`count(*) filter (where ${sql.ref(column)} <= ${le})::int`);
    const { rows } = await sql<{ buckets: number[]; sum: number; count: number }>`
      select array[${sql.join(buckets)}] as buckets, coalesce(sum(${sql.ref(column)}), 0)::float8 as sum,
             count(${sql.ref(column)})::int as count
      from turn_metrics`.execute(db);
    return rows[0]!;
  };
  registry.registerMetric(
    storedHistogram(
      'interviewer_voice_to_voice_seconds',
      'Voice-to-voice: end of the candidate’s speech to the interviewer’s first audio, per stored turn (database-wide)',
      turnHistogram('e2e_latency'),
    ) as unknown as client.Metric,
  );
  registry.registerMetric(
    storedHistogram(
      'interviewer_end_of_turn_seconds',
      'End-of-turn delay: end of the candidate’s speech to the turn being taken as finished, per stored turn (database-wide)',
      turnHistogram('end_of_turn_delay'),
    ) as unknown as client.Metric,
  );

  const token = deps.config.metricsToken;
  const authorised = (header: string | undefined) => {
    if (!token || !header?.startsWith('Bearer ')) return false;
    const given = Buffer.from(header.slice(7));
    const expected = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  return {
    registry,
    async middleware(ctx, next) {
      if (ctx.method !== 'POST' || !joinPath.test(ctx.path)) return next();
      const end = joinSeconds.startTimer();
      let outcome = 'failed';
      try {
        await next();
        outcome = ctx.status < 400 ? 'admitted' : ctx.status < 500 ? 'refused' : 'failed';
      } catch (error) {
        const status = (error as { status?: number }).status ?? 500;
        outcome = status < 500 ? 'refused' : 'failed';
        throw error;
      } finally {
        joins.inc({ outcome });
        end({ outcome });
      }
    },
    mount(router) {
      router.get('/metrics', async (ctx) => {
        if (!token) throw new AppError('not_found');
        if (!authorised(ctx.get('authorization') || undefined)) throw new AppError('unauthorized');
        try {
          await readDatabase();
          databaseUp.set(1);
        } catch (error) {
          // The scrape still answers (the process's own series): the database's figures stay as last read.
          deps.log.warn({ err: error }, 'metrics: the database could not be read');
          databaseUp.set(0);
        }
        const text = await registry.metrics();
        ctx.type = registry.contentType;
        ctx.body = text;
      });
    },
  };
}
