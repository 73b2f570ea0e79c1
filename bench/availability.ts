// Benchmark of the available-slots search (GET /v1/scheduling/slots): a company with a year of slots, half of its
// seats booked, among other companies with as many slots of their own. The API runs as its own process (as in
// production) against the test Postgres cluster; requests come from this process one at a time (latency of a
// single user's search, p50/p99), then from autocannon with several connections (throughput).
//
//   node bench/availability.ts [--companies 10] [--requests 2000] [--duration 10] [--connections 16]
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { createApiKey } from '../api/auth/api-keys.ts';
import { insertCompany } from '../api/companies/companies.repository.ts';
import { configValues, insertConfig } from '../api/scheduling/configs.repository.ts';
import { updateConfigBody } from '../api/scheduling/scheduling.schemas.ts';
import { generateSlots } from '../api/scheduling/slots.repository.ts';
import { connectDatabase } from '../shared/db/connect.ts';
import { migrateToLatest } from '../shared/db/migrate.ts';
import { startPostgres } from '../test/support/services.ts';
import { createBenchDatabase } from './support.ts';

const { values } = parseArgs({
  options: {
    companies: { type: 'string', default: '10' },
    requests: { type: 'string', default: '2000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '16' },
  },
});
const companyCount = Number(values.companies);
const requestCount = Number(values.requests);

const postgres = await startPostgres();
const benchDb = await createBenchDatabase(postgres.url, `bench_availability_${process.pid}`);
const dbUrl = new URL(benchDb.url);

const database = await connectDatabase({ url: dbUrl.toString(), poolSize: 4 });
await migrateToLatest(database.db);
const start = Date.now();
const now = new Date();
async function halfBook(companyId: string) {
  const client = new pg.Client({ connectionString: dbUrl.toString() });
  await client.connect();
  await client.query(
    `update slots set booked_count = case when rn % 2 = 0 then capacity else 0 end
       from (select id, row_number() over (order by starts_at, id) as rn from slots where company_id = $1) r
      where slots.id = r.id`,
    [companyId],
  );
  await client.end();
}

let measuredKey = '';
let slotsOfMeasured = 0;
for (let c = 0; c < companyCount; c++) {
  const company = await insertCompany(database.db, { name: `Bench Co ${c}` });
  const key = await createApiKey(database.db, { companyId: company.id, isAdmin: false, name: 'bench' });
  if (c === 0) measuredKey = key.key;
  // Weekdays 09:00–17:00 Dubai, 30-minute slots with 0 break, capacity 3, for two interview types: ~8,300 slots a year.
  for (const interviewType of ['TECHNICAL', 'BEHAVIORAL'] as const) {
    for (let weekday = 1; weekday <= 5; weekday++) {
      const body = updateConfigBody.parse({
        interviewType,
        weekday,
        startTime: '09:00',
        endTime: '17:00',
        slotMinutes: 30,
        capacity: 3,
        validFrom: now.toISOString().slice(0, 10),
      });
      const config = await insertConfig(database.db, company.id, configValues(body, 'Asia/Dubai'));
      const created = await generateSlots(database.db, config, now, 52);
      if (c === 0) slotsOfMeasured += created;
    }
  }
  // Half of the seats booked: every other slot full. The search reads booked_count, which bookings maintain.
  await halfBook(company.id);
}
const analyze = new pg.Client({ connectionString: dbUrl.toString() });
await analyze.connect();
const total = await analyze.query(
  'select count(*)::int as n, sum(booked_count)::int as booked, sum(capacity)::int as seats from slots',
);
await analyze.query('analyze');
await analyze.end();
await database.destroy();
console.log(
  `seeded ${companyCount} companies, ${total.rows[0].n} slots in all (${slotsOfMeasured} for the measured company, ` +
    `${total.rows[0].booked}/${total.rows[0].seats} seats booked) in ${((Date.now() - start) / 1000).toFixed(1)} s`,
);

const port = 3910;
const api = spawn(process.execPath, ['api/main.ts'], {
  env: {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    DATABASE_URL: dbUrl.toString(),
    DATABASE_POOL_SIZE: '16',
    LIVEKIT_URL: 'http://127.0.0.1:1',
    LIVEKIT_API_KEY: 'bench',
    LIVEKIT_API_SECRET: 'bench-livekit-secret-that-is-long-enough',
    LINK_SIGNING_SECRET: 'bench-link-secret-that-is-long-enough-0000',
    RECONCILE_INTERVAL_MS: '600000',
    WEBHOOK_WORKER_ENABLED: 'false',
    EMAIL_WORKER_ENABLED: 'false',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
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

const day = 86_400_000;
function randomQuery(): string {
  // A week or a month somewhere in the year, one interview type, shown in the candidate's timezone.
  const from = new Date(now.getTime() + Math.floor(Math.random() * 330) * day);
  const span = Math.random() < 0.5 ? 7 : 30;
  const to = new Date(from.getTime() + span * day);
  const type = Math.random() < 0.5 ? 'TECHNICAL' : 'BEHAVIORAL';
  return `/v1/scheduling/slots?interviewType=${type}&from=${from.toISOString()}&to=${to.toISOString()}&tz=Europe/London&limit=50`;
}
const headers = { authorization: `Bearer ${measuredKey}` };

async function sequential(n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await fetch(`${base}${randomQuery()}`, { headers });
    const body = (await r.json()) as { items: unknown[] };
    times.push(performance.now() - t0);
    if (r.status !== 200 || body.items.length === 0)
      throw new Error(`search answered ${r.status} with ${body.items?.length} items`);
  }
  return times.sort((a, b) => a - b);
}
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

await sequential(200); // warm-up: JIT, connection pool, Postgres buffers
const times = await sequential(requestCount);
console.log(
  `available-slot search, one client, ${requestCount} requests: ` +
    `p50 ${pct(times, 50).toFixed(2)} ms   p99 ${pct(times, 99).toFixed(2)} ms   max ${times.at(-1)!.toFixed(2)} ms`,
);

const result = await autocannon({
  url: base,
  connections: Number(values.connections),
  duration: Number(values.duration),
  requests: [
    {
      method: 'GET',
      headers,
      setupRequest(req: { path?: string }) {
        req.path = randomQuery();
        return req;
      },
    },
  ],
} as autocannon.Options);
console.log(
  `available-slot search, ${values.connections} connections: ${result.requests.average.toFixed(0)} req/s   ` +
    `p50 ${result.latency.p50} ms   p99 ${result.latency.p99} ms   (${result.requests.total} requests, ${result.non2xx} non-2xx)`,
);
const load = (await import('node:os'))
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
console.log(`machine load average during the run: ${load}`);

api.kill('SIGTERM');
await new Promise((r) => api.once('exit', r));
await benchDb.drop();
await postgres.stop();
