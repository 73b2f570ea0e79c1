import { describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../agent/config.ts';
import { ConfigError } from '../../shared/env.ts';

const base = {
  DATABASE_URL: 'postgres://agent@127.0.0.1:5432/interviews',
  LIVEKIT_URL: 'ws://127.0.0.1:7880',
  LIVEKIT_API_KEY: 'key',
  LIVEKIT_API_SECRET: 'secret',
};

describe('agent config', () => {
  it('runs in local mode without provider keys, and with them builds the provider settings', () => {
    expect(loadAgentConfig(base).providers).toBeNull();
    expect(loadAgentConfig({ ...base, DEEPGRAM_API_KEY: 'dg' }).providers).toBeNull();
    const full = loadAgentConfig({
      ...base,
      DEEPGRAM_API_KEY: 'dg',
      GOOGLE_API_KEY: 'g',
      GEMINI_BASE_URL: 'http://127.0.0.1:9',
    });
    expect(full.providers).toMatchObject({
      llmModel: 'gemini-2.5-flash',
      geminiBaseUrl: 'http://127.0.0.1:9',
      speech: {
        languages: ['en', 'ar'],
        byLanguage: {
          en: { stt: { model: 'nova-3', language: 'en' }, tts: { provider: 'deepgram' } },
          // No Deepgram Aura voice speaks Arabic: Gemini's does.
          ar: { stt: { model: 'nova-3', language: 'ar' }, tts: { provider: 'gemini', voice: 'Kore' } },
        },
      },
    });
    expect(
      loadAgentConfig({ ...base, DEEPGRAM_API_KEY: 'dg', GOOGLE_API_KEY: 'g', AGENT_LOCAL_MODE: 'true' }).providers,
    ).toBeNull();
  });

  it('offers the configured languages, and refuses one with no voice of its own', () => {
    const keys = { ...base, DEEPGRAM_API_KEY: 'dg', GOOGLE_API_KEY: 'g' };
    const englishOnly = loadAgentConfig({ ...keys, SPEECH_LANGUAGES: 'en' }).providers!.speech;
    expect(englishOnly.languages).toEqual(['en']);
    expect(englishOnly.byLanguage.ar).toBeUndefined();
    expect(() => loadAgentConfig({ ...keys, SPEECH_LANGUAGES: 'en,fr' })).toThrow(/SPEECH_LANGUAGES/);
    // Deepgram's default voice is English: Arabic on Deepgram must name its model.
    expect(() => loadAgentConfig({ ...keys, SPEECH_AR_TTS_PROVIDER: 'deepgram' })).toThrow(/SPEECH_AR_TTS_MODEL is required/);
    expect(
      loadAgentConfig({ ...keys, SPEECH_AR_TTS_PROVIDER: 'deepgram', SPEECH_AR_TTS_MODEL: 'aura-ar' }).providers!.speech
        .byLanguage.ar?.tts,
    ).toEqual({ provider: 'deepgram', model: 'aura-ar', voice: 'Kore' });
  });

  it('keeps patient turn-taking defaults and refuses settings the SDK would reject', () => {
    const config = loadAgentConfig(base);
    expect(config.turns).toMatchObject({
      detection: 'text',
      endpointingMode: 'fixed',
      endpointingMinDelayMs: 550,
      endpointingMaxDelayMs: 3000,
      shortAnswerWords: 20,
      preemptiveTts: true,
      vadMinSilenceMs: 550,
    });
    expect(loadAgentConfig({ ...base, TURN_DETECTION: 'model', PREEMPTIVE_TTS: 'false' }).turns).toMatchObject({
      detection: 'model',
      preemptiveTts: false,
    });
    expect(() => loadAgentConfig({ ...base, TURN_DETECTION: 'smart' })).toThrow(ConfigError);
    expect(config.worker.agentName).toBe('interviewer');
    expect(() => loadAgentConfig({ ...base, VAD_MIN_SILENCE_MS: '100' })).toThrow(ConfigError);
    expect(() => loadAgentConfig({ ...base, LOG_LEVEL: 'silent' })).toThrow(/LOG_LEVEL/);
    expect(() => loadAgentConfig({ ...base, DATABASE_URL: undefined })).toThrow(/DATABASE_URL is required/);
  });
});
