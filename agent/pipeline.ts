import { inference, stt, voice, type llm, type tts, type VAD } from '@livekit/agents';
import * as deepgram from '@livekit/agents-plugin-deepgram';
import * as google from '@livekit/agents-plugin-google';
import * as openai from '@livekit/agents-plugin-openai';
import { speechFor, type LanguageSpeech } from '../shared/speech-languages.ts';
import type { AgentConfig } from './config.ts';
import { createEndOfTurnDetector } from './end-of-turn.ts';
import { EspeakTTS } from './speech/espeak-tts.ts';
import { espeakAvailable, espeakVoice } from './speech/espeak.ts';

// Builds the voice pipeline for one interview from config: Silero VAD; Deepgram or OpenAI-compatible STT; Gemini or
// OpenAI-compatible LLM; Deepgram, Gemini or OpenAI-compatible TTS; or, in local mode, no STT and no LLM (typed
// answers, keyword-steered flow) and espeak-ng speech when present.

/**
 * The interview language's speech as configured. The API refuses to create an interview in a language that has
 * none, so a miss here means the configuration changed since: the interview fails at once rather than mid-call.
 */
export function speechOf(config: AgentConfig, language: string): LanguageSpeech {
  const speech = config.providers && speechFor(config.providers.speech, language);
  if (!speech) throw new Error(`no speech configured for the interview language "${language}" (SPEECH_LANGUAGES)`);
  return speech;
}

/** The interviewer's voice, built on its own so the greeting can be synthesised before the session exists. */
export function createInterviewTts(config: AgentConfig, language: string): tts.TTS | undefined {
  const p = config.providers;
  if (!p) return espeakAvailable() ? new EspeakTTS(espeakVoice(language)) : undefined;
  const { tts: voiceOf } = speechOf(config, language);
  if (voiceOf.provider === 'openai') {
    // Not streamed (one request per sentence, PCM back): the session feeds it sentence by sentence.
    return new openai.TTS({
      apiKey: p.openai.tts!.apiKey,
      baseURL: p.openai.tts!.baseUrl,
      ...(voiceOf.model ? { model: voiceOf.model } : {}),
      ...(voiceOf.voice ? { voice: voiceOf.voice as openai.TTSOptions['voice'] } : {}),
    });
  }
  return voiceOf.provider === 'gemini'
    ? new google.beta.TTS({
        apiKey: p.googleApiKey,
        ...(voiceOf.model ? { model: voiceOf.model } : {}),
        ...(voiceOf.voice ? { voiceName: voiceOf.voice } : {}),
      })
    : new deepgram.TTS({ apiKey: p.deepgramApiKey, baseUrl: p.ttsUrl, ...(voiceOf.model ? { model: voiceOf.model } : {}) });
}

type Providers = NonNullable<AgentConfig['providers']>;

/**
 * Speech recognition: Deepgram's stream, or an OpenAI-compatible transcription endpoint, which takes whole
 * utterances. That one is wrapped in the SDK's VAD stream adapter: Silero cuts the audio at each pause
 * (VAD_MIN_SILENCE_MS) and each cut is transcribed, so finals come a pause later and there are no interim results.
 */
function createInterviewStt(p: Providers, speech: LanguageSpeech, vad: VAD): stt.STT {
  if (p.speech.sttProvider === 'deepgram') return new deepgram.STT({ apiKey: p.deepgramApiKey, baseUrl: p.sttUrl, ...speech.stt });
  const whisper = new openai.STT({
    apiKey: p.openai.stt!.apiKey,
    baseURL: p.openai.stt!.baseUrl,
    model: speech.stt.model,
    language: speech.stt.language,
    useRealtime: false,
  });
  return new stt.StreamAdapter(whisper, vad);
}

function createInterviewLlm(p: Providers): llm.LLM {
  if (p.llmProvider === 'openai') {
    return new openai.LLM({
      apiKey: p.openai.llm!.apiKey,
      baseURL: p.openai.llm!.baseUrl,
      model: p.llmModel,
      temperature: 0.4,
      // One flow tool per turn, as the Gemini path gets: the flow moves one step at a time.
      parallelToolCalls: false,
    });
  }
  return new google.LLM({
    model: p.llmModel,
    apiKey: p.googleApiKey,
    // Thinking adds seconds before the first token; an interviewer's turns do not need it.
    thinkingConfig: { thinkingBudget: 0 },
    temperature: 0.4,
    ...(p.geminiBaseUrl ? { httpOptions: { baseUrl: p.geminiBaseUrl } } : {}),
  });
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
    // The SDK's defaults give up on answers over 10 s and after 3 attempts in a turn: an interview answer runs
    // longer, and a final transcript comes at every breath, so its last stretch, the one that ends it, got no
    // reply ready (+300 ms on the benchmark's 41-word answer). Each attempt is an LLM request (and TTS characters)
    // thrown away when the candidate goes on.
    preemptiveGeneration: { enabled: true, preemptiveTts: t.preemptiveTts, maxSpeechDuration: 180_000, maxRetries: 10 },
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
    stt: createInterviewStt(p, speechOf(config, language), vad),
    llm: createInterviewLlm(p),
    tts: voiceOut,
    // Silence is watched by the interview itself (agent/silence.ts), which counts prompts.
    userAwayTimeout: null,
    turnHandling,
  });
}
