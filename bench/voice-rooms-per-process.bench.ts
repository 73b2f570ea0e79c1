import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { RoomServiceClient } from 'livekit-server-sdk';
import { it } from 'vitest';
import { testEnv } from '../test/support/harness.ts';
import { groupOf, threadsOf } from './agent-cost.ts';

// What the native media stack costs per interview when interviews share a process, against one process each (the
// SDK's way: a job process per interview). Each agent room reads a candidate's 48 kHz microphone as the SDK's room
// input does and speaks half of the time through the SDK's room output's 200 ms queue (bench/rooms-per-process-child.ts);
// no STT, VAD, LLM or TTS runs, so the figures are the floor under the voice pipeline: WebRTC's threads, the Rust
// runtime and the FFI events the JavaScript thread receives. Prints CPU seconds per room-minute by thread group and
// RSS per process. Asserts nothing.
//
//   npm run bench:voice -- rooms-per-process          (BENCH_ROOMS=4 by default)

const roomsPerRun = Number(process.env.BENCH_ROOMS ?? 4);
const windowMs = Number(process.env.BENCH_WINDOW_MS ?? 45_000);
const env = testEnv();
const roomService = new RoomServiceClient(env.LIVEKIT_URL!.replace(/^ws/, 'http'), env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET);
const child = new URL('./rooms-per-process-child.ts', import.meta.url).pathname;

async function start(role: 'agent' | 'candidate', rooms: string[]): Promise<ChildProcess> {
  const proc = spawn(process.execPath, [child, role, ...rooms], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`${role} process exited (${code}) before it was ready`)));
    createInterface({ input: proc.stdout! }).on('line', (line) => line === 'ready' && resolve());
  });
  return proc;
}

function cpuByGroup(pids: number[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of pids) for (const { kind, cpu } of threadsOf(pid).values()) out.set(groupOf(kind), (out.get(groupOf(kind)) ?? 0) + cpu);
  return out;
}

const rssMB = (pid: number) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function measure(mode: 'shared' | 'separate'): Promise<string> {
  const rooms = Array.from({ length: roomsPerRun }, () => `rpp-${randomBytes(4).toString('hex')}`);
  // The server creates no room on join (as configured for the product): the API creates them.
  for (const name of rooms) await roomService.createRoom({ name, emptyTimeout: 60 });
  const started: ChildProcess[] = [];
  try {
    started.push(await start('candidate', rooms));
    const pids: number[] = [];
    for (const group of mode === 'shared' ? [rooms] : rooms.map((room) => [room])) {
      const agent = await start('agent', group);
      started.push(agent);
      pids.push(agent.pid!);
    }
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const before = cpuByGroup(pids);
    const startedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const after = cpuByGroup(pids);
    const minutes = ((Date.now() - startedAt) / 60_000) * roomsPerRun;
    const groups = [...after].map(([group, cpu]) => [group, (cpu - (before.get(group) ?? 0)) / minutes] as const).sort((a, b) => b[1] - a[1]);
    const total = groups.reduce((sum, [, s]) => sum + s, 0);
    const rss = pids.map(rssMB).reduce((a, b) => a + b, 0) / roomsPerRun;
    return (
      `${mode === 'shared' ? `${roomsPerRun} rooms in one process` : `${roomsPerRun} processes, one room each`}: ` +
      `${total.toFixed(2)} CPU-s per room-minute (${groups.map(([g, s]) => `${g} ${s.toFixed(2)}`).join(', ')}); ` +
      `RSS ${rss.toFixed(0)} MB per room`
    );
  } finally {
    for (const p of started) p.kill('SIGKILL');
    for (const name of rooms) await roomService.deleteRoom(name).catch(() => {});
  }
}

it('rooms per process', async () => {
  const lines: string[] = [];
  for (const mode of (process.env.BENCH_MODES ?? 'separate,shared,separate,shared').split(',') as ('shared' | 'separate')[]) lines.push(await measure(mode));
  console.log(`=== bench/voice-rooms-per-process (the media floor under the voice pipeline, ${roomsPerRun} rooms) ===\n${lines.join('\n')}`);
});
