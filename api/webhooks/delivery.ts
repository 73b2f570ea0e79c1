import { sql, type Kysely } from 'kysely';
import type { Database } from '../../shared/db/schema.ts';
import { deliveryChannel, drainLockSpace, lookoutLock, pollingLock, recordEvent } from '../../shared/events/outbox.ts';
import type { Logger } from '../../shared/logger.ts';
import type { WebhookSettings } from '../config.ts';
import type { JobContext, PeriodicDefinition, TaskDefinition } from '../jobs/runner.ts';
import { pruneWebhookHistory } from './retention.ts';
import { nextRetryDelayMs, parseRetryAfterMs } from './retry.ts';
import { secretBox } from './secret-box.ts';
import { sendWebhook, type SendResult } from './send.ts';
import { signatureHeader } from './signing.ts';

// Webhook delivery on the job runner: one `drain-webhooks` job, never two at once across every process (a named
// queue of its own) and at most one waiting (a job key), claims due deliveries in batches (oldest next attempt first,
// an endpoint at its per-process cap left out), sends them WEBHOOK_CONCURRENCY at a time and records the results
// (successes in batches). It keeps claiming while there is work and lingers briefly for more, then adds its own next
// run: when the next retry is due, and at most a few seconds away, so nothing waits on a lost notification.
// The outbox writes no job per delivery (that cut the write rate to a quarter): the transaction that records an
// event only NOTIFYs `webhook_deliveries` at commit; each process running delivery LISTENs, wakes its drainer if it
// is running one and otherwise adds the drain job (once per burst: not while one is already waiting).
// Once a drain finds work it polls instead (a claim at most every 10 ms while it has room), and says so with an
// advisory lock that makes the writers skip their NOTIFY, which costs them a serialised commit each. When polling
// finds nothing for a moment it lets go, waits for the writers that saw the lock (lookoutLock, shared/events/outbox.ts)
// and looks once more: nothing written meanwhile is left to the safety net.
// The delivery row is the source of truth (status, attempts, next attempt on the Standard Webhooks schedule, the
// delivery log). Delivery is at least once: a process that dies after the consumer answered but before the result
// is stored sends it again (the runner frees its drain job, which claims the still-pending delivery again), with the
// same webhook-id, which is what consumers dedupe on.

export const drainJobKey = 'drain-webhooks';
/**
 * Jobs a delivery runner runs at once: the drain (one at a time across every process) and the hourly history trim.
 * Sends are the drain's own concurrency (WEBHOOK_CONCURRENCY), not the runner's: every runner slot more is a library
 * worker asking Postgres for a job each second for nothing.
 */
export const deliveryRunnerConcurrency = 2;
const drainQueue = 'webhook-drain';
/** Longest a drain job runs before handing over to its next run (which may be another process's). */
const drainBudgetMs = 20_000;
/** A drain run with nothing to do waits this long for a notification before it ends. */
const lingerMs = 500;
/**
 * Claims prompted by notifications come at most this often: during a burst of events each claim then takes the
 * several that arrived meanwhile, instead of one statement per event competing with the writers for the database.
 */
const claimGapMs = 10;
/**
 * Successes are recorded at most this often (in one statement each time), so a burst costs a statement per several
 * deliveries; a lone success is recorded at once.
 */
const recordGapMs = 10;
/** A polling drain that has found nothing for this long goes back to waiting for notifications. */
const pollIdleMs = 50;
/**
 * Longest a drain waits for the polling lock (writers still committing with a NOTIFY hold it shared) or for the
 * writers that saw it: past it, it polls without the lock (the writers notify) or looks later (the next second's
 * look, the safety net) rather than stall its end behind one long transaction.
 */
const defaultLockWaitMs = 1_000;
/** Longest between drain runs whatever happens: the safety net for a lost notification. */
const safetyMs = 3_000;

/**
 * Adds the drain job at `runAt` (now by default), unless one is already waiting that runs no later. One statement,
 * usable in the caller's transaction.
 */
export async function requestDrain(db: Kysely<Database>, runAt?: Date): Promise<void> {
  await sql`
    select graphile_worker.add_job(${drainJobKey}::text, '{}'::json, queue_name => ${drainQueue}::text,
                                   run_at => ${runAt ?? null}::timestamptz, max_attempts => 25::smallint,
                                   job_key => ${drainJobKey}::text, job_key_mode => 'replace')
     where not exists (
       select 1 from graphile_worker._private_jobs j
        where j.key = ${drainJobKey} and j.locked_at is null
          and j.run_at <= coalesce(${runAt ?? null}::timestamptz, now()))`.execute(db);
}

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
  /** How long the drain waits for its advisory locks; a test that holds them longer than a moment raises it. */
  lockWaitMs?: number;
}

