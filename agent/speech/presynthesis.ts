import type { tts } from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';

// The greeting is fixed text, known before the candidate arrives: synthesising it while they connect takes the
// TTS round trip off the path from "candidate joined" to "first word heard". The first sentence is its own request,
// so its audio is ready after one short synthesis instead of the whole paragraph's; the rest follows while it plays.

export interface Presynthesized {
  /**
   * A fresh stream over the audio, replaying what is buffered and following what is still coming; undefined when
   * the synthesis failed before producing anything (the caller then speaks the text the ordinary way).
   */
  stream(): ReadableStream<AudioFrame> | undefined;
  /** Resolves when the first audio frame is buffered (or the synthesis ended without one). */
  firstFrame: Promise<void>;
}

/** The text as [first sentence, everything after it]; one part when there is a single sentence. */
export function splitFirstSentence(text: string): string[] {
  const match = /^(.+?[.?!])\s+(\S[\s\S]*)$/.exec(text.trim());
  return match ? [match[1]!, match[2]!] : [text.trim()];
}

export function presynthesize(engine: tts.TTS, text: string, onError: (error: unknown) => void): Presynthesized {
  const frames: AudioFrame[] = [];
  let done = false;
  let failed = false;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of waiters) w();
    waiters.clear();
  };
  let firstFrame: () => void = () => {};
  const first = new Promise<void>((resolve) => (firstFrame = resolve));

  const synthesizePart = async (part: string) => {
    if (engine.capabilities.streaming) {
      const stream = engine.stream();
      stream.pushText(part);
      stream.flush();
      stream.endInput();
      for await (const audio of stream) {
        if (typeof audio === 'symbol') break;
        frames.push(audio.frame);
        firstFrame();
        wake();
      }
    } else {
      for await (const audio of engine.synthesize(part)) {
        frames.push(audio.frame);
        firstFrame();
        wake();
      }
    }
  };

  void (async () => {
    try {
      for (const part of splitFirstSentence(text)) await synthesizePart(part);
    } catch (error) {
      failed = true;
      onError(error);
    } finally {
      done = true;
      firstFrame();
      wake();
    }
  })();

  return {
    firstFrame: first,
    stream() {
      if (failed && frames.length === 0) return undefined;
      let index = 0;
      return new ReadableStream<AudioFrame>({
        async pull(controller) {
          while (index >= frames.length && !done) await new Promise<void>((resolve) => waiters.add(resolve));
          if (index < frames.length) controller.enqueue(frames[index++]!);
          else controller.close();
        },
      });
    },
  };
}
