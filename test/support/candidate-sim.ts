// A simulated candidate: joins an interview through the public join endpoint like a browser would, listens to the
// interviewer over a real LiveKit connection, and answers each turn with espeak-ng audio of a scenario's lines (or
// with typed text on the chat topic). Used by the end-to-end tests, the voice benchmark and `npm run simulate`.
// Its answers are synthetic; nothing it produces is presented as a real candidate.

import { readFileSync } from 'node:fs';
import {
  AudioFrame,
  AudioSource,
  AudioStream,
  LocalAudioTrack,
  ParticipantKind,
  Room,
  RoomEvent,
  TrackKind,
  TrackPublishOptions,
  TrackSource,
  type RemoteParticipant,
  type RemoteTrack,
} from '@livekit/rtc-node';
import { z } from 'zod';
import { synthesizeSpeech } from '../../agent/speech/espeak.ts';
import { codingLanguageSchema } from '../../shared/coding/coding.schema.ts';

export const scenarioSchema = z.object({
  id: z.string(),
  summary: z.string().optional(),
  company: z.object({ name: z.string(), timezone: z.string().optional(), phoneRegion: z.string().default('AE') }),
  job: z.object({
    title: z.string(),
    description: z.string(),
    codingLanguage: codingLanguageSchema.nullable().optional(),
    competencies: z.array(z.object({ key: z.string(), name: z.string(), description: z.string() })),
  }),
  candidate: z.object({
    firstName: z.string(),
    lastName: z.string(),
    phone: z.string(),
    email: z.string().optional(),
    resume: z.string().optional(),
  }),
  interview: z.object({
    type: z.string(),
    maxDurationSeconds: z.number().int().positive(),
    language: z.string().default('en'),
    instructions: z.string().default(''),
  }),
  /** What the candidate says, one line per turn. `[pause]` inside a line is a 1.5 s thinking pause. */
  answers: z.array(z.string()),
  expect: z.record(z.string(), z.unknown()).optional(),
});
export type Scenario = z.infer<typeof scenarioSchema>;

export const pauseMarker = '[pause]';

