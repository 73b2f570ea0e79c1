import { AudioFrame } from '@livekit/rtc-node';
import { randomUUID } from 'node:crypto';
import { tts, type APIConnectOptions } from '@livekit/agents';
import { synthesizeSpeech } from './espeak.ts';

// Local mode's voice: espeak-ng as a non-streaming TTS; the session wraps it in a sentence-by-sentence adapter.

const sampleRate = 24000;

export class EspeakTTS extends tts.TTS {
  label = 'espeak-ng';
  private readonly voice: string;

  constructor(voice: string) {
    super(sampleRate, 1, { streaming: false });
    this.voice = voice;
  }

  synthesize(text: string, connOptions?: APIConnectOptions, abortSignal?: AbortSignal): tts.ChunkedStream {
    return new EspeakChunkedStream(text, this, this.voice, connOptions, abortSignal);
  }

  stream(): tts.SynthesizeStream {
    throw new Error('espeak-ng synthesis is not streaming; the session adapts it per sentence');
  }
}

class EspeakChunkedStream extends tts.ChunkedStream {
  label = 'espeak-ng.ChunkedStream';
  private readonly text: string;
  private readonly voice: string;

  constructor(text: string, engine: EspeakTTS, voice: string, connOptions?: APIConnectOptions, abortSignal?: AbortSignal) {
    super(text, engine, connOptions, abortSignal);
    this.text = text;
    this.voice = voice;
  }

  protected async run(): Promise<void> {
    const requestId = randomUUID();
    const pcm = await synthesizeSpeech(this.text, { sampleRate, voice: this.voice, signal: this.abortController.signal });
    const size = sampleRate / 20; // 50 ms frames
    for (let i = 0; i < pcm.length; i += size) {
      const part = pcm.slice(i, Math.min(i + size, pcm.length));
      const frame = new AudioFrame(part, sampleRate, 1, part.length);
      if (this.queue.closed) return;
      this.queue.put({ requestId, segmentId: requestId, frame, final: i + size >= pcm.length });
    }
  }
}
