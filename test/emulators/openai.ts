// TEST CODE — an emulator of the OpenAI wire protocol for tests and benchmarks, never used by the product: what an
// in-house server (vLLM, llama.cpp's server, Ollama, Speaches, Kokoro-FastAPI) or OpenAI itself answers.
//   POST /v1/chat/completions  `stream: true`: SSE `chat.completion.chunk`s, text in pieces, a tool call as the real
//                              API streams it (id and name first, then the arguments in fragments, then
//                              `finish_reason: tool_calls`), and a usage chunk (`stream_options.include_usage`).
//                              Not streamed: one `chat.completion`, for structured output (`response_format`).
//   POST /v1/audio/transcriptions  multipart (file, model, language) → `{ text }`.
//   POST /v1/audio/speech          JSON (input, model, voice, response_format) → raw 24 kHz 16-bit PCM.
//   GET  /v1/models                the model list (the LLM plugin's prewarm).
// It has no models. The interviewer's turns come from the Gemini emulator's rule book (test/emulators/gemini.ts),
// fed the same conversation translated, so both providers decide alike; structured answers come from an evaluation
// brain (test/scoring/gemini-evaluation-emulator.ts), fed the same prompt. Transcription does not recognise words:
// a WAV with speech in it is answered with the script's next line (as the Deepgram emulator decides what was said),
// one without speech with an empty text. Speech is espeak-ng audio, in an Arabic voice for Arabic text.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { synthesizeSpeech } from '../../agent/speech/espeak.ts';
import type { EvaluationBrain } from '../scoring/gemini-evaluation-emulator.ts';
import { interviewerBrain, type GeminiBrain, type GeminiPart, type GeminiRequest } from './gemini.ts';

export interface OpenAiMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  content?: string | null | Array<{ type: string; text?: string }>;
  tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
}

export interface ChatRequest {
  model: string;
  messages: OpenAiMessage[];
  stream?: boolean;
  tools?: Array<{ type: 'function'; function: { name: string; description?: string; parameters?: unknown } }>;
  response_format?: { type: 'json_schema'; json_schema: { name: string; schema: unknown; strict?: boolean } } | { type: 'json_object' | 'text' };
  parallel_tool_calls?: boolean;
  temperature?: number;
}

export interface TranscriptionRequest {
  model: string;
  language: string | undefined;
  /** Seconds of audio received. */
  seconds: number;
  text: string;
}

export interface SpeechRequest {
  model: string;
  voice: string;
  responseFormat: string;
  text: string;
}

export interface OpenAiEmulatorOptions {
  /** The interviewer's turns; the Gemini emulator's rule book by default. */
  brain?: GeminiBrain;
  /** Answers to non-streamed (structured output) requests; without one they are answered 500. */
  jsonBrain?: EvaluationBrain;
  /**
   * How the endpoint takes `response_format`: `json_schema` (OpenAI, vLLM, llama.cpp, Ollama), `json_object` (it
   * refuses a schema, as some servers do, with a 400), or `none` (it refuses both).
   */
  structuredOutput?: 'json_schema' | 'json_object' | 'none';
  /** What the candidate says, one entry per transcribed utterance, in order. */
  script?: string[];
  /** Fixed delay before the first streamed chunk (and before a non-streamed answer). */
  firstTokenDelayMs?: number;
  /** Fixed delay before a transcription is answered, the provider's processing time. */
  sttDelayMs?: number;
  /** Fixed delay before speech audio. */
  ttsFirstByteDelayMs?: number;
  ttsWordsPerMinute?: number;
  /** RMS (0..1) above which a 10 ms slice counts as speech. */
  speechRms?: number;
}

export interface OpenAiEmulator {
  url: string;
  /** The base URL clients are given (`…/v1`). */
  baseUrl: string;
  chat: ChatRequest[];
  /** The tool calls streamed back, by name, in order. */
  toolCalls: string[];
  transcriptions: TranscriptionRequest[];
  speech: SpeechRequest[];
  /** Every request's Authorization header, in order. */
  authorizations: string[];
  addScript(lines: string[]): void;
  clearScript(): void;
  close(): Promise<void>;
}

function textOf(content: OpenAiMessage['content']): string {
  if (!content) return '';
  return typeof content === 'string' ? content : content.map((p) => p.text ?? '').join('');
}

