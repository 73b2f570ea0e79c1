import { sql, type Kysely } from 'kysely';
import type { Database } from '../../shared/db/schema.ts';
import { recordEvent } from '../../shared/events/outbox.ts';
import { enqueueJob } from '../../shared/jobs.ts';
import type { Logger } from '../../shared/logger.ts';
import type { WebhookSettings } from '../config.ts';
import type { PeriodicDefinition, TaskDefinition } from '../jobs/runner.ts';
import { pruneWebhookHistory } from './retention.ts';
import { nextRetryDelayMs, parseRetryAfterMs } from './retry.ts';
import { secretBox } from './secret-box.ts';
import { sendWebhook, type SendResult } from './send.ts';
import { signatureHeader } from './signing.ts';

// Webhook delivery on the job runner: one `deliver-webhook` job per delivery (an event for one endpoint), added in
// the transaction that writes the event (shared/events/outbox.ts), so it starts as soon as that commits. A job sends
// once and records the attempt; a failed attempt schedules the next one on the Standard Webhooks schedule (with
// jitter, never sooner than a 429/503's Retry-After) as a new job in the same transaction as the attempt's record.
// The delivery row stays the source of truth (status, attempts, next attempt, the delivery log): a job finds its
// delivery, checks it is still owed and due, and otherwise does nothing. Delivery is at least once: a process that
// dies after the consumer answered but before the result is stored sends it again (the runner frees its job), with
// the same webhook-id, which is what consumers dedupe on.

