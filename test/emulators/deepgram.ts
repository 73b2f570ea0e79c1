// TEST CODE — an emulator of Deepgram's wire protocols for tests and benchmarks, never used by the product.
// Streaming STT: WebSocket /v1/listen, 16-bit PCM in, `SpeechStarted` / `Results` / `UtteranceEnd` JSON out.
// It segments the audio it really receives by energy; when a speech segment ends it answers with the script's
// next line as a final transcript (it does not recognise words: the script says what the candidate said). A line
// with thinking pauses is several segments, one per stretch of speech between pauses (the candidate simulator's
// `spokenSegments`): what is sent during a pause is only what was said before it, as from Deepgram, whose
// endpointing finalises (`is_final`, `speech_final`) at the first silence longer than its `endpointing` setting.
// While a segment is spoken, interim results (`interim_results=true`, as the plugin asks) carry the words of its
// line said so far, estimated from the audio received at the voice's speech rate.
// TTS: POST /v1/speak (raw PCM out) and WebSocket /v1/speak (`Speak` / `Flush` / `Close`), audio from espeak-ng.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { synthesizeSpeech } from '../../agent/speech/espeak.ts';

export interface DeepgramEmulatorOptions {
  /** What the candidate says, one entry per speech segment, in order. */
  script?: string[];
  /**
   * Instead of one shared script: every STT stream gets its own copy of these lines (concurrent interviews of
   * the same scenario, each answered in its own order).
   */
  scriptPerStream?: string[];
  /** Silence (ms of received audio) that ends a speech segment. */
  segmentGapMs?: number;
  /** RMS (0..1) above which a 10 ms slice counts as speech. */
  speechRms?: number;
  /** Fixed delay before a final transcript is sent, to emulate the provider's processing time. */
  sttFinalDelayMs?: number;
  /** Fixed delay before the first TTS audio byte. */
  ttsFirstByteDelayMs?: number;
  /** Speech rate of the emulated voice; faster keeps end-to-end tests short. */
  ttsWordsPerMinute?: number;
  /** Received speech between two interim results (when the stream asks for them); Deepgram's are this frequent. */
  interimEveryMs?: number;
  /** The candidate's speech rate, to estimate how many of a segment's words an interim result holds. */
  candidateWordsPerMinute?: number;
}

export interface SttSegmentEvent {
  text: string;
  /** Seconds of received audio, from the start of the stream. */
  start: number;
  end: number;
}

export interface DeepgramEmulator {
  url: string;
  /** Appends lines the candidate will say. */
  addScript(lines: string[]): void;
  /** Drops the lines not yet said (an interview that ended before its candidate said them all). */
  clearScript(): void;
  /** Segments seen so far, with the text each was answered with. */
  segments: SttSegmentEvent[];
  /** Texts the TTS was asked to speak. */
  spoken: string[];
  /** Number of STT streams opened so far. */
  sttConnections: number;
  /** The query of every STT stream opened (model, language, ...), in order. */
  sttQueries: URLSearchParams[];
  /**
   * With `scriptPerStream`: the next STT stream opened starts at this line instead of the first (an interview resumed
   * by a new job process, whose candidate says again the answer the killed one was hearing).
   */
  nextStreamStartsAt(line: number): void;
  /** The model asked of every TTS request (REST or WebSocket), in order. */
  ttsModels: string[];
  close(): Promise<void>;
}

function rms(samples: Int16Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += (samples[i]! / 32768) ** 2;
  return Math.sqrt(sum / Math.max(1, to - from));
}

