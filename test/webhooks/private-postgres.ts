// A second, private PostgreSQL cluster for the restart test, so restarting it disturbs no other test file
// (they share the main test cluster).
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { postgresBinDir } from '../../scripts/tools.ts';

function asPostgresUser(args: string[]): [string, string[]] {
  const full = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', ...args] : args;
  return [full[0]!, full.slice(1)];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  return typeof address === 'object' && address ? address.port : 0;
}

export async function startPrivatePostgres() {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed: run scripts/test-deps.sh');
  const root = mkdtempSync(path.join(tmpdir(), 'webhooks-pg-'));
  const dataDir = path.join(root, 'data');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(root, uid, gid);
  }
  const port = await freePort();
  const run = (args: string[]) => {
    const [cmd, rest] = asPostgresUser(args);
    execFileSync(cmd, rest, { stdio: 'ignore' });
  };
  run([path.join(bin, 'initdb'), '-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const ctl = (action: 'start' | 'restart' | 'stop') =>
    run([
      path.join(bin, 'pg_ctl'),
      '-D',
      dataDir,
      '-l',
      path.join(root, 'postgres.log'),
      '-m',
      'fast',
      '-o',
      `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off`,
      '-w',
      action,
    ]);
  ctl('start');
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query('create database webhooks');
  await admin.end();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/webhooks`,
    /** A fast restart: every open connection is terminated, as in a failover or an upgrade. */
    restart: () => ctl('restart'),
    stop() {
      try {
        ctl('stop');
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
