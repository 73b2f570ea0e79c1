// Benchmark of the public join endpoint: rate-limit counters, interview lookup, seat claim, LiveKit participant
// check, audit write and a signed LiveKit token, per request. The API runs as its own process (as in production)
// against the test Postgres cluster and a real LiveKit server; autocannon drives it from this process.
//
//   node bench/join.ts [--interviews 500] [--duration 15] [--rate 1000]
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createApiKey } from '../api/auth/api-keys.ts';
import { insertCompany } from '../api/companies/companies.repository.ts';
import { connectDatabase } from '../shared/db/connect.ts';
import { migrateToLatest } from '../shared/db/migrate.ts';
import { generateRoomCode } from '../shared/room-code.ts';
import { startLivekit, startPostgres, testLivekit } from '../test/support/services.ts';
import { createBenchDatabase } from './support.ts';

const { values } = parseArgs({
  options: {
    interviews: { type: 'string', default: '500' },
    duration: { type: 'string', default: '15' },
    rate: { type: 'string', default: '1000' },
    connections: { type: 'string', default: '32' },
  },
});
const interviewCount = Number(values.interviews);
const duration = Number(values.duration);
const fixedRate = Number(values.rate);
const connections = Number(values.connections);

const postgres = await startPostgres();
const livekit = await startLivekit();
const benchDb = await createBenchDatabase(postgres.url, `bench_join_${process.pid}`);
const dbUrl = new URL(benchDb.url);

const database = await connectDatabase({ url: dbUrl.toString(), poolSize: 4 });
await migrateToLatest(database.db);
const company = await insertCompany(database.db, { name: 'Bench Co' });
await createApiKey(database.db, { companyId: company.id, isAdmin: false, name: 'bench' });
const job = await database.db
  .insertInto('jobs')
  .values({ companyId: company.id, title: 'Engineer', description: 'x', competencies: '[]' })
  .returning('id')
  .executeTakeFirstOrThrow();
const targets: { code: string; phone: string }[] = [];
const now = Date.now();
for (let i = 0; i < interviewCount; i++) {
  const phone = `+97150${1_000_000 + i}`;
  const candidate = await database.db
    .insertInto('candidates')
    .values({ companyId: company.id, firstName: 'Bench', lastName: `Candidate ${i}`, phoneE164: phone })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = crypto.randomUUID();
  const code = generateRoomCode();
  const row = await database.db
    .insertInto('interviews')
    .values({
      id,
      companyId: company.id,
      jobId: job.id,
      candidateId: candidate.id,
      type: 'TECHNICAL',
      maxDurationMinutes: 30,
      scheduledStart: new Date(now),
      scheduledEnd: new Date(now + 3600_000),
      roomCode: code,
      roomName: `bench-${id}`,
    })
    .onConflict((oc) => oc.column('roomCode').doNothing())
    .returning('roomCode')
    .executeTakeFirst();
  if (row) targets.push({ code: row.roomCode, phone });
}
await database.destroy();

const port = 3900;
// BENCH_CPU_PROF=dir writes a V8 CPU profile of the API process there, to see where a request's time goes.
const profile = process.env.BENCH_CPU_PROF ? [`--cpu-prof`, `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
const api = spawn(process.execPath, [...profile, 'api/main.ts'], {
  env: {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    DATABASE_URL: dbUrl.toString(),
    DATABASE_POOL_SIZE: '16',
    LIVEKIT_URL: livekit.url,
    LIVEKIT_API_KEY: testLivekit.apiKey,
    LIVEKIT_API_SECRET: testLivekit.apiSecret,
    LINK_SIGNING_SECRET: 'bench-link-secret-that-is-long-enough-0000',
    ROOM_PREFIX: 'bench-',
    AGENT_NAME: `bench-nobody-${process.pid}`,
    // The bench measures the endpoint, not the limiter's verdicts: limits high, counters still written.
    RATE_LIMIT_PER_IP: '100000000',
    RATE_LIMIT_PER_CODE: '100000000',
    RATE_LIMIT_PER_PHONE: '100000000',
    // Nobody connects in the bench, so let each seat free up after a second: every join is a full admission.
    JOIN_CONNECT_GRACE_SECONDS: '1',
    RECONCILE_INTERVAL_MS: '600000',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  if (await fetch(`${base}/healthz`).then((r) => r.ok).catch(() => false)) break;
  if (i > 150) throw new Error('API did not start');
  await new Promise((r) => setTimeout(r, 100));
}

let next = 0;
const request = {
  method: 'POST' as const,
  headers: { 'content-type': 'application/json' },
  setupRequest(req: { path?: string; body?: string }) {
    const t = targets[next++ % targets.length]!;
    req.path = `/v1/public/rooms/${t.code}/join`;
    req.body = JSON.stringify({ phone: t.phone, firstName: 'Bench', lastName: 'Candidate' });
    return req;
  },
};

async function run(label: string, options: Partial<autocannon.Options>) {
  const result = await autocannon({ url: base, connections, duration, requests: [request], ...options } as autocannon.Options);
  const statuses = Object.entries(result.statusCodeStats ?? {})
    .map(([code, s]) => `${code}:${(s as { count: number }).count}`)
    .join(' ');
  console.log(
    `${label.padEnd(34)} ${result.requests.average.toFixed(0).padStart(6)} req/s   p50 ${result.latency.p50} ms   p99 ${result.latency.p99} ms   ` +
      `(${result.requests.total} requests, ${result.non2xx} non-2xx, errors ${result.errors}, statuses ${statuses})`,
  );
  return result;
}

// The first pass over the interviews opens each room (LiveKit CreateRoom with the agent dispatch); warm it up so the
// measured passes are steady-state admissions, which is what a busy hour looks like.
await run('warm-up (opens every room)', { duration: 5, connections: 8 });
console.log(`public join benchmark: ${targets.length} interviews, ${connections} connections, ${duration} s per run`);
await run('max throughput', {});
await run(`fixed rate ${fixedRate} req/s`, { overallRate: fixedRate });

api.kill('SIGTERM');
await new Promise((r) => api.once('exit', r));
await benchDb.drop();
await livekit.stop();
await postgres.stop();
