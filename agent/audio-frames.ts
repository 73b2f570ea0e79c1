import { voice } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import { TransformStream, type TransformStreamDefaultController } from 'node:stream/web';

// The candidate's audio reaches the VAD and the STT in frames of AUDIO_INPUT_FRAME_MS (20 ms by default) instead of
// the 10 ms WebRTC delivers: every frame costs the same fixed work on its way through the SDK (its web streams, the
// VAD's window assembly, the Deepgram plugin's byte buffer), so fewer frames cut a job's CPU per interview-minute
// (agent/README.md). Silero decides on 32 ms windows anyway: a 20 ms frame holds a sound back by at most 10 ms more.

/** Joins frames into frames of `frameMs` (a shorter last one when the stream ends or the format changes). */
export function joinFrames(frameMs: number): TransformStream<AudioFrame, AudioFrame> {
  let pending: Int16Array[] = [];
  let pendingSamples = 0;
  let format: { sampleRate: number; channels: number } | undefined;
  const emit = (controller: TransformStreamDefaultController<AudioFrame>) => {
    if (!format || pendingSamples === 0) return;
    const data = new Int16Array(pendingSamples);
    let offset = 0;
    for (const part of pending) {
      data.set(part, offset);
      offset += part.length;
    }
    controller.enqueue(new AudioFrame(data, format.sampleRate, format.channels, pendingSamples / format.channels));
    pending = [];
    pendingSamples = 0;
  };
  return new TransformStream<AudioFrame, AudioFrame>({
    transform(frame, controller) {
      if (format && (format.sampleRate !== frame.sampleRate || format.channels !== frame.channels)) emit(controller);
      format = { sampleRate: frame.sampleRate, channels: frame.channels };
      const target = Math.round((frame.sampleRate * frameMs) / 1000) * frame.channels;
      // The frame's own samples: its Int16Array may be a view into a larger buffer.
      const samples = frame.data.subarray(0, frame.samplesPerChannel * frame.channels);
      if (pendingSamples === 0 && samples.length >= target) return controller.enqueue(frame);
      pending.push(samples);
      pendingSamples += samples.length;
      if (pendingSamples >= target) emit(controller);
    },
    flush(controller) {
      emit(controller);
    },
  });
}

/** An audio input that hands on another one's frames joined; attach and detach go through to it. */
class JoinedFramesInput extends voice.AudioInput {
  private readonly source: voice.AudioInput;

  constructor(source: voice.AudioInput, frameMs: number) {
    super();
    this.source = source;
    this.multiStream.addInputStream(source.stream.pipeThrough(joinFrames(frameMs)));
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