export interface DeliveryOptions {
  db: Kysely<Database>;
  log: Logger;
  settings: WebhookSettings;
  /**
   * A schedule clock for tests: "due" and retry times are judged on it, so a retry hours away is reached by moving
   * it. The signed webhook-timestamp is real time: consumers check it against their own clock.
   */
  now?: () => Date;
  random?: () => number;
  /** Called once per attempt actually made (sent, or refused before sending), for tests and benchmarks. */
  onAttempt?: () => void;
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

interface DueDelivery extends ClaimedDelivery {
  status: string;
  endpointStatus: string;
  nextAttemptAt: Date;
}

export const deliveryJobKey = (deliveryId: string) => `webhook-delivery:${deliveryId}`;

/** Schedules the delivery's job at `runAt` (the one pending job for it: an earlier one is replaced). */
export function scheduleDelivery(db: Kysely<Database>, deliveryId: string, runAt: Date): Promise<void> {
  return enqueueJob(db, 'deliver-webhook', { deliveryId }, { jobKey: deliveryJobKey(deliveryId), runAt });
}

/**
 * A job for every pending delivery of `endpointId` (or those given), due at their next attempt: after an endpoint is
 * enabled again, or deliveries are replayed. One statement, in the caller's transaction.
 */
export async function scheduleEndpointDeliveries(
  db: Kysely<Database>,
  filter: { endpointId: string; deliveryIds?: string[] },
): Promise<void> {
  await sql`
    select count(j.*) from webhook_deliveries d,
      lateral graphile_worker.add_job('deliver-webhook', json_build_object('deliveryId', d.id),
                                      run_at => d.next_attempt_at, job_key => 'webhook-delivery:' || d.id) j
     where d.endpoint_id = ${filter.endpointId}::uuid and d.status = 'pending'
       and (${filter.deliveryIds ?? null}::uuid[] is null or d.id = any(${filter.deliveryIds ?? null}::uuid[]))`.execute(db);
}

/** The `deliver-webhook` task and the hourly history trim, for a runner. */
export function webhookJobs(options: DeliveryOptions): {
  tasks: Record<string, TaskDefinition>;
  periodic: Record<string, PeriodicDefinition>;
} {
  const { db, log, settings } = options;
  const clock = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  const box = secretBox(settings.secretEncryptionKey);

  // Sends in flight per endpoint in this process. A job for an endpoint at its cap waits briefly for a place and
  // otherwise steps aside (its job comes back a second later), so a slow or hanging consumer (up to the timeout per
  // request) cannot take every slot of the runner and starve the other endpoints.
  const perEndpoint = new Map<string, number>();
  const waiting = new Map<string, Array<() => void>>();

  async function place(endpointId: string): Promise<boolean> {
    for (const until = Date.now() + 1_000; (perEndpoint.get(endpointId) ?? 0) >= settings.endpointConcurrency; ) {
      const left = until - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        const list = waiting.get(endpointId) ?? [];
        list.push(() => {
          clearTimeout(timer);
          resolve();
        });
        waiting.set(endpointId, list);
      });
    }
    perEndpoint.set(endpointId, (perEndpoint.get(endpointId) ?? 0) + 1);
    return true;
  }

  function leave(endpointId: string): void {
    const n = (perEndpoint.get(endpointId) ?? 1) - 1;
    if (n <= 0) perEndpoint.delete(endpointId);
    else perEndpoint.set(endpointId, n);
    waiting.get(endpointId)?.shift()?.();
  }

  async function load(deliveryId: string): Promise<DueDelivery | undefined> {
    const result = await sql<DueDelivery>`
      select d.id, d.event_id, d.endpoint_id, d.company_id, d.attempts, d.status, d.next_attempt_at,
             ev.type, ev.version, ev.payload, ev.created_at as event_created_at,
             e.url, e.secret, e.previous_secret, e.previous_secret_expires_at, e.failing_since, e.status as endpoint_status
        from webhook_deliveries d
        join webhook_events ev on ev.id = d.event_id
        join webhook_endpoints e on e.id = d.endpoint_id
       where d.id = ${deliveryId}::uuid`.execute(db);
    return result.rows[0];
  }

  async function run(payload: { deliveryId: string }): Promise<void> {
    const found = await load(payload.deliveryId);
    // Delivered, exhausted or gone (retention, a deleted endpoint): nothing is owed. A disabled endpoint's
    // deliveries are held, not dropped: enabling it again schedules them.
    if (!found || found.status !== 'pending' || found.endpointStatus !== 'enabled') return;
    if (found.nextAttemptAt.getTime() > clock().getTime() + 1_000) {
      // An early job (a replaced schedule): the delivery's own next attempt decides.
      await scheduleDelivery(db, found.id, found.nextAttemptAt);
      return;
    }
    if (!(await place(found.endpointId))) {
      await scheduleDelivery(db, found.id, new Date(clock().getTime() + 1_000));
      return;
    }
    try {
      // Counted before sending: a crash mid-send still used an attempt. The count also guards against a second job
      // for the same delivery (a replay meanwhile): only the one that moved it sends.
      const claimed = await db
        .updateTable('webhookDeliveries')
        .set({ attempts: found.attempts + 1, updatedAt: new Date() })
        .where('id', '=', found.id)
        .where('status', '=', 'pending')
        .where('attempts', '=', found.attempts)
        .returning('attempts')
        .executeTakeFirst();
      if (!claimed) return;
      options.onAttempt?.();
      await deliver({ ...found, attempts: claimed.attempts });
    } finally {
      leave(found.endpointId);
    }
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
    // The result must be stored or the delivery is sent again (its job fails and is retried): ride out a brief
    // database outage.
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
          throw err;
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
           set status = 'succeeded', succeeded_at = i.at,
               last_status_code = i.status_code, last_error = null, updated_at = i.at
          from input i
         where d.id = i.id and d.attempts = i.attempt and d.status = 'pending'`.execute(db);
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
        q.where('id', '=', d.id).where('attempts', '=', d.attempts).where('status', '=', 'pending');
      let delay = nextRetryDelayMs(d.attempts, random);
      if (delay !== null && (r.statusCode === 429 || r.statusCode === 503)) {
        // Never come back sooner than the consumer asked, nor sooner than our own schedule.
        delay = Math.max(delay, parseRetryAfterMs(r.retryAfter, now) ?? 0);
      }
      const nextAttemptAt = delay === null ? now : new Date(now.getTime() + delay);
      const updated = await mine(trx.updateTable('webhookDeliveries'))
        .set({
          status: delay === null ? 'exhausted' : 'pending',
          nextAttemptAt,
          lastStatusCode: r.statusCode,
          lastError: r.error ?? `HTTP ${r.statusCode}`,
          updatedAt: now,
        })
        .returning('id')
        .executeTakeFirst();
      // The next attempt is a job of its own, due when the schedule says, written with this attempt's record.
      if (updated && delay !== null) await scheduleDelivery(trx, d.id, nextAttemptAt);
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

  return {
    tasks: {
      // The send has its own timeout; the margin covers recording the attempt.
      'deliver-webhook': { timeoutMs: settings.timeoutMs + 30_000, run },
    },
    periodic: {
      'prune-webhook-history': {
        everyMs: 3_600_000,
        timeoutMs: 10 * 60_000,
        async run() {
          const removed = await pruneWebhookHistory(db, { now: clock(), retentionMs: settings.retentionMs });
          if (removed > 0) log.info({ removed }, 'pruned webhook history past retention');
        },
      },
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
