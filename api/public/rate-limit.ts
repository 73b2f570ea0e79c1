import { sql, type Kysely } from 'kysely';
import type { Database } from '../../shared/db/schema.ts';
import { AppError } from '../http/problem.ts';

export interface LimitRule {
  key: string;
  limit: number;
  /** The invited candidate's own attempts pass this limit (they still count towards it). */
  sparesInvited?: boolean;
}

/**
 * Fixed-window counters in Postgres, so every API process shares them. All keys of a request are counted in one
 * statement: one round trip, and the counts are exact under concurrency because each upsert locks its row.
 * Over the limit is a 429 with Retry-After, never an error from the database.
 */
export async function consumeRateLimits(
  db: Kysely<Database>,
  rules: LimitRule[],
  windowSeconds: number,
  now: Date,
): Promise<void> {
  if (rules.length === 0) return;
  const windowStartCutoff = new Date(now.getTime() - windowSeconds * 1000);
  const rows = await db
    .insertInto('rateLimits')
    .values(rules.map((r) => ({ key: r.key, windowStart: now, hits: 1 })))
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        hits: sql<number>`case when rate_limits.window_start <= ${windowStartCutoff} then 1 else rate_limits.hits + 1 end`,
        windowStart: sql<Date>`case when rate_limits.window_start <= ${windowStartCutoff} then ${now} else rate_limits.window_start end`,
      }),
    )
    .returning(['key', 'hits', 'windowStart'])
    .execute();
  const exceeded = overLimit(rows, rules, windowSeconds, now);
  if (exceeded) throw exceeded;
}

/** The 429 for counters over their limits, with Retry-After until the longest window resets; undefined if none is. */
export function overLimit(
  rows: { key: string; hits: number; windowStart: Date }[],
  rules: LimitRule[],
  windowSeconds: number,
  now: Date,
): AppError | undefined {
  let retryAfter = 0;
  for (const row of rows) {
    const rule = rules.find((r) => r.key === row.key);
    if (rule && row.hits > rule.limit) {
      const resetsAt = row.windowStart.getTime() + windowSeconds * 1000;
      retryAfter = Math.max(retryAfter, Math.ceil((resetsAt - now.getTime()) / 1000), 1);
    }
  }
  return retryAfter === 0 ? undefined : tooManyAttempts(retryAfter);
}

/** The 429 itself, for a limit decided elsewhere (the join statement decides its own). */
export function tooManyAttempts(retryAfterSeconds: number): AppError {
  return new AppError(
    'rate_limited',
    'Too many attempts. Wait a moment and try again.',
    { retryAfterSeconds },
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

/**
 * Gives back one hit on each key, for an attempt refused for a reason that is no guess: the right phone for the
 * interview, turned away only because its seat looked taken or LiveKit could not answer. Its retries must not use
 * up the budget that stops guessing, or a candidate whose connection died is locked out for the whole window.
 */
export async function refundRateLimits(db: Kysely<Database>, rules: LimitRule[]): Promise<void> {
  if (rules.length === 0) return;
  await db
    .updateTable('rateLimits')
    .set({ hits: sql<number>`greatest(hits - 1, 0)` })
    .where(
      'key',
      'in',
      rules.map((r) => r.key),
    )
    .execute();
}

export async function pruneRateLimits(db: Kysely<Database>, windowSeconds: number, now: Date): Promise<void> {
  await db
    .deleteFrom('rateLimits')
    .where('windowStart', '<', new Date(now.getTime() - windowSeconds * 1000))
    .execute();
}
