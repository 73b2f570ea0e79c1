// Benchmark of the public join endpoint: rate-limit counters, interview lookup, seat claim, audit write and a signed
// LiveKit token, per request. The API runs as its own process (as in production) against the test Postgres cluster
// and a real LiveKit server; autocannon drives it from this process. Everything shares this machine's cores.
//
// Three kinds of join, because they cost different things:
// - "rejoin, seat vouched by the database": the candidate was here, left, and LiveKit's webhooks said so; the join is
//   one SQL statement and a token (no LiveKit call). This is the endpoint's own cost and the issue's goal.
// - "rejoin, LiveKit asked": the previous token was never seen used, so LiveKit lists the room's participants first
//   (a second device must never kick a connected candidate).
// - "first join": the room is created in LiveKit with the interviewer's dispatch.
//
//   node bench/join.ts [--vouched 60000] [--interviews 3000] [--duration 10] [--rate 1000]
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { createApiKey } from '../api/auth/api-keys.ts';
import { insertCompany } from '../api/companies/companies.repository.ts';
import { connectDatabase } from '../shared/db/connect.ts';
import { migrateToLatest } from '../shared/db/migrate.ts';
import { generateRoomCode } from '../shared/room-code.ts';
import { startLivekit, startPostgres, testLivekit } from '../test/support/services.ts';
import { createBenchDatabase } from './support.ts';

const { values } = parseArgs({
  options: {
    vouched: { type: 'string', default: '60000' },
    interviews: { type: 'string', default: '3000' }, // so the LiveKit-asked run (~1,000 req/s) comes back to each after its 1 s lease
    duration: { type: 'string', default: '10' },
    rate: { type: 'string', default: '1000' },
    connections: { type: 'string', default: '32' },
    // Which runs, comma-separated: vouched, fixed, asked, first.
    only: { type: 'string', default: 'vouched,fixed,first,asked' },
    // How the API reaches Postgres: tcp (as across hosts/containers) or unix (the same host, a Unix socket).
    db: { type: 'string', default: 'tcp' },
    // Where candidates join from, as the reverse proxy in front of the API reports it (X-Forwarded-For):
    // per-candidate (each from their own connection) or shared (all behind one address, so every join also
    // counts against the same per-address limit row: the worst case for the rate limiter).
    addresses: { type: 'string', default: 'per-candidate' },
    'log-level': { type: 'string', default: 'info' },
  },
});
const vouchedCount = Number(values.vouched);
const askedCount = Number(values.interviews);
const duration = Number(values.duration);
const fixedRate = Number(values.rate);
const connections = Number(values.connections);

const postgres = await startPostgres();
const livekit = await startLivekit();
const benchDb = await createBenchDatabase(postgres.url, `bench_join_${process.pid}`);
const dbUrl = new URL(benchDb.url);

const database = await connectDatabase({ url: dbUrl.toString(), poolSize: 4 });
const { db } = database;
await migrateToLatest(db);
const company = await insertCompany(db, { name: 'Bench Co' });
await createApiKey(db, { companyId: company.id, isAdmin: false, name: 'bench' });
const job = await db
  .insertInto('jobs')
  .values({ companyId: company.id, title: 'Engineer', description: 'x', competencies: '[]' })
  .returning('id')
  .executeTakeFirstOrThrow();

interface Target {
  code: string;
  phone: string;
  address: string;
}