interface ClaimedDelivery {
  id: string;
  eventId: string;
  endpointId: string;
  companyId: string;
  attempts: number;
  nextAttemptAt: Date;
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

/** The `drain-webhooks` task, the hook that starts it on a notification, and the hourly history trim, for a runner. */
export function webhookJobs(options: DeliveryOptions): {
  tasks: Record<string, TaskDefinition>;
  periodic: Record<string, PeriodicDefinition>;
  /** For the runner to LISTEN on: called on each notification, and once whenever its listening session (re)starts. */
  notifications: Record<string, () => void>;
  /** Makes sure a drain runs now (as a notification would). */
  kick(): Promise<void>;
} {
  const { db, log, settings } = options;
  const clock = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  const box = secretBox(settings.secretEncryptionKey);
  const lockWaitMs = options.lockWaitMs ?? defaultLockWaitMs;

  // Claimed deliveries live here until their result is recorded. Only one drain runs at a time, so these are exactly
  // the claimed ones: a claim leaves them out, and no lease on the row is needed.
  // - `queue`: claimed ahead of the send slots (at most `prefetch`), oldest due first, so a slot that frees takes its
  //   next delivery at once instead of waiting for a claim's round trip;
  // - sending: at most WEBHOOK_CONCURRENCY, and at most WEBHOOK_ENDPOINT_CONCURRENCY to one endpoint, so a slow or
  //   hanging consumer (up to the timeout per request) cannot take every slot and starve the others;
  // - recording: the send is over and its slot already free; the result is being written.
  // Each endpoint holds (queued + sending) at most its cap plus the prefetch: a slow one left with a full queue still
  // leaves room for every other endpoint's share of the slots.
  const prefetch = settings.concurrency;
  const capacity = settings.concurrency + prefetch;
  const heldLimit = settings.endpointConcurrency + prefetch;
  let queue: ClaimedDelivery[] = [];
  let sending = 0;
  const sendingTo = new Map<string, number>();
  const heldFor = new Map<string, number>();
  const claimed = new Set<string>();
  const unsettled = new Set<Promise<void>>();
  let draining = false;
  let wakeUp: (() => void) | null = null;
  let woken = false;
  /** A claim may find something new: a notification came, the last claim was full, or time passed. */
  let moreDue = true;
  /** Set while polling: lets go of the polling lock. */
  let letGoPolling: (() => Promise<void>) | null = null;
  /** Set while polling stops: resolves once a look will see everything the writers wrote meanwhile. */
  let lookout: Promise<void> | null = null;

  function wake(): void {
    woken = true;
    wakeUp?.();
  }

  /** Sleeps until `ms` pass, a send finishes or a notification arrives; true when woken. */
  function pause(ms: number): Promise<boolean> {
    if (woken) {
      woken = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), ms);
      function done(w: boolean) {
        clearTimeout(timer);
        wakeUp = null;
        woken = false;
        resolve(w);
      }
      wakeUp = () => done(true);
    });
  }

  function count(map: Map<string, number>, key: string, by: number): void {
    const n = (map.get(key) ?? 0) + by;
    if (n <= 0) map.delete(key);
    else map.set(key, n);
  }

  async function claim(limit: number): Promise<ClaimedDelivery[]> {
    const saturated = [...heldFor].filter(([, n]) => n >= heldLimit).map(([id]) => id);
    // Counted as they are claimed: a crash mid-send still used an attempt. (A drain that ends with some still queued
    // hands them back: release.)
    const result = await sql<ClaimedDelivery>`
      with claimed as (
        update webhook_deliveries d
           set attempts = d.attempts + 1, updated_at = now()
         where d.id in (
           select d2.id
             from webhook_deliveries d2
             join webhook_endpoints e on e.id = d2.endpoint_id
            where d2.status = 'pending'
              and d2.next_attempt_at <= ${clock()}::timestamptz
              and e.status = 'enabled'
              and d2.endpoint_id <> all(${saturated}::uuid[])
              and d2.id <> all(${[...claimed]}::uuid[])
            order by d2.next_attempt_at
            limit ${limit}
              for update of d2 skip locked)
        returning d.id, d.event_id, d.endpoint_id, d.company_id, d.attempts, d.next_attempt_at)
      select c.*, ev.type, ev.version, ev.payload, ev.created_at as event_created_at,
             e.url, e.secret, e.previous_secret, e.previous_secret_expires_at, e.failing_since
        from claimed c
        join webhook_events ev on ev.id = c.event_id
        join webhook_endpoints e on e.id = c.endpoint_id
       order by c.next_attempt_at`.execute(db);
    for (const d of result.rows) {
      claimed.add(d.id);
      count(heldFor, d.endpointId, 1);
      queue.push(d);
    }
    return result.rows;
  }

  /**
   * How many to claim now: up to the room left, and no more than any endpoint already held could still take (the
   * oldest due may all be its own), so no endpoint ever holds more than its limit. 0 while the queue is well stocked.
   */
  function claimSize(): number {
    if (queue.length > prefetch / 2) return 0;
    let size = Math.min(capacity - sending - queue.length, heldLimit);
    for (const n of heldFor.values()) if (n < heldLimit) size = Math.min(size, heldLimit - n);
    return Math.max(size, 0);
  }

  /** Starts sends from the queue while there are free slots, skipping deliveries whose endpoint is at its cap. */
  function pump(): void {
    if (queue.length === 0 || sending >= settings.concurrency) return;
    const rest: ClaimedDelivery[] = [];
    for (const d of queue) {
      if (sending < settings.concurrency && (sendingTo.get(d.endpointId) ?? 0) < settings.endpointConcurrency) start(d);
      else rest.push(d);
    }
    queue = rest;
  }

  function start(d: ClaimedDelivery): void {
    sending++;
    count(sendingTo, d.endpointId, 1);
    options.onAttempt?.();
    const work = (async () => {
      let result: SendResult;
      try {
        result = await attempt(d);
      } finally {
        sending--;
        count(sendingTo, d.endpointId, -1);
        count(heldFor, d.endpointId, -1);
        pump();
        wake();
      }
      await recordWithRetries(d, result);
    })()
      .catch((err: unknown) => log.error({ deliveryId: d.id, err: errorMessage(err) }, 'webhook delivery crashed'))
      .finally(() => {
        claimed.delete(d.id);
        unsettled.delete(work);
        wake();
      });
    unsettled.add(work);
  }

  /**
   * Hands queued deliveries back unsent (the attempt their claim counted is returned), for the next run to claim.
   * Whatever cannot be handed back (the database is away) keeps that attempt counted, as a crash would.
   */
  async function release(): Promise<void> {
    const back = queue;
    queue = [];
    for (const d of back) {
      claimed.delete(d.id);
      count(heldFor, d.endpointId, -1);
    }
    if (back.length === 0) return;
    await sql`
      update webhook_deliveries d
         set attempts = d.attempts - 1
        from unnest(${back.map((d) => d.id)}::uuid[], ${back.map((d) => d.attempts)}::int[]) as u(id, attempts)
       where d.id = u.id and d.attempts = u.attempts and d.status = 'pending'`
      .execute(db)
      .catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'could not hand back queued webhook deliveries'));
  }

  /** When the next pending delivery of an enabled endpoint is due, on the schedule clock. */
  async function nextDue(): Promise<Date | undefined> {
    const row = await sql<{ at: Date | null }>`
      select min(d.next_attempt_at) as at
        from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
       where d.status = 'pending' and e.status = 'enabled'`.execute(db);
    return row.rows[0]?.at ?? undefined;
  }

  /**
   * Holds the polling lock on a session of its own (asking for it already makes the writers' tries fail) until the
   * returned function is called; resolves that function once it is let go.
   */
  function holdPollingLock(): () => Promise<void> {
    let letGo!: () => void;
    const lettingGo = new Promise<void>((r) => (letGo = r));
    const session = db
      .connection()
      .execute(async (conn) => {
        let held = false;
        try {
          // Waits for the writers that notify to commit; a long transaction among them is not waited out.
          await sql`do $$ begin
                      perform set_config('lock_timeout', '${sql.raw(String(lockWaitMs))}', true);
                      perform pg_advisory_lock(${sql.raw(`${drainLockSpace}, ${pollingLock}`)});
                    end $$`.execute(conn);
          held = true;
        } catch (err) {
          log.debug({ err: errorMessage(err) }, 'webhook drain polls without its lock; writers keep notifying');
        }
        await lettingGo;
        if (held) await sql`select pg_advisory_unlock(${drainLockSpace}::int, ${pollingLock}::int)`.execute(conn);
      })
      .catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'webhook drain polling lock failed'));
    return () => {
      letGo();
      return session;
    };
  }

  function startPolling(): void {
    if (letGoPolling || lookout) return;
    letGoPolling = holdPollingLock();
  }

  /**
   * Stops polling: lets go of the lock, then waits for every writer that saw it (they hold lookoutLock shared to
   * their commit, and took it before looking), so the look that follows sees their events. Writers from then on
   * notify. Resolves when that look may run.
   */
  function stopPolling(): Promise<void> {
    const letGo = letGoPolling;
    if (!letGo) return lookout ?? Promise.resolve();
    letGoPolling = null;
    lookout = (async () => {
      await letGo();
      try {
        await sql`do $$ begin
                    perform set_config('lock_timeout', '${sql.raw(String(lockWaitMs))}', true);
                    perform pg_advisory_xact_lock(${sql.raw(`${drainLockSpace}, ${lookoutLock}`)});
                  end $$`.execute(db);
      } catch (err) {
        // A writer still in its transaction: its event is found by a later look (each second, or the safety net).
        log.debug({ err: errorMessage(err) }, 'webhook drain did not wait for every writer');
      }
      moreDue = true;
      wake();
    })().finally(() => {
      lookout = null;
    });
    return lookout;
  }

  async function drain(signal: AbortSignal, stopping: AbortSignal): Promise<void> {
    const until = Date.now() + drainBudgetMs;
    let lastClaimAt = 0;
    let full = false;
    let lastFoundAt = 0;
    draining = true;
    woken = false;
    moreDue = true;
    stopping.addEventListener('abort', wake, { once: true });
    try {
      while (!stopping.aborted && Date.now() < until) {
        // Polling: the writers do not notify, so there may be something new at every gap.
        if (letGoPolling) moreDue = true;
        const size = moreDue ? claimSize() : 0;
        if (size > 0) {
          if (!full) {
            const wait = lastClaimAt + claimGapMs - Date.now();
            if (wait > 0) await sleep(wait);
          }
          // A notification during the claim sets it again; a full claim means more may be due now.
          moreDue = false;
          lastClaimAt = Date.now();
          // Sends may have finished while it waited: room only grows.
          const n = Math.max(claimSize(), size);
          const batch = await claim(n);
          pump();
          full = batch.length === n;
          if (full) moreDue = true;
          if (batch.length > 0) {
            lastFoundAt = Date.now();
            startPolling();
          } else if (letGoPolling && Date.now() - lastFoundAt >= pollIdleMs) void stopPolling();
          continue;
        }
        // Busy, or nothing more due yet: look again when a send finishes, a notification comes or a second passes
        // (a retry may have come due).
        if (unsettled.size > 0 || queue.length > 0) {
          if (!(await pause(1_000))) moreDue = true;
          continue;
        }
        // Lingering is for a process that hears notifications (a runner listening); tests running jobs once do not.
        if (listening && (await pause(lingerMs))) continue;
        // Ending: from here a notification adds the next run instead of waking this one, and whatever committed
        // before is seen by this last look.
        draining = false;
        await stopPolling();
        const last = await claim(claimSize());
        if (last.length === 0) break;
        draining = true;
        moreDue = true;
        pump();
      }
      // Out of time or stopping: what is queued goes back for the next run; sends in flight finish and are recorded.
      // A stop that cannot wait (the signal) leaves them to the next run, which sends them again.
      draining = false;
      await stopPolling();
      await release();
      await Promise.race([settled(), aborted(signal)]);
    } finally {
      draining = false;
      // After a failure too: the writers must not go on skipping their NOTIFY. (runDrain's next run looks after it.)
      await stopPolling();
      stopping.removeEventListener('abort', wake);
    }
  }

  async function settled(): Promise<void> {
    while (unsettled.size > 0) await Promise.all(unsettled);
  }

  async function runDrain(_payload: unknown, context: JobContext): Promise<void> {
    try {
      await drain(context.signal, context.stopping ?? new AbortController().signal);
    } catch (err) {
      // Its next run comes as usual (below); a failed job of its own would only add a second one.
      log.warn({ err: errorMessage(err) }, 'webhook drain failed; it runs again shortly');
    }
    // The next run: when the next retry is due, and never more than a few seconds away. Written before this run
    // ends, so the chain never breaks; a database away (a restart) is waited out here, which also keeps the library
    // from completing this job while it cannot reach the database.
    for (let tries = 0; ; tries++) {
      try {
        const safety = new Date(clock().getTime() + safetyMs);
        const due = await nextDue();
        await requestDrain(db, due && due < safety ? due : safety);
        return;
      } catch (err) {
        if (context.signal.aborted) throw err;
        if (tries === 0) log.warn({ err: errorMessage(err) }, 'webhook drain cannot reach the database; retrying');
        await sleep(Math.min(250 * 2 ** tries, 2_000));
      }
    }
  }

  // A burst of notifications adds at most one job at a time (and none while one is waiting: requestDrain).
  let requesting: Promise<void> | null = null;
  let again = false;
  let listening = false;
  function onNotify(): void {
    listening = true;
    if (draining) {
      moreDue = true;
      return wake();
    }
    if (requesting) {
      again = true;
      return;
    }
    requesting = requestDrain(db)
      .catch((err: unknown) => log.debug({ err: errorMessage(err) }, 'could not add the webhook drain job'))
      .finally(() => {
        requesting = null;
        if (again) {
          again = false;
          onNotify();
        }
      });
  }

  /** Signs and sends one delivery; never throws: every outcome is a result to record. */
  async function attempt(d: ClaimedDelivery): Promise<SendResult> {
    const body = JSON.stringify({
      type: d.type,
      version: d.version,
      timestamp: d.eventCreatedAt.toISOString(),
      data: d.payload,
    });
    const sentAt = new Date();
    let signature: string;
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
      return { statusCode: null, durationMs: 0, excerpt: null, retryAfter: undefined, error: errorMessage(err) };
    }
    return sendWebhook({
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

  /**
   * The result must be stored or the delivery is sent again (it stays pending and due; the next claim takes it):
   * ride out a brief database outage.
   */
  async function recordWithRetries(d: ClaimedDelivery, result: SendResult): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        await record(d, result);
        return;
      } catch (err) {
        if (tries >= 5) {
          log.error(
            { deliveryId: d.id, err: errorMessage(err) },
            'webhook attempt could not be recorded; it will be re-sent',
          );
          throw err;
        }
        await sleep(250 * 2 ** tries);
      }
    }
  }

  // Successes, the bulk of the work, are written in batches: at most two statements at a time, and one at most every
  // `recordGapMs`, each taking every success that finished meanwhile (their attempts and their deliveries' new
  // state). A statement per tick took about 6 successes in a burst (1,600 statements for 10,000 deliveries, more than
  // the claims); every 10 ms it takes about 16 (600). The send slot is free meanwhile; the delivery stays claimed until
  // its result is stored.
  interface Success {
    d: ClaimedDelivery;
    r: SendResult;
    at: Date;
    done: (err?: unknown) => void;
  }
  let successQueue: Success[] = [];
  let flushing = 0;
  let flushScheduled = false;
  let lastFlushAt = 0;
  const maxFlushes = 2;

  function recordSuccess(item: Omit<Success, 'done'>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      successQueue.push({ ...item, done: (err) => (err ? reject(err) : resolve()) });
      scheduleFlush();
    });
  }

  function scheduleFlush(): void {
    if (flushScheduled || flushing >= maxFlushes || successQueue.length === 0) return;
    flushScheduled = true;
    const go = () => {
      flushScheduled = false;
      void flushSuccesses();
    };
    const wait = lastFlushAt + recordGapMs - Date.now();
    if (wait > 0) setTimeout(go, wait);
    else setImmediate(go);
  }

  async function flushSuccesses(): Promise<void> {
    if (flushing >= maxFlushes || successQueue.length === 0) return;
    const batch = successQueue;
    successQueue = [];
    flushing++;
    lastFlushAt = Date.now();
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
    } finally {
      flushing--;
      scheduleFlush();
    }
  }

  async function record(d: ClaimedDelivery, r: SendResult): Promise<void> {
    const now = clock();
    const ok = r.statusCode !== null && r.statusCode >= 200 && r.statusCode < 300;
    const row = {
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
      await trx.insertInto('webhookAttempts').values(row).execute();
      const mine = (q: ReturnType<typeof trx.updateTable<'webhookDeliveries'>>) =>
        q.where('id', '=', d.id).where('attempts', '=', d.attempts).where('status', '=', 'pending');
      let delay = nextRetryDelayMs(d.attempts, random);
      if (delay !== null && (r.statusCode === 429 || r.statusCode === 503)) {
        // Never come back sooner than the consumer asked, nor sooner than our own schedule.
        delay = Math.max(delay, parseRetryAfterMs(r.retryAfter, now) ?? 0);
      }
      const nextAttemptAt = delay === null ? now : new Date(now.getTime() + delay);
      await mine(trx.updateTable('webhookDeliveries'))
        .set({
          status: delay === null ? 'exhausted' : 'pending',
          nextAttemptAt,
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

  return {
    tasks: {
      // A run stops claiming after its budget and then waits for its sends (each with its own timeout); the margin
      // covers recording them.
      [drainJobKey]: { timeoutMs: drainBudgetMs + settings.timeoutMs + 30_000, run: runDrain },
    },
    notifications: { [deliveryChannel]: onNotify },
    kick: () => requestDrain(db),
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

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
