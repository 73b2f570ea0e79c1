import { AudioFrame } from '@livekit/rtc-node';
import { initializeLogger, llm, stt, tts as ttsBase } from '@livekit/agents';
import * as openai from '@livekit/agents-plugin-openai';
import * as silero from '@livekit/agents-plugin-silero';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { synthesizeSpeech } from '../../agent/speech/espeak.ts';
import { startOpenAiEmulator, type OpenAiEmulator } from '../emulators/openai.ts';

// @livekit/agents-plugin-openai against the OpenAI wire-protocol emulator, stage by stage and without a room: if
// these fail, the emulator no longer speaks what the plugin speaks, and test/agent/e2e-openai.test.ts proves nothing.

initializeLogger({ pretty: false, level: 'warn' });

let emulator: OpenAiEmulator;
beforeAll(async () => {
  emulator = await startOpenAiEmulator({ script: ['I build payment ledgers.'] });
});
afterAll(async () => {
  await emulator?.close();
});

function framesOf(pcm: Int16Array, sampleRate: number): AudioFrame[] {
  const size = sampleRate / 100;
  const frames: AudioFrame[] = [];
  for (let i = 0; i + size <= pcm.length; i += size) frames.push(new AudioFrame(pcm.slice(i, i + size), sampleRate, 1, size));
  return frames;
}

describe('the OpenAI plugin against the emulator', () => {
  it('LLM: a streamed tool call arrives whole, with its arguments, and text streams as text', async () => {
    const model = new openai.LLM({ apiKey: 'k', baseURL: emulator.baseUrl, model: 'in-house-llm', parallelToolCalls: false });
    const chatCtx = llm.ChatContext.empty();
    chatCtx.addMessage({ role: 'system', content: 'You interview candidates.' });
    chatCtx.addMessage({ role: 'user', content: 'Yes, I agree, let us start.' });
    const tools = {
      record_consent: llm.tool({ description: 'Records consent', parameters: z.object({ agreed: z.boolean() }), execute: async () => 'ok' }),
    };
    const calls: llm.FunctionCall[] = [];
    for await (const chunk of model.chat({ chatCtx, toolCtx: tools })) calls.push(...(chunk.delta?.toolCalls ?? []));
    expect(calls.map((c) => [c.name, JSON.parse(c.args)])).toEqual([['record_consent', { agreed: true }]]);
    expect(emulator.chat.at(-1)).toMatchObject({ stream: true, parallel_tool_calls: false, tools: [{ function: { name: 'record_consent' } }] });

    const question = llm.ChatContext.empty();
    question.addMessage({ role: 'system', content: 'Job description: Build payment ledgers. On call.' });
    question.addMessage({ role: 'user', content: 'What does the role involve?' });
    let text = '';
    for await (const chunk of model.chat({ chatCtx: question })) text += chunk.delta?.content ?? '';
    expect(text).toBe('From the job description: Build payment ledgers.');
  });

  it('STT behind the SDK\'s VAD stream adapter: Silero cuts the utterance, the transcription answers it', async () => {
    const vad = await silero.VAD.load({ minSilenceDuration: 550 });
    const recognizer = new stt.StreamAdapter(
      new openai.STT({ apiKey: 'k', baseURL: emulator.baseUrl, model: 'faster-whisper-small', language: 'en', useRealtime: false }),
      vad,
    );
    const stream = recognizer.stream();
    const speech = await synthesizeSpeech('I build payment ledgers.', { sampleRate: 16000 });
    const silence = new Int16Array(16000);
    const all = new Int16Array(silence.length * 2 + speech.length);
    all.set(silence, 0);
    all.set(speech, silence.length);
    for (const frame of framesOf(all, 16000)) stream.pushFrame(frame);
    const events: stt.SpeechEvent[] = [];
    for await (const event of stream) {
      events.push(event);
      if (event.type === stt.SpeechEventType.FINAL_TRANSCRIPT) break;
    }
    stream.close();
    expect(events.map((e) => e.type)).toEqual([
      stt.SpeechEventType.START_OF_SPEECH,
      stt.SpeechEventType.END_OF_SPEECH,
      stt.SpeechEventType.FINAL_TRANSCRIPT,
    ]);
    expect(events.at(-1)?.alternatives?.[0]?.text).toBe('I build payment ledgers.');
    const request = emulator.transcriptions.at(-1)!;
    expect(request).toMatchObject({ model: 'faster-whisper-small', language: 'en' });
    // The utterance Silero cut, not the whole stream: the speech and some of the silence around it.
    expect(request.seconds).toBeGreaterThan(0.8);
    expect(request.seconds).toBeLessThan(all.length / 16000);
  });

  it('TTS: PCM at 24 kHz from /audio/speech, with the configured model and voice', async () => {
    const voice = new openai.TTS({ apiKey: 'k', baseURL: emulator.baseUrl, model: 'kokoro', voice: 'af_heart' as openai.TTSOptions['voice'] });
    const frames: ttsBase.SynthesizedAudio[] = [];
    for await (const audio of voice.synthesize('Hello Ahmed.')) frames.push(audio);
    const samples = frames.reduce((n, f) => n + f.frame.samplesPerChannel, 0);
    expect(frames[0]?.frame.sampleRate).toBe(24000);
    expect(samples / 24000).toBeGreaterThan(0.3);
    expect(emulator.speech.at(-1)).toEqual({ model: 'kokoro', voice: 'af_heart', responseFormat: 'pcm', text: 'Hello Ahmed.' });
  });
});
