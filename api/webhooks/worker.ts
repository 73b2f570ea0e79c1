import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { acquireLease } from '../../shared/db/lease.ts';
import type { Database } from '../../shared/db/schema.ts';
import { recordEvent } from '../../shared/events/outbox.ts';
import type { Logger } from '../../shared/logger.ts';
import type { WebhookSettings } from '../config.ts';
import { pruneWebhookHistory } from './retention.ts';
import { nextRetryDelayMs, parseRetryAfterMs } from './retry.ts';
import { secretBox } from './secret-box.ts';
import { sendWebhook, type SendResult } from './send.ts';
import { signatureHeader } from './signing.ts';

// The delivery worker: claims due deliveries with FOR UPDATE SKIP LOCKED and a lease, sends them, and records
// each attempt. Several workers (in API processes or stand-alone) can run against one database; a worker that
// dies mid-send stops holding its lease and another one picks the delivery up when the lease runs out.
// Delivery is at least once: a crash after the consumer answered but before the result is stored re-sends it,
// with the same webhook-id, which is what consumers dedupe on.

export interface DeliveryWorkerOptions {
  db: Kysely<Database>;
  log: Logger;
  settings: WebhookSettings;
  /**
   * A schedule clock for tests: when given, "due" is judged on it (and retry times are computed from it), so a
   * retry hours away is reached by moving it. Without it, "due" is the database's clock. Leases always use the
   * database's clock, and the signed webhook-timestamp real time: consumers check it against their own clock.
   */
  now?: () => Date;
  random?: () => number;
  holder?: string;
}

interface ClaimedDelivery {
  id: string;
  eventId: string;
  endpointId: string;
  companyId: string;
  attempts: number;
  type: string;
  version: number;
  payload: Record<string, unknown>;
  eventCreatedAt: Date;
  url: string;
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  failingSince: Date | null;
}

export interface DeliveryWorker {
  /** Claims and sends everything due now, waits for the sends, and returns how many it attempted. */
  runOnce(): Promise<number>;
  /** Starts the polling loop. */
  start(): void;
  /** Polls now instead of at the next interval. */
  wake(): void;
  /** Stops claiming and waits for sends in flight to be recorded. */
  stop(): Promise<void>;
}

