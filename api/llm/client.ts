import type { z } from 'zod';
import type { Logger } from '../../shared/logger.ts';
import { createGeminiJsonClient, type GeminiSettings } from './gemini.ts';
import { createOpenAiJsonClient, type OpenAiLlmSettings } from './openai.ts';

// The language model behind plans and scorecards: Gemini or an OpenAI-compatible endpoint (LLM_PROVIDER, or
// SCORING_PROVIDER for these two alone). Either way the zod schema is sent as the response's structure and checked
// on the way back.

/** Gemini settings carry no `provider` (the shape they had before there was a choice). */
export type LlmSettings = (GeminiSettings & { provider?: 'gemini' }) | OpenAiLlmSettings;

export interface JsonClient {
  model: string;
  generate<T extends z.ZodType>(schema: T, request: { system: string; prompt: string; timeoutMs?: number }): Promise<z.infer<T>>;
}

/** Whether a model can be asked at all: Gemini needs its key; an `openai` choice was refused at start without one. */
export function llmConfigured(settings: LlmSettings): boolean {
  return settings.provider === 'openai' || Boolean(settings.googleApiKey);
}

/** The client for these settings, or null when no model is configured. */
export function createJsonClient(settings: LlmSettings, log?: Logger): JsonClient | null {
  if (settings.provider === 'openai') return createOpenAiJsonClient(settings, log);
  return createGeminiJsonClient(settings);
}
