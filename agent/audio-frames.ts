import { voice } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import { ReadableStream } from 'node:stream/web';

// The candidate's audio reaches the VAD and the STT in frames of AUDIO_INPUT_FRAME_MS (20 ms by default) instead of
// the 10 ms WebRTC delivers: every frame costs the same fixed work on its way through the SDK (its web streams, the
// VAD's window assembly, the Deepgram plugin's byte buffer), so fewer frames cut a job's CPU per interview-minute
// (agent/README.md). Silero decides on 32 ms windows anyway: a 20 ms frame holds a sound back by at most 10 ms more.

/**
 * The source's frames joined into frames of `frameMs` (a shorter last one when the source ends or the format
 * changes). A pull source, not a TransformStream: each web-streams hop costs about what the joining saves.
 */
export function joinedFrames(source: ReadableStream<AudioFrame>, frameMs: number): ReadableStream<AudioFrame> {
  const reader = source.getReader();
  let held: AudioFrame | undefined;
  const join = (parts: Int16Array[], samples: number, first: AudioFrame) => {
    const data = new Int16Array(samples);
    let offset = 0;
    for (const part of parts) {
      data.set(part, offset);
      offset += part.length;
    }
    return new AudioFrame(data, first.sampleRate, first.channels, samples / first.channels);
  };
  return new ReadableStream<AudioFrame>({
    async pull(controller) {
      const parts: Int16Array[] = [];
      let samples = 0;
      let first: AudioFrame | undefined;
      for (;;) {
        const frame = held ?? (await reader.read()).value;
        held = undefined;
        if (!frame) {
          if (first) controller.enqueue(join(parts, samples, first));
          controller.close();
          return;
        }
        if (first && (frame.sampleRate !== first.sampleRate || frame.channels !== first.channels)) {
          held = frame;
          return controller.enqueue(join(parts, samples, first));
        }
        const target = Math.round((frame.sampleRate * frameMs) / 1000) * frame.channels;
        // The frame's own samples: its Int16Array may be a view into a larger buffer.
        const own = frame.data.subarray(0, frame.samplesPerChannel * frame.channels);
        if (!first && own.length >= target) return controller.enqueue(frame);
        first ??= frame;
        parts.push(own);
        samples += own.length;
        if (samples >= target) return controller.enqueue(join(parts, samples, first));
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/** An audio input that hands on another one's frames joined; attach and detach go through to it. */
class JoinedFramesInput extends voice.AudioInput {
  private readonly source: voice.AudioInput;
  private readonly joined: ReadableStream<AudioFrame>;

  constructor(source: voice.AudioInput, frameMs: number) {
    super();
    this.source = source;
    this.joined = joinedFrames(source.stream, frameMs);
  }

  override get stream(): ReadableStream<AudioFrame> {
    return this.joined;
  }

  override setAttached(attached: boolean): void {
    super.setAttached(attached);
    this.source.setAttached(attached);
  }

  override onAttached(): void {
    this.source.onAttached();
  }

  override onDetached(): void {
    this.source.onDetached();
  }
}

/**
 * Call before `session.start`: the audio input the SDK's room I/O sets at start is wrapped as it is set, before the
 * session reads it (its recorder, when recording, wraps the joined input in turn). The SDK (1.9) takes no frame
 * size for the room's input, and an input replaced after start is never attached (AgentInput calls the session's
 * `onAudioInputChanged` unbound), hence the hook on the setter.
 */
export function joinInputFrames(session: voice.AgentSession, frameMs: number): void {
  if (frameMs <= 10) return;
  const input = session.input;
  const accessor = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(input), 'audio');
  const { get, set } = accessor ?? {};
  if (!get || !set) throw new Error("the SDK's AgentInput has no audio accessor to wrap");
  let wrapped = false;
  Object.defineProperty(input, 'audio', {
    configurable: true,
    get: () => get.call(input) as voice.AudioInput | null,
    set: (value: voice.AudioInput | null) => {
      if (value && !wrapped) {
        wrapped = true;
        value = new JoinedFramesInput(value, frameMs);
      }
      set.call(input, value);
    },
  });
}
