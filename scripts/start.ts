// `npm start`: the whole product on one machine with embedded defaults.
// - Database: DATABASE_URL, or an embedded PGlite served over the Postgres protocol so API and agent share it.
// - LiveKit: LIVEKIT_URL, or a local LiveKit server (built from its Go module on first run when Go is present).
// - Then the API (with its reconciler) and, when present, the interviewer agent worker, as child processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiKey } from '../api/auth/api-keys.ts';
import { insertCompany } from '../api/companies/companies.repository.ts';
import { connectDatabase } from '../shared/db/connect.ts';
import { migrateToLatest } from '../shared/db/migrate.ts';
import { ensureLivekitServer } from './tools.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.join(root, '.data');
mkdirSync(dataDir, { recursive: true });
const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
const port = Number(process.env.PORT ?? 3000);

function say(line: string) {
  process.stdout.write(`[start] ${line}\n`);
}

/** Secrets for local development, generated once and kept in .data (never committed). */
function devSecrets(): { linkSecret: string; livekitSecret: string } {
  const file = path.join(dataDir, 'dev-secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const secrets = { linkSecret: randomBytes(32).toString('base64url'), livekitSecret: randomBytes(32).toString('base64url') };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not start within ${timeoutMs / 1000} s`);
}

async function embeddedDatabase(): Promise<string> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create(path.join(dataDir, 'pglite'));
  const dbPort = Number(process.env.PGLITE_PORT ?? 54329);
  const server = new PGLiteSocketServer({ db, port: dbPort, host: '127.0.0.1', maxConnections: 20 });
  await server.start();
  cleanups.push(async () => {
    await server.stop();
    await db.close();
  });
  say(`embedded database (PGlite) in .data/pglite, served on 127.0.0.1:${dbPort}`);
  return `postgres://postgres@127.0.0.1:${dbPort}/postgres?sslmode=disable`;
}

async function localLivekit(secret: string): Promise<string> {
  const binary = ensureLivekitServer((line) => say(line));
  const config = path.join(dataDir, 'livekit.dev.yaml');
  writeFileSync(
    config,
    [
      'port: 7880',
      'bind_addresses: ["127.0.0.1"]',
      'rtc: { tcp_port: 7881, udp_port: 7882, use_external_ip: false, node_ip: 127.0.0.1 }',
      `keys: { devkey: ${secret} }`,
      'room: { auto_create: false, empty_timeout: 600, departure_timeout: 120 }',
      `webhook: { api_key: devkey, urls: ["http://127.0.0.1:${port}/v1/livekit/webhook"] }`,
      'logging: { level: warn }',
      '',
    ].join('\n'),
  );
  const child = spawn(binary, ['--config', config], { stdio: ['ignore', 'inherit', 'inherit'] });
  children.push(child);
  await waitFor('LiveKit server', async () => (await fetch('http://127.0.0.1:7880/')).ok, 20_000);
  say('local LiveKit server on ws://127.0.0.1:7880 (key devkey)');
  return 'ws://127.0.0.1:7880';
}

/** A first company and key so a new user can call the HR API straight away; printed once, kept in .data. */
async function demoKey(databaseUrl: string): Promise<string | null> {
  const keyFile = path.join(dataDir, 'dev-api-key');
  const database = await connectDatabase({ url: databaseUrl, poolSize: 1 });
  try {
    await migrateToLatest(database.db);
    const existing = await database.db.selectFrom('companies').select('id').limit(1).executeTakeFirst();
    if (existing) return existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : null;
    const company = await insertCompany(database.db, { name: 'Demo Company' });
    const key = await createApiKey(database.db, { companyId: company.id, isAdmin: false, name: 'npm start' });
    writeFileSync(keyFile, key.key, { mode: 0o600 });
    return key.key;
  } finally {
    await database.destroy();
  }
}

function run(name: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  child.once('exit', (code, signal) => {
    if (!stopping) {
      say(`${name} exited (${signal ?? code}); stopping everything`);
      void stop(1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of children.reverse()) child.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
  for (const cleanup of cleanups) await cleanup().catch(() => {});
  process.exit(code);
}
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());

const secrets = devSecrets();
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: process.env.NODE_ENV ?? 'development',
  PORT: String(port),
  PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL ?? `http://localhost:${port}`,
  LINK_SIGNING_SECRET: process.env.LINK_SIGNING_SECRET ?? secrets.linkSecret,
};
env.DATABASE_URL = process.env.DATABASE_URL || (await embeddedDatabase());
if (!process.env.LIVEKIT_URL) {
  env.LIVEKIT_URL = await localLivekit(secrets.livekitSecret);
  env.LIVEKIT_API_KEY = 'devkey';
  env.LIVEKIT_API_SECRET = secrets.livekitSecret;
}
const key = await demoKey(env.DATABASE_URL);

// The candidate web app is served by the API; build it once on a fresh clone.
if (!existsSync(path.join(root, 'web', 'dist', 'index.html'))) {
  say('building the candidate web app (web/dist)…');
  const { execFileSync } = await import('node:child_process');
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'web', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
}
run('api', ['api/main.ts'], env);
await waitFor('API', async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 30_000);
if (existsSync(path.join(root, 'agent', 'worker.ts'))) run('agent', ['agent/worker.ts', 'start'], env);
else say('interviewer agent not present in this build; rooms open, but nobody interviews yet');

say(`API on http://localhost:${port}  (OpenAPI: http://localhost:${port}/openapi.json)`);
say(`Candidate page: http://localhost:${port}/join`);
if (key) say(`HR API key for "Demo Company": ${key}   (also in .data/dev-api-key)`);
else say('HR API key: create one with `npm run cli -- create-company --name "Acme"`');
say('Stop with Ctrl+C.');
