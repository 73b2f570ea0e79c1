// Test infrastructure: a private PostgreSQL cluster and a real LiveKit server, started for the test run.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import path from 'node:path';
import { initCluster, postgresBinaries, postgresUser, serverDirectory, settingsArgs, waitForPostgres } from '../../shared/db/embedded-postgres.ts';
import { ensureLivekitServer, ensureVersitygw, toolsDir } from '../../scripts/tools.ts';

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

/** Under the system temp dir, which the postgres user can reach (root's home cannot be); named by major version. */
function postgresPaths() {
  const root = path.join(tmpdir(), `ai-interviewer-pg17-${process.getuid?.() ?? 0}`);
  return { dataDir: path.join(root, 'data'), socketDir: path.join(root, 'socket'), logFile: path.join(root, 'postgres.log') };
}

/**
 * A disposable cluster run by pg_ctl (a daemon, so a kept test cluster outlives the run) from the embedded Postgres
 * binaries the product ships, with durability off: test data is disposable and fsync is the slowest part of every
 * commit. Trust authentication on 127.0.0.1 and its own socket directory.
 */
export function postgresCluster(options: { dataDir: string; socketDir: string; logFile: string; port: number }) {
  const bin = postgresBinaries();
  const user = postgresUser();
  const ctl = (action: 'start' | 'stop' | 'restart') =>
    execFileSync(
      bin.pg_ctl,
      [
        '-D',
        options.dataDir,
        '-l',
        options.logFile,
        '-m',
        'fast',
        '-o',
        settingsArgs({
          port: options.port,
          unix_socket_directories: options.socketDir,
          listen_addresses: '127.0.0.1',
          fsync: 'off',
          synchronous_commit: 'off',
          full_page_writes: 'off',
          max_connections: 300,
        }).join(' '),
        '-w',
        '-t',
        '60',
        action,
      ],
      { stdio: 'ignore', ...user },
    );
  return {
    url: `postgres://postgres@127.0.0.1:${options.port}/postgres`,
    start() {
      for (const dir of [path.dirname(options.dataDir), options.socketDir]) serverDirectory(dir);
      initCluster(bin, { dataDir: options.dataDir });
      ctl('start');
    },
    stop: () => void ctl('stop'),
    /** A fast restart: every open connection is terminated, as in a failover or an upgrade. */
    restart: () => void ctl('restart'),
  };
}

/** Starts (or reuses) the private cluster on a fixed port. Returns a superuser URL. */
export async function startPostgres(): Promise<{ url: string; socketDir?: string; stop: () => Promise<void> }> {
  if (process.env.TEST_DATABASE_URL) return { url: process.env.TEST_DATABASE_URL, stop: async () => {} };
  const { socketDir, ...paths } = postgresPaths();
  const cluster = postgresCluster({ ...paths, socketDir, port: testPostgresPort });
  if (await waitForPostgres(cluster.url, 0).then(() => true, () => false)) return { url: cluster.url, socketDir, stop: async () => {} };
  cluster.start();
  await waitForPostgres(cluster.url, 20_000);
  return { url: cluster.url, socketDir, stop: async () => cluster.stop() };
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

export interface S3Server {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}

/**
 * A real S3-compatible server for one test file: versitygw over a temporary directory, path-style, on a free port.
 * It starts in well under a second; its data goes with it.
 */
export async function startS3Server(): Promise<S3Server> {
  const binary = ensureVersitygw();
  const dir = mkdtempSync(path.join(tmpdir(), 'versitygw-'));
  const port = await new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
  const accessKeyId = 'test-recordings';
  const secretAccessKey = 'test-recordings-secret-0123456789';
  const child = spawn(binary, ['--port', `127.0.0.1:${port}`, 'posix', dir], {
    env: { ...process.env, ROOT_ACCESS_KEY: accessKeyId, ROOT_SECRET_KEY: secretAccessKey },
    stdio: 'ignore',
  });
  const endpoint = `http://127.0.0.1:${port}`;
  // Any HTTP answer (403 to an unsigned request) means it is listening.
  await waitFor('versitygw', async () => (await fetch(endpoint)).status > 0, 20_000);
  return {
    endpoint,
    accessKeyId,
    secretAccessKey,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