const addressOf = (n: number) =>
  values.addresses === 'shared' ? '198.51.100.7' : `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

/** Interviews open for joining now, inserted in bulk; `prefix` names their rooms so a scenario can reset its own. */
async function seedInterviews(count: number, prefix: string, phoneBase: number): Promise<Target[]> {
  const targets: Target[] = [];
  const now = Date.now();
  for (let offset = 0; offset < count; offset += 1000) {
    const size = Math.min(1000, count - offset);
    const phones = Array.from({ length: size }, (_, i) => `+9715${phoneBase + offset + i}`);
    const candidates = await db
      .insertInto('candidates')
      .values(
        phones.map((phoneE164, i) => ({
          companyId: company.id,
          firstName: 'Bench',
          lastName: `C${offset + i}`,
          phoneE164,
        })),
      )
      .returning(['id', 'phoneE164'])
      .execute();
    const rows = await db
      .insertInto('interviews')
      .values(
        candidates.map((c) => {
          const id = crypto.randomUUID();
          return {
            id,
            companyId: company.id,
            jobId: job.id,
            candidateId: c.id,
            type: 'TECHNICAL' as const,
            maxDurationMinutes: 30,
            scheduledStart: new Date(now),
            scheduledEnd: new Date(now + 3600_000),
            roomCode: generateRoomCode(),
            roomName: `${prefix}${id}`,
          };
        }),
      )
      .onConflict((oc) => oc.column('roomCode').doNothing())
      .returning(['roomCode', 'candidateId'])
      .execute();
    const phoneOf = new Map(candidates.map((c) => [c.id, c.phoneE164]));
    for (const row of rows) {
      targets.push({
        code: row.roomCode,
        phone: phoneOf.get(row.candidateId)!,
        address: addressOf(phoneBase + targets.length),
      });
    }
  }
  return targets;
}

/**
 * Puts the vouched interviews where a real rejoin finds them: a room open with its interviewer dispatched (the first
 * join does both), the candidate's identity issued, and their last token accounted for by LiveKit's
 * participant_joined and then participant_left ten seconds ago (shared/interview-lifecycle.ts, candidateLeft).
 */
async function markCandidatesLeft(prefix: string) {
  await sql`
    update interviews set
      room_created_at = now() - interval '2 minutes',
      agent_dispatched_at = now() - interval '2 minutes',
      candidate_identity = coalesce(candidate_identity, 'cand_bench_' || id),
      candidate_connected = false,
      seat_claimed_at = null,
      candidate_event_at = date_trunc('second', now() - interval '10 seconds')
    where room_name like ${`${prefix}%`}`.execute(db);
}

const asked = await seedInterviews(askedCount, 'bench-asked-', 50_000_000);
const vouched = await seedInterviews(vouchedCount, 'bench-vouched-', 20_000_000);
await markCandidatesLeft('bench-vouched-');

// The API's own connection string: over TCP, or over the cluster's Unix socket when Postgres runs on the same host.
const apiDbUrl = new URL(dbUrl);
if (values.db === 'unix') {
  if (!postgres.socketDir) throw new Error('--db unix needs the private test cluster (TEST_DATABASE_URL is set)');
  apiDbUrl.hostname = '';
  apiDbUrl.searchParams.set('host', postgres.socketDir);
}
const port = 3900;
// BENCH_CPU_PROF=dir writes a V8 CPU profile of the API process there, to see where a request's time goes.
const profile = process.env.BENCH_CPU_PROF ? [`--cpu-prof`, `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
const api = spawn(process.execPath, [...profile, 'api/main.ts'], {
  env: {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    // info writes the access log, a line per request, as production does; the bench drains it (--log-level warn: off).
    LOG_LEVEL: values['log-level'],
    PORT: String(port),
    DATABASE_URL: apiDbUrl.toString(),
    DATABASE_POOL_SIZE: '16',
    LIVEKIT_URL: livekit.url,
    LIVEKIT_API_KEY: testLivekit.apiKey,
    LIVEKIT_API_SECRET: testLivekit.apiSecret,
    LINK_SIGNING_SECRET: 'bench-link-secret-that-is-long-enough-0000',
    ROOM_PREFIX: 'bench-',
    // As behind the reverse proxy a deployment puts in front of the API: the candidate's address is X-Forwarded-For.
    TRUST_PROXY: 'true',
    ROOM_EMPTY_TIMEOUT_SECONDS: '30',
    AGENT_NAME: `bench-nobody-${process.pid}`,
    // The bench measures the endpoint, not the limiter's verdicts: limits high, counters still written.
    RATE_LIMIT_PER_IP: '100000000',
    RATE_LIMIT_PER_CODE: '100000000',
    RATE_LIMIT_PER_PHONE: '100000000',
    // Nobody connects in the bench, so let each seat free up after a second: every join is a full admission.
    JOIN_CONNECT_GRACE_SECONDS: '1',
    RECONCILE_INTERVAL_MS: '600000',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
// The access log is read and dropped, as a log collector would; errors (pino level 50+) are shown.
let partial = '';
api.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
  const lines = (partial + chunk).split('\n');
  partial = lines.pop()!;
  for (const line of lines) if (/"level":(5|6)\d/.test(line)) console.error(line);
});
const base = `http://127.0.0.1:${port}`;
// A deadline, not a count of tries: a busy machine takes longer to start the API process.
for (const deadline = Date.now() + 60_000; ;) {
  if (
    await fetch(`${base}/healthz`)
      .then((r) => r.ok)
      .catch(() => false)
  )
    break;
  if (Date.now() > deadline) throw new Error('API did not start within 60 s');
  await new Promise((r) => setTimeout(r, 100));
}

function joinRequests(targets: Target[]) {
  let next = 0;
  return {
    method: 'POST' as const,
    setupRequest(req: { path?: string; body?: string; headers?: Record<string, string> }) {
      const t = targets[next++ % targets.length]!;
      req.headers = { 'content-type': 'application/json', 'x-forwarded-for': t.address };
      req.path = `/v1/public/rooms/${t.code}/join`;
      req.body = JSON.stringify({ phone: t.phone, firstName: 'Bench', lastName: 'Candidate' });
      return req;
    },
  };
}

/** CPU seconds used so far by processes whose command name matches, from /proc (Linux). */
function cpuSeconds(match: (pid: number, comm: string) => boolean): number {
  const ticksPerSecond = 100; // USER_HZ on Linux
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (!match(pid, comm)) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime, stime, and the children's the process has reaped: Postgres backends that exit mid-run still count.
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // The process ended between listing and reading.
    }
  }
  return ticks / ticksPerSecond;
}

