import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReconciler } from '../../api/livekit/reconciler.ts';
import { loadScenario, runCandidate } from '../support/candidate-sim.ts';
import { channelLevels, describeAudio } from '../recordings/support.ts';
import { seedScenario, startAgentStack, type AgentStack } from './support/stack.ts';

// Recording end to end: the real worker records a voice interview with the SDK's RecorderIO (candidate left,
// interviewer right), the file goes to the local store, and the API plays it back. The audio is checked against the
// known schedule of who spoke when; a job killed with SIGKILL keeps what it had recorded, and the resumed interview
// is a second part.

const scenario = loadScenario(new URL('../../scenarios/backend-fintech-strong.json', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'e2e-recording-'));
const recordingsDir = path.join(dir, 'store');
const spoolDir = path.join(dir, 'spool');
let stack: AgentStack;

beforeAll(async () => {
  stack = await startAgentStack({
    workerEnv: {
      SILENCE_PROMPT_SECONDS: '20',
      RECORDINGS_DIR: recordingsDir,
      RECORDINGS_SPOOL_DIR: spoolDir,
      RECORDINGS_RECOVERY_INTERVAL_MS: '1000',
      // The resumed interview below ends when its candidate leaves for good.
      REJOIN_GRACE_SECONDS: '5',
    },
    apiEnv: { RECORDINGS_DIR: recordingsDir },
  });
  const on = await stack.hr('PATCH', '/v1/company/recording', { body: { enabled: true } });
  expect(on.status).toBe(200);
});
afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Part {
  part: number;
  status: string;
  startedAt: string;
  durationMs: number | null;
  sizeBytes: number | null;
  recovered: boolean;
  url: string | null;
}
interface Info {
  recorded: boolean;
  available: boolean;
  parts: Part[];
  turns: Array<{ seq: number; part: number | null; startMs: number | null; endMs: number | null }>;
}

async function info(interviewId: string): Promise<Info> {
  const res = await stack.hr('GET', `/v1/interviews/${interviewId}/recording/info`);
  expect(res.status).toBe(200);
  return res.body as Info;
}