/** The conversation as the Gemini emulator's rule book reads it, so both emulated providers decide alike. */
export function asGeminiRequest(request: ChatRequest): GeminiRequest {
  const contents: GeminiRequest['contents'] = [];
  const system: string[] = [];
  const names = new Map<string, string>();
  for (const m of request.messages) {
    if (m.role === 'system' || m.role === 'developer') system.push(textOf(m.content));
    else if (m.role === 'user') contents.push({ role: 'user', parts: [{ text: textOf(m.content) }] });
    else if (m.role === 'assistant') {
      const parts: GeminiPart[] = [];
      if (textOf(m.content)) parts.push({ text: textOf(m.content) });
      for (const c of m.tool_calls ?? []) {
        names.set(c.id, c.function.name);
        parts.push({ functionCall: { name: c.function.name, args: JSON.parse(c.function.arguments || '{}') as Record<string, unknown> } });
      }
      contents.push({ role: 'model', parts });
    } else {
      contents.push({ role: 'user', parts: [{ functionResponse: { name: names.get(m.tool_call_id ?? '') ?? '', response: textOf(m.content) } }] });
    }
  }
  return {
    model: request.model,
    contents,
    systemInstruction: { parts: system.map((text) => ({ text })) },
    tools: [{ functionDeclarations: (request.tools ?? []).map((t) => ({ name: t.function.name })) }],
  };
}

function rms(samples: Int16Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += (samples[i]! / 32768) ** 2;
  return Math.sqrt(sum / Math.max(1, to - from));
}

