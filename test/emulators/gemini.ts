// TEST CODE — an emulator of the Gemini API's streaming endpoint for tests and benchmarks, never used by the product.
// POST /v1beta/models/{model}:streamGenerateContent?alt=sse → `data: {candidates:[{content:{parts}}]}` events.
// It has no language model: a small rule book reads the tools the request offers and the candidate's last words,
// and answers the way a well-behaved interviewer model would (a tool call, or a short text). Tests check the agent's
// handling of those answers, not the quality of the answers.
// Speech (Gemini TTS: the same endpoint with responseModalities AUDIO) is espeak-ng audio, in an Arabic voice for
// Arabic text, and every request is kept with its model and voice.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { synthesizeSpeech } from '../../agent/speech/espeak.ts';

export interface GeminiPart {
  text?: string;
  functionCall?: { name: string; args: Record<string, unknown> };
  functionResponse?: { name: string; response: unknown };
}

export interface GeminiRequest {
  model: string;
  contents: Array<{ role: string; parts: GeminiPart[] }>;
  systemInstruction?: { parts: GeminiPart[] };
  tools?: Array<{ functionDeclarations?: Array<{ name: string }> }>;
  generationConfig?: {
    responseModalities?: string[];
    speechConfig?: { voiceConfig?: { prebuiltVoiceConfig?: { voiceName?: string } } };
  };
}

/** A speech request: what was to be said, by which model and voice. */
export interface GeminiSpeechRequest {
  model: string;
  voice: string | undefined;
  text: string;
}

export type GeminiBrain = (request: GeminiRequest) => GeminiPart[];

export interface GeminiEmulatorOptions {
  brain?: GeminiBrain;
  /** Fixed delay before the first streamed event. */
  firstTokenDelayMs?: number;
  /** Fixed delay before speech audio (Gemini TTS); the first-token delay when not given. */
  ttsFirstByteDelayMs?: number;
}

export interface GeminiEmulator {
  url: string;
  requests: GeminiRequest[];
  /** Each request's last user text and the parts answered, with the time: what a failed test prints. */
  exchanges: Array<{ at: number; said: string | undefined; reply: GeminiPart[] }>;
  speech: GeminiSpeechRequest[];
  close(): Promise<void>;
}

export function lastUserText(request: GeminiRequest): string | undefined {
  const last = request.contents.at(-1);
  if (!last || last.role !== 'user') return undefined;
  const texts = last.parts.filter((p) => p.text !== undefined).map((p) => p.text);
  return texts.length > 0 ? texts.join(' ') : undefined;
}

function offeredTools(request: GeminiRequest): Set<string> {
  return new Set((request.tools ?? []).flatMap((t) => t.functionDeclarations ?? []).map((f) => f.name));
}

const call = (name: string, args: Record<string, unknown> = {}): GeminiPart[] => [{ functionCall: { name, args } }];

/** The default rule book: decides like a cooperative interviewer model, from keywords. */
export const interviewerBrain: GeminiBrain = (request) => {
  const tools = offeredTools(request);
  const said = lastUserText(request);
  if (said === undefined) return [{ text: 'Thank you.' }];
  const text = said.toLowerCase();
  if (tools.has('record_consent')) {
    if (/\b(no|not|don't|do not|decline|refuse)\b/.test(text) || /(^|\s)(لا|لست)(\s|$|[،.])/.test(said)) {
      return call('record_consent', { agreed: false });
    }
    if (/\b(yes|agree|okay|ok|sure|ready)\b/.test(text) || /(نعم|أوافق|موافق)/.test(said)) {
      return call('record_consent', { agreed: true });
    }
    return [{ text: 'Before we begin, do you agree to continue with the AI interview? Please say yes or no.' }];
  }
  if (tools.has('repeat_question') && /\b(repeat|say that again|pardon)\b/.test(text)) return call('repeat_question');
  if (said.includes('?') || said.includes('؟')) {
    const system = (request.systemInstruction?.parts ?? []).map((p) => p.text ?? '').join('\n');
    const description = /Job description: (.*)/.exec(system)?.[1] ?? 'the role as described in the job posting';
    return [{ text: `From the job description: ${description.split('. ')[0]}.` }];
  }
  if (tools.has('finish_interview')) return call('finish_interview');
  if (tools.has('next_question')) return call('next_question');
  return [{ text: 'Thank you.' }];
};

export async function startGeminiEmulator(options: GeminiEmulatorOptions = {}): Promise<GeminiEmulator> {
  const brain = options.brain ?? interviewerBrain;
  const requests: GeminiRequest[] = [];
  const exchanges: GeminiEmulator['exchanges'] = [];
  const speech: GeminiSpeechRequest[] = [];
  const server: Server = createServer((req, res) => {
    const match = /^\/v1beta\/models\/([^:]+):streamGenerateContent/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 404 } }));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as Omit<GeminiRequest, 'model'>;
      const request: GeminiRequest = { model: decodeURIComponent(match[1]!), ...body };
      if (request.generationConfig?.responseModalities?.includes('AUDIO')) {
        await speak(request, res);
        return;
      }
      requests.push(request);
      const parts = brain(request);
      exchanges.push({ at: Date.now(), said: lastUserText(request), reply: parts });
      if (options.firstTokenDelayMs) await new Promise((r) => setTimeout(r, options.firstTokenDelayMs));
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      // Text streams in a few pieces, as the real API does; function calls arrive whole.
      const events: GeminiPart[][] = [];
      for (const part of parts) {
        if (part.text !== undefined) {
          const words = part.text.split(/(?<= )/);
          for (let i = 0; i < words.length; i += 4) events.push([{ text: words.slice(i, i + 4).join('') }]);
        } else events.push([part]);
      }
      events.forEach((eventParts, index) => {
        const last = index === events.length - 1;
        const payload = {
          candidates: [
            { content: { role: 'model', parts: eventParts }, index: 0, ...(last ? { finishReason: 'STOP' } : {}) },
          ],
          ...(last
            ? { usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 10, totalTokenCount: 110 } }
            : {}),
          modelVersion: request.model,
          responseId: `emulated-${requests.length}`,
        };
        res.write(`data: ${JSON.stringify(payload)}\r\n\r\n`);
      });
      res.end();
    });
  });
  async function speak(request: GeminiRequest, res: import('node:http').ServerResponse) {
    // The plugin sends `<style instructions>:\n"<text>"`.
    const prompt = request.contents.at(-1)?.parts.map((p) => p.text ?? '').join('') ?? '';
    const text = /:\n"([\s\S]*)"$/.exec(prompt)?.[1] ?? prompt;
    const voice = request.generationConfig?.speechConfig?.voiceConfig?.prebuiltVoiceConfig?.voiceName;
    speech.push({ model: request.model, voice, text });
    try {
      const pcm = await synthesizeSpeech(text, {
        sampleRate: 24000,
        voice: /\p{Script=Arabic}/u.test(text) ? 'ar' : 'en-us',
        wordsPerMinute: 330,
      });
      const ttsDelay = options.ttsFirstByteDelayMs ?? options.firstTokenDelayMs;
      if (ttsDelay) await new Promise((r) => setTimeout(r, ttsDelay));
      const data = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).toString('base64');
      const parts = [{ inlineData: { mimeType: 'audio/L16;codec=pcm;rate=24000', data } }];
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(`data: ${JSON.stringify({ candidates: [{ content: { role: 'model', parts }, index: 0, finishReason: 'STOP' }], modelVersion: request.model })}\r\n\r\n`);
      res.end();
    } catch (error) {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 500, message: String(error) } }));
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    exchanges,
    speech,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
