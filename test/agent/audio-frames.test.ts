import { initializeLogger, voice } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import { ReadableStream } from 'node:stream/web';
import { describe, expect, it } from 'vitest';
import { joinFrames, joinInputFrames } from '../../agent/audio-frames.ts';

initializeLogger({ pretty: false, level: 'warn' });

// The candidate's audio handed on in 20 ms frames (agent/audio-frames.ts), on the SDK's own session and input
// classes: the hook must catch the input the room I/O sets at start.

const tenMs = (n: number, rate = 16000) =>
  Array.from({ length: n }, (_, i) => new AudioFrame(new Int16Array(rate / 100).fill(i), rate, 1, rate / 100));

async function collect(stream: ReadableStream<AudioFrame>, count = Infinity): Promise<AudioFrame[]> {
  const frames: AudioFrame[] = [];
  const reader = stream.getReader();
  while (frames.length < count) {
    const { done, value } = await reader.read();
    if (done) break;
    frames.push(value);
  }
  reader.releaseLock();
  return frames;
}

class FramesInput extends voice.AudioInput {
  attached: boolean[] = [];
  constructor(frames: AudioFrame[]) {
    super();
    this.multiStream.addInputStream(ReadableStream.from(frames));
  }
  override setAttached(attached: boolean): void {
    this.attached.push(attached);
  }
}

describe('joined input frames', () => {
  it('joins 10 ms frames into 20 ms ones, samples in order, a short one at the end', async () => {
    const frames = await collect(ReadableStream.from(tenMs(5)).pipeThrough(joinFrames(20)));
    expect(frames.map((f) => f.samplesPerChannel)).toEqual([320, 320, 160]);
    expect([...frames[1]!.data.subarray(0, 1), ...frames[1]!.data.subarray(160, 161)]).toEqual([2, 3]);
  });

  it('passes frames already long enough untouched, and starts over when the sample rate changes', async () => {
    const long = new AudioFrame(new Int16Array(480), 16000, 1, 480);
    const frames = await collect(
      ReadableStream.from([...tenMs(1), ...tenMs(2, 48000), long]).pipeThrough(joinFrames(20)),
    );
    expect(frames.map((f) => [f.sampleRate, f.samplesPerChannel])).toEqual([
      [16000, 160],
      [48000, 960],
      [16000, 480],
    ]);
  });

  it('wraps the input set on the session, once, and hands attach changes through', async () => {
    const session = new voice.AgentSession({});
    joinInputFrames(session, 20);
    const source = new FramesInput(tenMs(4));
    session.input.audio = source;
    const joined = session.input.audio!;
    expect(joined).not.toBe(source);
    expect((await collect(joined.stream, 2)).map((f) => f.samplesPerChannel)).toEqual([320, 320]);
    expect(source.attached).toEqual([true]);
    session.input.setAudioEnabled(false);
    expect(source.attached).toEqual([true, false]);
    // The recorder wraps the joined input in turn: that is not wrapped again.
    const recorder = new FramesInput([]);
    session.input.audio = recorder;
    expect(session.input.audio).toBe(recorder);
  });

  it('leaves the input alone at 10 ms', () => {
    const session = new voice.AgentSession({});
    joinInputFrames(session, 10);
    const source = new FramesInput([]);
    session.input.audio = source;
    expect(session.input.audio).toBe(source);
  });
});
