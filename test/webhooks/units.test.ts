import { describe, expect, it } from 'vitest';
import {
  jitterRatio,
  maxAttempts,
  nextRetryDelayMs,
  parseRetryAfterMs,
  retryScheduleMs,
} from '../../api/webhooks/retry.ts';
import { isBlockedAddress } from '../../api/webhooks/ssrf.ts';

describe('address guard', () => {
  it.each([
    '127.0.0.1',
    '127.9.9.9',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    'fe80::1',
    'fd00:ec2::254',
    '64:ff9b::a00:1',
    'not-an-ip',
  ])('blocks %s', (ip) => expect(isBlockedAddress(ip)).toBe(true));

  it.each(['8.8.8.8', '93.184.215.14', '1.1.1.1', '::ffff:8.8.8.8', '2606:4700:4700::1111'])('allows public %s', (ip) =>
    expect(isBlockedAddress(ip)).toBe(false),
  );
});

describe('retry schedule', () => {
  it('follows Standard Webhooks: 0, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h, then stops', () => {
    const h = 3_600_000;
    expect(retryScheduleMs).toEqual([0, 5_000, 300_000, 1_800_000, 2 * h, 5 * h, 10 * h, 14 * h, 20 * h, 24 * h]);
    expect(maxAttempts).toBe(10);
    for (let n = 1; n < 10; n++) expect(nextRetryDelayMs(n, () => 0.5)).toBe(retryScheduleMs[n]);
    expect(nextRetryDelayMs(10, () => 0.5)).toBeNull();
  });

  it('jitters each delay within ±20%, spread over the whole range', () => {
    for (let n = 1; n < 10; n++) {
      const base = retryScheduleMs[n]!;
      expect(nextRetryDelayMs(n, () => 0)).toBe(Math.round(base * (1 - jitterRatio)));
      expect(nextRetryDelayMs(n, () => 0.999999)).toBeLessThanOrEqual(Math.round(base * (1 + jitterRatio)));
      expect(nextRetryDelayMs(n, () => 0.999999)).toBeGreaterThan(base);
    }
    const samples = new Set(Array.from({ length: 50 }, () => nextRetryDelayMs(2)));
    expect(samples.size).toBeGreaterThan(40);
  });

  it('reads Retry-After as seconds or an HTTP date, capped at a day, and ignores junk', () => {
    const now = new Date('2026-11-23T10:00:00Z');
    expect(parseRetryAfterMs('120', now)).toBe(120_000);
    expect(parseRetryAfterMs('Mon, 23 Nov 2026 10:05:00 GMT', now)).toBe(300_000);
    expect(parseRetryAfterMs('999999999', now)).toBe(24 * 3_600_000);
    expect(parseRetryAfterMs('soon', now)).toBeNull();
    expect(parseRetryAfterMs(undefined, now)).toBeNull();
  });
});