export function loadScenario(path: string | URL): Scenario {
  return scenarioSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

/** The speech segments the candidate will produce, in order: what a speech-to-text service would hear. */
export function spokenSegments(answers: string[]): string[] {
  return answers.flatMap((a) =>
    a
      .split(pauseMarker)
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

export interface CandidateOptions {
  /** Base URL of the API, e.g. http://127.0.0.1:3000 */
  apiUrl: string;
  roomCode: string;
  phone: string;
  firstName: string;
  lastName: string;
  answers: string[];
  mode?: 'voice' | 'text';
  /** Speech rate of the candidate's voice. */
  wordsPerMinute?: number;
  /** The candidate's espeak-ng voice (`ar` for an Arabic interview); default en-us. */
  voice?: string;
  /** Replaces the serverUrl the API returns (when the API runs behind another address). */
  livekitUrl?: string;
  thinkingPauseMs?: number;
  /** Gives up if the interview has not ended by then. */
  timeoutMs?: number;
  /** Leaves as soon as the first interviewer audio is heard (join-latency measurements). */
  leaveAfterFirstAudio?: boolean;
  /**
   * How long to wait for another interviewer when the one in the room vanishes without ending the interview (its
   * process died: the API dispatches a new one). Default 120 s; 0 ends the run there, as `interviewer left`.
   */
  interviewerLostWaitMs?: number;
  /**
   * Time between the join answer and entering the room, as the web app spends it on its Prepare page (microphone,
   * speaker and connection checks). Default 0: straight in.
   */
  prepareMs?: number;
  onEvent?: (event: CandidateEvent) => void;
  /** Runs when it is the candidate's turn, before answer `index` is given (a coding test sends its code here). */
  beforeAnswer?: (index: number, room: Room) => Promise<void>;
}

export type CandidateEvent =
  | { type: 'joined'; identity: string }
  | { type: 'interviewer'; text: string }
  | { type: 'answer'; text: string; mode: 'voice' | 'text' }
  /** The interviewer vanished mid-interview (no end reason published); the candidate waits for another. */
  | { type: 'interviewer_lost'; identity: string }
  | { type: 'interviewer_back'; identity: string }
  | { type: 'ended'; reason: string };

export interface AnswerTiming {
  text: string;
  /** ms since epoch when the candidate's audio started (voice) or the text was sent. */
  startedAt: number;
  /**
   * ms since epoch when the candidate stopped speaking (voice: the last audible frame of the answer left the
   * microphone, not the synthesised silence after it) or the text was sent. Voice-to-voice is timed from here.
   */
  endedAt: number;
  /** Voice: when the answer's whole audio, its trailing silence included, had left the microphone. */
  audioEndedAt?: number;
  /** First audible interviewer audio after the answer ended. */
  replyAudioAt?: number;
  /** The interviewer started speaking while this answer was still being spoken. */
  talkedOver: boolean;
}

export interface CandidateResult {
  identity: string;
  joinStartedAt: number;
  connectedAt: number;
  firstAudioAt?: number;
  answers: AnswerTiming[];
  interviewerLines: string[];
  endedBy: string;
  /** Every distinct value the interviewer published for its page-facing attributes (question counter, end reason). */
  agentAttributes: Record<string, string[]>;
  /** When each of those values was first seen (epoch ms), in the same order. */
  agentAttributeTimes: Record<string, number[]>;
}

const sampleRate = 48000;
const frameSamples = sampleRate / 100; // 10 ms
const audibleRms = 0.01;
/** Audible interviewer audio after at least this much quiet is the start of new speech. */
const onsetGapMs = 250;

function rms(frame: AudioFrame): number {
  let sum = 0;
  for (const s of frame.data) sum += (s / 32768) ** 2;
  return Math.sqrt(sum / Math.max(1, frame.data.length));
}

/**
 * espeak-ng leaves long gaps between sentences; a person answering in one go does not. Cap gaps at 200 ms, except
 * those of at least `keepMs` (the thinking pauses), kept whole.
 */
function capSilences(pcm: Int16Array, maxGapMs = 200, keepMs = Number.POSITIVE_INFINITY): Int16Array {
  const out = new Int16Array(pcm.length);
  const maxGap = (sampleRate * maxGapMs) / 1000;
  const keep = (sampleRate * keepMs) / 1000;
  let n = 0;
  for (let i = 0; i < pcm.length; ) {
    if (Math.abs(pcm[i]!) >= 300) {
      out[n++] = pcm[i++]!;
      continue;
    }
    let end = i;
    while (end < pcm.length && Math.abs(pcm[end]!) < 300) end++;
    const length = end - i >= keep ? end - i : Math.min(end - i, maxGap);
    out.set(pcm.subarray(i, i + length), n);
    n += length;
    i = end;
  }
  return out.slice(0, n);
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A line's audio. A thinking pause is an SSML break inside the one synthesis of the whole line, so the words before
 * it keep the intonation of a sentence that goes on (espeak-ng cuts at the word boundary); synthesised on their own
 * they would end as a finished sentence, falling, which no one pausing mid-sentence does and which an audio
 * end-of-turn model rightly hears as the end.
 */
export async function speechFor(line: string, wordsPerMinute: number, pauseMs: number, voice?: string): Promise<Int16Array> {
  const parts = line
    .split(pauseMarker)
    .map((p) => p.trim())
    .filter(Boolean);
  const ssml = parts.map(escapeXml).join(` <break time="${pauseMs}ms"/> `);
  const pcm = await synthesizeSpeech(parts.length > 1 ? ssml : line.trim(), {
    sampleRate,
    wordsPerMinute,
    ...(voice ? { voice } : {}),
    ssml: parts.length > 1,
  });
  return capSilences(pcm, 200, pauseMs * 0.9);
}

/**
 * Joins, answers every line after the interviewer has finished speaking, and returns when the interview ends
 * (the room is deleted or the interviewer leaves).
 */
export async function runCandidate(options: CandidateOptions): Promise<CandidateResult> {
  const mode = options.mode ?? 'voice';
  const wpm = options.wordsPerMinute ?? 220;
  const pauseMs = options.thinkingPauseMs ?? 1500;
  const emit = options.onEvent ?? (() => {});

  // Synthesise up front so answering costs no time at the turn.
  const speech = mode === 'voice' ? await Promise.all(options.answers.map((a) => speechFor(a, wpm, pauseMs, options.voice))) : [];

  const joinStartedAt = Date.now();
  let response: Response;
  let joined: { token?: string; serverUrl?: string; identity?: string };
  // A rejoin right after a drop can find the seat still held (the server has not seen the old connection go);
  // like the web client, wait the Retry-After and try again, for a minute rather than a number of tries: how soon
  // the server sees the old connection go depends on how busy the machine is.
  for (;;) {
    response = await fetch(`${options.apiUrl}/v1/public/rooms/${encodeURIComponent(options.roomCode)}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone: options.phone, firstName: options.firstName, lastName: options.lastName }),
    });
    joined = (await response.json()) as typeof joined;
    if (response.status !== 409 || Date.now() - joinStartedAt > 60_000) break;
    const retryAfter = Number(response.headers.get('retry-after') ?? 1);
    await new Promise((r) => setTimeout(r, Math.min(2, Math.max(0.5, retryAfter)) * 1000));
  }
  if (!response.ok || !joined.token) throw new Error(`join refused: ${response.status} ${JSON.stringify(joined)}`);
  if (options.prepareMs) await new Promise((r) => setTimeout(r, options.prepareMs));

  const room = new Room();
  const result: CandidateResult = {
    identity: joined.identity ?? '',
    joinStartedAt,
    connectedAt: 0,
    answers: [],
    interviewerLines: [],
    endedBy: '',
    agentAttributes: {},
    agentAttributeTimes: {},
  };

  let agentState = 'initializing';
  let agentSpokeSinceAnswer = false;
  let speakingNow = false;
  let current: AnswerTiming | undefined;
  let micQueue: Int16Array[] = [];
  const stateWaiters = new Set<() => void>();
  const notify = () => {
    for (const w of stateWaiters) w();
  };
  let resolveEnded: (reason: string) => void = () => {};
  const ended = new Promise<string>((resolve) => (resolveEnded = resolve));

  const isAgent = (p: RemoteParticipant) => p.kind === ParticipantKind.AGENT;
  // The state read on arrival predates the interviewer's reaction to it (a greeting still playing to an empty room
  // when a dropped candidate comes back is then cut off, with a brief 'listening', for "Welcome back"): only
  // speech that starts after arrival is the interviewer talking to this candidate.
  // The question the interviewer's page counter shows now (absent before the first question).
  let question: string | undefined;
  const readState = (p: RemoteParticipant, onArrival = false) => {
    question = p.attributes['interview.question'] ?? question;
    for (const [key, value] of Object.entries(p.attributes)) {
      if (!key.startsWith('interview.')) continue;
      const seen = (result.agentAttributes[key] ??= []);
      if (seen.at(-1) !== value) {
        seen.push(value);
        (result.agentAttributeTimes[key] ??= []).push(Date.now());
      }
    }
    const state = p.attributes['lk.agent.state'];
    if (!state || state === agentState) return;
    agentState = state;
    if (state === 'speaking' && !onArrival) agentSpokeSinceAnswer = true;
    notify();
  };

  room.on(RoomEvent.ParticipantAttributesChanged, (_changed, participant) => {
    if (participant.kind === ParticipantKind.AGENT) readState(participant as RemoteParticipant);
  });
  let lastAudibleAt = 0;
  room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack, _pub, participant: RemoteParticipant) => {
    if (!isAgent(participant) || track.kind !== TrackKind.KIND_AUDIO) return;
    void (async () => {
      for await (const frame of new AudioStream(track, { sampleRate, numChannels: 1 })) {
        if (rms(frame) < audibleRms) continue;
        const now = Date.now();
        // The interviewer's state reaches the candidate before the last of its audio does: the tail of a question
        // can be heard just after the candidate starts answering. Talking over means speech that *starts* during
        // the answer, after a gap.
        const onset = now - lastAudibleAt > onsetGapMs;
        lastAudibleAt = now;
        if (result.firstAudioAt === undefined) {
          result.firstAudioAt = now;
          if (options.leaveAfterFirstAudio) resolveEnded('left after the first audio');
        }
        if (speakingNow && current) current.talkedOver ||= onset;
        else if (current && current.replyAudioAt === undefined && now >= current.endedAt) current.replyAudioAt = now;
      }
      // A track whose sender died mid-frame ends the stream with an error: that interviewer's audio is over.
    })().catch(() => {});
  });
  room.registerTextStreamHandler('lk.transcription', async (reader, info) => {
    // A stream cut off by its sender's death rejects ("unexpectedly disconnected in the middle of sending data"):
    // the line was never finished, so it was never heard in full.
    const text = await reader.readAll().catch(() => '');
    const p = room.remoteParticipants.get(info.identity);
    if (p && isAgent(p) && text.trim()) {
      result.interviewerLines.push(text.trim());
      emit({ type: 'interviewer', text: text.trim() });
    }
  });
  // An interviewer that leaves having published why the interview ended has ended it. One that vanishes without
  // (its job process killed) is replaced by the API, and the candidate waits for the new one, as a person would.
  let lostTimer: NodeJS.Timeout | undefined;
  /** An answer nobody replied to before the interviewer vanished, and the question it answered. */
  let lostAnswer: { question: string | undefined } | undefined;
  let answeredQuestion: string | undefined;
  const lostWaitMs = options.interviewerLostWaitMs ?? 120_000;
  room.on(RoomEvent.ParticipantDisconnected, (p: RemoteParticipant) => {
    if (!isAgent(p)) return;
    const stillThere = [...room.remoteParticipants.values()].some((o) => o.identity !== p.identity && isAgent(o));
    if (result.agentAttributes['interview.end_reason'] || lostWaitMs === 0) return resolveEnded('interviewer left');
    if (stillThere) return;
    emit({ type: 'interviewer_lost', identity: p.identity });
    agentState = 'gone';
    // LiveKit sees a killed interviewer go only after its own timeout, so the last answer may have been spoken
    // into the void. Like a person, the candidate listens to the new interviewer: asked the same question again,
    // they answer it again; asked the next one (the answer was stored before the death), they go on. An answer
    // still being spoken is cut short, so none of it reaches the next interviewer half said.
    if (current && !agentSpokeSinceAnswer) {
      lostAnswer = { question: answeredQuestion };
      if (speakingNow) {
        micQueue = [];
        source.clearQueue();
      }
    }
    lostTimer ??= setTimeout(() => resolveEnded('interviewer left'), lostWaitMs);
  });
  room.on(RoomEvent.ParticipantConnected, (p: RemoteParticipant) => {
    if (!isAgent(p) || !lostTimer) return;
    clearTimeout(lostTimer);
    lostTimer = undefined;
    emit({ type: 'interviewer_back', identity: p.identity });
    readState(p);
  });
  room.on(RoomEvent.Disconnected, () => resolveEnded('room closed'));

  await room.connect(options.livekitUrl ?? joined.serverUrl!, joined.token, { autoSubscribe: true, dynacast: false });
  result.connectedAt = Date.now();
  emit({ type: 'joined', identity: result.identity });
  for (const p of room.remoteParticipants.values()) if (isAgent(p)) readState(p, true);

  // The microphone: always on, sending silence between answers, paced in real time. It keeps up to leadMs of audio
  // queued ahead of the wall clock: a real microphone never pauses, but this process's event loop does on a busy
  // machine, and a pause longer than the queue reaches the interviewer as silence inside an answer (a 400 ms one
  // ends the STT's segment there, splitting one answer into two turns).
  const leadMs = 200;
  const source = new AudioSource(sampleRate, 1, 2 * leadMs);
  let micOn = mode === 'voice';
  let micDrained: () => void = () => {};
  /** When the last audible frame handed to the microphone so far finishes leaving it. */
  let lastSpeechLeavesAt = 0;
  const micLoop = (async () => {
    if (!micOn) return;
    const track = LocalAudioTrack.createAudioTrack('microphone', source);
    const publish = new TrackPublishOptions();
    publish.source = TrackSource.SOURCE_MICROPHONE;
    await room.localParticipant!.publishTrack(track, publish);
    const silence = new Int16Array(frameSamples);
    const start = Date.now();
    let sent = 0;
    while (micOn) {
      const next = micQueue.shift();
      if (!next && micQueue.length === 0) micDrained();
      const frame = new AudioFrame(next ?? silence, sampleRate, 1, frameSamples);
      // The source sends what it holds before this frame, then the frame's own 10 ms.
      if (next && rms(frame) >= audibleRms) lastSpeechLeavesAt = Date.now() + source.queuedDuration + 10;
      await source.captureFrame(frame);
      sent++;
      const ahead = start + sent * 10 - Date.now();
      if (ahead > leadMs) await new Promise((r) => setTimeout(r, ahead - leadMs + 10));
    }
  })();

  const waitForTurn = () =>
    new Promise<boolean>((resolve) => {
      const check = () => {
        if (agentSpokeSinceAnswer && agentState === 'listening') {
          stateWaiters.delete(check);
          resolve(true);
        }
      };
      stateWaiters.add(check);
      void ended.then(() => {
        stateWaiters.delete(check);
        resolve(false);
      });
      check();
    });

  const timeout = setTimeout(() => resolveEnded('timeout'), options.timeoutMs ?? 10 * 60_000);
  try {
    for (let i = 0; i < options.answers.length; i++) {
      if (!(await waitForTurn())) break;
      if (lostAnswer) {
        if (lostAnswer.question === question) {
          result.answers.pop();
          i--;
        }
        lostAnswer = undefined;
      }
      answeredQuestion = question;
      const line = options.answers[i]!;
      agentSpokeSinceAnswer = false;
      await options.beforeAnswer?.(i, room);
      const text = line
        .split(pauseMarker)
        .map((p) => p.trim())
        .join(' ');
      emit({ type: 'answer', text, mode });
      if (mode === 'text') {
        current = { text, startedAt: Date.now(), endedAt: Date.now(), talkedOver: false };
        result.answers.push(current);
        await room.localParticipant!.sendText(text, { topic: 'lk.chat' });
        continue;
      }
      const pcm = speech[i]!;
      const frames: Int16Array[] = [];
      for (let o = 0; o + frameSamples <= pcm.length; o += frameSamples) frames.push(pcm.slice(o, o + frameSamples));
      current = { text, startedAt: Date.now(), endedAt: Number.POSITIVE_INFINITY, talkedOver: false };
      result.answers.push(current);
      const drained = new Promise<void>((resolve) => (micDrained = resolve));
      speakingNow = true;
      micQueue = frames;
      await drained;
      speakingNow = false;
      // The last frame left the queue; the audio source holds it a little longer (its queue, up to 100 ms).
      // espeak-ng's audio ends in up to 200 ms of silence (capSilences): the candidate stopped speaking at its last
      // audible frame, and that is when a person starts waiting for the reply, so it is the answer's end.
      current.audioEndedAt = Date.now() + source.queuedDuration;
      current.endedAt = Math.min(lastSpeechLeavesAt, current.audioEndedAt);
    }
    result.endedBy = await ended;
    emit({ type: 'ended', reason: result.endedBy });
    return result;
  } finally {
    clearTimeout(timeout);
    clearTimeout(lostTimer);
    micOn = false;
    await micLoop.catch(() => {});
    await room.disconnect().catch(() => {});
  }
}
