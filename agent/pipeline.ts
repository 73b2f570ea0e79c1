import { inference, voice, type VAD } from '@livekit/agents';
import * as deepgram from '@livekit/agents-plugin-deepgram';
import * as google from '@livekit/agents-plugin-google';
import type { AgentConfig } from './config.ts';
import { EspeakTTS } from './speech/espeak-tts.ts';
import { espeakAvailable, espeakVoice } from './speech/espeak.ts';

// Builds the voice pipeline for one interview from config: Silero VAD, Deepgram STT, Gemini LLM, Deepgram or Gemini
// TTS; or, in local mode, no STT and no LLM (typed answers, keyword-steered flow) and espeak-ng speech when present.

export function createInterviewSession(config: AgentConfig, language: string, vad: VAD): voice.AgentSession {
  const p = config.providers;
  const t = config.turns;
  // The local audio end-of-turn model, pinned: left unpinned, the SDK picks the cloud model in dev mode.
  const turnDetection =
    t.detection === 'model' ? new inference.TurnDetector({ version: 'v1-mini' }) : t.detection;
  const turnHandling = {
    turnDetection,
    endpointing: { mode: 'fixed' as const, minDelay: t.endpointingMinDelayMs, maxDelay: t.endpointingMaxDelayMs },
    // VAD-based interruptions: the adaptive mode is a cloud service.
    interruption: { mode: 'vad' as const, minDuration: t.interruptionMinDurationMs, minWords: t.interruptionMinWords },
  };
  if (!p) {
    return new voice.AgentSession({
      vad: null,
      tts: espeakAvailable() ? new EspeakTTS(espeakVoice(language)) : undefined,
      userAwayTimeout: null,
    });
  }
  return new voice.AgentSession({
    vad,
    stt: new deepgram.STT({ apiKey: p.deepgramApiKey, baseUrl: p.sttUrl, model: p.sttModel, language }),
    llm: new google.LLM({
      model: p.llmModel,
      apiKey: p.googleApiKey,
      // Thinking adds seconds before the first token; an interviewer's turns do not need it.
      thinkingConfig: { thinkingBudget: 0 },
      temperature: 0.4,
      ...(p.geminiBaseUrl ? { httpOptions: { baseUrl: p.geminiBaseUrl } } : {}),
    }),
    tts:
      p.ttsProvider === 'gemini'
        ? new google.beta.TTS({ apiKey: p.googleApiKey, ...(p.ttsModel ? { model: p.ttsModel } : {}), ...(p.ttsVoice ? { voiceName: p.ttsVoice } : {}) })
        : new deepgram.TTS({ apiKey: p.deepgramApiKey, baseUrl: p.ttsUrl, ...(p.ttsModel ? { model: p.ttsModel } : {}) }),
    // Silence is watched by the interview itself (agent/silence.ts), which counts prompts.
    userAwayTimeout: null,
    turnHandling,
  });
}
