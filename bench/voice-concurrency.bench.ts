import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, it } from 'vitest';
import { loadScenario, runCandidate, spokenSegments } from '../test/support/candidate-sim.ts';
import { seedScenario, startAgentStack, type AgentStack } from '../test/agent/support/stack.ts';

// Concurrency: k interviews at once on one worker (one job process each), emulators at fixed latency; prints the
// voice-to-voice the candidates hear for each k and the memory of the job processes. Asserts nothing.
//
//   npm run bench:voice -- concurrency          (BENCH_LEVELS=1,2,3 by default)

const levels = (process.env.BENCH_LEVELS ?? '1,2,3').split(',').map(Number);
const scenario = loadScenario(new URL('../scenarios/backend-fintech-strong.json', import.meta.url));
let stack: AgentStack;

beforeAll(async () => {
  stack = await startAgentStack({
    workerEnv: { SILENCE_PROMPT_SECONDS: '30', AGENT_IDLE_PROCESSES: String(Math.max(...levels)), AGENT_MAX_JOBS: '16' },
    deepgram: { sttFinalDelayMs: 50, ttsFirstByteDelayMs: 100, segmentGapMs: 300, scriptPerStream: spokenSegments(scenario.answers) },
    gemini: { firstTokenDelayMs: 150 },
  });
});
afterAll(async () => {
  await stack?.stop();
});

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const rank = (sorted.length - 1) * p;
  const lo = Math.floor(rank);
  return sorted[lo]! + (sorted[Math.ceil(rank)]! - sorted[lo]!) * (rank - lo);
}

/** RSS (MB) of the worker's job processes, read from ps. */
function jobProcessRss(): number[] {
  const out = execFileSync('ps', ['-eo', 'ppid,rss,args'], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes('job_proc') && Number(l.trim().split(/\s+/)[0]) === stack.worker.pid)
    .map((l) => Number(l.trim().split(/\s+/)[1]) / 1024);
}

it('interviews at once', async () => {
  const rows: string[] = [];
  for (const k of levels) {
    const rss: number[] = [];
    const sampler = setInterval(() => rss.push(...jobProcessRss()), 5000);
    const results = await Promise.all(
      Array.from({ length: k }, async () => {
        const seeded = await seedScenario(stack, scenario, { answers: [] });
        return runCandidate({
          apiUrl: stack.api.url,
          roomCode: seeded.roomCode,
          phone: scenario.candidate.phone,
          firstName: scenario.candidate.firstName,
          lastName: scenario.candidate.lastName,
          answers: scenario.answers,
          timeoutMs: 300_000,
        });
      }),
    );
    clearInterval(sampler);
    const v2v = results.flatMap((r) => r.answers.flatMap((a) => (a.replyAudioAt ? [a.replyAudioAt - a.endedAt] : [])));
    const completed = results.filter((r) => r.endedBy !== 'timeout').length;
    rows.push(
      `${String(k).padStart(2)} at once: voice-to-voice p50 ${Math.round(percentile(v2v, 0.5))} ms, p95 ${Math.round(percentile(v2v, 0.95))} ms (n=${v2v.length}); ` +
        `${completed}/${k} completed; job process RSS max ${Math.round(Math.max(0, ...rss))} MB`,
    );
    await new Promise((r) => setTimeout(r, 5000)); // idle processes refill before the next level
  }
  process.stdout.write(`\n=== bench/voice-concurrency (default turn settings, fixed emulator latencies) ===\n${rows.join('\n')}\n\n`);
});