async function download(url: string): Promise<string> {
  const res = await fetch(`${stack.api.url}${url}`, { headers: { authorization: `Bearer ${stack.hrKey}` } });
  expect(res.status).toBe(200);
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.ogg`);
  writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  return file;
}

/** CPU seconds (user + system) of every ffmpeg writing into the spool, sampled until stopped. */
function watchFfmpegCpu() {
  const seen = new Map<number, number>();
  const tick = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  const sample = () => {
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (!cmd.includes('ffmpeg') || !cmd.includes(spoolDir)) continue;
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        seen.set(Number(pid), (Number(fields[11]) + Number(fields[12])) / tick);
      } catch {
        // gone
      }
    }
  };
  const timer = setInterval(sample, 250);
  return {
    ffmpegPids: () => [...seen.keys()],
    stop: () => {
      clearInterval(timer);
      return [...seen.values()].reduce((a, b) => a + b, 0);
    },
  };
}

const audible = 0.01;

/** The first 50 ms window at or after `fromMs` whose level crosses `audible`, in ms. */
function onset(levels: number[], fromMs: number, windowMs = 50): number | undefined {
  for (let i = Math.max(0, Math.floor(fromMs / windowMs)); i < levels.length; i++) if (levels[i]! > audible) return i * windowMs;
  return undefined;
}

function activeShare(levels: number[], fromMs: number, toMs: number, windowMs = 50): number {
  const slice = levels.slice(Math.floor(fromMs / windowMs), Math.floor(toMs / windowMs));
  return slice.length ? slice.filter((l) => l > audible).length / slice.length : 0;
}

describe('interview recording', () => {
  it(
    'records candidate left and interviewer right, lined up with the transcript, stored and played back',
    async () => {
      const interview = await seedScenario(stack, scenario);
      const cpu = watchFfmpegCpu();
      const result = await runCandidate({
        apiUrl: stack.api.url,
        roomCode: interview.roomCode,
        phone: scenario.candidate.phone,
        firstName: scenario.candidate.firstName,
        lastName: scenario.candidate.lastName,
        answers: scenario.answers,
        timeoutMs: 240_000,
      });
      expect(result.endedBy).not.toBe('timeout');
      const db = stack.api.db;
      await expect.poll(async () => (await info(interview.id)).parts.map((p) => p.status), { timeout: 30_000 }).toEqual(['stored']);
      const ffmpegCpuSeconds = cpu.stop();
      const recording = await info(interview.id);
      expect(recording).toMatchObject({ recorded: true, available: true });
      const part = recording.parts[0]!;
      if (part.recovered) console.log(stack.workerLog.filter((l) => /record|shut|error|warn/i.test(l)).slice(-40).join('\n'));
      expect(part).toMatchObject({ part: 1, recovered: false });

      // The candidate was told: the spoken notice says so, and the consent stored with it names the recorded notice.
      const consent = await db.selectFrom('interviewConsents').selectAll().where('interviewId', '=', interview.id).executeTakeFirstOrThrow();
      expect(consent.given).toBe(true);
      expect(consent.noticeVersion).toMatch(/\+recording$/);
      expect(consent.noticeText).toMatch(/recorded/);

      const file = await download(part.url!);
      const described = describeAudio(file);
      expect(described).toMatchObject({ codec: 'opus', sampleRate: 48000, channels: 'stereo' });
      const row = await db.selectFrom('interviews').selectAll().where('id', '=', interview.id).executeTakeFirstOrThrow();
      const interviewMs = row.endedAt!.getTime() - row.startedAt!.getTime();
      expect(Math.abs(described.durationMs - interviewMs), `audio ${described.durationMs} ms, interview ${interviewMs} ms`).toBeLessThan(2_000);
      expect(Math.abs(described.durationMs - part.durationMs!)).toBeLessThan(100);

      // Energy per channel against the schedule: who spoke when.
      const zero = Date.parse(part.startedAt);
      const { left, right } = channelLevels(file);
      const turns = await db.selectFrom('transcriptTurns').selectAll().where('interviewId', '=', interview.id).orderBy('seq').execute();
      const voiceAnswers = result.answers;
      for (const a of voiceAnswers) {
        // The tail of a question can still be arriving as the candidate starts: 500 ms in.
        const from = a.startedAt - zero + 500;
        const to = a.endedAt - zero - 300;
        expect(activeShare(left, from, to), `candidate channel while "${a.text.slice(0, 30)}"`).toBeGreaterThan(0.5);
        expect(activeShare(right, from, to), `interviewer channel while the candidate answers`).toBeLessThan(0.1);
      }
      const spoken = turns.filter((t) => t.speaker === 'interviewer' && !t.interrupted && t.endedAt.getTime() - t.startedAt.getTime() > 1_500);
      expect(spoken.length).toBeGreaterThan(3);
      for (const t of spoken) {
        const from = t.startedAt.getTime() - zero + 300;
        const to = t.endedAt.getTime() - zero - 300;
        expect(activeShare(right, from, to), `interviewer channel while "${t.text.slice(0, 30)}"`).toBeGreaterThan(0.5);
        expect(activeShare(left, from, to), 'candidate channel while the interviewer speaks').toBeLessThan(0.1);
      }

      // Each turn's stored time lands within 250 ms of its audio.
      const offsets = new Map(recording.turns.map((t) => [t.seq, t]));
      const errors: Array<{ seq: number; speaker: string; ms: number }> = [];
      for (const t of turns) {
        if (t.input !== 'voice' || (t.speaker === 'interviewer' && !spoken.includes(t))) continue;
        const placed = offsets.get(t.seq)!;
        expect(placed.part).toBe(1);
        expect(placed.startMs).toBe(t.startedAt.getTime() - zero);
        const heard = onset(t.speaker === 'candidate' ? left : right, placed.startMs! - 1_000);
        expect(heard, `audio of turn ${t.seq}`).toBeDefined();
        errors.push({ seq: t.seq, speaker: t.speaker, ms: placed.startMs! - heard! });
      }
      console.log('turn start − audio onset (ms):', JSON.stringify(errors));
      expect(errors.filter((e) => e.speaker === 'candidate').length).toBe(scenario.answers.length);
      for (const e of errors) expect(Math.abs(e.ms), `turn ${e.seq} (${e.speaker})`).toBeLessThanOrEqual(250);

      const minutes = part.durationMs! / 60_000;
      console.log(
        `recording: ${part.durationMs} ms, ${part.sizeBytes} bytes, ${Math.round(part.sizeBytes! / minutes / 1024)} KiB per minute; ` +
          `ffmpeg CPU ${ffmpegCpuSeconds.toFixed(2)} s (${((ffmpegCpuSeconds / (part.durationMs! / 1000)) * 100).toFixed(2)} % of one core)`,
      );
      expect(readdirSync(spoolDir)).toEqual([]);
    },
    300_000,
  );

  it(
    'a job killed mid-interview keeps the audio up to the kill; the resumed interview is part 2',
    async () => {
      const interview = await seedScenario(stack, scenario);
      const answers = scenario.answers;
      const watch = watchFfmpegCpu();
      let killedAt = 0;
      let answered = 0;
      const first = await runCandidate({
        apiUrl: stack.api.url,
        roomCode: interview.roomCode,
        phone: scenario.candidate.phone,
        firstName: scenario.candidate.firstName,
        lastName: scenario.candidate.lastName,
        answers: answers.slice(0, 3),
        timeoutMs: 120_000,
        // This candidate goes when the interviewer dies, and comes back below (e2e-worker-killed.test.ts stays).
        interviewerLostWaitMs: 0,
        onEvent: (event) => {
          if (event.type !== 'answer' || ++answered !== 3) return;
          // Mid-answer: the job process that owns the recorder (ffmpeg's parent) dies at once.
          setTimeout(() => {
            const ffmpeg = watch.ffmpegPids()[0]!;
            const job = Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${ffmpeg}/status`, 'utf8'))![1]);
            expect(job).not.toBe(stack.worker.pid);
            killedAt = Date.now();
            process.kill(job, 'SIGKILL');
          }, 1_500);
        },
      });
      watch.stop();
      expect(killedAt).toBeGreaterThan(0);
      expect(first.endedBy).toBe('interviewer left');

      // The worker's main process finds what the dead job left and stores it.
      await expect.poll(async () => (await info(interview.id)).parts.map((p) => [p.status, p.recovered]), { timeout: 30_000 }).toEqual([
        ['stored', true],
      ]);
      const [part1] = (await info(interview.id)).parts;
      const recordedUntil = Date.parse(part1!.startedAt) + part1!.durationMs!;
      console.log(`killed at ${killedAt - Date.parse(part1!.startedAt)} ms into part 1; stored audio ends ${killedAt - recordedUntil} ms before the kill`);
      // Everything up to the kill but what the recorder had not yet handed to ffmpeg (it writes every 2.5 s).
      expect(killedAt - recordedUntil, `audio ends ${killedAt - recordedUntil} ms before the kill`).toBeLessThan(3_500);
      expect(recordedUntil - killedAt).toBeLessThan(500);
      const file1 = await download(part1!.url!);
      expect(describeAudio(file1)).toMatchObject({ codec: 'opus', sampleRate: 48000, channels: 'stereo' });
      expect(Math.abs(describeAudio(file1).durationMs - part1!.durationMs!)).toBeLessThan(100);

      // The candidate comes back: the reconciler sees them waiting without an interviewer and dispatches a new one
      // (as the API process does every RECONCILE_INTERVAL_MS), which records a second part after the first.
      const reconciler = startReconciler(stack.api.deps);
      const second = await runCandidate({
        apiUrl: stack.api.url,
        roomCode: interview.roomCode,
        phone: scenario.candidate.phone,
        firstName: scenario.candidate.firstName,
        lastName: scenario.candidate.lastName,
        answers: answers.slice(3),
        // The candidate answers what is left and then goes; the interviewer closes after the rejoin grace.
        timeoutMs: 45_000,
      }).finally(() => reconciler.stop());
      console.log('resumed interview:', second.endedBy, JSON.stringify(second.interviewerLines.map((l) => l.slice(0, 60))));
      expect(second.firstAudioAt).toBeDefined();
      await expect.poll(async () => (await info(interview.id)).parts.map((p) => p.status), { timeout: 30_000 }).toEqual(['stored', 'stored']);
      const parts = (await info(interview.id)).parts;
      expect(parts.map((p) => p.part)).toEqual([1, 2]);
      expect(Date.parse(parts[1]!.startedAt)).toBeGreaterThan(recordedUntil);
      const placed = (await info(interview.id)).turns.filter((t) => t.part !== null).map((t) => t.part);
      expect(placed).toContain(2);
      expect([...placed].sort()).toEqual(placed); // turns are in part order
      expect(readdirSync(spoolDir)).toEqual([]);
    },
    360_000,
  );
});
