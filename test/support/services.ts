// Test infrastructure: a private PostgreSQL cluster and a real LiveKit server, started for the test run.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ensureLivekitServer, postgresBinDir, toolsDir } from '../../scripts/tools.ts';

export const testLivekit = {
  apiKey: 'testkey',
  apiSecret: 'test-secret-with-at-least-32-characters!!',
  httpPort: 17880,
  rtcTcpPort: 17881,
  udpPort: 17882,
  /**
   * LiveKit posts every webhook to each of these ports; a test API that wants real webhooks listens on a free one.
   * Each API only acts on rooms in its own database, so sharing the stream is harmless.
   */
  webhookPorts: [17990, 17991, 17992, 17993],
};

export const testPostgresPort = 55432;

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms`);
}

/** Under the system temp dir, which the postgres user can reach (root's home cannot be). */
function postgresPaths() {
  const root = path.join(tmpdir(), `ai-interviewer-pg-${process.getuid?.() ?? 0}`);
  return { dataDir: path.join(root, 'data'), socketDir: path.join(root, 'socket'), logFile: path.join(root, 'postgres.log') };
}

function asPostgresUser(args: string[]): string[] {
  // initdb and postgres refuse to run as root; Debian's package creates the postgres user.
  return process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', ...args] : args;
}

/**
 * Starts (or reuses) a private cluster on a fixed port with durability off: test data is disposable and fsync is
 * the slowest part of every commit. Returns a superuser URL.
 */
export async function startPostgres(): Promise<{ url: string; socketDir?: string; stop: () => Promise<void> }> {
  if (process.env.TEST_DATABASE_URL) return { url: process.env.TEST_DATABASE_URL, stop: async () => {} };
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed: run scripts/test-deps.sh (or set TEST_DATABASE_URL)');
  const { dataDir, socketDir, logFile } = postgresPaths();
  const url = `postgres://postgres@127.0.0.1:${testPostgresPort}/postgres`;
  const ready = async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.end();
    return true;
  };
  if (await ready().catch(() => false)) return { url, socketDir, stop: async () => {} };

  for (const dir of [path.dirname(dataDir), dataDir, socketDir]) {
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (process.getuid?.() === 0) {
      const ids = execFileSync('id', ['-u', 'postgres']).toString().trim();
      const gid = execFileSync('id', ['-g', 'postgres']).toString().trim();
      chownSync(dir, Number(ids), Number(gid));
    }
  }
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    const [cmd, ...args] = asPostgresUser([path.join(bin, 'initdb'), '-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    execFileSync(cmd!, args, { stdio: 'ignore' });
  }
  const [cmd, ...args] = asPostgresUser([
    path.join(bin, 'pg_ctl'),
    '-D',
    dataDir,
    '-l',
    logFile,
    '-o',
    `-p ${testPostgresPort} -k ${socketDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`,
    '-w',
    'start',
  ]);
  execFileSync(cmd!, args, { stdio: 'ignore' });
  await waitFor('PostgreSQL', ready, 20_000);
  return {
    url,
    socketDir,
    stop: async () => {
      const [c, ...a] = asPostgresUser([path.join(bin, 'pg_ctl'), '-D', dataDir, '-m', 'fast', '-w', 'stop']);
      execFileSync(c!, a, { stdio: 'ignore' });
    },
  };
}

/** Stops or starts the private cluster in the middle of a test, to prove the API survives a database restart. */
export function restartPostgres(): void {
  const bin = postgresBinDir()!;
  const { dataDir } = postgresPaths();
  const [c, ...a] = asPostgresUser([path.join(bin, 'pg_ctl'), '-D', dataDir, '-m', 'fast', '-w', 'restart']);
  execFileSync(c!, a, { stdio: 'ignore' });
}

export async function startLivekit(): Promise<{ url: string; stop: () => Promise<void> }> {
  const binary = ensureLivekitServer();
  const dir = path.join(toolsDir, 'livekit-test');
  mkdirSync(dir, { recursive: true });
  const configPath = path.join(dir, 'livekit.yaml');
  const { apiKey, apiSecret, httpPort, rtcTcpPort, udpPort, webhookPorts } = testLivekit;
  writeFileSync(
    configPath,
    [
      `port: ${httpPort}`,
      'bind_addresses: ["127.0.0.1"]',
      'rtc:',
      `  tcp_port: ${rtcTcpPort}`,
      `  udp_port: ${udpPort}`,
      '  use_external_ip: false',
      '  node_ip: 127.0.0.1',
      'keys:',
      `  ${apiKey}: ${apiSecret}`,
      'room:',
      '  auto_create: false',
      '  empty_timeout: 60',
      '  departure_timeout: 20',
      'webhook:',
      `  api_key: ${apiKey}`,
      '  urls:',
      ...webhookPorts.map((port) => `    - http://127.0.0.1:${port}/v1/livekit/webhook`),
      'logging:',
      '  level: warn',
      '',
    ].join('\n'),
  );
  const url = `ws://127.0.0.1:${httpPort}`;
  const alive = async () => (await fetch(`http://127.0.0.1:${httpPort}/`)).ok;
  let child: ChildProcess | undefined;
  if (!(await alive().catch(() => false))) {
    // Output goes to a file, not a pipe: a pipe would break (SIGPIPE) when this process exits while a kept
    // server lives on.
    const logPath = path.join(dir, 'livekit.log');
    const logFd = openSync(logPath, 'a');
    const keep = process.env.TEST_KEEP_SERVICES === '1';
    child = spawn(binary, ['--config', configPath], { stdio: ['ignore', logFd, logFd], detached: keep });
    closeSync(logFd);
    if (keep) child.unref();
    child.once('exit', (code) => {
      if (code && code !== 0) console.error(`livekit-server exited with ${code}; see ${logPath}`);
    });
    await waitFor('LiveKit server', alive, 20_000);
  }
  return {
    url,
    stop: async () => {
      if (!child || child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          child?.kill('SIGKILL');
          resolve();
        }, 5_000);
        child?.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
    },
  };
}
