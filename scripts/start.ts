// `npm start`: the whole product on one machine with embedded defaults.
// - Database: DATABASE_URL, or an embedded PostgreSQL (real server binaries from npm) in .data/postgres.
// - LiveKit: LIVEKIT_URL, or a local LiveKit server (built from its Go module on first run when Go is present).
// - Then the API (with its reconciler) and, when present, the interviewer agent worker, as child processes.
// Ctrl+C, or SIGINT/SIGTERM to this process alone, stops all of it within 10 s, the agent's job processes included.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createApiKey } from '../api/auth/api-keys.ts';
import { demoAdminEmail, ensureDemoAdmin } from '../api/auth/demo-admin.ts';
import { insertCompany } from '../api/companies/companies.repository.ts';
import { connectDatabase } from '../shared/db/connect.ts';
import { migrateToLatest } from '../shared/db/migrate.ts';
import { dataDir, devDatabasePort, devSecrets, repoRoot as root, startDevDatabase } from '../shared/dev-environment.ts';
import { ensureLivekitServer } from './tools.ts';

const children: { name: string; child: ChildProcess }[] = [];
let stopDatabase: (() => Promise<void>) | undefined;
const port = Number(process.env.PORT ?? 3000);
/** The worker gets this long to end its interviews (with a reason) before its process group is killed. */
const gracefulStopMs = 7_000;

function say(line: string) {
  process.stdout.write(`[start] ${line}\n`);
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
  const server = await startDevDatabase((line) => say(`postgres: ${line}`));
  stopDatabase = server.stop;
  say(`embedded PostgreSQL in .data/postgres on 127.0.0.1:${devDatabasePort}`);
  return server.url;
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
  run('livekit', binary, ['--config', config], process.env);
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

/** The demo company's first admin (api/auth/demo-admin.ts): created once, its password kept in .data. */
async function demoAdmin(databaseUrl: string, password: string) {
  const database = await connectDatabase({ url: databaseUrl, poolSize: 1 });
  try {
    return await ensureDemoAdmin(database.db, password);
  } finally {
    await database.destroy();
  }
}

/**
 * Each child leads its own process group, so a terminal's Ctrl+C reaches only this process, which stops them in
 * order, and so whatever a child forked (the agent's job and inference processes) can be killed with it.
 */
function run(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
  child.once('exit', (code, signal) => {
    if (!stopping) {
      say(`${name} exited (${signal ?? code}); stopping everything`);
      void stop(1);
    }
  });
  children.push({ name, child });
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // The group is already gone.
  }
}

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  const deadline = Date.now() + 9_000;
  const stopGroup = async ({ name, child }: (typeof children)[number], ms: number) => {
    child.kill('SIGTERM');
    const timer = new Promise<boolean>((r) => setTimeout(r, Math.max(0, ms), false));
    const stopped = await Promise.race([exited(child).then(() => true), timer]);
    // LiveKit drains its rooms for minutes on SIGTERM; in development there is nothing to drain for.
    if (!stopped && name !== 'livekit') say(`${name} did not stop in time; killing it`);
    // Whatever it forked and left behind (the agent's job and inference processes) goes with it.
    killGroup(child, 'SIGKILL');
    await exited(child);
  };
  // The agent and the API together (the agent ends its interviews through the database and LiveKit, not the
  // API), then LiveKit, then the database.
  const [livekit, others] = [children.filter((c) => c.name === 'livekit'), children.filter((c) => c.name !== 'livekit')];
  await Promise.all(others.map((c) => stopGroup(c, Math.min(gracefulStopMs, deadline - Date.now()))));
  await Promise.all(livekit.map((c) => stopGroup(c, 1_000)));
  await stopDatabase?.().catch(() => {});
  process.exit(code);
}
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
process.once('SIGHUP', () => void stop());

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
const admin = await demoAdmin(env.DATABASE_URL, secrets.demoAdminPassword);

// The candidate web app is served by the API; build it once on a fresh clone.
if (!existsSync(path.join(root, 'web', 'dist', 'index.html'))) {
  say('building the candidate web app (web/dist)…');
  const { execFileSync } = await import('node:child_process');
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'web', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
}
run('api', process.execPath, ['api/main.ts'], env);
await waitFor('API', async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 30_000);
if (existsSync(path.join(root, 'agent', 'worker.ts'))) run('agent', process.execPath, ['agent/worker.ts', 'start'], env);
else say('interviewer agent not present in this build; rooms open, but nobody interviews yet');

say(`API on http://localhost:${port}  (OpenAPI: http://localhost:${port}/openapi.json)`);
say(`Candidate page: http://localhost:${port}/join`);
if (key) say(`HR API key for "Demo Company": ${key}   (also in .data/dev-api-key)`);
else say('HR API key: create one with `npm run cli -- create-company --name "Acme"`');
if (admin === 'ready') say(`Sign in at http://localhost:${port}/hr as ${demoAdminEmail} / ${secrets.demoAdminPassword}`);
else if (admin === 'password_changed') say(`Sign in at http://localhost:${port}/hr as ${demoAdminEmail} (its password was changed)`);
else say('HR sign-in: create a user with `npm run cli -- create-user --company <id> --email <address>`');
say('Stop with Ctrl+C.');
