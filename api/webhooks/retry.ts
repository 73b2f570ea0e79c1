// The Standard Webhooks retry schedule: the delay before attempt n+1 is schedule[n] (the first attempt is
// immediate). Ten attempts span about three and a half days.
export const retryScheduleMs = [
  0,
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  14 * 3_600_000,
  20 * 3_600_000,
  24 * 3_600_000,
] as const;

export const maxAttempts = retryScheduleMs.length;

/** Jitter of ±20% spreads retries of a burst that failed together, so a recovering consumer is not hit at once. */
export const jitterRatio = 0.2;

/** Delay before the next attempt after `attemptsMade` failed attempts, or null when the schedule is exhausted. */
export function nextRetryDelayMs(attemptsMade: number, random: () => number = Math.random): number | null {
  if (attemptsMade >= maxAttempts) return null;
  const base = retryScheduleMs[attemptsMade]!;
  return Math.round(base * (1 - jitterRatio + 2 * jitterRatio * random()));
}

const maxRetryAfterMs = 24 * 3_600_000;

/** Retry-After as delta-seconds or an HTTP date, in ms from `now`; capped at a day so a typo cannot park a delivery. */
export function parseRetryAfterMs(value: string | undefined, now: Date): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * 1_000;
  else {
    const date = Date.parse(trimmed);
    if (Number.isNaN(date)) return null;
    ms = date - now.getTime();
  }
  return Math.min(Math.max(ms, 0), maxRetryAfterMs);
}
