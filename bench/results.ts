// Benchmark of results without waiting: from the moment an interview ends to its scorecard being stored and its
// `interview.completed` webhook reaching the customer. The API runs as its own process (as in production) against
// the test Postgres cluster and LiveKit server, with Gemini replaced by the local evaluation emulator
// (test/scoring/gemini-evaluation-emulator.ts) answering after a fixed time to first token. A company has a webhook
// endpoint subscribed to `interview.completed`, pointing at a consumer in this process that verifies every request
// with the standardwebhooks library.
//
// N interviews are created through the HR API, each given a two-question plan and a short transcript in the
// database (as the interviewer agent leaves them), and put in progress. Then this process ends them the way the
// interviewer agent does, from outside the API, one every --interval ms or all at once (--burst), and records for
// each, from the commit of the end: the scorecard row visible in the database (polled every 10 ms), and
// interview.completed received by the consumer.
//
//   node bench/results.ts [--interviews 50] [--interval 200] [--burst] [--llm-delay 300] [--jobs-concurrency N]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { createApiKey } from '../api/auth/api-keys.ts';
import { insertCompany } from '../api/companies/companies.repository.ts';
import { connectDatabase } from '../shared/db/connect.ts';
import { migrateToLatest } from '../shared/db/migrate.ts';
import { candidateArrived, endInterview } from '../shared/interview-lifecycle.ts';
import { startLivekit, startPostgres, testLivekit } from '../test/support/services.ts';
import {
  honestBrain,
  isPlanRequest,
  planBrain,
  startEvaluationEmulator,
} from '../test/scoring/gemini-evaluation-emulator.ts';
import { createBenchDatabase } from './support.ts';

const { values } = parseArgs({
  options: {
    interviews: { type: 'string', default: '50' },
    interval: { type: 'string', default: '200' },
    burst: { type: 'boolean', default: false },
    'llm-delay': { type: 'string', default: '300' },
    // The API's JOBS_CONCURRENCY (scoring jobs at once); its default when not given.
    'jobs-concurrency': { type: 'string' },
  },
});
const count = Number(values.interviews);
const intervalMs = values.burst ? 0 : Number(values.interval);
const llmDelayMs = Number(values['llm-delay']);
const loadBefore = loadavg()[0]!;

const postgres = await startPostgres();
const livekit = await startLivekit();
const benchDb = await createBenchDatabase(postgres.url, `bench_results_${process.pid}`);
const database = await connectDatabase({ url: benchDb.url, poolSize: 8 });
const { db } = database;
await migrateToLatest(db);

// Plans asked for at creation get a plan; evaluations get a cooperative model's scores, both after the same delay.
const emulator = await startEvaluationEmulator((r) => (isPlanRequest(r) ? planBrain(r) : honestBrain(r)), {
  firstTokenDelayMs: llmDelayMs,
});

// The consumer: verifies the signature, dedupes by webhook-id, notes when each interview's result arrived.
let verifier: Webhook | undefined;
const receivedAt = new Map<string, number>();
const seenIds = new Set<string>();
let duplicates = 0;
let verifyFailures = 0;
let resolveAll: () => void = () => {};
const allReceived = new Promise<void>((r) => (resolveAll = r));
const consumer = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = Date.now();
    try {
      const payload = verifier!.verify(
        Buffer.concat(chunks).toString('utf8'),
        req.headers as Record<string, string>,
      ) as {
        type: string;
        data: { interviewId: string };
      };
      const id = String(req.headers['webhook-id']);
      if (seenIds.has(id)) duplicates++;
      else {
        seenIds.add(id);
        if (payload.type === 'interview.completed' && !receivedAt.has(payload.data.interviewId)) {
          receivedAt.set(payload.data.interviewId, at);
          if (receivedAt.size === count) resolveAll();
        }
      }
    } catch {
      verifyFailures++;
    }
    res.writeHead(204).end();
  });
});
consumer.keepAliveTimeout = 65_000;
consumer.listen(0, '127.0.0.1');
await once(consumer, 'listening');
const consumerPort = (consumer.address() as { port: number }).port;

const company = await insertCompany(db, { name: 'Bench Co' });
const { key } = await createApiKey(db, { companyId: company.id, isAdmin: false, name: 'bench' });

// A free port for the API.
const probe = http.createServer().listen(0, '127.0.0.1');
await once(probe, 'listening');
const port = (probe.address() as { port: number }).port;
await new Promise((r) => probe.close(r));

