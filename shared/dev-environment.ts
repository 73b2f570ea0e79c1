// The zero-setup trial's state, kept in the checkout's `.data` (never committed): development secrets and the
// embedded Postgres cluster that `npm start` runs and the CLI reaches without DATABASE_URL.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  initCluster,
  postgresBinaries,
  runServer,
  waitForPostgres,
  type EmbeddedServer,
} from './db/embedded-postgres.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const dataDir = path.join(repoRoot, '.data');

export interface DevSecrets {
  linkSecret: string;
  livekitSecret: string;
  databasePassword: string;
  /** The demo company's first admin (admin@demo.local) signs in to the HR workspace with it. */
  demoAdminPassword: string;
}

/** Generated once per checkout; a secret added in a later version is generated and saved on first use. */
export function devSecrets(): DevSecrets {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'dev-secrets.json');
  const saved: Partial<DevSecrets> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const secret = () => randomBytes(32).toString('base64url');
  const secrets: DevSecrets = {
    linkSecret: saved.linkSecret ?? secret(),
    livekitSecret: saved.livekitSecret ?? secret(),
    databasePassword: saved.databasePassword ?? secret(),
    demoAdminPassword: saved.demoAdminPassword ?? randomBytes(12).toString('base64url'),
  };
  if (Object.keys(saved).length !== Object.keys(secrets).length) {
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets;
}

export const devDatabasePort = Number(process.env.EMBEDDED_POSTGRES_PORT ?? 54329);

export function devDatabaseUrl(): string {
  const password = encodeURIComponent(devSecrets().databasePassword);
  return `postgres://postgres:${password}@127.0.0.1:${devDatabasePort}/postgres`;
}

/**
 * The embedded cluster in `.data/postgres`: created on first use, started as a child of this process. When another
 * process (a running `npm start`) already serves it, that one is used and `stop` leaves it running.
 */
export async function startDevDatabase(
  log: (line: string) => void = () => {},
): Promise<Pick<EmbeddedServer, 'url' | 'stop'>> {
  const url = devDatabaseUrl();
  const running = await waitForPostgres(url, 0).then(
    () => true,
    () => false,
  );
  if (running) return { url, stop: async () => {} };
  const bin = postgresBinaries();
  const clusterDir = path.join(dataDir, 'postgres');
  initCluster(bin, { dataDir: clusterDir, password: devSecrets().databasePassword });
  return runServer(bin, { dataDir: clusterDir, port: devDatabasePort, url, log });
}
