import { z } from 'zod';
import { ConfigError } from './env.ts';

// Which provider runs each stage (issue 22): the language model (the interviewer's turns, plans, scorecards),
// speech recognition and speech. Besides Deepgram and Gemini, any server speaking the OpenAI wire protocol
// (OpenAI, Azure OpenAI's v1 endpoint, vLLM, llama.cpp's server, Ollama, Speaches, Kokoro-FastAPI, ...): a
// company can keep every stage inside its own network. Shared by the API and the agent, which read the same
// variables.

export const llmProvider = z.enum(['gemini', 'openai']);
export type LlmProvider = z.infer<typeof llmProvider>;
export const sttProvider = z.enum(['deepgram', 'openai']);
export type SttProvider = z.infer<typeof sttProvider>;

/** The model a provider gets when LLM_MODEL (or SCORING_MODEL) is unset. */
export const defaultLlmModels: Record<LlmProvider, string> = { gemini: 'gemini-2.5-flash', openai: 'gpt-4.1-mini' };

export const llmEnvFields = {
  LLM_PROVIDER: llmProvider.default('gemini'),
  /** The interviewer's model; its provider's default when unset. */
  LLM_MODEL: z.string().min(1).optional(),
};

/**
 * An OpenAI-compatible endpoint per stage: OPENAI_BASE_URL and OPENAI_API_KEY serve every stage that uses one, and
 * OPENAI_<STAGE>_BASE_URL / _API_KEY point one stage elsewhere (the LLM on vLLM, speech recognition on Speaches).
 */
export const openaiEnvFields = {
  OPENAI_BASE_URL: z.url().default('https://api.openai.com/v1'),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_LLM_BASE_URL: z.url().optional(),
  OPENAI_LLM_API_KEY: z.string().min(1).optional(),
  OPENAI_STT_BASE_URL: z.url().optional(),
  OPENAI_STT_API_KEY: z.string().min(1).optional(),
  OPENAI_TTS_BASE_URL: z.url().optional(),
  OPENAI_TTS_API_KEY: z.string().min(1).optional(),
};

export type OpenAiEnv = z.infer<z.ZodObject<typeof openaiEnvFields>> & Record<string, unknown>;

export interface OpenAiEndpoint {
  baseUrl: string;
  apiKey: string;
}

/**
 * The endpoint of a stage: its own variables first, then each fallback stage's, then the shared ones. A stage
 * chosen as `openai` without any key is a configuration error naming the variables (a server that takes no key
 * accepts any value), not a silent fall into local mode: the operator asked for it.
 */
export function openaiEndpoint(e: OpenAiEnv, stages: string[], chosenBy: string): OpenAiEndpoint {
  const read = (name: string) => e[name] as string | undefined;
  const pick = (suffix: string) =>
    stages.map((s) => read(`OPENAI_${s}_${suffix}`)).find((v) => v !== undefined) ?? read(`OPENAI_${suffix}`);
  const apiKey = pick('API_KEY');
  if (!apiKey) {
    throw new ConfigError([
      `OPENAI_${stages[0]}_API_KEY or OPENAI_API_KEY is required when ${chosenBy} is openai (a server that takes no key accepts any value, e.g. "none")`,
    ]);
  }
  return { baseUrl: pick('BASE_URL')!.replace(/\/+$/, ''), apiKey };
}
