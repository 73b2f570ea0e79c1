import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadScenario, runCandidate } from '../test/support/candidate-sim.ts';
import { seedScenario, startAgentStack, type AgentStack } from '../test/agent/support/stack.ts';

// The CPU a recording adds to one interview: the same scenario with the company's recording on and off, alternating,
// measured as the job process's CPU (the SDK forks one process per job, the recorder runs in it) plus that of the
// ffmpeg it spawns. Read from /proc (utime + stime), sampled until the job process exits.

const runs = Number(process.env.RUNS ?? 2);
const scenario = loadScenario(new URL('../scenarios/backend-fintech-strong.json', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'bench-recording-cpu-'));
const spoolDir = path.join(dir, 'spool');
const tick = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
let stack: AgentStack;

beforeAll(async () => {
  stack = await startAgentStack({
    workerEnv: { SILENCE_PROMPT_SECONDS: '20', RECORDINGS_DIR: path.join(dir, 'store'), RECORDINGS_SPOOL_DIR: spoolDir },
    apiEnv: { RECORDINGS_DIR: path.join(dir, 'store') },
  });
});
afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Proc {
  ppid: number;
  cpu: number;
  cmd: string;
}

function processes(): Map<number, Proc> {
  const found = new Map<number, Proc>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      found.set(Number(pid), { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / tick, cmd });
    } catch {
      // gone
    }
  }
  return found;
}

/** Samples the CPU of the worker's child processes and of the ffmpeg writing into the spool until stopped. */
function watch(workerPid: number) {
  const start = new Map<number, number>();
  const last = new Map<number, number>();
  const ffmpeg = new Map<number, { parent: number; cpu: number }>();
  for (const [pid, p] of processes()) if (p.ppid === workerPid) start.set(pid, p.cpu);
  const sample = () => {
    for (const [pid, p] of processes()) {
      if (p.ppid === workerPid) last.set(pid, p.cpu);
      else if (p.cmd.includes('ffmpeg') && p.cmd.includes(spoolDir)) ffmpeg.set(pid, { parent: p.ppid, cpu: p.cpu });
    }
  };
  const timer = setInterval(sample, 100);
  return {
    /** The job process: the child that existed when the interview started and used the most CPU since. */
    job() {
      let best = { pid: 0, cpu: -1 };
      for (const [pid, cpu] of last) {
        if (!start.has(pid)) continue;
        const used = cpu - start.get(pid)!;
        if (used > best.cpu) best = { pid, cpu: used };
      }
      return best;
    },
    stop() {
      clearInterval(timer);
      sample();
      return { ffmpeg: [...ffmpeg.values()] };
    },
  };
}

async function interview(recording: boolean) {
  const setting = await stack.hr('PATCH', '/v1/company/recording', { body: { enabled: recording } });
  expect(setting.status).toBe(200);
  // Idle job processes forked after the previous interview have finished loading.
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const load = loadavg()[0]!;
  const seeded = await seedScenario(stack, scenario);
  const w = watch(stack.worker.pid!);
  const result = await runCandidate({
    apiUrl: stack.api.url,
    roomCode: seeded.roomCode,
    phone: scenario.candidate.phone,
    firstName: scenario.candidate.firstName,
    lastName: scenario.candidate.lastName,
    answers: scenario.answers,
    timeoutMs: 240_000,
  });
  expect(result.endedBy).not.toBe('timeout');
  // The job ends after the interview: its process finishes the recording (ffmpeg's last pages, the store) and exits.
  const deadline = Date.now() + 30_000;
  await new Promise((resolve) => setTimeout(resolve, 500));
  while (Date.now() < deadline && existsSync(`/proc/${w.job().pid}`)) await new Promise((resolve) => setTimeout(resolve, 100));
  const jobExited = !existsSync(`/proc/${w.job().pid}`);
  const { ffmpeg } = w.stop();
  const job = w.job();
  const row = await stack.api.db.selectFrom('interviews').selectAll().where('id', '=', seeded.id).executeTakeFirstOrThrow();
  const seconds = (row.endedAt!.getTime() - row.startedAt!.getTime()) / 1000;
  if (recording) {
    expect(ffmpeg.length).toBe(1);
    expect(ffmpeg[0]!.parent).toBe(job.pid);
  } else expect(ffmpeg).toEqual([]);
  const ffmpegCpu = ffmpeg.reduce((sum, f) => sum + f.cpu, 0);
  return { recording, seconds, jobCpu: job.cpu, ffmpegCpu, total: job.cpu + ffmpegCpu, jobExited, load };
}

it('job process CPU per interview, recording on and off', async () => {
  const results: Array<Awaited<ReturnType<typeof interview>>> = [];
  for (let i = 0; i < runs; i++) for (const recording of [true, false]) results.push(await interview(recording));
  for (const r of results)
    console.log(
      `recording ${r.recording ? 'on ' : 'off'}: interview ${r.seconds.toFixed(1)} s, job process ${r.jobCpu.toFixed(2)} s CPU, ` +
        `ffmpeg ${r.ffmpegCpu.toFixed(2)} s, total ${r.total.toFixed(2)} s${r.jobExited ? '' : ' (job process still alive)'}; ` +
        `load ${r.load.toFixed(2)}`,
    );
  const mean = (on: boolean, key: 'jobCpu' | 'total') => {
    const picked = results.filter((r) => r.recording === on);
    return picked.reduce((sum, r) => sum + r[key], 0) / picked.length;
  };
  console.log(
    `recording adds ${(mean(true, 'jobCpu') - mean(false, 'jobCpu')).toFixed(2)} s to the job process and ` +
      `${(mean(true, 'total') - mean(false, 'total')).toFixed(2)} s with ffmpeg (mean of ${runs} runs each)`,
  );
});
