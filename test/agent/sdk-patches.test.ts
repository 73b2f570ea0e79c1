import { AudioByteStream, initializeLogger, mergeFrames } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// patches/@livekit+agents+*.patch (applied by patch-package after every install): the SDK's audio byte buffer and
// frame merge copy with TypedArray.set instead of spreading into arrays (bench:voice, agent/README.md). The same
// frames must come out as before.

initializeLogger({ pretty: false, level: 'warn' });

describe('the patched SDK audio helpers', () => {
  it('are the installed ones', () => {
    for (const file of ['dist/audio.js', 'dist/utils.js', 'src/audio.ts', 'src/utils.ts']) {
      const source = readFileSync(new URL(`../../node_modules/@livekit/agents/${file}`, import.meta.url), 'utf8');
      expect(source).not.toMatch(/\[\.\.\.(this\.#buf|data), /);
    }
  });

  it('AudioByteStream cuts written bytes into whole frames in order, keeping the rest for the next write', () => {
    const stream = new AudioByteStream(16000, 1, 4);
    const samples = (from: number, n: number) => new Int16Array(Array.from({ length: n }, (_, i) => from + i));
    expect(stream.write(samples(0, 3))).toEqual([]);
    const frames = stream.write(samples(3, 7));
    expect(frames.map((f) => [...f.data])).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
    expect(frames.every((f) => f.samplesPerChannel === 4 && f.sampleRate === 16000)).toBe(true);
    // A view into a larger buffer: only its own bytes are taken.
    const big = samples(100, 10);
    expect(stream.write(big.subarray(2, 4)).map((f) => [...f.data])).toEqual([[8, 9, 102, 103]]);
    expect(stream.flush()).toEqual([]);
  });

  it('mergeFrames joins frames sample for sample', () => {
    const frame = (values: number[]) => new AudioFrame(new Int16Array(values), 16000, 1, values.length);
    const merged = mergeFrames([frame([1, 2]), frame([3]), frame([4, 5, 6])]);
    expect([...merged.data]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(merged.samplesPerChannel).toBe(6);
    expect(() => mergeFrames([frame([1]), new AudioFrame(new Int16Array(1), 8000, 1, 1)])).toThrow('sample rate');
  });
});
