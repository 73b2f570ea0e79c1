// Benchmark of outbound webhook delivery: a burst of events written to the outbox (each in its own transaction,
// as state changes write them), delivered by the delivery worker running as its own process (as it can in
// production) to a local consumer in this process that verifies every request with the standardwebhooks library.
// Reports delivered count (must equal the events: no loss), duplicates, throughput and event→delivery latency, and
// the CPU time each event cost (this process, the worker, and the Postgres sessions of each): on a shared 2-core
// machine the wall-clock figures move with other work, CPU per event much less, so compare versions by it.
// BENCH_WORKER_PROF=<dir> writes a CPU profile of the worker process there.
//
// With --backlog the events are all written first and the worker starts afterwards: that measures how fast one
// worker drains a backlog (after an outage, say) without the writers competing for the two cores.
//
//   node bench/webhooks.ts [--events 10000] [--producers 8] [--concurrency 32] [--endpoint-concurrency 32]
//                          [--poll 100] [--backlog]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import { insertCompany } from '../api/companies/companies.repository.ts';
import { generateSecret } from '../api/webhooks/signing.ts';
import { connectDatabase } from '../shared/db/connect.ts';
import { migrateToLatest } from '../shared/db/migrate.ts';
import { recordEvent } from '../shared/events/outbox.ts';
import { startPostgres } from '../test/support/services.ts';
import { createBenchDatabase } from './support.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '10000' },
    producers: { type: 'string', default: '8' },
    concurrency: { type: 'string', default: '32' },
    poll: { type: 'string', default: '100' },
    'endpoint-concurrency': { type: 'string' },
    backlog: { type: 'boolean', default: false },
  },
});
const eventCount = Number(values.events);
// Other work on the machine moves these figures a lot on 2 cores: print the load next to them.
const loadBefore = loadavg()[0]!;
const producers = Number(values.producers);

const postgres = await startPostgres();
const benchDb = await createBenchDatabase(postgres.url, `bench_webhooks_${process.pid}`);
const dbUrl = new URL(benchDb.url);
// Named, so the Postgres CPU of the producers' sessions and of the worker's can be told apart.
const producersUrl = new URL(dbUrl);
producersUrl.searchParams.set('application_name', 'bench-producers');
const workerUrl = new URL(dbUrl);
workerUrl.searchParams.set('application_name', 'bench-worker');
const database = await connectDatabase({ url: producersUrl.toString(), poolSize: producers + 2 });
await migrateToLatest(database.db);
const db = database.db;

// The consumer: verifies, dedupes by webhook-id, answers 204.
const secret = generateSecret();
const verifier = new Webhook(secret);
const firstSeen = new Map<string, { receivedAt: number; eventAt: number }>();
let requests = 0;
let duplicates = 0;
let verifyFailures = 0;
let resolveDone: () => void = () => {};
const done = new Promise<void>((r) => (resolveDone = r));
const consumer = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const receivedAt = Date.now();
    requests++;
    const body = Buffer.concat(chunks).toString('utf8');
    try {
      const payload = verifier.verify(body, req.headers as Record<string, string>) as { timestamp: string };
      const id = String(req.headers['webhook-id']);
      if (firstSeen.has(id)) duplicates++;
      else firstSeen.set(id, { receivedAt, eventAt: Date.parse(payload.timestamp) });
      if (firstSeen.size === eventCount) resolveDone();
    } catch {
      verifyFailures++;
    }
    res.writeHead(204).end();
  });
});
consumer.keepAliveTimeout = 65_000;
consumer.listen(0, '127.0.0.1');
await once(consumer, 'listening');
const port = (consumer.address() as { port: number }).port;

const company = await insertCompany(db, { name: 'Bench Co' });
await db
  .insertInto('webhookEndpoints')
  .values({ companyId: company.id, url: `http://127.0.0.1:${port}/hooks`, eventTypes: ['interview.created'], secret })
  .execute();

// The worker as its own process: started before the burst (idle-polling when it arrives), or after it (--backlog).
function startWorker() {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_WORKER_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_WORKER_PROF] : []),
      fileURLToPath(new URL('../api/webhook-worker.ts', import.meta.url)),
    ],
    {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'development',
        LOG_LEVEL: 'info',
        DATABASE_URL: workerUrl.toString(),
        DATABASE_POOL_SIZE: '8',
        WEBHOOK_CONCURRENCY: values.concurrency,
        // One endpoint receives everything here: by default let it use the whole worker.
        WEBHOOK_ENDPOINT_CONCURRENCY: values['endpoint-concurrency'] ?? values.concurrency,
        WEBHOOK_POLL_INTERVAL_MS: values.poll,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const ready = new Promise<void>((resolve) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c;
      if (out.includes('webhook worker started')) resolve();
    });
  });
  return { child, ready };
}
let worker = values.backlog ? undefined : startWorker();
await worker?.ready;
// The worker's start-up (loading its modules) is not delivery work.
let workerCpuAtReady = worker ? procCpuMs(worker.child.pid!) : 0;

// CPU time, which other work on the machine barely moves (wall time it moves a lot): this process (producers and
// the consumer), the worker process, and the Postgres backends serving this database (read from /proc: the cluster
// runs on this machine). Background processes of the shared cluster (WAL writer, checkpointer) are left out.
function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1_000) / 100; // utime + stime, in USER_HZ (100) ticks
  } catch {
    return 0; // exited
  }
}
async function backendsCpuMs(): Promise<Map<number, { ms: number; of: string }>> {
  const { rows } = await sql<{ pid: number; of: string }>`
    select pid, application_name as of from pg_stat_activity
     where datname = current_database() and pid <> pg_backend_pid()`.execute(db);
  return new Map(rows.map((r) => [r.pid, { ms: procCpuMs(r.pid), of: r.of }]));
}
function backendsDelta(of: string): number {
  let sum = 0;
  for (const [pid, end] of backendsAtEnd) if (end.of === of) sum += end.ms - (backendsAtStart.get(pid)?.ms ?? 0);
  return Math.round(sum);
}
const backendsAtStart = await backendsCpuMs();
const selfCpuAtStart = process.cpuUsage();

