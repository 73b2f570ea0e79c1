import { inference, voice, type tts, type VAD } from '@livekit/agents';
import * as deepgram from '@livekit/agents-plugin-deepgram';
import * as google from '@livekit/agents-plugin-google';
import type { AgentConfig } from './config.ts';
import { createEndOfTurnDetector } from './end-of-turn.ts';
import { EspeakTTS } from './speech/espeak-tts.ts';
import { espeakAvailable, espeakVoice } from './speech/espeak.ts';

// Builds the voice pipeline for one interview from config: Silero VAD, Deepgram STT, Gemini LLM, Deepgram or Gemini
// TTS; or, in local mode, no STT and no LLM (typed answers, keyword-steered flow) and espeak-ng speech when present.

/** The interviewer's voice, built on its own so the greeting can be synthesised before the session exists. */
export function createInterviewTts(config: AgentConfig, language: string): tts.TTS | undefined {
  const p = config.providers;
  if (!p) return espeakAvailable() ? new EspeakTTS(espeakVoice(language)) : undefined;
  return p.ttsProvider === 'gemini'
    ? new google.beta.TTS({
        apiKey: p.googleApiKey,
        ...(p.ttsModel ? { model: p.ttsModel } : {}),
        ...(p.ttsVoice ? { voiceName: p.ttsVoice } : {}),
      })
    : new deepgram.TTS({ apiKey: p.deepgramApiKey, baseUrl: p.ttsUrl, ...(p.ttsModel ? { model: p.ttsModel } : {}) });
}

export interface SessionOptions {
  language: string;
  vad: VAD;
  /** The interviewer's voice; built here when not given. */
  tts?: tts.TTS | undefined;
  /** What the interview expects right now, for the text end-of-turn cues. */
  expectsLongAnswer: () => boolean;
}

function turnDetection(config: AgentConfig, options: SessionOptions) {
  const t = config.turns;
  switch (t.detection) {
    case 'text':
      return createEndOfTurnDetector(
        { expectsLongAnswer: options.expectsLongAnswer, shortAnswerWords: t.shortAnswerWords },
        options.language,
      );
    case 'model':
      // The local audio end-of-turn model, pinned: left unpinned, the SDK picks the cloud model in dev mode.
      return new inference.TurnDetector({ version: 'v1-mini' });
    default:
      return t.detection;
  }
}

export function createInterviewSession(config: AgentConfig, options: SessionOptions): voice.AgentSession {
  const p = config.providers;
  const t = config.turns;
  const { language, vad } = options;
  const voiceOut = 'tts' in options ? options.tts : createInterviewTts(config, language);
  const turnHandling = {
    turnDetection: turnDetection(config, options),
    endpointing: { mode: t.endpointingMode, minDelay: t.endpointingMinDelayMs, maxDelay: t.endpointingMaxDelayMs },
    // VAD-based interruptions: the adaptive mode is a cloud service.
    interruption: { mode: 'vad' as const, minDuration: t.interruptionMinDurationMs, minWords: t.interruptionMinWords },
    // The reply's text is generated while the turn's end is still being decided (the SDK default); with
    // PREEMPTIVE_TTS its audio too, so a confirmed turn is answered without waiting for the TTS.
    preemptiveGeneration: { enabled: true, preemptiveTts: t.preemptiveTts },
  };
  if (!p) {
    return new voice.AgentSession({
      vad: null,
      tts: voiceOut,
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
    tts: voiceOut,
    // Silence is watched by the interview itself (agent/silence.ts), which counts prompts.
    userAwayTimeout: null,
    turnHandling,
  });
}