export function createDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const { db, log, settings } = options;
  const clock = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  const holder = options.holder ?? `${process.pid}-${randomUUID().slice(0, 8)}`;
  const inflight = new Set<Promise<void>>();
  const box = secretBox(settings.secretEncryptionKey);
  let running = false;
  let loopDone: Promise<void> = Promise.resolve();
  let wakeUp: (() => void) | null = null;

  // Sends in flight per endpoint, in this worker. An endpoint at its cap is left out of the next claims, so a slow
  // or hanging consumer (up to the timeout per request) cannot take every slot and starve the others.
  const perEndpoint = new Map<string, number>();

  function claimSize(room: number): number {
    return Math.min(room, settings.endpointConcurrency);
  }

  async function claim(room: number): Promise<ClaimedDelivery[]> {
    const limit = claimSize(room);
    const saturated = [...perEndpoint].filter(([, n]) => n >= settings.endpointConcurrency).map(([id]) => id);
    // Without an injected clock, "due" and leases are judged by the database's clock alone, so workers on hosts
    // whose clocks disagree still agree on both.
    const due = options.now ? clock() : null;
    const result = await sql<ClaimedDelivery>`
      with claimed as (
        update webhook_deliveries d
           set lease_until = now() + make_interval(secs => ${settings.leaseMs / 1_000}), lease_holder = ${holder}, attempts = d.attempts + 1, updated_at = now()
         where d.id in (
           select d2.id
             from webhook_deliveries d2
             join webhook_endpoints e on e.id = d2.endpoint_id
            where d2.status = 'pending'
              and d2.next_attempt_at <= coalesce(${due}::timestamptz, now())
              and (d2.lease_until is null or d2.lease_until < now())
              and e.status = 'enabled'
              and d2.endpoint_id <> all(${saturated}::uuid[])
            order by d2.next_attempt_at
            limit ${limit}
              for update of d2 skip locked)
        returning d.id, d.event_id, d.endpoint_id, d.company_id, d.attempts)
      select c.*, ev.type, ev.version, ev.payload, ev.created_at as event_created_at,
             e.url, e.secret, e.previous_secret, e.previous_secret_expires_at, e.failing_since
        from claimed c
        join webhook_events ev on ev.id = c.event_id
        join webhook_endpoints e on e.id = c.endpoint_id`.execute(db);
    return result.rows;
  }

  async function deliver(d: ClaimedDelivery): Promise<void> {
    const body = JSON.stringify({
      type: d.type,
      version: d.version,
      timestamp: d.eventCreatedAt.toISOString(),
      data: d.payload,
    });
    const sentAt = new Date();
    let signature: string | undefined;
    let result: SendResult;
    try {
      const keys = {
        secret: box.open(d.secret),
        previousSecret: d.previousSecret ? box.open(d.previousSecret) : null,
        previousSecretExpiresAt: d.previousSecretExpiresAt,
      };
      // The rotation grace period is a schedule, like retries: judged on the schedule clock.
      signature = signatureHeader(keys, d.eventId, sentAt, body, clock());
    } catch (err) {
      // A missing or wrong encryption key: nothing is sent unsigned; the attempt fails visibly in the log.
      result = { statusCode: null, durationMs: 0, excerpt: null, retryAfter: undefined, error: errorMessage(err) };
    }
    if (signature) {
      result = await sendWebhook({
        url: d.url,
        body,
        timeoutMs: settings.timeoutMs,
        allowPrivate: settings.allowPrivateUrls,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'ai-interviewer-webhooks/1',
          'webhook-id': d.eventId,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1_000)),
          'webhook-signature': signature,
        },
      });
    }
    // The result must be stored or the delivery is sent again after the lease: retry a brief database outage.
    for (let attempt = 1; ; attempt++) {
      try {
        await record(d, result!);
        return;
      } catch (err) {
        if (attempt >= 5) {
          log.error(
            { deliveryId: d.id, err: errorMessage(err) },
            'webhook attempt could not be recorded; it will be re-sent',
          );
          return;
        }
        await sleep(250 * 2 ** attempt);
      }
    }
  }

  // Successes, the bulk of the work, are written in batches: those finishing in the same turn of the event loop
  // share one statement (their attempts and their deliveries' new state). Each send still awaits its own write.
  interface Success {
    d: ClaimedDelivery;
    r: SendResult;
    at: Date;
    done: (err?: unknown) => void;
  }
  let successQueue: Success[] = [];

  function recordSuccess(item: Omit<Success, 'done'>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (successQueue.length === 0) setImmediate(flushSuccesses);
      successQueue.push({ ...item, done: (err) => (err ? reject(err) : resolve()) });
    });
  }

  async function flushSuccesses(): Promise<void> {
    const batch = successQueue;
    successQueue = [];
    const col = <T>(f: (s: Success) => T) => batch.map(f);
    try {
      await sql`
        with input as (
          select *
            from unnest(${col((s) => s.d.id)}::uuid[], ${col((s) => s.d.endpointId)}::uuid[],
                        ${col((s) => s.d.companyId)}::uuid[], ${col((s) => s.d.attempts)}::int[],
                        ${col((s) => s.r.statusCode)}::int[], ${col((s) => s.r.durationMs)}::int[],
                        ${col((s) => s.r.excerpt)}::text[], ${col((s) => s.at.toISOString())}::timestamptz[])
              as t(id, endpoint_id, company_id, attempt, status_code, duration_ms, excerpt, at)),
        attempts as (
          insert into webhook_attempts
            (delivery_id, endpoint_id, company_id, attempt, outcome, status_code, duration_ms, response_excerpt, created_at)
          select id, endpoint_id, company_id, attempt, 'succeeded', status_code, duration_ms, excerpt, at from input)
        update webhook_deliveries d
           set status = 'succeeded', succeeded_at = i.at, lease_until = null, lease_holder = null,
               last_status_code = i.status_code, last_error = null, updated_at = i.at
          from input i
         where d.id = i.id and d.lease_holder = ${holder} and d.status = 'pending'`.execute(db);
      for (const s of batch) s.done();
    } catch (err) {
      for (const s of batch) s.done(err);
    }
  }

  async function record(d: ClaimedDelivery, r: SendResult): Promise<void> {
    const now = clock();
    const ok = r.statusCode !== null && r.statusCode >= 200 && r.statusCode < 300;
    const attempt = {
      deliveryId: d.id,
      endpointId: d.endpointId,
      companyId: d.companyId,
      attempt: d.attempts,
      outcome: ok ? ('succeeded' as const) : ('failed' as const),
      statusCode: r.statusCode,
      error: r.error,
      durationMs: r.durationMs,
      responseExcerpt: r.excerpt,
      createdAt: now,
    };
    if (ok) {
      await recordSuccess({ d, r, at: now });
      if (d.failingSince) {
        await db.updateTable('webhookEndpoints').set({ failingSince: null }).where('id', '=', d.endpointId).execute();
      }
      log.debug({ deliveryId: d.id, endpointId: d.endpointId, status: r.statusCode }, 'webhook delivered');
      return;
    }
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('webhookAttempts').values(attempt).execute();
      const mine = (q: ReturnType<typeof trx.updateTable<'webhookDeliveries'>>) =>
        q.where('id', '=', d.id).where('leaseHolder', '=', holder).where('status', '=', 'pending');
      let delay = nextRetryDelayMs(d.attempts, random);
      if (delay !== null && (r.statusCode === 429 || r.statusCode === 503)) {
        // Never come back sooner than the consumer asked, nor sooner than our own schedule.
        delay = Math.max(delay, parseRetryAfterMs(r.retryAfter, now) ?? 0);
      }
      await mine(trx.updateTable('webhookDeliveries'))
        .set({
          status: delay === null ? 'exhausted' : 'pending',
          nextAttemptAt: delay === null ? now : new Date(now.getTime() + delay),
          leaseUntil: null,
          leaseHolder: null,
          lastStatusCode: r.statusCode,
          lastError: r.error ?? `HTTP ${r.statusCode}`,
          updatedAt: now,
        })
        .execute();
      const endpoint = await trx
        .updateTable('webhookEndpoints')
        .set({ failingSince: sql<Date>`coalesce(failing_since, ${now})` })
        .where('id', '=', d.endpointId)
        .returning(['failingSince', 'status'])
        .executeTakeFirst();
      log.debug(
        {
          deliveryId: d.id,
          endpointId: d.endpointId,
          status: r.statusCode,
          attempt: d.attempts,
          exhausted: delay === null,
        },
        'webhook attempt failed',
      );
      if (!endpoint || endpoint.status !== 'enabled') return;
      const failingFor = now.getTime() - (endpoint.failingSince?.getTime() ?? now.getTime());
      if (r.statusCode === 410) await disableEndpoint(trx, d, 'gone', endpoint.failingSince, now);
      else if (failingFor >= settings.disableAfterMs)
        await disableEndpoint(trx, d, 'failing', endpoint.failingSince, now);
    });
  }

  async function disableEndpoint(
    trx: Kysely<Database>,
    d: ClaimedDelivery,
    reason: 'gone' | 'failing',
    failingSince: Date | null,
    now: Date,
  ): Promise<void> {
    const disabled = await trx
      .updateTable('webhookEndpoints')
      .set({ status: 'disabled', disabledReason: reason, disabledAt: now, updatedAt: now })
      .where('id', '=', d.endpointId)
      .where('status', '=', 'enabled')
      .returning('id')
      .executeTakeFirst();
    if (!disabled) return;
    await recordEvent(trx, {
      companyId: d.companyId,
      type: 'endpoint.disabled',
      payload: {
        endpointId: d.endpointId,
        reason,
        failingSince: failingSince?.toISOString() ?? null,
        disabledAt: now.toISOString(),
      },
    });
    log.warn({ endpointId: d.endpointId, reason }, 'webhook endpoint disabled');
  }

  function dispatch(d: ClaimedDelivery): void {
    perEndpoint.set(d.endpointId, (perEndpoint.get(d.endpointId) ?? 0) + 1);
    track(
      deliver(d).finally(() => {
        const n = (perEndpoint.get(d.endpointId) ?? 1) - 1;
        if (n <= 0) perEndpoint.delete(d.endpointId);
        else perEndpoint.set(d.endpointId, n);
      }),
    );
  }

  function track(p: Promise<void>): void {
    const tracked = p
      .catch((err) => log.error({ err: errorMessage(err) }, 'webhook delivery crashed'))
      .finally(() => {
        inflight.delete(tracked);
        wakeUp?.();
      });
    inflight.add(tracked);
  }

  async function runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = await claim(settings.concurrency);
      for (const d of batch) dispatch(d);
      await Promise.all(inflight);
      total += batch.length;
      // Sends can make more work due at once (an endpoint.disabled event): stop only when nothing was claimed.
      if (batch.length === 0) return total;
    }
  }

  /** Hourly, one worker among all (the lease decides which) trims history past the retention period. */
  let nextPruneAt = 0;
  async function maybePrune(): Promise<void> {
    if (Date.now() < nextPruneAt) return;
    nextPruneAt = Date.now() + 3_600_000;
    if (!(await acquireLease(db, 'webhook-history-prune', 10 * 60_000, holder))) return;
    const removed = await pruneWebhookHistory(db, { now: clock(), retentionMs: settings.retentionMs });
    if (removed > 0) log.info({ removed }, 'pruned webhook history past retention');
  }

  async function loop(): Promise<void> {
    let failures = 0;
    while (running) {
      let claimed = 0;
      const room = settings.concurrency - inflight.size;
      if (room > 0) {
        try {
          await maybePrune();
          const batch = await claim(room);
          for (const d of batch) dispatch(d);
          claimed = batch.length;
          if (failures > 0) log.info('webhook worker reconnected to the database');
          failures = 0;
        } catch (err) {
          // The database is down or restarting: keep the process alive and try again with a capped backoff.
          failures++;
          if (failures === 1)
            log.warn({ err: errorMessage(err) }, 'webhook worker cannot reach the database; retrying');
          await pause(Math.min(settings.pollIntervalMs * 2 ** failures, 5_000));
          continue;
        }
      }
      // A full batch means more may be due: claim again as soon as there is room; otherwise wait for the interval.
      if (claimed > 0 && claimed === claimSize(room)) {
        if (inflight.size >= settings.concurrency) await pause(settings.pollIntervalMs);
        continue;
      }
      await pause(settings.pollIntervalMs);
    }
    await Promise.all(inflight);
  }

  /** Sleeps until the interval passes, a send finishes (room to claim) or someone calls wake(). */
  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
    });
  }

  return {
    runOnce,
    start() {
      if (running) return;
      running = true;
      loopDone = loop();
      log.info({ holder, concurrency: settings.concurrency }, 'webhook worker started');
    },
    wake() {
      wakeUp?.();
    },
    async stop() {
      running = false;
      wakeUp?.();
      await loopDone;
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
