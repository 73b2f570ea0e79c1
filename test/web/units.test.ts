import { describe, expect, it } from 'vitest';
import { ar } from '../../web/src/i18n/ar.ts';
import { en } from '../../web/src/i18n/en.ts';
import { errorMessage, ApiError, lostRejoinAfter, lostRejoinForMs, normalizeCode } from '../../web/src/lib/api.ts';
import { phoneIsValid } from '../../web/src/lib/phone.ts';
import { textDirection } from '../../web/src/lib/text-direction.ts';
import { endReasonOf, endsAt, knownEndReason, questionProgress } from '../../web/src/pages/interview-attributes.ts';

// The web app's pure pieces; the pages themselves are tested in a real browser (pages.test.ts, interview.e2e.test.ts).

describe('web helpers', () => {
  it('a transcript line runs in the direction most of its words are written in, not its first letter', () => {
    // Code-switching, common in Gulf tech hiring: an Arabic answer that opens (or ends) on English terms.
    expect(textDirection('Kafka لا ينتظره مسار التفويض أبدًا.')).toBe('rtl');
    expect(textDirection('نستخدم Postgres وKafka في كل خدمة')).toBe('rtl');
    expect(textDirection('أهلًا ليلى، أنا محاور ذكاء اصطناعي.')).toBe('rtl');
    // An English answer in an Arabic interview, even with an Arabic word in it.
    expect(textDirection('We settle nightly with the card network, يعني every night.')).toBe('ltr');
    expect(textDirection('Hello Ahmed, I am an AI interviewer.')).toBe('ltr');
    // Nothing to go by: the browser's own rule.
    expect(textDirection('Kafka هو')).toBe('auto');
    expect(textDirection('99.99% …')).toBe('auto');
  });

  it('a lost connection is rejoined by itself while only the network is in doubt, sooner at first, for minutes', () => {
    const network = new ApiError(0, 'network');
    expect([0, 1, 2, 3, 4, 5, 9].map((tries) => lostRejoinAfter(network, 10_000, tries))).toEqual([1, 2, 4, 8, 15, 15, 15]);
    // LiveKit's own refusal (its node gone, the network again) is no answer from the API: tried again too.
    expect(lostRejoinAfter(new Error('could not establish signal connection'), 10_000, 2)).toBe(4);
    // The seat still held by the connection that is being dropped, LiveKit unreachable from the API: their own wait.
    expect(lostRejoinAfter(new ApiError(409, 'already_connected', { retryAfterSeconds: 5 }), 10_000, 0)).toBe(5);
    expect(lostRejoinAfter(new ApiError(503, 'upstream_unavailable'), 10_000, 0)).toBe(3);
    // An answer that settles it: the phone's limit reached, the request refused, the server's own error.
    for (const code of ['rate_limited', 'validation_failed', 'generic']) {
      expect(lostRejoinAfter(new ApiError(400, code), 10_000, 0)).toBeUndefined();
    }
    expect(lostRejoinAfter(network, lostRejoinForMs + 1, 3)).toBeUndefined();
  });

  it('room codes: any case, spaces and dashes; exactly 8 letters or digits', () => {
    expect(normalizeCode(' abcd-2345 ')).toBe('ABCD-2345');
    expect(normalizeCode('ab cd 23 45')).toBe('ABCD-2345');
    expect(normalizeCode('ABCD-234')).toBeNull();
    expect(normalizeCode('ABCD-2345-6')).toBeNull();
    expect(normalizeCode('ABCD_2345')).toBeNull();
  });

  it('phones: national numbers for the chosen region, international ones whatever the region', () => {
    expect(phoneIsValid('050 123 4567', 'AE')).toBe(true);
    expect(phoneIsValid('050 123 4567', 'GB')).toBe(false);
    expect(phoneIsValid('+971 50 123 4567', 'GB')).toBe(true);
    expect(phoneIsValid('050 1234', 'AE')).toBe(false);
    expect(phoneIsValid('', 'AE')).toBe(false);
  });

  it('API errors become catalogue keys with their wait, unknown ones a generic message', () => {
    expect(errorMessage(new ApiError(409, 'already_connected', { retryAfterSeconds: 7 }))).toEqual({
      key: 'error.already_connected',
      params: { seconds: 7 },
    });
    expect(errorMessage(new ApiError(404, 'not_found')).key).toBe('error.not_found');
    expect(errorMessage(new ApiError(500, 'internal')).key).toBe('error.generic');
    expect(errorMessage(new TypeError('boom')).key).toBe('error.generic');
  });

  it('agent attributes: question counter, end reason, end time', () => {
    expect(questionProgress({ 'interview.question': '3/7' })).toEqual({ n: 3, total: 7 });
    expect(questionProgress({ 'interview.question': '8/7' })).toBeNull();
    expect(questionProgress({})).toBeNull();
    expect(knownEndReason('time_limit')).toBe('time_limit');
    expect(knownEndReason('candidate_ended')).toBe('candidate_ended');
    expect(knownEndReason(undefined)).toBeUndefined();
    expect(knownEndReason('something_new')).toBeUndefined();
    // The API's word: every stored reason of a completed interview, the other final statuses, and never a guessed
    // "completed" for a reason this page does not know.
    expect(endReasonOf({ status: 'completed', endReason: 'max_duration' })).toBe('max_duration');
    expect(endReasonOf({ status: 'completed', endReason: 'candidate_ended' })).toBe('candidate_ended');
    expect(endReasonOf({ status: 'completed', endReason: 'something_new' })).toBe('ended');
    expect(endReasonOf({ status: 'completed', endReason: 'constructor' })).toBe('ended');
    expect(endReasonOf({ status: 'failed', endReason: 'room_closed' })).toBe('failed');
    expect(endReasonOf({ status: 'cancelled', endReason: 'cancelled_by_hr' })).toBe('cancelled');
    expect(endReasonOf({ status: 'in_progress', endReason: null })).toBeUndefined();
    expect(endsAt({ 'interview.ends_at': '2030-01-01T10:00:00Z' }, 5)).toBe(Date.parse('2030-01-01T10:00:00Z'));
    expect(endsAt(undefined, 5)).toBe(5);
  });

  it('catalogues: Arabic has every English key, with the same placeholders, and none left empty', () => {
    expect(Object.keys(ar).sort()).toEqual(Object.keys(en).sort());
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(ar[key]), key).toEqual(placeholders(en[key]));
      expect(ar[key].trim(), key).not.toBe('');
    }
  });
});
