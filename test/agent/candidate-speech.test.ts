import { describe, expect, it } from 'vitest';
import { synthesizeSpeech } from '../../agent/speech/espeak.ts';
import { speechFor } from '../support/candidate-sim.ts';

// The simulated candidate's thinking pauses (test/support/candidate-sim.ts): the words before a mid-sentence pause
// are said as the start of the sentence they belong to, not as a sentence of their own.

const sampleRate = 48000;
const quiet = (s: number) => Math.abs(s) < 300;

function longestSilence(pcm: Int16Array): { start: number; length: number } {
  let best = { start: 0, length: 0 };
  for (let i = 0; i < pcm.length;) {
    if (!quiet(pcm[i]!)) {
      i++;
      continue;
    }
    let end = i;
    while (end < pcm.length && quiet(pcm[end]!)) end++;
    if (end - i > best.length) best = { start: i, length: end - i };
    i = end;
  }
  return best;
}

function sameUpTo(a: Int16Array, b: Int16Array): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

describe('candidate speech with a thinking pause', () => {
  for (const [voice, before, after] of [
    ['en-us', 'and every API call carries', 'an idempotency key so a retry never posts twice.'],
    ['ar', 'وكل API call يحمل', 'idempotency key حتى لا يسجل الـ retry مرتين.'],
  ] as const) {
    it(`${voice}: one synthesis, cut at the word boundary, the words before it in the whole sentence's intonation`, async () => {
      const paused = await speechFor(`${before} [pause] ${after}`, 220, 1500, voice);
      const pause = longestSilence(paused);
      // The pause: espeak-ng's 1.5 s break (its edge samples, under the quiet threshold or not, give a few ms).
      expect(pause.length / sampleRate).toBeGreaterThan(1.45);
      expect(pause.length / sampleRate).toBeLessThan(1.7);
      const whole = await speechFor(`${before} ${after}`, 220, 1500, voice);
      const alone = await synthesizeSpeech(before, { sampleRate, wordsPerMinute: 220, voice });
      // Up to the last word the paused audio is the whole sentence's, sample for sample; synthesised alone the same
      // words take a sentence's final intonation and part from it well before the pause.
      const withWhole = sameUpTo(paused, whole);
      expect(withWhole).toBeGreaterThan(pause.start * 0.6);
      expect(sameUpTo(paused, alone)).toBeLessThan(withWhole);
    });
  }
});
