import { z } from 'zod';
import type { Logger } from '../../shared/logger.ts';
import type { JsonClient } from './client.ts';

// Structured output from an OpenAI-compatible chat completions endpoint (OpenAI, Azure OpenAI's v1 endpoint, vLLM,
// llama.cpp's server, Ollama, ...), over plain fetch. Servers differ in what they accept: `response_format:
// json_schema` first (constrained decoding on vLLM, llama.cpp and Ollama; the schema is followed on OpenAI); a server
// that refuses it is asked for `json_object` with the schema in the prompt, and one that refuses that too for JSON
// in the prompt alone. Each step down is logged, and remembered for the process's life (per endpoint and model). Whatever comes back is
// checked with zod: an answer that does not follow the schema fails the call, and the caller falls back as it does
// for Gemini (the template plan, a retried scoring job).

export interface OpenAiLlmSettings {
  provider: 'openai';
  baseUrl: string;
  apiKey: string;
  model: string;
}

type Format = 'json_schema' | 'json_object' | 'prompt';

/** An endpoint's refusal of a request shape (as opposed to a server that is down or a model that failed). */
class UnsupportedFormat extends Error {}

/** What each endpoint and model was found to take; clients are made per call, the server stays the same. */
const accepted = new Map<string, Format>();

export function createOpenAiJsonClient(settings: OpenAiLlmSettings, log?: Logger): JsonClient {
  const url = `${settings.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const key = `${url} ${settings.model}`;

  async function complete(body: Record<string, unknown>, timeoutMs: number | undefined): Promise<string> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${settings.apiKey}` },
      body: JSON.stringify({ model: settings.model, temperature: 0, ...body }),
      ...(timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
    });
    const text = await response.text();
    if (!response.ok) {
      // 400/422 naming the response format: this server does not take it. Anything else is a failure to report.
      if ((response.status === 400 || response.status === 422) && /response_format|json_schema|json_object|schema/i.test(text)) {
        throw new UnsupportedFormat(`${response.status}: ${text.slice(0, 300)}`);
      }
      throw new Error(`the language model endpoint answered ${response.status}: ${text.slice(0, 300)}`);
    }
    const content = completionSchema.parse(JSON.parse(text)).choices[0]?.message.content;
    if (!content) throw new Error('the model returned no content');
    return content;
  }

  return {
    model: settings.model,
    async generate(schema, request) {
      const jsonSchema = z.toJSONSchema(schema, { target: 'draft-7' });
      const described = `${request.system}\n\nAnswer with one JSON object, and nothing else, that follows this JSON schema:\n${JSON.stringify(jsonSchema)}`;
      for (;;) {
        const attempt: Format = accepted.get(key) ?? 'json_schema';
        const body =
          attempt === 'json_schema'
            ? {
                messages: [
                  { role: 'system', content: request.system },
                  { role: 'user', content: request.prompt },
                ],
                // Not `strict`: OpenAI's strict mode refuses schemas with bounds, which ours have; zod checks them.
                response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: jsonSchema, strict: false } },
              }
            : {
                messages: [
                  { role: 'system', content: described },
                  { role: 'user', content: request.prompt },
                ],
                ...(attempt === 'json_object' ? { response_format: { type: 'json_object' } } : {}),
              };
        let content: string;
        try {
          content = await complete(body, request.timeoutMs);
        } catch (error) {
          if (!(error instanceof UnsupportedFormat) || attempt === 'prompt') throw error;
          const next = attempt === 'json_schema' ? 'json_object' : 'prompt';
          accepted.set(key, next);
          log?.warn(
            { model: settings.model, refused: attempt, next, answer: error.message },
            'the language model endpoint refuses this structured output format; asking for JSON another way',
          );
          continue;
        }
        const parsed = schema.safeParse(parseJson(content));
        if (!parsed.success) {
          throw new Error(
            `the model's answer does not follow the schema (${attempt}): ${z.prettifyError(parsed.error).slice(0, 500)}`,
          );
        }
        return parsed.data;
      }
    },
  };
}

const completionSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable().optional() }) })),
});

/** The JSON in an answer; models asked by prompt alone often wrap it in a Markdown fence. */
function parseJson(content: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(content);
  try {
    return JSON.parse((fenced?.[1] ?? content).trim());
  } catch {
    return undefined;
  }
}
