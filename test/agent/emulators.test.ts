import { AudioFrame } from '@livekit/rtc-node';
import { initializeLogger, llm, stt, tts as ttsBase } from '@livekit/agents';
import * as deepgram from '@livekit/agents-plugin-deepgram';
import * as google from '@livekit/agents-plugin-google';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { synthesizeSpeech } from '../../agent/speech/espeak.ts';
import { startDeepgramEmulator, type DeepgramEmulator } from '../emulators/deepgram.ts';
import { startGeminiEmulator, type GeminiEmulator } from '../emulators/gemini.ts';

// The real provider plugins against our emulators: if these fail, the emulators no longer speak the protocols the
// plugins speak, and every agent test built on them would prove nothing.

initializeLogger({ pretty: false, level: 'warn' });

let dg: DeepgramEmulator;
let gem: GeminiEmulator;
beforeAll(async () => {
  dg = await startDeepgramEmulator({ script: ['I build payment ledgers.'] });
  gem = await startGeminiEmulator();
});
afterAll(async () => {
  await dg?.close();
  await gem?.close();
});

function framesOf(pcm: Int16Array, sampleRate: number): AudioFrame[] {
  const size = sampleRate / 100;
  const frames: AudioFrame[] = [];
  for (let i = 0; i + size <= pcm.length; i += size) frames.push(new AudioFrame(pcm.slice(i, i + size), sampleRate, 1, size));
  return frames;
}

describe('emulators with the real plugins', () => {
  it('Deepgram STT: the stream segments real audio and answers with the script line', async () => {
    const recognizer = new deepgram.STT({ apiKey: 'emulated', baseUrl: dg.url.replace(/^http/, 'ws'), sampleRate: 16000 });
    const stream = recognizer.stream();
    const speech = await synthesizeSpeech('I build payment ledgers.', { sampleRate: 16000 });
    const silence = new Int16Array(16000); // 1 s
    const all = new Int16Array(silence.length * 2 + speech.length);
    all.set(silence, 0);
    all.set(speech, silence.length);
    for (const frame of framesOf(all, 16000)) stream.pushFrame(frame);
    const events: stt.SpeechEvent[] = [];
    for await (const event of stream) {
      events.push(event);
      if (event.type === stt.SpeechEventType.END_OF_SPEECH) break;
    }
    stream.close();
    const final = events.find((e) => e.type === stt.SpeechEventType.FINAL_TRANSCRIPT);
    expect(final?.alternatives?.[0]?.text).toBe('I build payment ledgers.');
    expect(events[0]?.type).toBe(stt.SpeechEventType.START_OF_SPEECH);
    // The segment boundaries come from the audio: speech starts after the leading second of silence.
    expect(dg.segments[0]!.start).toBeGreaterThanOrEqual(0.9);
    expect(dg.segments[0]!.end).toBeGreaterThan(dg.segments[0]!.start + 0.5);
  });

  it('Deepgram STT: during a mid-sentence pause only the words said before it, interim then final; the rest after', async () => {
    const emulator = await startDeepgramEmulator({ script: ['I would use', 'idempotency keys.'] });
    try {
      const recognizer = new deepgram.STT({ apiKey: 'emulated', baseUrl: emulator.url.replace(/^http/, 'ws'), sampleRate: 16000 });
      const stream = recognizer.stream();
      const before = await synthesizeSpeech('I would use', { sampleRate: 16000 });
      const after = await synthesizeSpeech('idempotency keys.', { sampleRate: 16000 });
      const pause = new Int16Array(16000 * 1.5);
      const all = new Int16Array(before.length + pause.length + after.length);
      all.set(before, 0);
      all.set(after, before.length + pause.length);
      for (const frame of framesOf(all, 16000)) stream.pushFrame(frame);
      const events: stt.SpeechEvent[] = [];
      let ends = 0;
      for await (const event of stream) {
        events.push(event);
        if (event.type === stt.SpeechEventType.END_OF_SPEECH && ++ends === 2) break;
      }
      stream.close();
      const texts = (type: stt.SpeechEventType) =>
        events.filter((e) => e.type === type).map((e) => e.alternatives?.[0]?.text ?? '');
      expect(texts(stt.SpeechEventType.FINAL_TRANSCRIPT)).toEqual(['I would use', 'idempotency keys.']);
      // Up to the pause's final, nothing said after the pause: interim results are the first line's words so far.
      const firstFinal = events.findIndex((e) => e.type === stt.SpeechEventType.FINAL_TRANSCRIPT);
      const interimsBefore = events.slice(0, firstFinal).filter((e) => e.type === stt.SpeechEventType.INTERIM_TRANSCRIPT);
      expect(interimsBefore.length).toBeGreaterThan(0);
      for (const e of interimsBefore) expect('I would use').toMatch(new RegExp(`^${e.alternatives![0]!.text}`));
      // The pause ends the first segment (speech_final), so the SDK hears an end of speech between the two.
      expect(events.findIndex((e) => e.type === stt.SpeechEventType.END_OF_SPEECH)).toBeGreaterThan(firstFinal);
      expect(emulator.segments.map((s) => s.text)).toEqual(['I would use', 'idempotency keys.']);
      // The plugin stops sending quiet audio about a second into a silence: the emulator hears a shorter pause.
      expect(emulator.segments[1]!.start - emulator.segments[0]!.end).toBeGreaterThan(0.9);
    } finally {
      await emulator.close();
    }
  });

  it('Deepgram TTS: streaming synthesis returns espeak-ng audio', async () => {
    const tts = new deepgram.TTS({ apiKey: 'emulated', baseUrl: dg.url, sampleRate: 24000 });
    const stream = tts.stream();
    stream.pushText('Hello Ahmed. ');
    stream.flush();
    stream.endInput();
    let samples = 0;
    for await (const audio of stream) {
      if (audio === ttsBase.SynthesizeStream.END_OF_STREAM) break;
      if (typeof audio === 'object' && 'frame' in audio) {
        expect(audio.frame.sampleRate).toBe(24000);
        samples += audio.frame.samplesPerChannel;
      }
    }
    expect(samples / 24000).toBeGreaterThan(0.4);
    expect(dg.spoken).toContain('Hello Ahmed.');
  });

  it('Gemini: text streams and function calls come back through the google plugin', async () => {
    const model = new google.LLM({
      model: 'gemini-2.5-flash',
      apiKey: 'emulated',
      thinkingConfig: { thinkingBudget: 0 },
      httpOptions: { baseUrl: gem.url },
    });
    const ctx = llm.ChatContext.empty();
    ctx.addMessage({ role: 'system', content: 'Job description: Build ledgers. Be on call.' });
    ctx.addMessage({ role: 'user', content: 'What does the team build?' });
    let text = '';
    for await (const chunk of model.chat({ chatCtx: ctx })) text += chunk.delta?.content ?? '';
    expect(text).toBe('From the job description: Build ledgers.');

    const tools = {
      record_consent: llm.tool({
        description: 'Records consent',
        parameters: z.object({ agreed: z.boolean() }),
        execute: async () => 'ok',
      }),
    };
    const consent = llm.ChatContext.empty();
    consent.addMessage({ role: 'user', content: 'Yes, I agree.' });
    const calls: llm.FunctionCall[] = [];
    for await (const chunk of model.chat({ chatCtx: consent, toolCtx: tools })) calls.push(...(chunk.delta?.toolCalls ?? []));
    expect(calls.map((c) => [c.name, JSON.parse(c.args)])).toEqual([['record_consent', { agreed: true }]]);
    expect(gem.requests.at(-1)?.model).toBe('gemini-2.5-flash');
  });
});