export async function startDeepgramEmulator(options: DeepgramEmulatorOptions = {}): Promise<DeepgramEmulator> {
  const script = [...(options.script ?? [])];
  const segmentGapMs = options.segmentGapMs ?? 400;
  const stalledStreamMs = 2_500;
  const speechRms = options.speechRms ?? 0.01;
  const segments: SttSegmentEvent[] = [];
  const spoken: string[] = [];
  let sttConnections = 0;
  let nextStreamStart = 0;
  const sttQueries: URLSearchParams[] = [];
  const ttsModels: string[] = [];

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (req.method === 'POST' && url.pathname === '/v1/speak') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        try {
          const { text } = JSON.parse(Buffer.concat(chunks).toString()) as { text: string };
          spoken.push(text);
          ttsModels.push(url.searchParams.get('model') ?? '');
          const pcm = await synthesizeSpeech(text, { sampleRate: Number(url.searchParams.get('sample_rate') ?? 24000), wordsPerMinute: options.ttsWordsPerMinute });
          await delay(options.ttsFirstByteDelayMs ?? 0);
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          res.end(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
        } catch (error) {
          res.writeHead(500).end(String(error));
        }
      });
      return;
    }
    res.writeHead(404).end();
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (url.pathname !== '/v1/listen' && url.pathname !== '/v1/speak') {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (url.pathname === '/v1/listen') {
        sttConnections++;
        sttQueries.push(url.searchParams);
        handleListen(ws, req);
      } else {
        ttsModels.push(url.searchParams.get('model') ?? '');
        handleSpeak(ws, url);
      }
    });
  });

  function handleListen(ws: WebSocket, req: IncomingMessage) {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const sampleRate = Number(url.searchParams.get('sample_rate') ?? 16000);
    const slice = Math.round(sampleRate / 100); // 10 ms
    let receivedSamples = 0;
    let pending = new Int16Array(0);
    let inSpeech = false;
    let segmentStart = 0;
    let lastSpeechEnd = 0;
    let silenceTimer: NodeJS.Timeout | undefined;
    const requestId = `emulated-${Math.random().toString(36).slice(2)}`;
    const lines = options.scriptPerStream ? options.scriptPerStream.slice(nextStreamStart) : script;
    nextStreamStart = 0;
    const interim = url.searchParams.get('interim_results') === 'true';
    const interimEvery = ((options.interimEveryMs ?? 500) * sampleRate) / 1000;
    const samplesPerWord = (sampleRate * 60) / (options.candidateWordsPerMinute ?? 220);
    let lastInterimAt = 0;
    let lastInterimWords = 0;
    // Deepgram sends UtteranceEnd only when asked for it (`utterance_end_ms`); the plugin does not by default.
    const utteranceEnd = url.searchParams.has('utterance_end_ms');

    // Messages leave in the order of the audio they describe, as from Deepgram: a final held back by its processing
    // delay is not overtaken by what is heard after it (audio can arrive faster than real time).
    let outbox = Promise.resolve();
    const send = (message: unknown, delayMs = 0) => {
      outbox = outbox
        .then(() => delay(delayMs))
        .then(() => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
        })
        // One failed send must not silence the rest of the stream.
        .catch(() => {});
    };

    const endSegment = () => {
      if (!inSpeech) return;
      inSpeech = false;
      clearTimeout(silenceTimer);
      const start = segmentStart / sampleRate;
      const end = lastSpeechEnd / sampleRate;
      const text = lines.shift() ?? '';
      segments.push({ text, start, end });
      send(results(text, start, end, true), options.sttFinalDelayMs ?? 0);
      if (utteranceEnd) send({ type: 'UtteranceEnd', channel: [0, 1], last_word_end: end });
    };

    /** A `Results` message for these words spoken between start and end (seconds of received audio). */
    const results = (text: string, start: number, end: number, final: boolean) => {
      const words = text.split(/\s+/).filter(Boolean);
      const step = words.length > 0 ? (end - start) / words.length : 0;
      return {
        type: 'Results',
        channel_index: [0, 1],
        duration: end - start,
        start,
        is_final: final,
        speech_final: final,
        from_finalize: false,
        channel: {
          alternatives: [
            {
              transcript: text,
              confidence: 0.99,
              words: words.map((w, i) => ({
                word: w.toLowerCase().replace(/[^\p{L}\p{N}']/gu, ''),
                punctuated_word: w,
                start: start + i * step,
                end: start + (i + 1) * step,
                confidence: 0.99,
              })),
            },
          ],
        },
        metadata: { request_id: requestId, model_info: { name: 'emulated', version: '0', arch: 'emulator' } },
      };
    };

    /** An interim result: the words of the segment's line said by `at`, never more than the line (the pause's side). */
    const sendInterim = (at: number) => {
      const words = (lines[0] ?? '').split(/\s+/).filter(Boolean);
      const said = Math.min(words.length, Math.floor((at - segmentStart) / samplesPerWord));
      if (said === 0 || said === lastInterimWords) return;
      lastInterimWords = said;
      send(results(words.slice(0, said).join(' '), segmentStart / sampleRate, at / sampleRate, false));
    };

    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        const message = JSON.parse(data.toString()) as { type?: string };
        if (message.type === 'CloseStream') {
          endSegment();
          ws.close(1000);
        } else if (message.type === 'Finalize') endSegment();
        return;
      }
      const buffer = data as Buffer;
      const incoming = new Int16Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + (buffer.byteLength & ~1)));
      const joined = new Int16Array(pending.length + incoming.length);
      joined.set(pending);
      joined.set(incoming, pending.length);
      let offset = 0;
      for (; offset + slice <= joined.length; offset += slice) {
        const at = receivedSamples + offset;
        if (rms(joined, offset, offset + slice) > speechRms) {
          if (!inSpeech) {
            inSpeech = true;
            segmentStart = at;
            lastInterimAt = at;
            lastInterimWords = 0;
            send({ type: 'SpeechStarted', channel: [0, 1], timestamp: at / sampleRate });
          }
          lastSpeechEnd = at + slice;
          if (interim && at - lastInterimAt >= interimEvery) {
            lastInterimAt = at;
            sendInterim(at + slice);
          }
        } else if (inSpeech && at + slice - lastSpeechEnd >= (segmentGapMs * sampleRate) / 1000) {
          endSegment();
        }
      }
      receivedSamples += offset;
      pending = joined.slice(offset);
      // Segments end on the audio's own time, above, as Deepgram's endpointing does. The client stops sending quiet
      // audio a second after speech (an energy filter), by then the gap has ended the segment; this wall-clock timer
      // is only for a stream that stops for good. It must not be near the gap: a busy machine holds a job's audio
      // back for hundreds of milliseconds, and a segment ended there answered mid-answer with the whole line, and
      // the rest of the answer with the next line, so every later line was one off (seen in CI as an interview
      // ending unresponsive).
      clearTimeout(silenceTimer);
      if (inSpeech) silenceTimer = setTimeout(endSegment, Math.max(segmentGapMs + 100, stalledStreamMs));
    });
    ws.on('close', () => clearTimeout(silenceTimer));
    send({ type: 'Metadata', request_id: requestId, channels: 1 });
  }

  function handleSpeak(ws: WebSocket, url: URL) {
    const sampleRate = Number(url.searchParams.get('sample_rate') ?? 24000);
    let text = '';
    // Messages are handled one after another so audio keeps the order of the flushes.
    let chain = Promise.resolve();
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const message = JSON.parse(data.toString()) as { type: string; text?: string };
      chain = chain.then(async () => {
        if (message.type === 'Speak') text += message.text ?? '';
        else if (message.type === 'Flush') {
          const said = text.trim();
          text = '';
          if (said) {
            spoken.push(said);
            const pcm = await synthesizeSpeech(said, { sampleRate, wordsPerMinute: options.ttsWordsPerMinute });
            await delay(options.ttsFirstByteDelayMs ?? 0);
            // Real TTS streams audio in pieces; send 100 ms chunks.
            const chunk = sampleRate / 10;
            for (let i = 0; i < pcm.length && ws.readyState === ws.OPEN; i += chunk) {
              const part = pcm.subarray(i, i + chunk);
              ws.send(Buffer.from(part.buffer, part.byteOffset, part.byteLength));
            }
          }
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'Flushed', sequence_id: 0 }));
        } else if (message.type === 'Close') ws.close(1000);
      });
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    addScript: (lines) => script.push(...lines),
    clearScript: () => void script.splice(0, script.length),
    segments,
    spoken,
    sttQueries,
    nextStreamStartsAt: (line) => void (nextStreamStart = line),
    ttsModels,
    get sttConnections() {
      return sttConnections;
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