const api = spawn(process.execPath, ['api/main.ts'], {
  env: {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    PORT: String(port),
    DATABASE_URL: benchDb.url,
    LIVEKIT_URL: livekit.url,
    LIVEKIT_API_KEY: testLivekit.apiKey,
    LIVEKIT_API_SECRET: testLivekit.apiSecret,
    LINK_SIGNING_SECRET: 'bench-link-secret-that-is-long-enough-0000',
    ROOM_PREFIX: `bench-results-${process.pid}-`,
    AGENT_NAME: `bench-nobody-${process.pid}`,
    GOOGLE_API_KEY: 'emulated',
    GEMINI_BASE_URL: emulator.url,
    // The consumer is on this machine, over http: production refuses both by default.
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    WEBHOOK_REQUIRE_HTTPS: 'false',
    ...(values['jobs-concurrency'] ? { JOBS_CONCURRENCY: values['jobs-concurrency'] } : {}),
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
// A bench that fails half-way must not leave the API running.
process.on('exit', () => api.kill('SIGKILL'));
// The log is read and dropped, as a log collector would; errors and warnings are shown.
let partial = '';
api.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
  const lines = (partial + chunk).split('\n');
  partial = lines.pop()!;
  for (const line of lines) if (/"level":(4|5|6)\d/.test(line)) console.error(line);
});
const base = `http://127.0.0.1:${port}`;
for (const deadline = Date.now() + 60_000; ;) {
  if (
    await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    )
  )
    break;
  if (Date.now() > deadline) throw new Error('API did not start within 60 s');
  await new Promise((r) => setTimeout(r, 100));
}

async function hr<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

const endpoint = await hr<{ secret: string }>('POST', '/v1/webhook-endpoints', {
  url: `http://127.0.0.1:${consumerPort}/hooks`,
  eventTypes: ['interview.completed'],
});
verifier = new Webhook(endpoint.secret);
const job = await hr<{ id: string }>('POST', '/v1/jobs', {
  title: 'Backend Engineer',
  description: 'Build payment ledgers in TypeScript and Postgres.',
  competencies: [{ key: 'system_design', name: 'System design', description: 'Designs robust services' }],
});

const answer =
  'At Fintech Co I rebuilt the ledger service in TypeScript and Postgres, cutting reconciliation time from six hours to twelve minutes.';
const transcript: Array<['interviewer' | 'candidate', string, string | null]> = [
  ['interviewer', 'Hello Layla. Do you agree to continue?', null],
  ['candidate', 'Yes, I agree.', null],
  ['interviewer', 'Tell me about a system you built.', 'q-opening'],
  ['candidate', answer, 'q-opening'],
  ['interviewer', 'Tell me about a design decision.', 'q-system_design'],
  [
    'candidate',
    'I split the ledger writes from the reporting reads so each could scale on its own, using an outbox.',
    'q-system_design',
  ],
];

/** An interview in progress with a fixed two-question plan and the transcript above, as the agent leaves it. */
async function seedInterview(n: number): Promise<string> {
  const candidate = await hr<{ id: string }>('POST', '/v1/candidates', {
    firstName: 'Bench',
    lastName: `Candidate ${n}`,
    phone: `+97150${String(1_000_000 + n)}`,
  });
  const interview = await hr<{ id: string }>('POST', '/v1/interviews', {
    candidateId: candidate.id,
    jobId: job.id,
    type: 'TECHNICAL',
    maxDurationMinutes: 30,
  });
  await db.deleteFrom('interviewPlanQuestions').where('interviewId', '=', interview.id).execute();
  await db
    .insertInto('interviewPlanQuestions')
    .values([
      {
        interviewId: interview.id,
        questionId: 'q-opening',
        position: 1,
        competencyKey: null,
        text: 'Tell me about a system you built.',
        timeBudgetSeconds: 120,
        source: 'template-bank:v1',
        anchors: JSON.stringify([1, 2, 3, 4, 5].map((l) => `Level ${l} for the opening.`)),
      },
      {
        interviewId: interview.id,
        questionId: 'q-system_design',
        position: 2,
        competencyKey: 'system_design',
        text: 'Tell me about a design decision.',
        timeBudgetSeconds: 180,
        source: 'template-bank:v1',
      },
    ])
    .execute();
  await startInterview(interview.id);
  const start = Date.now() - 600_000;
  await db
    .insertInto('transcriptTurns')
    .values(
      transcript.map(([speaker, text, questionId], i) => ({
        interviewId: interview.id,
        seq: i + 1,
        speaker,
        text,
        questionId,
        stage: questionId ? 'question' : 'greeting',
        startedAt: new Date(start + i * 10_000),
        endedAt: new Date(start + i * 10_000 + 8_000),
      })),
    )
    .execute();
  return interview.id;
}

// The two lifecycle calls, as the rest of the product makes them (shared/interview-lifecycle.ts).
const startInterview = (id: string) => candidateArrived(db, id, { actor: 'livekit' });
const finishInterview = (id: string) => endInterview(db, id, 'completed', { actor: 'agent' });

