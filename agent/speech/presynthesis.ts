import type { tts } from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';

// The greeting is fixed text, known before the candidate arrives: synthesising it while they connect takes the
// TTS round trip off the path from "candidate joined" to "first word heard".

export interface Presynthesized {
  /**
   * A fresh stream over the audio, replaying what is buffered and following what is still coming; undefined when
   * the synthesis failed before producing anything (the caller then speaks the text the ordinary way).
   */
  stream(): ReadableStream<AudioFrame> | undefined;
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

  void (async () => {
    try {
      if (engine.capabilities.streaming) {
        const stream = engine.stream();
        stream.pushText(text);
        stream.flush();
        stream.endInput();
        for await (const audio of stream) {
          if (typeof audio === 'symbol') break;
          frames.push(audio.frame);
          wake();
        }
      } else {
        for await (const audio of engine.synthesize(text)) {
          frames.push(audio.frame);
          wake();
        }
      }
    } catch (error) {
      failed = true;
      onError(error);
    } finally {
      done = true;
      wake();
    }
  })();

  return {
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