const ids = () => ({ interviewId: crypto.randomUUID(), jobId: crypto.randomUUID(), candidateId: crypto.randomUUID() });
const burstStart = Date.now();
let next = 0;
await Promise.all(
  Array.from({ length: producers }, async () => {
    while (next < eventCount) {
      next++;
      const ref = ids();
      await db.transaction().execute((trx) =>
        recordEvent(trx, {
          companyId: company.id,
          type: 'interview.created',
          payload: {
            ...ref,
            interviewType: 'TECHNICAL',
            status: 'scheduled',
            scheduledStart: new Date().toISOString(),
            scheduledEnd: new Date(Date.now() + 3_600_000).toISOString(),
            links: { interview: `/v1/interviews/${ref.interviewId}` },
          },
        }),
      );
    }
  }),
);
const burstEnd = Date.now();
let drainStart = burstStart;
if (!worker) {
  worker = startWorker();
  await worker.ready;
  workerCpuAtReady = procCpuMs(worker.child.pid!);
  drainStart = Date.now();
}
const timeout = setTimeout(() => resolveDone(), 300_000);
await done;
clearTimeout(timeout);
const lastDelivery = Math.max(...[...firstSeen.values()].map((v) => v.receivedAt));
// The consumer has everything; wait (bounded) until the worker has recorded every success too.
for (let i = 0; i < 100; i++) {
  const pending = await db
    .selectFrom('webhookDeliveries')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('status', '!=', 'succeeded')
    .executeTakeFirstOrThrow();
  if (Number(pending.n) === 0) break;
  await new Promise((r) => setTimeout(r, 100));
}

const backendsAtEnd = await backendsCpuMs();
const selfCpu = process.cpuUsage(selfCpuAtStart);
const cpuMs = {
  benchProcess: Math.round((selfCpu.user + selfCpu.system) / 1_000),
  worker: Math.round(procCpuMs(worker.child.pid!) - workerCpuAtReady),
  producersBackends: backendsDelta('bench-producers'),
  workerBackends: backendsDelta('bench-worker'),
};
const cpuTotalMs = cpuMs.benchProcess + cpuMs.worker + cpuMs.producersBackends + cpuMs.workerBackends;

const stats = await db
  .selectFrom('webhookDeliveries')
  .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
  .groupBy('status')
  .execute();
worker.child.kill('SIGTERM');
await once(worker.child, 'exit');
consumer.close();
consumer.closeAllConnections();
await database.destroy();
await benchDb.drop();

const latencies = [...firstSeen.values()].map((v) => v.receivedAt - v.eventAt).sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
const spanS = (lastDelivery - drainStart) / 1_000;
const result = {
  events: eventCount,
  delivered: firstSeen.size,
  lost: eventCount - firstSeen.size,
  duplicates,
  verifyFailures,
  requests,
  deliveryRows: Object.fromEntries(stats.map((s) => [s.status, Number(s.n)])),
  burstWriteSeconds: (burstEnd - burstStart) / 1_000,
  firstEventToLastDeliverySeconds: spanS,
  throughputPerSecond: Math.round(firstSeen.size / spanS),
  latencyMs: { p50: pct(50), p95: pct(95), p99: pct(99), max: latencies[latencies.length - 1] },
  cpuMs: { ...cpuMs, total: cpuTotalMs, perEvent: Number((cpuTotalMs / eventCount).toFixed(3)) },
  loadAverage1m: { before: Number(loadBefore.toFixed(2)), after: Number(loadavg()[0]!.toFixed(2)) },
  mode: values.backlog ? 'backlog (written first, then drained)' : 'burst (worker running while events are written)',
  settings: {
    producers,
    workerConcurrency: Number(values.concurrency),
    endpointConcurrency: Number(values['endpoint-concurrency'] ?? values.concurrency),
    pollIntervalMs: Number(values.poll),
  },
};
console.log(
  [
    `webhook burst: ${result.events} events written by ${producers} producers in ${result.burstWriteSeconds.toFixed(2)} s`,
    `delivered ${result.delivered}/${result.events} (lost ${result.lost}, duplicates ${duplicates}, signature failures ${verifyFailures})`,
    values.backlog
      ? `drain throughput ${result.throughputPerSecond} deliveries/s (worker start → last delivery ${spanS.toFixed(2)} s)`
      : `throughput ${result.throughputPerSecond} deliveries/s (first event → last delivery ${spanS.toFixed(2)} s)`,
    `CPU ${(cpuTotalMs / eventCount).toFixed(3)} ms per event: producers + consumer ${cpuMs.benchProcess} ms, worker ${cpuMs.worker} ms, Postgres for the producers ${cpuMs.producersBackends} ms, for the worker ${cpuMs.workerBackends} ms`,
    `machine load average (1 min) ${result.loadAverage1m.before} before, ${result.loadAverage1m.after} after`,
    `event → delivery latency${values.backlog ? ' (includes the wait for the worker to start)' : ''} p50 ${result.latencyMs.p50} ms, p95 ${result.latencyMs.p95} ms, p99 ${result.latencyMs.p99} ms, max ${result.latencyMs.max} ms`,
  ].join('\n'),
);
console.log(JSON.stringify(result));
process.exit(result.lost === 0 && verifyFailures === 0 ? 0 : 1);
