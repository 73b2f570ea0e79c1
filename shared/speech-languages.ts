import { z } from 'zod';
import { ConfigError } from './env.ts';
import { sttProvider, type SttProvider } from './model-providers.ts';

// The languages an interview can be held in, and the speech each one uses. Shared by the API (which refuses an
// interview in a language with no voice when it is created, not mid-call) and the agent (which picks the STT and TTS
// per interview): both read the same variables, parsed here.
//
// A language needs two things: the interviewer's sentences (agent/script/<code>.ts, a catalogue typed against the
// English one) and a voice. `interviewLanguages` lists the languages that have a catalogue; SPEECH_LANGUAGES picks
// which of them this deployment offers.

export const interviewLanguages = ['en', 'ar'] as const;
export type InterviewLanguage = (typeof interviewLanguages)[number];

export function isInterviewLanguage(code: string): code is InterviewLanguage {
  return (interviewLanguages as readonly string[]).includes(code);
}

/** `ar-AE` → `ar`: the interviewer's catalogue is per language, the STT's language code may be regional. */
export function baseLanguage(code: string): string {
  return code.toLowerCase().split(/[-_]/)[0] ?? code;
}

// `openai`: any server speaking the OpenAI speech API (shared/model-providers.ts).
const ttsProvider = z.enum(['deepgram', 'gemini', 'openai']);
export type TtsProvider = z.infer<typeof ttsProvider>;

/** Speech recognition models when STT_MODEL / SPEECH_AR_STT_MODEL are unset. */
const defaultSttModels: Record<SttProvider, string> = { deepgram: 'nova-3', openai: 'whisper-1' };

export const speechEnvFields = {
  /** The languages interviews may be held in here, comma-separated; each needs a catalogue and a voice. */
  SPEECH_LANGUAGES: z
    .string()
    .default('en,ar')
    .transform((v) => [...new Set(v.split(',').map((s) => s.trim()).filter(Boolean))])
    .pipe(z.array(z.enum(interviewLanguages)).min(1)),
  /** Speech recognition for every language: Deepgram's streaming API, or an OpenAI-compatible transcription endpoint. */
  STT_PROVIDER: sttProvider.default('deepgram'),
  /** English speech: the historical variables, kept as they were (STT_MODEL: nova-3 on Deepgram, whisper-1 on openai). */
  STT_MODEL: z.string().optional(),
  TTS_PROVIDER: ttsProvider.default('deepgram'),
  TTS_MODEL: z.string().optional(),
  TTS_VOICE: z.string().optional(),
  /**
   * Arabic speech. Deepgram's Aura voices are English (and a few European languages): none speaks Arabic, so the
   * default voice is Gemini's (its voices read the language of the text). STT: Deepgram with language `ar`.
   */
  SPEECH_AR_STT_MODEL: z.string().optional(),
  SPEECH_AR_STT_LANGUAGE: z.string().default('ar'),
  SPEECH_AR_TTS_PROVIDER: ttsProvider.default('gemini'),
  SPEECH_AR_TTS_MODEL: z.string().optional(),
  SPEECH_AR_TTS_VOICE: z.string().optional().default('Kore'),
};

export type SpeechEnv = z.infer<z.ZodObject<typeof speechEnvFields>>;

export interface LanguageSpeech {
  stt: { model: string; language: string };
  tts: { provider: TtsProvider; model: string | undefined; voice: string | undefined };
}

export interface SpeechSettings {
  /** The languages offered, in the order configured. */
  languages: InterviewLanguage[];
  sttProvider: SttProvider;
  byLanguage: Partial<Record<InterviewLanguage, LanguageSpeech>>;
}

export function speechSettings(e: SpeechEnv): SpeechSettings {
  const all: Record<InterviewLanguage, LanguageSpeech> = {
    en: {
      stt: { model: e.STT_MODEL ?? defaultSttModels[e.STT_PROVIDER], language: 'en' },
      tts: { provider: e.TTS_PROVIDER, model: e.TTS_MODEL, voice: e.TTS_VOICE },
    },
    ar: {
      stt: { model: e.SPEECH_AR_STT_MODEL ?? defaultSttModels[e.STT_PROVIDER], language: e.SPEECH_AR_STT_LANGUAGE },
      tts: { provider: e.SPEECH_AR_TTS_PROVIDER, model: e.SPEECH_AR_TTS_MODEL, voice: e.SPEECH_AR_TTS_VOICE },
    },
  };
  // Deepgram's default TTS model is an English voice: a non-English language on Deepgram must name its model, or
  // it would be read out in English phonetics.
  const issues = e.SPEECH_LANGUAGES.filter((l) => l !== 'en' && all[l].tts.provider === 'deepgram' && !all[l].tts.model).map(
    (l) => `SPEECH_${l.toUpperCase()}_TTS_MODEL is required when SPEECH_${l.toUpperCase()}_TTS_PROVIDER is deepgram (its default voice is English)`,
  );
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    languages: e.SPEECH_LANGUAGES,
    sttProvider: e.STT_PROVIDER,
    byLanguage: Object.fromEntries(e.SPEECH_LANGUAGES.map((l) => [l, all[l]])),
  };
}

/** The TTS providers the offered languages use, read before any other check (to know which keys are needed). */
export function ttsProvidersOf(e: SpeechEnv): TtsProvider[] {
  const of: Record<InterviewLanguage, TtsProvider> = { en: e.TTS_PROVIDER, ar: e.SPEECH_AR_TTS_PROVIDER };
  return [...new Set(e.SPEECH_LANGUAGES.map((l) => of[l]))];
}

/** The speech of a language, or undefined when this deployment does not offer it. */
export function speechFor(settings: SpeechSettings, language: string): LanguageSpeech | undefined {
  const base = baseLanguage(language);
  return isInterviewLanguage(base) ? settings.byLanguage[base] : undefined;
}