// Where a join's CPU goes, per process kind: on a shared machine this says what one API process would sustain on a
// core of its own, which a req/s figure from a box shared with Postgres, LiveKit and the load generator cannot.
const processes = {
  api: (pid: number) => pid === api.pid,
  postgres: (_: number, comm: string) => comm === 'postgres',
  livekit: (_: number, comm: string) => comm === 'server',
};
const cpuNow = () => ({
  ...(Object.fromEntries(Object.entries(processes).map(([k, m]) => [k, cpuSeconds(m)])) as Record<
    keyof typeof processes,
    number
  >),
  // autocannon runs in this process: the load generator's share of the same cores.
  generator: ((usage) => (usage.user + usage.system) / 1e6)(process.cpuUsage()),
});

/** Transactions committed in the bench database so far: each join statement (a whole batch of joins) is one. */
async function commits(): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    select xact_commit::text as n from pg_stat_database where datname = current_database()`.execute(db);
  return Number(rows[0]!.n);
}

async function run(label: string, targets: Target[], options: Partial<autocannon.Options>) {
  // Statistics reach pg_stat_database when a backend's transaction ends; this session's own reads are a handful.
  await sql`select pg_stat_force_next_flush()`.execute(db);
  const commitsBefore = await commits();
  const before = cpuNow();
  const result = await autocannon({
    url: base,
    connections,
    duration,
    requests: [joinRequests(targets)],
    ...options,
  } as autocannon.Options);
  const statuses = Object.entries(result.statusCodeStats ?? {})
    .map(([code, s]) => `${code}:${(s as { count: number }).count}`)
    .join(' ');
  console.log(
    `${label.padEnd(52)} ${result.requests.average.toFixed(0).padStart(6)} req/s   p50 ${result.latency.p50} ms   p99 ${result.latency.p99} ms   ` +
      `(${result.requests.total} requests, ${result.non2xx} non-2xx, errors ${result.errors}, statuses ${statuses})`,
  );
  const after = cpuNow();
  const perJob = (k: keyof typeof processes | 'generator') =>
    (((after[k] - before[k]) / Math.max(1, result.requests.total)) * 1e6).toFixed(0);
  const apiMicros = ((after.api - before.api) / Math.max(1, result.requests.total)) * 1e6;
  console.log(
    `  CPU per join: API ${perJob('api')} µs, Postgres ${perJob('postgres')} µs, LiveKit ${perJob('livekit')} µs, load generator ${perJob('generator')} µs ` +
      `→ one API process on a core of its own: ~${Math.round(1e6 / Math.max(1, apiMicros))} joins/s`,
  );
  await new Promise((r) => setTimeout(r, 1100)); // backends flush their statistics at most once a second
  const transactions = (await commits()) - commitsBefore;
  console.log(
    `  transactions per join: ${(transactions / Math.max(1, result.requests.total)).toFixed(2)} ` +
      `(concurrent joins share one statement)`,
  );
  if (result.requests.total > targets.length && targets === vouched) {
    console.log(`  (more requests than vouched interviews: ${result.requests.total - targets.length} asked LiveKit)`);
  }
  return result;
}

console.log(
  `public join benchmark: ${vouched.length} + ${asked.length} interviews, ${connections} connections, ${duration} s per run, ` +
    `API + Postgres + LiveKit + load generator on ${(await import('node:os')).availableParallelism()} cores; API to Postgres over ${values.db === 'unix' ? 'a Unix socket' : 'TCP'}; candidates' addresses ${values.addresses}`,
);
const runs = new Set(values.only.split(','));
// The database-only runs go first: the rooms the first joins open keep LiveKit busy (dispatch, timeouts) for a while.
if (runs.has('vouched')) {
  await run('rejoin, seat vouched by the database: max', vouched, {});
  await markCandidatesLeft('bench-vouched-');
}
if (runs.has('fixed')) {
  await run(`rejoin, seat vouched by the database: ${fixedRate} req/s`, vouched, { overallRate: fixedRate });
}
// The first pass over these interviews creates each room in LiveKit with the interviewer's dispatch; the next asks
// LiveKit who is in them.
if (runs.has('first') || runs.has('asked')) {
  await run('first join (room created + dispatch)', asked, { duration: 30, connections: 8, amount: asked.length });
}
if (runs.has('asked')) await run('rejoin, LiveKit asked (token never seen used): max', asked, {});

api.kill('SIGTERM');
await new Promise((r) => api.once('exit', r));
await database.destroy();
await benchDb.drop();
await livekit.stop();
await postgres.stop();
