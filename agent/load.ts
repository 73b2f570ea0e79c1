import { availableParallelism, cpus, totalmem } from 'node:os';

// The load the worker reports to LiveKit every 2.5 s (the SDK's `loadFunc`); at 1 or more it reports itself full and
// LiveKit sends its dispatches to another worker. Two limits, whichever is nearer: the interviews it holds against
// AGENT_MAX_JOBS, and the machine's real CPU (everything on it, not only this worker) against AGENT_MAX_CPU, so a
// machine made busy by something else stops taking interviews before the ones it holds slow down.

/**
 * Agent CPU per interview-minute, measured by `npm run bench:voice -- concurrency` (bench/agent-cost.ts): the job
 * process plus its share of the worker's main process. With job hosts (four interviews to a process, agent/hosts, the
 * default) 4.6–5.3 s at 1–8 interviews at once, against 5.3–6.8 s with a process per interview in alternating runs on
 * the same VM (2026-11-30; docs/deploy.md, Sizing). Earlier sessions' VM was 1.4–1.6 times slower (a process per
 * interview measured 8.7–9.7 s there), so the figure is the hosts' upper end scaled to that VM: 7.5–8.5 s, 8 s. The
 * benchmark's interviews are denser than real ones, so this errs towards fewer; AGENT_MAX_CPU bounds the real load.
 */
export const measuredCpuSecondsPerInterviewMinute = 8;

/**
 * Resident memory per interview: job hosts' peak (127–148 MB per interview at two to four to a process; a process per
 * interview, AGENT_JOBS_PER_PROCESS=1, 242–269 MB), rounded up.
 */
export const measuredJobRssMB = 150;

/**
 * Interviews the machine holds at the measured cost: its cores with a fifth of the CPU kept for spikes and start-ups,
 * and its memory with a fifth kept for the worker's main process, the idle job processes and the system.
 */
export function defaultMaxJobs(cores = availableParallelism(), memoryMB = totalmem() / 1048576): number {
  const byCpu = ((cores * 60) / measuredCpuSecondsPerInterviewMinute) * 0.8;
  const byMemory = (memoryMB * 0.8) / measuredJobRssMB;
  return Math.max(1, Math.floor(Math.min(byCpu, byMemory)));
}

export interface LoadInput {
  activeJobs: number;
  maxJobs: number;
  /** Busy fraction (0–1) of the machine's CPU, smoothed. */
  cpu: number;
  /** The busy fraction at which the worker stops taking interviews; 0: CPU not considered. */
  maxCpu: number;
}

/** 1 or more is full. */
export function workerLoad({ activeJobs, maxJobs, cpu, maxCpu }: LoadInput): number {
  return Math.max(activeJobs / maxJobs, maxCpu > 0 ? cpu / maxCpu : 0);
}

export interface CpuTimes {
  idle: number;
  total: number;
}

/** The machine's CPU time so far (all cores, ms), from the kernel's counters. */
export function machineCpuTimes(): CpuTimes {
  let idle = 0;
  let total = 0;
  for (const { times } of cpus()) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total };
}

/**
 * Busy fraction of the CPU since the previous call, smoothed over about `windowCalls` calls: a job process starting
 * (a second or two of one core) must not mark the worker full, a machine that stays busy must.
 */
export function cpuSampler(read: () => CpuTimes = machineCpuTimes, windowCalls = 4) {
  let previous = read();
  let smoothed: number | undefined;
  const alpha = 2 / (windowCalls + 1);
  return (): number => {
    const now = read();
    const total = now.total - previous.total;
    const busy = total > 0 ? Math.min(1, Math.max(0, 1 - (now.idle - previous.idle) / total)) : 0;
    previous = now;
    smoothed = smoothed === undefined ? busy : smoothed + alpha * (busy - smoothed);
    return smoothed;
  };
}
