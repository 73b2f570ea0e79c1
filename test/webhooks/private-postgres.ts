// A second, private PostgreSQL cluster for the restart test, so restarting it disturbs no other test file
// (they share the main test cluster).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { postgresCluster } from '../support/services.ts';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  return typeof address === 'object' && address ? address.port : 0;
}

export async function startPrivatePostgres() {
  const root = mkdtempSync(path.join(tmpdir(), 'webhooks-pg-'));
  const cluster = postgresCluster({
    dataDir: path.join(root, 'data'),
    socketDir: root,
    logFile: path.join(root, 'postgres.log'),
    port: await freePort(),
  });
  cluster.start();
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query('create database webhooks');
  await admin.end();
  return {
    url: cluster.url.replace(/\/postgres$/, '/webhooks'),
    restart: cluster.restart,
    stop() {
      try {
        cluster.stop();
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