const ids: string[] = [];
let nextSeed = 0;
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (nextSeed < count) ids.push(await seedInterview(nextSeed++));
  }),
);
const statuses = await db.selectFrom('interviews').select('status').where('id', 'in', ids).execute();
if (statuses.some((s) => s.status !== 'in_progress')) throw new Error('seeded interviews are not all in progress');
const planRequests = emulator.requests.length;

console.log(
  `results benchmark: ${count} interviews ended ${values.burst ? 'all at once' : `one every ${intervalMs} ms`}, ` +
    `emulated Gemini answering after ${llmDelayMs} ms, JOBS_CONCURRENCY ${values['jobs-concurrency'] ?? 'default'}; ` +
    `API, Postgres, LiveKit, emulator and consumer on ${availableParallelism()} cores`,
);

// Scorecards as they become visible: one query every 10 ms over the interviews still waiting.
const ending = new Set<string>();
const endedAt = new Map<string, number>();
const endCallMs: number[] = [];
const storedAt = new Map<string, number>();
let polling = true;
const poller = (async () => {
  while (polling) {
    const waiting = [...ending].filter((id) => !storedAt.has(id));
    if (waiting.length > 0) {
      const rows = await db
        .selectFrom('scorecards')
        .select('interviewId')
        .where('interviewId', 'in', waiting)
        .execute();
      const at = Date.now();
      for (const row of rows) if (!storedAt.has(row.interviewId)) storedAt.set(row.interviewId, at);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
})();

const runStart = Date.now();
await Promise.all(
  ids.map(async (id, i) => {
    if (intervalMs > 0) await new Promise((r) => setTimeout(r, runStart + i * intervalMs - Date.now()));
    ending.add(id);
    const called = Date.now();
    await finishInterview(id);
    // The interview has ended when its transaction has committed: that is when the clock starts.
    endedAt.set(id, Date.now());
    endCallMs.push(endedAt.get(id)! - called);
  }),
);
const timeout = setTimeout(() => resolveAll(), 180_000);
await allReceived;
clearTimeout(timeout);
for (const deadline = Date.now() + 10_000; storedAt.size < count && Date.now() < deadline;) {
  await new Promise((r) => setTimeout(r, 50));
}
polling = false;
await poller;

const cards = await db
  .selectFrom('scorecards')
  .select(['interviewId', 'status', 'version'])
  .where('interviewId', 'in', ids)
  .execute();
const evaluations = emulator.requests.length - planRequests;

api.kill('SIGTERM');
await once(api, 'exit');
consumer.close();
consumer.closeAllConnections();
await emulator.close();
await database.destroy();
await benchDb.drop();
await livekit.stop();
await postgres.stop();

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  return { n: sorted.length, p50: pct(50), p95: pct(95), max: sorted.at(-1) ?? NaN };
}
const since = (times: Map<string, number>) =>
  ids.filter((id) => times.has(id)).map((id) => times.get(id)! - endedAt.get(id)!);
const result = {
  interviews: count,
  pacing: values.burst ? 'burst' : `${intervalMs} ms`,
  jobsConcurrency: values['jobs-concurrency'] ?? 'default',
  llmFirstTokenMs: llmDelayMs,
  endCallMs: summary(endCallMs),
  endToScorecardMs: summary(since(storedAt)),
  endToWebhookMs: summary(since(receivedAt)),
  scorecards: cards.length,
  scorecardsComplete: cards.filter((c) => c.status === 'complete' && c.version === 1).length,
  evaluations,
  delivered: receivedAt.size,
  lost: count - receivedAt.size,
  duplicates,
  verifyFailures,
  loadAverage1m: { before: Number(loadBefore.toFixed(2)), after: Number(loadavg()[0]!.toFixed(2)) },
};
const line = (label: string, s: ReturnType<typeof summary>) =>
  `${label.padEnd(42)} p50 ${s.p50} ms, p95 ${s.p95} ms, max ${s.max} ms (${s.n} of ${count})`;
console.log(
  [
    line('end call (the completing transaction)', result.endCallMs),
    line('end (committed) → scorecard stored', result.endToScorecardMs),
    line('end (committed) → interview.completed', result.endToWebhookMs),
    `scorecards ${result.scorecards} (${result.scorecardsComplete} complete, version 1), model evaluations ${evaluations}`,
    `interview.completed delivered ${result.delivered}/${count} (lost ${result.lost}, duplicates ${duplicates}, signature failures ${verifyFailures})`,
    `machine load average (1 min) ${result.loadAverage1m.before} before, ${result.loadAverage1m.after} after`,
  ].join('\n'),
);
console.log(JSON.stringify(result));
process.exit(result.lost === 0 && verifyFailures === 0 && result.scorecardsComplete === count ? 0 : 1);
