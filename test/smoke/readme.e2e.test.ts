// A newcomer's first hour, as the README tells it: `npm start` on a clean copy of the checkout with nothing set
// (embedded Postgres, local LiveKit, the agent in local mode), the README's curl block run as written, the joins a
// candidate makes, `npm run simulate` to a completed interview, its transcript and pending scorecard through the HR
// API, then SIGINT to the `npm start` process alone: everything it started must be gone within 10 s.
// It never touches the test cluster: the product runs on its own embedded database in the copy's `.data`.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const api = 'http://localhost:3000';
/** The ports the README's defaults use; a product already running on them would answer instead of ours. */
const defaultPorts = [3000, 7880, 54329];

let checkout: string;
let start: ChildProcess;
let output = '';
let key: string;

/** The checkout as a new user has it: the repository's files, no `.data`, dependencies installed. */
function cleanCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'readme-'));
  // The embedded Postgres runs as the `postgres` user when we are root: it must reach `.data` inside the copy.
  chmodSync(dir, 0o755);
  const skip = new Set(['node_modules', '.data', '.git', 'coverage', 'test-results']);
  for (const entry of readdirSync(repo)) {
    if (!skip.has(entry)) cpSync(path.join(repo, entry), path.join(dir, entry), { recursive: true });
  }
  symlinkSync(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** The environment of a new shell: no DATABASE_URL, LIVEKIT_URL, NODE_ENV or anything the test runner set. */
function newcomerEnv(): NodeJS.ProcessEnv {
  return {
    PATH: `${path.dirname(process.execPath)}:${process.env.PATH}`,
    HOME: process.env.HOME,
    LANG: 'C.UTF-8',
    ...(process.env.XDG_CACHE_HOME ? { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME } : {}),
  };
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s\n--- npm start output ---\n${output.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Every process descended from `pid`, from /proc: the API, the agent and its job processes, LiveKit, Postgres. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone while we read.
    }
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      found.push(c);
      walk(c);
    }
  };
  walk(pid);
  return found;
}

function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Processes whose command line names the copy: whatever ran from it, however it was reparented. */
function processesOfCopy(): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(checkout) && alive(Number(entry))) found.push(`${entry}: ${cmdline.slice(0, 200)}`);
    } catch {
      // Gone while we read.
    }
  }
  return found;
}

async function hr(method: string, route: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${api}${route}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: await res.json() };
}

async function join(code: string, phone: string): Promise<{ status: number; json: any }> {
  const res = await fetch(`${api}/v1/public/rooms/${code}/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone, firstName: 'Layla', lastName: 'Haddad' }),
  });
  return { status: res.status, json: await res.json() };
}

/** The README's shell block under "Try it with curl", exactly as a reader would paste it. */
function readmeCurlBlock(): string {
  const readme = readFileSync(path.join(checkout, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Try it with curl'));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('README has no sh block under "Try it with curl"');
  return block[1]!;
}

beforeAll(async () => {
  for (const port of defaultPorts) {
    if (await portInUse(port)) throw new Error(`port ${port} is in use: stop your own \`npm start\` before running this test`);
  }
  checkout = cleanCopy();
  // Exactly the README's command; `npm start` is then this process's child, as in a terminal.
  start = spawn('npm', ['start'], { cwd: checkout, env: newcomerEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  start.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  start.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  // First start on this checkout: cluster initialised, migrations, LiveKit (already built by test-deps.sh), web app.
  await waitFor('npm start printed "Stop with Ctrl+C."', () => (output.includes('Stop with Ctrl+C.') ? true : undefined), 240_000);
  key = readFileSync(path.join(checkout, '.data', 'dev-api-key'), 'utf8').trim();
}, 300_000);

