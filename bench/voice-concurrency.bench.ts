import { afterAll, beforeAll, it } from 'vitest';
import { loadScenario, runCandidate, spokenSegments } from '../test/support/candidate-sim.ts';
import { seedScenario, startAgentStack, type AgentStack } from '../test/agent/support/stack.ts';
import { formatAgentCost, watchAgentCost, workerSettled } from './agent-cost.ts';

// Concurrency: k interviews at once on one worker (job hosts, four to a process; AGENT_JOBS_PER_PROCESS=1 for the
// SDK's process each), emulators at fixed latency; prints
// the voice-to-voice the candidates hear for each k and what the interviews cost the worker (bench/agent-cost.ts: CPU
// per interview-minute of the job, main and inference processes, job memory per interview), read from /proc. Asserts
// nothing.
//
//   npm run bench:voice -- concurrency          (BENCH_LEVELS=1,2,3 by default)
//   AGENT_JOBS_PER_PROCESS=1 npm run bench:voice -- concurrency   (a job process per interview, the SDK's way)
//   BENCH_WORKER_NODE_OPTIONS='--cpu-prof --cpu-prof-dir=/tmp/prof' npm run bench:voice -- concurrency
//   (NODE_OPTIONS of the worker, inherited by its job processes: one profile per process)

const levels = (process.env.BENCH_LEVELS ?? '1,2,3').split(',').map(Number);
const scenario = loadScenario(new URL('../scenarios/backend-fintech-strong.json', import.meta.url));
let stack: AgentStack;

beforeAll(async () => {
  stack = await startAgentStack({
    workerEnv: {
      SILENCE_PROMPT_SECONDS: '30',
      AGENT_IDLE_PROCESSES: String(Math.max(...levels)),
      AGENT_MAX_JOBS: '16',
      ...(process.env.TURN_DETECTION ? { TURN_DETECTION: process.env.TURN_DETECTION } : {}),
      ...(process.env.AGENT_JOBS_PER_PROCESS ? { AGENT_JOBS_PER_PROCESS: process.env.AGENT_JOBS_PER_PROCESS } : {}),
      ...(process.env.BENCH_WORKER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS } : {}),
    },
    deepgram: {
      sttFinalDelayMs: 50,
      ttsFirstByteDelayMs: 100,
      segmentGapMs: 300,
      scriptPerStream: spokenSegments(scenario.answers),
    },
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

it('interviews at once', async () => {
  const rows: string[] = [];
  let candidates = 0;
  for (const k of levels) {
    await workerSettled(stack.worker.pid!);
    const cost = watchAgentCost(stack.worker.pid!, k);
    const results = await Promise.all(
      Array.from({ length: k }, async () => {
        // A candidate of its own per interview: the join's per-phone limit would refuse one phone's tenth join.
        const n = String(++candidates).padStart(4, '0');
        const candidate = { ...scenario.candidate, phone: `+97150000${n}`, email: `bench-${n}@example.test` };
        const seeded = await seedScenario(stack, { ...scenario, candidate }, { answers: [] });
        const result = await runCandidate({
          apiUrl: stack.api.url,
          roomCode: seeded.roomCode,
          phone: candidate.phone,
          firstName: scenario.candidate.firstName,
          lastName: scenario.candidate.lastName,
          answers: scenario.answers,
          timeoutMs: 300_000,
        });
        return { ...result, leftAt: Date.now() };
      }),
    );
    // The job processes end after their interviews (the recording's last writes): the window waits for them.
    await new Promise((r) => setTimeout(r, 5000));
    const measured = cost.stop(results.map((r) => ({ from: r.connectedAt, to: r.leftAt })));
    const v2v = results.flatMap((r) => r.answers.flatMap((a) => (a.replyAudioAt ? [a.replyAudioAt - a.endedAt] : [])));
    const completed = results.filter((r) => r.endedBy !== 'timeout').length;
    rows.push(
      `${String(k).padStart(2)} at once: voice-to-voice p50 ${Math.round(percentile(v2v, 0.5))} ms, p95 ${Math.round(percentile(v2v, 0.95))} ms (n=${v2v.length}); ` +
        `${completed}/${k} completed\n    ${formatAgentCost(measured)}`,
    );
  }
  process.stdout.write(
    `\n=== bench/voice-concurrency (default turn settings, fixed emulator latencies) ===\n${rows.join('\n')}\n\n`,
  );
});
