import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processAlive } from '../../shared/process-guards.ts';
import { loadScenario, runCandidate } from '../support/candidate-sim.ts';
import { jobPid, seedScenario, startAgentStack, type AgentStack } from './support/stack.ts';

// Job hosts (agent/hosts): several interviews in one job process. Three interviews at once on a worker whose
// processes take two each and retire after two: two interviews share a process, the third gets another, all three
// complete with their own transcripts, the SDK's process-per-job is not used, and the process that served its two
// interviews exits once they have ended. Local mode (espeak-ng, typed answers): the point is the processes, not the
// voice pipeline (the other end-to-end files run on the default hosts, four interviews to a process, one at a time).

const scenario = loadScenario(new URL('../../scenarios/backend-fintech-strong.json', import.meta.url));
let stack: AgentStack;

beforeAll(async () => {
  stack = await startAgentStack({
    workerEnv: {
      AGENT_LOCAL_MODE: 'true',
      SILENCE_PROMPT_SECONDS: '60',
      AGENT_JOBS_PER_PROCESS: '2',
      AGENT_PROCESS_MAX_JOBS_SERVED: '2',
      AGENT_MAX_JOBS: '4',
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

/** The processes the worker's main process forked, with their command lines. */
function workerChildren(): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  for (const line of readFileSync(`/proc/${stack.worker.pid}/task/${stack.worker.pid}/children`, 'utf8').split(' ')) {
    const pid = Number(line);
    if (!pid) continue;
    try {
      found.push({ pid, cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ') });
    } catch {
      // Gone since the listing.
    }
  }
  return found;
}

describe('job hosts', () => {
  it('run two interviews in one process and the third in another; all complete; a host retires once empty', async () => {
    const phones = ['+971500000401', '+971500000402', '+971500000403'];
    const interviews = [];
    for (const [i, phone] of phones.entries()) {
      const candidate = { ...scenario.candidate, phone, email: `host-${i}@example.test` };
      interviews.push(await seedScenario(stack, { ...scenario, candidate }, { answers: [] }));
    }
    const results = await Promise.all(
      interviews.map((interview, i) =>
        runCandidate({
          apiUrl: stack.api.url,
          roomCode: interview.roomCode,
          phone: phones[i]!,
          firstName: scenario.candidate.firstName,
          lastName: scenario.candidate.lastName,
          answers: scenario.answers,
          mode: 'text',
          timeoutMs: 300_000,
        }),
      ),
    );
    expect(results.map((r) => r.endedBy)).not.toContain('timeout');

    for (const interview of interviews) {
      const row = await stack.api.db.selectFrom('interviews').selectAll().where('id', '=', interview.id).executeTakeFirstOrThrow();
      expect(row.endReason, interview.id).toBe('completed');
      const answers = await stack.api.db
        .selectFrom('transcriptTurns')
        .select('text')
        .where('interviewId', '=', interview.id)
        .where('speaker', '=', 'candidate')
        .orderBy('seq')
        .execute();
      // Each interview's own answers, once each: nothing of another interview in the same process leaked in.
      expect(answers.map((t) => t.text)).toEqual(scenario.answers);
    }

    const pids = interviews.map((interview) => jobPid(stack, interview.id));
    expect(pids.every(Boolean), `a process for each interview: ${pids.join(', ')}`).toBe(true);
    const byProcess = new Map<number, number>();
    for (const pid of pids) byProcess.set(pid!, (byProcess.get(pid!) ?? 0) + 1);
    expect([...byProcess.values()].sort()).toEqual([1, 2]);
    // The SDK's own job processes are never forked; the hosts are.
    expect(workerChildren().filter((c) => c.cmd.includes('job_proc_lazy_main'))).toEqual([]);
    // The process that ran two interviews has served its quota: it exits now that both have ended.
    const [shared] = [...byProcess].find(([, n]) => n === 2)!;
    await expect.poll(() => processAlive(shared), { timeout: 60_000 }).toBe(false);
  }, 420_000);
});