afterAll(() => {
  if (start && start.exitCode === null) {
    for (const pid of descendants(start.pid!)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    start.kill('SIGKILL');
  }
  if (checkout) rmSync(checkout, { recursive: true, force: true });
});

describe("the README's front door, on the embedded default", () => {
  let readmeInterview: { id: string; code: string };

  it('prints where everything is, on a real PostgreSQL', () => {
    expect(output).toContain('embedded PostgreSQL in .data/postgres on 127.0.0.1:54329');
    expect(output).toMatch(/HR API key for "Demo Company": ik_/);
    expect(existsSync(path.join(checkout, '.data', 'postgres', 'PG_VERSION'))).toBe(true);
    expect(readFileSync(path.join(checkout, '.data', 'postgres', 'PG_VERSION'), 'utf8').trim()).toBe('17');
  });

  it('runs the curl block as written: job, candidate, interview, the room as the candidate sees it, a join', () => {
    const out = execFileSync('bash', ['-e', '-o', 'pipefail', '-c', readmeCurlBlock()], {
      cwd: checkout,
      env: newcomerEnv(),
      encoding: 'utf8',
    });
    const id = /"id": "([0-9a-f-]{36})"/.exec(out)?.[1];
    const code = /"roomCode": "([A-Z0-9]{8})"/.exec(out)?.[1];
    expect(id, out).toBeDefined();
    expect(code, out).toBeDefined();
    expect(out).toContain('"companyName": "Demo Company"');
    expect(out).toContain('"joinState": "open"');
    expect(out).toMatch(/"roomName": "interview-[0-9a-f-]{36}"/);
    expect(out).toContain('"serverUrl": "ws://127.0.0.1:7880"');
    readmeInterview = { id: id!, code: code! };
  });

  it('refuses a wrong phone with the same 404 as an unknown code, and a second device with 409', async () => {
    const wrong = await join(readmeInterview.code, '+971509999999');
    const unknown = await join('ZZZZ2345', '+971501234567');
    expect(wrong.status).toBe(404);
    expect(unknown.status).toBe(404);
    const { instance: _a, ...wrongBody } = wrong.json;
    const { instance: _b, ...unknownBody } = unknown.json;
    expect(wrongBody).toEqual(unknownBody);
    const again = await join(readmeInterview.code, '050 123 4567');
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('already_connected');
  });

  it(
    'runs `npm run simulate -- --text` to a completed interview, with its transcript and a pending scorecard',
    async () => {
      const simulate = spawn(
        'npm',
        ['run', 'simulate', '--', '--scenario', 'scenarios/backend-fintech-strong.json', '--key', key, '--text'],
        { cwd: checkout, env: newcomerEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let log = '';
      simulate.stdout!.on('data', (c: Buffer) => (log += c.toString()));
      simulate.stderr!.on('data', (c: Buffer) => (log += c.toString()));
      const code = await new Promise<number | null>((resolve) => simulate.once('exit', resolve));
      expect(code, log).toBe(0);
      const id = /created interview ([0-9a-f-]{36})/.exec(log)?.[1];
      expect(id, log).toBeDefined();

      const interview = await waitFor(
        'the interview is completed',
        async () => {
          const { json } = await hr('GET', `/v1/interviews/${id}`);
          return json.status === 'completed' ? json : undefined;
        },
        30_000,
      );
      expect(interview.endReason).toBe('completed');
      const transcript = await hr('GET', `/v1/interviews/${id}/transcript`);
      expect(transcript.status).toBe(200);
      const speakers = new Set(transcript.json.turns.map((t: { speaker: string }) => t.speaker));
      expect(speakers).toEqual(new Set(['interviewer', 'candidate']));
      expect(transcript.json.turns.some((t: { text: string }) => t.text.includes('ledger'))).toBe(true);
      // No language model here: the scorecard waits for one and says why, never a made-up score.
      const scorecard = await waitFor(
        'the scorecard is stored',
        async () => {
          const res = await hr('GET', `/v1/interviews/${id}/scorecard`);
          return res.status === 200 ? res.json : undefined;
        },
        30_000,
      );
      expect(scorecard.status).toBe('pending');
      expect(scorecard.pendingReason).toBeTruthy();
    },
    240_000,
  );

  it('joins five new interviews in a row, each with 200', async () => {
    const { json: job } = await hr('POST', '/v1/jobs', { title: 'Support Engineer', description: 'Helps customers.' });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const phone = `+97150555000${i}`;
      const { json: candidate } = await hr('POST', '/v1/candidates', { firstName: 'Sara', lastName: `Five${i}`, phone });
      const { json: interview } = await hr('POST', '/v1/interviews', { candidateId: candidate.id, jobId: job.id, type: 'GENERAL' });
      statuses.push((await join(interview.roomCode, phone)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
  });

  it('stops everything it started within 10 s of a SIGINT to the npm start process alone', async () => {
    const started = descendants(start.pid!);
    // npm's own child is the start script; it started the database, LiveKit, the API and the agent's processes.
    expect(started.length).toBeGreaterThanOrEqual(6);
    const exited = new Promise<number | null>((resolve) => start.once('exit', (code) => resolve(code)));
    const t0 = Date.now();
    start.kill('SIGINT');
    const left = await waitFor(
      'every process npm start started has exited',
      () => {
        const remaining = started.filter(alive);
        return remaining.length === 0 && start.exitCode !== null ? [] : undefined;
      },
      10_000,
    );
    expect(left).toEqual([]);
    expect(Date.now() - t0).toBeLessThanOrEqual(10_000);
    expect(await exited).toBe(0);
    expect(processesOfCopy()).toEqual([]);
  }, 20_000);
});
