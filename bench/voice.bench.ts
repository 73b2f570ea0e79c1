import { afterAll, beforeAll, it } from 'vitest';
import { loadScenario, runCandidate, type CandidateResult, type Scenario } from '../test/support/candidate-sim.ts';
import { seedScenario, startAgentStack, type AgentStack } from '../test/agent/support/stack.ts';
import { benchLanguages, pausesOf, pausesTakenAsEnd, type BenchLanguage } from './voice-scenarios.ts';

// Voice pipeline benchmark: the real API, Postgres, LiveKit server and agent worker process, with provider
// emulators of fixed latency, and the simulated candidate measuring what it hears. Prints figures; asserts nothing.
//
//   npm run bench:voice                       (defaults: the agent's default turn settings)
//   BENCH_INTERVIEWS=2 TURN_DETECTION=vad npm run bench:voice
//   BENCH_LANGUAGES=ar BENCH_JOINS=0 npm run bench:voice -- voice.bench   (the Arabic interviews only, no joins)
//
// Per language (bench/voice-scenarios.ts: English, and Arabic with English technical terms) one interview answered
// straight through and one with 1.5 s thinking pauses between sentences and mid-sentence.
// Worker settings (TURN_DETECTION, ENDPOINTING_MIN_DELAY_MS, ...) pass through from the environment.
// BENCH_STACK picks the providers, all emulated at the same latencies: `default` (Deepgram STT and TTS, Gemini LLM,
// Gemini TTS for Arabic), `openai` (every stage through the OpenAI plugin: transcription behind the SDK's VAD stream
// adapter, chat completions, speech), `mixed` (the default's speech, an OpenAI-compatible LLM).
// BENCH_TRACE=1 prints each join's timestamps (to line up with the worker's debug log, TEST_AGENT_ECHO=1
// TEST_AGENT_LOG_LEVEL=debug); BENCH_WORKER_NODE_OPTIONS is handed to the worker as NODE_OPTIONS (e.g. --cpu-prof).

const fixed = { sttFinalDelayMs: 50, llmFirstTokenDelayMs: 150, ttsFirstByteDelayMs: 100, segmentGapMs: 300 };
const interviews = Number(process.env.BENCH_INTERVIEWS ?? 1);
const joins = Number(process.env.BENCH_JOINS ?? 5);
// How long the simulated candidate spends between the join answer and entering the room, like the web app's Prepare
// page (its "say something" microphone check alone takes a few seconds).
const prepareMs = Number(process.env.BENCH_PREPARE_MS ?? 3000);

const strong = loadScenario(new URL('../scenarios/backend-fintech-strong.json', import.meta.url));
const languages = (process.env.BENCH_LANGUAGES ?? 'en,ar').split(',').map((l) => l.trim());
const benched = benchLanguages.filter((l) => languages.includes(l.language));

const stackName = process.env.BENCH_STACK ?? 'default';
const stacks: Record<string, Record<string, string>> = {
  default: {},
  openai: {
    LLM_PROVIDER: 'openai',
    STT_PROVIDER: 'openai',
    TTS_PROVIDER: 'openai',
    SPEECH_AR_TTS_PROVIDER: 'openai',
    DEEPGRAM_API_KEY: '',
    GOOGLE_API_KEY: '',
  },
  mixed: { LLM_PROVIDER: 'openai' },
};
if (!stacks[stackName]) throw new Error(`BENCH_STACK must be one of ${Object.keys(stacks).join(', ')}`);

let stack: AgentStack;
const passthrough = [
  'TURN_DETECTION',
  'ENDPOINTING_MIN_DELAY_MS',
  'ENDPOINTING_MAX_DELAY_MS',
  'VAD_MIN_SILENCE_MS',
  'INTERRUPTION_MIN_DURATION_MS',
  'TURN_SHORT_ANSWER_WORDS',
  'PREEMPTIVE_TTS',
  'ENDPOINTING_MODE',
];

