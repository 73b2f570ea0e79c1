import { GoogleGenAI } from '@google/genai';
import { z } from 'zod';

export interface GeminiSettings {
  googleApiKey: string | undefined;
  baseUrl: string | undefined;
  model: string;
}

/** Structured output from Gemini: the zod schema is sent as the response schema and checked on the way back. */
export interface GeminiJsonClient {
  model: string;
  generate<T extends z.ZodType>(schema: T, request: { system: string; prompt: string; timeoutMs?: number }): Promise<z.infer<T>>;
}

export function createGeminiJsonClient(settings: GeminiSettings): GeminiJsonClient | null {
  if (!settings.googleApiKey) return null;
  const ai = new GoogleGenAI({
    apiKey: settings.googleApiKey,
    ...(settings.baseUrl ? { httpOptions: { baseUrl: settings.baseUrl } } : {}),
  });
  return {
    model: settings.model,
    async generate(schema, request) {
      const response = await ai.models.generateContent({
        model: settings.model,
        contents: [{ role: 'user', parts: [{ text: request.prompt }] }],
        config: {
          systemInstruction: request.system,
          temperature: 0,
          responseMimeType: 'application/json',
          responseJsonSchema: z.toJSONSchema(schema, { target: 'draft-7' }),
          // A Flash model with thinking off: these are offline calls, and the prompt carries the structure.
          thinkingConfig: { thinkingBudget: 0 },
          ...(request.timeoutMs ? { httpOptions: { timeout: request.timeoutMs } } : {}),
        },
      });
      const text = response.text;
      if (!text) throw new Error('the model returned no content');
      return schema.parse(JSON.parse(text));
    },
  };
}
