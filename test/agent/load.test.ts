import { describe, expect, it } from 'vitest';
import {
  cpuSampler,
  defaultMaxJobs,
  machineCpuTimes,
  measuredCpuSecondsPerInterviewMinute,
  measuredJobRssMB,
  workerLoad,
  type CpuTimes,
} from '../../agent/load.ts';

describe('workerLoad', () => {
  it('is the interviews held against AGENT_MAX_JOBS on an idle machine, full (1) at the limit', () => {
    expect(workerLoad({ activeJobs: 0, maxJobs: 8, cpu: 0, maxCpu: 0.85 })).toBe(0);
    expect(workerLoad({ activeJobs: 4, maxJobs: 8, cpu: 0.1, maxCpu: 0.85 })).toBe(0.5);
    expect(workerLoad({ activeJobs: 8, maxJobs: 8, cpu: 0.1, maxCpu: 0.85 })).toBe(1);
  });

  it('reaches full on CPU alone when the machine is busy, whatever the interviews held', () => {
    // One interview held, the machine busy with something else: no more interviews here.
    expect(workerLoad({ activeJobs: 1, maxJobs: 8, cpu: 0.9, maxCpu: 0.85 })).toBeGreaterThanOrEqual(1);
    expect(workerLoad({ activeJobs: 1, maxJobs: 8, cpu: 0.6, maxCpu: 0.85 })).toBeCloseTo(0.6 / 0.85);
  });

  it('ignores the CPU when AGENT_MAX_CPU is 0 (outside production by default)', () => {
    expect(workerLoad({ activeJobs: 2, maxJobs: 8, cpu: 1, maxCpu: 0 })).toBe(0.25);
  });
});

describe('defaultMaxJobs', () => {
  it('follows the measured cost of an interview, the smaller of what the cores and the memory hold, at least 1', () => {
    const perCore = 60 / measuredCpuSecondsPerInterviewMinute;
    const plenty = 1024 * 1024;
    expect(defaultMaxJobs(2, plenty)).toBe(Math.floor(2 * perCore * 0.8));
    expect(defaultMaxJobs(8, plenty)).toBe(Math.floor(8 * perCore * 0.8));
    expect(defaultMaxJobs(8, plenty)).toBeGreaterThan(defaultMaxJobs(2, plenty));
    // 8 cores and 4 GB: memory decides.
    expect(defaultMaxJobs(8, 4096)).toBe(Math.floor((4096 * 0.8) / measuredJobRssMB));
    expect(defaultMaxJobs(0.1, plenty)).toBe(1);
    expect(defaultMaxJobs(8, 100)).toBe(1);
  });
});

describe('cpuSampler', () => {
  /** Kernel counters as a sequence of (busy, idle) increments between calls. */
  function counters(steps: [busy: number, idle: number][]) {
    let idle = 0;
    let total = 0;
    let i = -1;
    return (): CpuTimes => {
      if (i >= 0) {
        const [b, d] = steps[Math.min(i, steps.length - 1)]!;
        idle += d;
        total += b + d;
      }
      i++;
      return { idle, total };
    };
  }

  it('reads the busy fraction since the previous call', () => {
    const sample = cpuSampler(counters([[30, 70]]), 1);
    expect(sample()).toBeCloseTo(0.3);
  });

  it('does not mark the worker full for one busy reading (a job process starting), does for a machine that stays busy', () => {
    const sample = cpuSampler(
      counters([
        [20, 80],
        [100, 0],
        [20, 80],
        [100, 0],
        [100, 0],
        [100, 0],
        [100, 0],
      ]),
    );
    const readings = Array.from({ length: 7 }, () => sample());
    const load = (cpu: number) => workerLoad({ activeJobs: 1, maxJobs: 8, cpu, maxCpu: 0.85 });
    expect(load(readings[1]!)).toBeLessThan(1); // the first spike
    expect(load(readings[3]!)).toBeLessThan(1); // the second, after a quiet reading
    expect(load(readings[6]!)).toBeGreaterThanOrEqual(1); // busy for four readings (10 s)
  });

  it('counts no time as idle (no division by zero)', () => {
    const sample = cpuSampler(counters([[0, 0]]));
    expect(sample()).toBe(0);
  });

  it("reads this machine's kernel counters, which only grow", async () => {
    const a = machineCpuTimes();
    await new Promise((r) => setTimeout(r, 50));
    const b = machineCpuTimes();
    expect(a.total).toBeGreaterThan(0);
    expect(b.total).toBeGreaterThanOrEqual(a.total);
    expect(b.idle).toBeGreaterThanOrEqual(a.idle);
    const busy = cpuSampler()();
    expect(busy).toBeGreaterThanOrEqual(0);
    expect(busy).toBeLessThanOrEqual(1);
  });
});
