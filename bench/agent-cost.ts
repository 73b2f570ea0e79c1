import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { isJobProcess } from '../agent/hosts/protocol.ts';

// What interviews cost the agent worker, read from /proc while they run: the CPU of each job process (with what it
// spawns, e.g. ffmpeg), the worker's main process and the SDK's shared inference process, and the job processes'
// memory. The simulated candidates, the emulators and the API run in other processes and are not counted.

const tick = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

type Role = 'main' | 'job' | 'inference' | 'other';

interface Sample {
  pid: number;
  ppid: number;
  /** CPU seconds of the process itself (utime + stime) and of its waited-for children (cutime + cstime). */
  own: number;
  reaped: number;
  rssMB: number;
  peakMB: number;
  cmd: string;
}

function read(pid: number): Sample | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0) / 1024;
    return {
      pid,
      ppid: Number(fields[1]),
      own: (Number(fields[11]) + Number(fields[12])) / tick,
      reaped: (Number(fields[13]) + Number(fields[14])) / tick,
      rssMB: kb('VmRSS'),
      peakMB: kb('VmHWM'),
      cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '),
    };
  } catch {
    return undefined; // gone
  }
}

/** CPU seconds of each thread of a process, by thread id, with the thread's name (digits dropped: one kind). */
export function threadsOf(pid: number): Map<string, { kind: string; cpu: number }> {
  const out = new Map<string, { kind: string; cpu: number }>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out; // gone
  }
  for (const tid of tids) {
    try {
      const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      const kind = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim().replace(/[\s#]*\d+$/, '');
      out.set(tid, { kind, cpu: (Number(fields[11]) + Number(fields[12])) / tick });
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

/**
 * What each kind of thread of a job process does (Linux thread names): the JavaScript thread, V8's helpers, and the
 * native library's WebRTC and Rust threads, which run whatever the JavaScript does.
 */
const threadGroups: [group: string, kinds: RegExp][] = [
  ['JavaScript', /^(MainThread|node)$/],
  ['V8 helpers', /^(V8Worker|DelayedTaskSche|v8:)/],
  ['Opus encoder', /^AudioEncoder/],
  ['WebRTC audio device', /^(SyntheticAudioD|AudioSourceCapt|livekit-audio)/],
  ['WebRTC network and workers', /^(network_thread|worker_thread|signaling_threa)/],
  ['Rust runtime', /^tokio/],
];
export const groupOf = (kind: string) => threadGroups.find(([, re]) => re.test(kind))?.[0] ?? 'other';

function roleOf(s: Sample, workerPid: number): Role {
  if (s.pid === workerPid) return 'main';
  if (s.ppid !== workerPid) return 'other';
  if (s.cmd.includes('inference_proc')) return 'inference';
  if (isJobProcess(s.cmd)) return 'job';
  return 'other';
}

interface Tracked {
  pid: number;
  role: Role;
  /** CPU at the first sample of this window and the latest one (the process and its descendants). */
  first: number;
  last: number;
  /** Whether it existed when the window opened (an idle process then) or was forked during it. */
  preexisting: boolean;
  rss: { at: number; mb: number }[];
  /** Job processes: each thread's CPU at the first sample that saw it (0 if started in the window) and the latest. */
  threads: Map<string, { kind: string; first: number; last: number }>;
  /** The process's CPU (as `last`) at each sample, for the rate within a part of the window. */
  cpu: { at: number; s: number }[];
  peakMB: number;
}

export interface AgentCost {
  /** Sum of the interviews' minutes in the room (connected to ended). */
  interviewMinutes: number;
  jobCpuPerMinute: number;
  mainCpuPerMinute: number;
  inferenceCpuPerMinute: number;
  totalCpuPerMinute: number;
  /**
   * The same, within the interviews' middle half only: what one more minute of an interview already under way costs,
   * without what each interview pays once (joining the room and starting the session, the closing and its uploads),
   * which a 1.4-minute scripted interview spreads over few minutes and a real one over many.
   */
  steadyCpuPerMinute: number;
  /** What each interview costs beyond its minutes at the steady rate: the once-per-interview part. */
  oncePerInterviewCpu: number;
  /** CPU the processes the interviews ran in used before their first interview (start-up and prewarm). */
  startupCpu: number[];
  /** Average minutes per interview, to spread a process's start-up over. */
  minutesPerInterview: number;
  /** Interviews each job process ran at once in the window (1 with a process per interview). */
  interviewsPerProcess: number;
  /** The job processes' CPU per interview-minute by kind of thread (threadGroups), largest first. */
  jobThreadsPerMinute: [group: string, seconds: number][];
  /** A job process's memory over the interviews it ran at once: per interview. */
  jobRssPeakMB: number;
  jobRssSteadyMB: number;
  idleJobRssMB: number;
  mainRssMB: number;
  inferenceRssMB: number | undefined;
  loadavg: string;
}

/**
 * Resolves once the worker's job processes have been quiet (under 2 % of a core each) for two seconds: the idle
 * processes forked to replace the last level's are warm, so an interview's process existed when the window opened.
 */
export async function workerSettled(workerPid: number, timeoutMs = 120_000): Promise<void> {
  const cpuOf = () => {
    const jobs = new Map<number, number>();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const s = read(Number(name));
      if (s && roleOf(s, workerPid) === 'job') jobs.set(s.pid, s.own);
    }
    return jobs;
  };
  const deadline = Date.now() + timeoutMs;
  let quietSince = Date.now();
  let before = cpuOf();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    const now = cpuOf();
    const busy = now.size === 0 || [...now].some(([pid, cpu]) => cpu - (before.get(pid) ?? 0) > 0.01);
    if (busy) quietSince = Date.now();
    else if (Date.now() - quietSince >= 2000) return;
    before = now;
  }
}

/**
 * A job process's start-up CPU, by pid, across the windows of one run: what it had used when first seen idle (at the
 * opening of a window, the worker settled) or at the end of the window it was forked in (a replacement kept warm). A
 * job host runs the interviews of several windows: its CPU at a later window's opening is not its start-up.
 */
const startupOf = new Map<number, number>();

/** Samples the worker's process tree until stop(); `interviews` is the number of interviews the window runs. */
export function watchAgentCost(workerPid: number, interviews: number, intervalMs = 500) {
  const tracked = new Map<number, Tracked>();
  let firstSample = true;
  const sample = () => {
    const all = new Map<number, Sample>();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const s = read(Number(name));
      if (s) all.set(s.pid, s);
    }
    // A job process's descendants (ffmpeg for the recording) count as the job's.
    const descendantsCpu = (pid: number): number => {
      let sum = 0;
      for (const s of all.values()) if (s.ppid === pid) sum += s.own + s.reaped + descendantsCpu(s.pid);
      return sum;
    };
    for (const s of all.values()) {
      const role = roleOf(s, workerPid);
      if (role === 'other') continue;
      // The main process's reaped children are the job processes themselves, counted on their own.
      const cpu = role === 'main' ? s.own : s.own + s.reaped + descendantsCpu(s.pid);
      let t = tracked.get(s.pid);
      if (!t) {
        t = {
          pid: s.pid,
          role,
          first: firstSample ? cpu : 0,
          last: cpu,
          preexisting: firstSample,
          rss: [],
          threads: new Map(),
          cpu: [],
          peakMB: 0,
        };
        tracked.set(s.pid, t);
      }
      if (role === 'job') {
        for (const [tid, thread] of threadsOf(s.pid)) {
          const known = t.threads.get(tid);
          if (known) known.last = thread.cpu;
          else t.threads.set(tid, { kind: thread.kind, first: firstSample ? thread.cpu : 0, last: thread.cpu });
        }
      }
      t.last = cpu;
      t.cpu.push({ at: Date.now(), s: cpu });
      t.rss.push({ at: Date.now(), mb: s.rssMB });
      t.peakMB = Math.max(t.peakMB, s.peakMB);
    }
    firstSample = false;
  };
  sample();
  const timer = setInterval(sample, intervalMs);

  return {
    /** Ends the window; `rooms` gives each interview's time in the room (epoch ms) for the per-minute figures. */
    stop(rooms: { from: number; to: number }[]): AgentCost {
      clearInterval(timer);
      sample();
      for (const [pid, t] of tracked) {
        if (t.role === 'job' && !startupOf.has(pid)) startupOf.set(pid, t.preexisting ? t.first : t.last);
      }
      const minutes = rooms.reduce((sum, r) => sum + (r.to - r.from), 0) / 60_000;
      const of = (role: Role) => [...tracked.values()].filter((t) => t.role === role);
      const used = (t: Tracked) => t.last - t.first;
      // The interviews ran in the idle processes waiting when the window opened: the ones that used CPU in it (a warm
      // one uses next to none). A process per interview (AGENT_JOBS_PER_PROCESS=1) gives as many as interviews; job
      // hosts fewer, several interviews each.
      const jobs = of('job')
        .filter((t) => t.preexisting)
        .sort((a, b) => used(b) - used(a));
      const busy = jobs.filter((t, i) => i === 0 || used(t) > 0.5).slice(0, interviews);
      const idle = [...jobs.filter((t) => !busy.includes(t)), ...of('job').filter((t) => !t.preexisting)];
      const interviewsPerProcess = interviews / Math.max(1, busy.length);
      const sum = (ts: Tracked[]) => ts.reduce((s, t) => s + used(t), 0);
      const job = sum(busy);
      const main = sum(of('main'));
      const inference = sum(of('inference'));
      // Steady memory: the interviews' middle half, after start-up and before the end's uploads.
      const from = Math.min(...rooms.map((r) => r.from));
      const to = Math.max(...rooms.map((r) => r.to));
      const median = (v: number[]) => {
        const s = [...v].sort((a, b) => a - b);
        return s.length === 0 ? Number.NaN : s[Math.floor(s.length / 2)]!;
      };
      // Per interview: a process's memory over the interviews it ran.
      const mid = busy.map((t) =>
        median(t.rss.filter((r) => r.at >= from + (to - from) / 4 && r.at <= to - (to - from) / 4).map((r) => r.mb)),
      );
      // CPU between the middle half's ends, over the interview-minutes spent in the room within it.
      const [midFrom, midTo] = [from + (to - from) / 4, to - (to - from) / 4];
      const at = (t: Tracked, time: number) =>
        t.cpu.findLast((c) => c.at <= time)?.s ?? (t.preexisting ? t.first : 0);
      const midCpu = [...busy, ...of('main'), ...of('inference')].reduce(
        (sum, t) => sum + at(t, midTo) - at(t, midFrom),
        0,
      );
      const midMinutes =
        rooms.reduce((sum, r) => sum + Math.max(0, Math.min(r.to, midTo) - Math.max(r.from, midFrom)), 0) / 60_000;
      const steady = midCpu / midMinutes;
      const byGroup = new Map<string, number>();
      for (const t of busy) {
        for (const thread of t.threads.values()) {
          const group = groupOf(thread.kind);
          byGroup.set(group, (byGroup.get(group) ?? 0) + (thread.last - thread.first) / minutes);
        }
      }
      const latest = (ts: Tracked[]) => median(ts.map((t) => t.rss.at(-1)?.mb ?? Number.NaN));
      return {
        interviewMinutes: minutes,
        jobCpuPerMinute: job / minutes,
        mainCpuPerMinute: main / minutes,
        inferenceCpuPerMinute: inference / minutes,
        totalCpuPerMinute: (job + main + inference) / minutes,
        steadyCpuPerMinute: steady,
        jobThreadsPerMinute: [...byGroup].sort((a, b) => b[1] - a[1]),
        oncePerInterviewCpu: (job + main + inference - steady * minutes) / Math.max(1, rooms.length),
        startupCpu: busy.flatMap((t) => (startupOf.has(t.pid) ? [startupOf.get(t.pid)!] : [])),
        minutesPerInterview: minutes / Math.max(1, rooms.length),
        interviewsPerProcess,
        jobRssPeakMB: Math.max(0, ...busy.map((t) => t.peakMB)) / interviewsPerProcess,
        jobRssSteadyMB: median(mid) / interviewsPerProcess,
        idleJobRssMB: latest(idle),
        mainRssMB: latest(of('main')),
        inferenceRssMB: of('inference').length > 0 ? latest(of('inference')) : undefined,
        loadavg: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
      };
    },
  };
}

/** One line per figure, for the benchmark's output. */
export function formatAgentCost(c: AgentCost): string {
  const s = (v: number) => v.toFixed(2);
  const mb = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? 'n/a' : `${Math.round(v)} MB`);
  const startup = c.startupCpu.length > 0 ? c.startupCpu.reduce((a, b) => a + b, 0) / c.startupCpu.length : 0;
  // A process's start-up is shared by the interviews it runs (job hosts run more than these at once over their life).
  const startupPerInterview = startup / c.interviewsPerProcess;
  const withStartup = c.totalCpuPerMinute + startupPerInterview / c.minutesPerInterview;
  return (
    `agent CPU per interview-minute ${s(c.totalCpuPerMinute)} s (job ${s(c.jobCpuPerMinute)} + worker main ${s(c.mainCpuPerMinute)} + ` +
    `inference process ${s(c.inferenceCpuPerMinute)}), ${s(c.totalCpuPerMinute * c.minutesPerInterview)} s per interview ` +
    `(comparable across machine loads, which stretch an interview's minutes) ` +
    `→ ${(60 / c.totalCpuPerMinute).toFixed(1)} interviews per core; ` +
    `${c.interviewsPerProcess.toFixed(1)} interviews per job process; its start-up ${s(startup)} s CPU ` +
    `(n=${c.startupCpu.length}), ${s(startupPerInterview)} s per interview, spread over a ` +
    `${c.minutesPerInterview.toFixed(1)}-minute interview ${s(withStartup)} s per minute → ${(60 / withStartup).toFixed(1)} per core;\n    ` +
    `steady (the interviews' middle half) ${s(c.steadyCpuPerMinute)} s per interview-minute → ` +
    `${(60 / c.steadyCpuPerMinute).toFixed(1)} interviews per core, plus ${s(c.oncePerInterviewCpu)} s once per interview ` +
    `(joining, starting, closing): a 20-minute interview ${s(c.steadyCpuPerMinute + c.oncePerInterviewCpu / 20)} s per minute;\n    ` +
    `job process by thread, per interview-minute: ${c.jobThreadsPerMinute.map(([g, v]) => `${g} ${s(v)} s`).join(', ')};\n    ` +
    `job RSS per interview: peak ${mb(c.jobRssPeakMB)}, steady ${mb(c.jobRssSteadyMB)}; idle job process ${mb(c.idleJobRssMB)}, worker main ${mb(c.mainRssMB)}, ` +
    `inference process ${c.inferenceRssMB === undefined ? 'none' : mb(c.inferenceRssMB)}; ${c.interviewMinutes.toFixed(1)} interview-minutes; load ${c.loadavg}`
  );
}