beforeAll(async () => {
  const workerEnv: Record<string, string> = { SILENCE_PROMPT_SECONDS: '30', REJOIN_GRACE_SECONDS: '1', ...stacks[stackName] };
  for (const key of passthrough) if (process.env[key]) workerEnv[key] = process.env[key]!;
  if (process.env.BENCH_WORKER_NODE_OPTIONS) workerEnv.NODE_OPTIONS = process.env.BENCH_WORKER_NODE_OPTIONS;
  stack = await startAgentStack({
    workerEnv,
    // Every join of the benchmark uses the scenario's phone number, from one address.
    apiEnv: { RATE_LIMIT_PER_PHONE: '1000', RATE_LIMIT_PER_IP: '1000' },
    deepgram: {
      sttFinalDelayMs: fixed.sttFinalDelayMs,
      ttsFirstByteDelayMs: fixed.ttsFirstByteDelayMs,
      segmentGapMs: fixed.segmentGapMs,
    },
    // Arabic is spoken by Gemini TTS: the same first-byte delay as Deepgram's.
    gemini: { firstTokenDelayMs: fixed.llmFirstTokenDelayMs, ttsFirstByteDelayMs: fixed.ttsFirstByteDelayMs },
    openai: {
      firstTokenDelayMs: fixed.llmFirstTokenDelayMs,
      sttDelayMs: fixed.sttFinalDelayMs,
      ttsFirstByteDelayMs: fixed.ttsFirstByteDelayMs,
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (sorted.length - 1) * p;
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

const fmt = (v: number | undefined, unit = 'ms') => (v === undefined ? 'n/a' : `${Math.round(v)} ${unit}`);
function line(name: string, values: number[]) {
  return `${name.padEnd(58)} p50 ${fmt(percentile(values, 0.5)).padStart(8)}   p95 ${fmt(percentile(values, 0.95)).padStart(8)}   n=${values.length}`;
}

async function interview(scenario: Scenario, voice: string): Promise<{ result: CandidateResult; id: string }> {
  // An interview that ended early (a pause taken as the end can run it out of questions) leaves lines unsaid.
  stack.deepgram.clearScript();
  stack.openai.clearScript();
  const seeded = await seedScenario(stack, scenario);
  const result = await runCandidate({
    apiUrl: stack.api.url,
    roomCode: seeded.roomCode,
    phone: scenario.candidate.phone,
    firstName: scenario.candidate.firstName,
    lastName: scenario.candidate.lastName,
    answers: scenario.answers,
    voice,
    timeoutMs: 300_000,
  });
  if (process.env.BENCH_TRACE) {
    const turns = await stack.api.db
      .selectFrom('transcriptTurns as t')
      .leftJoin('turnMetrics as m', (j) => j.onRef('m.interviewId', '=', 't.interviewId').onRef('m.turnSeq', '=', 't.seq'))
      .select(['t.speaker', 't.text', 't.startedAt', 'm.e2eLatency', 'm.endOfTurnDelay', 'm.transcriptionDelay', 'm.llmTtft', 'm.ttsTtfb'])
      .where('t.interviewId', '=', seeded.id)
      .orderBy('t.seq')
      .execute();
    const ms = (v: number | null) => (v === null ? '-' : Math.round(v * 1000));
    const lines = turns.map(
      (t) =>
        `  ${t.speaker} at ${t.startedAt.getTime()}` +
        (t.e2eLatency === null
          ? ''
          : ` [e2e ${ms(t.e2eLatency)} eot ${ms(t.endOfTurnDelay)} stt ${ms(t.transcriptionDelay)} llm ${ms(t.llmTtft)} tts ${ms(t.ttsTtfb)}]`) +
        `: ${t.text.slice(0, 60)}`,
    );
    // One clock (this machine's): the end of the candidate's speech, of its audio, and the reply's first audible frame.
    const answers = result.answers.map(
      (a) =>
        `  answer: talked over ${a.talkedOver}, ended ${a.endedAt} (+${(a.audioEndedAt ?? a.endedAt) - a.endedAt} audio end),` +
        ` reply audible +${a.replyAudioAt ? a.replyAudioAt - a.endedAt : '-'} ms: ${a.text.slice(0, 50)}`,
    );
    process.stdout.write(`\ntrace ${scenario.id} (${result.endedBy}):\n${[...lines, ...answers].join('\n')}\n`);
  }
  return { result, id: seeded.id };
}

async function candidateTurns(id: string): Promise<string[]> {
  const turns = await stack.api.db
    .selectFrom('transcriptTurns')
    .select('text')
    .where('interviewId', '=', id)
    .where('speaker', '=', 'candidate')
    .orderBy('seq')
    .execute();
  return turns.map((t) => t.text);
}

/** One language's interviews: straight through, then with thinking pauses. */
async function languageFigures(bench: BenchLanguage, out: string[]): Promise<string[]> {
  const ids: string[] = [];
  const v2v: number[] = [];
  const fromAudioEnd: number[] = [];
  for (let i = 0; i < interviews; i++) {
    const { result, id } = await interview(bench.scenario, bench.voice);
    ids.push(id);
    for (const a of result.answers) if (a.replyAudioAt) v2v.push(a.replyAudioAt - a.endedAt);
    for (const a of result.answers) if (a.replyAudioAt && a.audioEndedAt) fromAudioEnd.push(a.replyAudioAt - a.audioEndedAt);
  }
  const thinking: Scenario = { ...bench.scenario, id: `${bench.scenario.id}-thinking-pauses`, answers: bench.paused };
  const pauses = pausesOf(bench.paused);
  const pauseV2v: number[] = [];
  let talkedOver = 0;
  let pausedAnswers = 0;
  const taken: string[] = [];
  let unattributed = 0;
  for (let i = 0; i < interviews; i++) {
    const { result, id } = await interview(thinking, bench.voice);
    ids.push(id);
    for (const [index, a] of result.answers.entries()) {
      if (!pauses.some((p) => p.answer === index)) continue;
      pausedAnswers++;
      if (a.talkedOver) talkedOver++;
      else if (a.replyAudioAt) pauseV2v.push(a.replyAudioAt - a.endedAt);
    }
    const cut = pausesTakenAsEnd(bench.paused, await candidateTurns(id));
    if (!cut) unattributed++;
    // After the first, the interview is off its script: the rest of the cut answer is heard as the answer to the
    // next question, and the stage can move on to the candidate's questions, where a short answer counts as whole.
    for (const [k, p] of (cut ?? []).entries())
      taken.push(`answer ${p.answer} ${p.kind} after ${p.wordsBefore} words ("…${p.before}")${k > 0 ? ', after an earlier cut' : ''}`);
  }
  const count = (kind: string) => pauses.filter((p) => p.kind === kind).length * interviews;
  const lang = `[${bench.language}]`;
  out.push(line(`${lang} voice-to-voice, completed answers (goal p50 ≤ 600)`, v2v));
  // Before 2026-11-30 the candidate's clock started when its audio buffer ended, after espeak-ng's trailing silence.
  out.push(line(`${lang}   the same from the end of the audio (old measure)`, fromAudioEnd));
  out.push(line(`${lang} voice-to-voice, answers with 1.5 s thinking pauses`, pauseV2v));
  out.push(`${`${lang} answers with a pause talked over, heard (goal 0)`.padEnd(58)} ${talkedOver} of ${pausedAnswers}`);
  out.push(
    `${`${lang} pauses taken as the answer's end (stored turns)`.padEnd(58)} ${taken.length} of ${pauses.length * interviews}` +
      ` (${count('between sentences')} between sentences, ${count('mid-sentence')} mid-sentence)` +
      (unattributed ? `; ${unattributed} interview(s) whose turns did not line up with the script` : ''),
  );
  for (const t of taken) out.push(`    ${lang} taken as the end: ${t}`);
  const metrics = await stack.api.db
    .selectFrom('turnMetrics')
    .selectAll()
    .where('interviewId', 'in', ids)
    .where('e2eLatency', 'is not', null)
    .where('endOfTurnDelay', 'is not', null)
    .execute();
  out.push(line(`${lang} SDK e2e latency`, metrics.map((m) => m.e2eLatency! * 1000)));
  out.push(line(`${lang} SDK end-of-turn delay`, metrics.map((m) => m.endOfTurnDelay! * 1000)));
  // Where the time before the reply goes: speech end → STT final, then LLM first token, then TTS first audio.
  out.push(
    line(
      `${lang} SDK transcription delay (speech end → STT final)`,
      metrics.flatMap((m) => (m.transcriptionDelay === null ? [] : [m.transcriptionDelay * 1000])),
    ),
  );
  out.push(line(`${lang} SDK LLM TTFT`, metrics.flatMap((m) => (m.llmTtft === null ? [] : [m.llmTtft * 1000]))));
  out.push(line(`${lang} SDK TTS TTFB`, metrics.flatMap((m) => (m.ttsTtfb === null ? [] : [m.ttsTtfb * 1000]))));
  return ids;
}

/** Joins, waits for the first audible greeting frame, and leaves; the agent ends it as candidate_left. */
async function joinOnly(prepareMs = 0): Promise<CandidateResult> {
  const seeded = await seedScenario(stack, strong, { answers: [] });
  const result = await runCandidate({
    apiUrl: stack.api.url,
    roomCode: seeded.roomCode,
    phone: strong.candidate.phone,
    firstName: strong.candidate.firstName,
    lastName: strong.candidate.lastName,
    answers: [],
    leaveAfterFirstAudio: true,
    prepareMs,
    timeoutMs: 60_000,
  });
  // Wait for the job to end (the rejoin grace is 1 s), so the next join finds a warm idle process.
  for (let i = 0; i < 100; i++) {
    const row = await stack.api.db
      .selectFrom('interviews')
      .select('status')
      .where('id', '=', seeded.id)
      .executeTakeFirstOrThrow();
    if (row.status !== 'in_progress' && row.status !== 'scheduled') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 3000)); // a fresh idle process prewarms (Silero, turn model)
  return result;
}

it('voice pipeline figures', async () => {
  const out: string[] = [];
  out.push(
    `fixed emulator latencies: STT final +${fixed.sttFinalDelayMs} ms after a ${fixed.segmentGapMs} ms silence, LLM first token ${fixed.llmFirstTokenDelayMs} ms, TTS first byte ${fixed.ttsFirstByteDelayMs} ms (+ espeak-ng synthesis)`,
  );
  out.push(`providers (BENCH_STACK): ${stackName}`);
  out.push(`turn settings: ${passthrough.map((k) => `${k}=${process.env[k] ?? 'default'}`).join(' ')}`);

  const joinToAudio: number[] = [];
  const connectToAudio: number[] = [];
  // One join first, not counted: a worker that has just started is still warming its first job process, which a
  // worker in service has long done.
  if (joins > 0) await joinOnly();
  for (let i = 0; i < joins; i++) {
    const r = await joinOnly();
    if (process.env.BENCH_TRACE)
      out.push(`trace join: started ${r.joinStartedAt} connected ${r.connectedAt} first audio ${r.firstAudioAt}`);
    if (r.firstAudioAt) {
      joinToAudio.push(r.firstAudioAt - r.joinStartedAt);
      connectToAudio.push(r.firstAudioAt - r.connectedAt);
    }
  }
  // As the web app does it: the join answer first, then the Prepare page's checks, then the room. The interviewer
  // is dispatched by the join, so it is usually in the room when the candidate arrives, greeting ready.
  const arrivalToAudio: number[] = [];
  for (let i = 0; i < joins; i++) {
    const r = await joinOnly(prepareMs);
    if (r.firstAudioAt) arrivalToAudio.push(r.firstAudioAt - r.connectedAt);
  }

  const ids: string[] = [];
  const perLanguage: string[] = [];
  for (const bench of benched) ids.push(...(await languageFigures(bench, perLanguage)));

  const metrics =
    ids.length === 0
      ? []
      : await stack.api.db
          .selectFrom('turnMetrics')
          .selectAll()
          .where('interviewId', 'in', ids)
          .where('e2eLatency', 'is not', null)
          .where('endOfTurnDelay', 'is not', null)
          .execute();
  const afterDecision = metrics.map((m) => (m.e2eLatency! - m.endOfTurnDelay!) * 1000);
  const issueFormula = metrics
    .filter((m) => m.llmTtft !== null && m.ttsTtfb !== null)
    .map((m) => (m.e2eLatency! - (m.endOfTurnDelay! + m.llmTtft! + m.ttsTtfb!)) * 1000);

  out.push(line('join request → first greeting audio heard, straight into the room', joinToAudio));
  out.push(line('room connected → first greeting audio heard', connectToAudio));
  out.push(
    line(
      `after a ${prepareMs / 1000} s Prepare step: room entered → first greeting audio heard (goal p50 ≤ 600)`,
      arrivalToAudio,
    ),
  );
  out.push(...perLanguage);
  out.push(line('after the turn decision: e2e − end-of-turn (goal p50 ≤ 150)', afterDecision));
  out.push(line('issue formula e2e − (eot + LLM TTFT + TTS TTFB)', issueFormula));
  out.push(
    line(
      'SDK e2e latency',
      metrics.map((m) => m.e2eLatency! * 1000),
    ),
  );
  out.push(
    line(
      'SDK end-of-turn delay',
      metrics.map((m) => m.endOfTurnDelay! * 1000),
    ),
  );
  out.push(
    line(
      'SDK LLM node TTFT',
      metrics.flatMap((m) => (m.llmTtft === null ? [] : [m.llmTtft * 1000])),
    ),
  );
  out.push(
    line(
      'SDK TTS node TTFB',
      metrics.flatMap((m) => (m.ttsTtfb === null ? [] : [m.ttsTtfb * 1000])),
    ),
  );
  process.stdout.write(`\n=== bench/voice ===\n${out.join('\n')}\n\n`);
});