/** A 16-bit PCM WAV's samples and rate (the plugin sends a plain 44-byte header). */
function readWav(data: Buffer): { samples: Int16Array; sampleRate: number } {
  const sampleRate = data.readUInt32LE(24);
  const pcm = data.subarray(44);
  return { samples: new Int16Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + (pcm.byteLength & ~1))), sampleRate };
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const delay = (ms: number | undefined) => (ms && ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

function sendError(res: ServerResponse, status: number, message: string, param?: string) {
  res
    .writeHead(status, { 'content-type': 'application/json' })
    .end(JSON.stringify({ error: { message, type: 'invalid_request_error', param: param ?? null, code: null } }));
}

export async function startOpenAiEmulator(options: OpenAiEmulatorOptions = {}): Promise<OpenAiEmulator> {
  const brain = options.brain ?? interviewerBrain;
  const script = [...(options.script ?? [])];
  const chat: ChatRequest[] = [];
  const toolCalls: string[] = [];
  const transcriptions: TranscriptionRequest[] = [];
  const speech: SpeechRequest[] = [];
  const authorizations: string[] = [];
  let sequence = 0;

  async function completions(request: ChatRequest, res: ServerResponse) {
    const id = `chatcmpl-emulated-${++sequence}`;
    const created = Math.floor(Date.now() / 1000);
    if (!request.stream) {
      const format = request.response_format?.type;
      const accepts = options.structuredOutput ?? 'json_schema';
      if ((format === 'json_schema' && accepts !== 'json_schema') || (format === 'json_object' && accepts === 'none')) {
        sendError(res, 400, `response_format type "${format}" is not supported by this server`, 'response_format');
        return;
      }
      if (!options.jsonBrain) {
        sendError(res, 500, 'no answer configured');
        return;
      }
      const system = request.messages.filter((m) => m.role === 'system').map((m) => textOf(m.content)).join('\n');
      const prompt = request.messages.filter((m) => m.role === 'user').map((m) => textOf(m.content)).join('\n');
      let answer: unknown;
      try {
        answer = await options.jsonBrain({
          model: request.model,
          prompt,
          systemInstruction: system,
          responseMimeType: format === 'json_schema' || format === 'json_object' ? 'application/json' : undefined,
          responseJsonSchema: format === 'json_schema' ? request.response_format?.json_schema.schema : undefined,
        });
      } catch (error) {
        sendError(res, 500, String(error));
        return;
      }
      await delay(options.firstTokenDelayMs);
      // A model asked by prompt alone often fences its JSON; the client must read it either way.
      const content = typeof answer === 'string' ? answer : format ? JSON.stringify(answer) : `\`\`\`json\n${JSON.stringify(answer)}\n\`\`\``;
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model: request.model,
          choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
          usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 },
        }),
      );
      return;
    }

    const parts = brain(asGeminiRequest(request));
    await delay(options.firstTokenDelayMs);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: request.model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`,
      );
    chunk({ role: 'assistant', content: '' });
    let calls = 0;
    for (const part of parts) {
      if (part.text !== undefined) {
        const words = part.text.split(/(?<= )/);
        for (let i = 0; i < words.length; i += 4) chunk({ content: words.slice(i, i + 4).join('') });
      } else if (part.functionCall) {
        // As OpenAI streams a call: its id, type and name with empty arguments, then the arguments in fragments.
        const index = calls++;
        toolCalls.push(part.functionCall.name);
        const args = JSON.stringify(part.functionCall.args);
        chunk({ tool_calls: [{ index, id: `call_emulated_${sequence}_${index}`, type: 'function', function: { name: part.functionCall.name, arguments: '' } }] });
        for (let i = 0; i < args.length; i += 8) chunk({ tool_calls: [{ index, function: { arguments: args.slice(i, i + 8) } }] });
      }
    }
    chunk({}, calls > 0 ? 'tool_calls' : 'stop');
    res.write(
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: request.model, choices: [], usage: { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 } })}\n\n`,
    );
    res.write('data: [DONE]\n\n');
    res.end();
  }

  async function transcribe(req: IncomingMessage, raw: Buffer, res: ServerResponse) {
    const form = await new Request('http://emulator/', { method: 'POST', headers: req.headers as Record<string, string>, body: new Uint8Array(raw) }).formData();
    const file = form.get('file');
    const model = form.get('model');
    if (!(file instanceof Blob) || typeof model !== 'string') {
      sendError(res, 400, 'file and model are required', 'file');
      return;
    }
    const { samples, sampleRate } = readWav(Buffer.from(await file.arrayBuffer()));
    const slice = Math.round(sampleRate / 100);
    let speech = false;
    for (let at = 0; at + slice <= samples.length && !speech; at += slice) speech = rms(samples, at, at + slice) > (options.speechRms ?? 0.01);
    const text = speech ? (script.shift() ?? '') : '';
    const language = form.get('language');
    transcriptions.push({ model, language: typeof language === 'string' ? language : undefined, seconds: samples.length / sampleRate, text });
    await delay(options.sttDelayMs);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ text }));
  }

  async function speak(request: { input: string; model: string; voice: string; response_format?: string }, res: ServerResponse) {
    speech.push({ model: request.model, voice: request.voice, responseFormat: request.response_format ?? 'mp3', text: request.input });
    if (request.response_format !== 'pcm') {
      // The plugin asks for raw PCM; nothing here encodes other formats.
      sendError(res, 400, `response_format ${request.response_format ?? 'mp3'} is not emulated`, 'response_format');
      return;
    }
    const pcm = await synthesizeSpeech(request.input, {
      sampleRate: 24000,
      voice: /\p{Script=Arabic}/u.test(request.input) ? 'ar' : 'en-us',
      wordsPerMinute: options.ttsWordsPerMinute,
    });
    await delay(options.ttsFirstByteDelayMs);
    res.writeHead(200, { 'content-type': 'audio/pcm' });
    // Sent in 100 ms pieces, as a server streams it.
    const piece = 2400;
    for (let i = 0; i < pcm.length; i += piece) {
      const part = pcm.subarray(i, i + piece);
      res.write(Buffer.from(part.buffer, part.byteOffset, part.byteLength));
    }
    res.end();
  }

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://emulator').pathname;
    authorizations.push(req.headers.authorization ?? '');
    void (async () => {
      const raw = await body(req);
      if (req.method === 'GET' && path === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'emulated', object: 'model', owned_by: 'emulator' }] }));
      } else if (req.method === 'POST' && path === '/v1/chat/completions') {
        const request = JSON.parse(raw.toString()) as ChatRequest;
        chat.push(request);
        await completions(request, res);
      } else if (req.method === 'POST' && path === '/v1/audio/transcriptions') {
        await transcribe(req, raw, res);
      } else if (req.method === 'POST' && path === '/v1/audio/speech') {
        await speak(JSON.parse(raw.toString()), res);
      } else {
        sendError(res, 404, `no route ${req.method} ${path}`);
      }
    })().catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, String(error));
      else res.end();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    baseUrl: `${url}/v1`,
    chat,
    toolCalls,
    transcriptions,
    speech,
    authorizations,
    addScript: (lines) => script.push(...lines),
    clearScript: () => void script.splice(0, script.length),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
