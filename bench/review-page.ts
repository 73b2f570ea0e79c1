// The HR review page with a long interview: 300 transcript turns over 45 minutes and a complete scorecard whose
// evidence quotes point all along it (the real scoring code wrote it, from the local emulator of the model). The real
// API (in process, serving web/dist as api/app.ts does) against the test Postgres and LiveKit server; Debian's
// Chromium (playwright-core) signed in as a recruiter. For each cold navigation to /hr/interviews/ID (a fresh
// browser context: no HTTP cache, the session cookie only) it prints, from the start of the navigation:
//   rendered      the transcript's last turn and the scorecard (with its evidence quotes) are in the DOM
//   interactive   a click on the last question's evidence quote, sent as soon as the page is rendered, has
//                 marked its turn (the turn takes the quoted class and the words their <mark>)
// and where the time went: the app's scripts loaded, the API's answers in, and the click's own latency.
//
//   node bench/review-page.ts [--runs 5] [--build] [--timeline]
//
// web/dist is built when missing; --build rebuilds it from the current sources first; --dist serves (and builds
// there when missing or with --build) another folder, leaving web/dist alone. --timeline prints the last
// run's requests and long tasks in order, to see a waterfall or a slow render.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import http from 'node:http';
import { loadavg } from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Koa from 'koa';
import { chromium, type Page } from 'playwright-core';
import { createApp } from '../api/app.ts';
import { createApiKey } from '../api/auth/api-keys.ts';
import { insertActiveUser } from '../api/auth/users.repository.ts';
import { insertCompany } from '../api/companies/companies.repository.ts';
import { loadApiConfig } from '../api/config.ts';
import type { AppDeps } from '../api/deps.ts';
import { createLiveKitGateway } from '../api/livekit/gateway.ts';
import { roomInfo } from '../api/public/candidate-session.ts';
import { scoreInterview } from '../api/scoring/scorecards.ts';
import { serveWebApp } from '../api/web/static.ts';
import { connectDatabase } from '../shared/db/connect.ts';
import { migrateToLatest } from '../shared/db/migrate.ts';
import { createLogger } from '../shared/logger.ts';
import {
  isPlanRequest,
  planBrain,
  promptTurns,
  startEvaluationEmulator,
  type EvaluationRequest,
} from '../test/scoring/gemini-evaluation-emulator.ts';
import { startLivekit, startPostgres, testLivekit } from '../test/support/services.ts';
import { createBenchDatabase } from './support.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    build: { type: 'boolean', default: false },
    timeline: { type: 'boolean', default: false },
    dist: { type: 'string' },
  },
});
const runs = Number(values.runs);
const root = fileURLToPath(new URL('../', import.meta.url));
const dist = values.dist ? path.resolve(values.dist) : path.join(root, 'web/dist');

if (values.build || !existsSync(path.join(dist, 'index.html'))) {
  execFileSync(
    process.execPath,
    [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', 'web', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'],
    // A build under NODE_ENV=test (a vitest process's) ships React's development mode, several times slower.
    { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } },
  );
}
const assets = path.join(dist, 'assets');
const devBuild = readdirSync(assets).some((f) => f.endsWith('.js') && readFileSync(path.join(assets, f), 'utf8').includes('jsxDEV'));

const TURNS = 300;
const MINUTES = 45;
const QUESTIONS = 10;
const competencies = [
  { key: 'system_design', name: 'System design', description: 'Designs robust services' },
  { key: 'incident_response', name: 'Incident response', description: 'Handles outages calmly' },
  { key: 'collaboration', name: 'Collaboration', description: 'Works well with others' },
];
const questionOf = (i: number) => `q-${Math.floor((i * QUESTIONS) / TURNS) + 1}`;
/** The words each candidate turn is quoted by: unique to its turn, so a quote finds exactly one place. */
const quoteOf = (seq: number) => `the reconciliation run number ${seq} finished twelve minutes early`;
const candidateText = (seq: number) =>
  `In that project I owned the ledger service end to end; ${quoteOf(seq)}, because we had split the writes from the ` +
  `reporting reads and an outbox kept both sides consistent without distributed transactions, which the team ` +
  `reviewed with me before we rolled it out region by region over the following weeks.`;

/** A model that scores every question and competency on the last candidate answers it saw for them. */
function reviewBrain(request: EvaluationRequest) {
  if (isPlanRequest(request)) return planBrain(request);
  const turns = promptTurns(request.prompt).filter((t) => t.speaker === 'candidate');
  const lastOf = (qid: string) => turns.filter((t) => t.questionId === qid).slice(-2);
  return {
    questions: Array.from({ length: QUESTIONS }, (_, q) => ({
      questionId: `q-${q + 1}`,
      score: 1 + (q % 5),
      rationale: 'A specific system, a personal contribution and a measured result.',
      evidence: lastOf(`q-${q + 1}`).map((t) => ({ turnSeq: t.seq, quote: quoteOf(t.seq) })),
    })),
    competencies: competencies.map((c, i) => ({
      key: c.key,
      score: 3 + (i % 2),
      rationale: 'Separates concerns and keeps data consistent.',
      evidence: turns.slice(i * 40, i * 40 + 3).map((t) => ({ turnSeq: t.seq, quote: quoteOf(t.seq) })),
    })),
    overall: {
      recommendation: 'advance',
      summary: 'Concrete, measured answers on ledgers and system design across a long interview.',
      strengths: ['Specific examples with numbers', 'Clear separation of reads and writes'],
      concerns: ['Trade-offs only touched on'],
    },
  };
}

const emulator = await startEvaluationEmulator(reviewBrain);
const postgres = await startPostgres();
const livekit = await startLivekit();
const benchDb = await createBenchDatabase(postgres.url, `bench_review_${process.pid}`);
const database = await connectDatabase({ url: benchDb.url, poolSize: 4 });
await migrateToLatest(database.db);
const config = loadApiConfig({
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  DATABASE_URL: benchDb.url,
  LIVEKIT_URL: livekit.url,
  LIVEKIT_API_KEY: testLivekit.apiKey,
  LIVEKIT_API_SECRET: testLivekit.apiSecret,
  LINK_SIGNING_SECRET: 'bench-link-secret-that-is-long-enough-0000',
  PUBLIC_BASE_URL: 'http://interviews.bench',
  ROOM_PREFIX: `bench-review-${process.pid}-`,
  AGENT_NAME: `bench-nobody-${process.pid}`,
  GOOGLE_API_KEY: 'emulated',
  GEMINI_BASE_URL: emulator.url,
});
const deps: AppDeps = {
  db: database.db,
  config,
  log: createLogger({ level: 'silent', name: 'bench-review' }),
  livekit: createLiveKitGateway(config.livekit),
  now: () => new Date(),
};
const app = createApp(deps).callback();
// Another build is served by the same static middleware api/app.ts wires, the API calls still going to the app.
const web = values.dist
  ? new Koa().use(serveWebApp(dist, { preview: (ref, ip) => roomInfo(deps, ref, ip) })).callback()
  : app;
const server = http
  .createServer((req, res) => ((req.url ?? '').startsWith('/v1/') ? app(req, res) : web(req, res)))
  .listen(0, '127.0.0.1');
await once(server, 'listening');
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// The seed: a company, a recruiter, a job, a candidate and an interview the agent has finished.
const company = await insertCompany(database.db, { name: 'Noor Logistics', defaultPhoneRegion: 'AE' });
const { key } = await createApiKey(database.db, { companyId: company.id, isAdmin: false, name: 'bench' });
const user = { email: 'recruiter@bench.example', password: 'correct horse battery staple' };
await insertActiveUser(database.db, { companyId: company.id, name: 'Bench Recruiter', role: 'recruiter', ...user });
async function hr<T>(urlPath: string, body: unknown): Promise<T> {
  const response = await fetch(`${base}${urlPath}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${urlPath}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}
const job = await hr<{ id: string }>('/v1/jobs', {
  title: 'Backend Engineer',
  description: 'Build payment ledgers in TypeScript and Postgres.',
  competencies,
});
const candidate = await hr<{ id: string }>('/v1/candidates', {
  firstName: 'Layla',
  lastName: 'Haddad',
  phone: '+971501234567',
  email: 'layla@example.com',
});
const interview = await hr<{ id: string }>('/v1/interviews', {
  candidateId: candidate.id,
  jobId: job.id,
  type: 'TECHNICAL',
  maxDurationMinutes: 60,
  notify: false,
});
await database.db.deleteFrom('interviewPlanQuestions').where('interviewId', '=', interview.id).execute();
await database.db
  .insertInto('interviewPlanQuestions')
  .values(
    Array.from({ length: QUESTIONS }, (_, q) => ({
      interviewId: interview.id,
      questionId: `q-${q + 1}`,
      position: q,
      competencyKey: competencies[q % competencies.length]!.key,
      text: `Question ${q + 1}: tell me about a design decision you would make again.`,
      timeBudgetSeconds: 240,
      source: 'template-bank:v1',
      anchors: JSON.stringify([1, 2, 3, 4, 5].map((l) => `An answer at depth ${l} names the system, the choice and a result.`)),
    })),
  )
  .execute();
const began = new Date(Date.now() - 2 * MINUTES * 60_000);
const step = (MINUTES * 60_000) / TURNS;
await database.db
  .insertInto('transcriptTurns')
  .values(
    Array.from({ length: TURNS }, (_, i) => {
      const seq = i + 1;
      const speaker = i % 2 === 0 ? ('interviewer' as const) : ('candidate' as const);
      return {
        interviewId: interview.id,
        seq,
        speaker,
        text:
          speaker === 'candidate'
            ? candidateText(seq)
            : `Thank you. Turn ${seq}: what did you measure, and what would you change about it next time?`,
        questionId: questionOf(i),
        stage: 'question',
        startedAt: new Date(began.getTime() + i * step),
        endedAt: new Date(began.getTime() + i * step + step - 500),
      };
    }),
  )
  .execute();
await database.db
  .updateTable('interviews')
  .set({ status: 'completed', startedAt: began, endedAt: new Date(began.getTime() + MINUTES * 60_000), endReason: 'time_limit' })
  .where('id', '=', interview.id)
  .execute();
const interviewRow = await database.db.selectFrom('interviews').selectAll().where('id', '=', interview.id).executeTakeFirstOrThrow();
await scoreInterview({ db: deps.db, log: deps.log, now: deps.now, scoring: config.scoring }, interviewRow, 'interview_completed');
const card = (await (
  await fetch(`${base}/v1/interviews/${interview.id}/scorecard`, { headers: { authorization: `Bearer ${key}` } })
).json()) as { status: string };
if (card.status !== 'complete') throw new Error(`the scorecard is ${card.status}, not complete`);

// The quote clicked: the last question's last evidence, the far end of the transcript from where the page opens.
const lastCandidateSeq = TURNS % 2 === 0 ? TURNS : TURNS - 1;
const clickedQuote = quoteOf(lastCandidateSeq);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'],
});
const contextOptions = { viewport: { width: 1440, height: 900 }, locale: 'en-GB', timezoneId: 'Asia/Dubai' };

// Signed in once through the form; each run starts from that session cookie alone.
const signIn = await browser.newContext(contextOptions);
const signInPage = await signIn.newPage();
await signInPage.goto(`${base}/hr/sign-in`);
await signInPage.getByLabel('Work e-mail').fill(user.email);
await signInPage.getByLabel('Password').fill(user.password);
await signInPage.getByRole('button', { name: 'Sign in' }).click();
await signInPage.waitForURL(/\/hr\/interviews$/);
const storageState = await signIn.storageState();
await signIn.close();

/** performance.now() (ms since the navigation started) when the condition first holds, checked every frame. */
const when = (page: Page, condition: string, timeout = 60_000) =>
  page
    .waitForFunction(`(${condition}) ? performance.now() : false`, undefined, { polling: 'raf', timeout })
    .then((handle) => handle.jsonValue() as Promise<number>);

interface Run {
  rendered: number;
  interactive: number;
  /** The click's own time: from just before Playwright sends it to the marked turn. */
  clickToMark: number;
  scripts: number;
  apiFirst: number;
  apiLast: number;
  longTasks: number;
}

let timeline: [number, number, string][] = [];

async function oneRun(): Promise<Run> {
  const context = await browser.newContext({ ...contextOptions, storageState });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  // Long tasks from the very start of the document, so a slow render shows up as main-thread time.
  await page.addInitScript(`window.__long = 0; window.__tasks = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) { window.__long += e.duration; window.__tasks.push([e.startTime, e.duration]); } })
    .observe({ type: 'longtask', buffered: true });`);
  try {
    await page.goto(`${base}/hr/interviews/${interview.id}`, { waitUntil: 'commit' });
    const rendered = await when(
      page,
      `document.querySelector('#turn-${TURNS}') && document.querySelector('.hr-scorecard') && document.querySelectorAll('.hr-quote').length > 0`,
    );
    const before = (await page.evaluate('performance.now()')) as number;
    await page.locator('.hr-quote', { hasText: clickedQuote }).first().click();
    const interactive = await when(
      page,
      `document.querySelector('#turn-${lastCandidateSeq}.hr-turn-quoted mark.hr-quote-mark')`,
    );
    const timing = (await page.evaluate(`(() => {
      const res = performance.getEntriesByType('resource');
      const scripts = res.filter((r) => r.initiatorType === 'script' || /\\.js$/.test(r.name)).map((r) => r.responseEnd);
      const apis = res.filter((r) => new URL(r.name).pathname.startsWith('/v1/'));
      return { scripts: Math.max(0, ...scripts), apiFirst: Math.min(...apis.map((r) => r.startTime)),
        apiLast: Math.max(...apis.map((r) => r.responseEnd)), longTasks: window.__long };
    })()`)) as Pick<Run, 'scripts' | 'apiFirst' | 'apiLast' | 'longTasks'>;
    if (values.timeline) {
      timeline = (await page.evaluate(`[
        ...performance.getEntriesByType('resource').map((r) => [r.startTime, r.responseEnd, new URL(r.name).pathname]),
        ...window.__tasks.map(([at, d]) => [at, at + d, 'long task']),
      ].sort((a, b) => a[0] - b[0])`)) as [number, number, string][];
      timeline.push([rendered, rendered, 'rendered'], [before, interactive, 'click → marked']);
    }
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    return { rendered, interactive, clickToMark: interactive - before, ...timing };
  } finally {
    await context.close();
  }
}

const results: Run[] = [];
const loads: string[] = [];
try {
  await oneRun(); // a warm-up: the server's first answers and Chromium's first start are not what a reviewer waits for
  for (let n = 0; n < runs; n++) {
    results.push(await oneRun());
    loads.push(loadavg()[0]!.toFixed(2));
  }
} finally {
  await browser.close();
  server.close();
  server.closeAllConnections();
  await database.destroy();
  await benchDb.drop();
  await emulator.close();
}

const ms = (x: number) => `${Math.round(x)} ms`;
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const p50 = (xs: number[]) => sorted(xs)[Math.floor((xs.length - 1) / 2)]!;
const max = (xs: number[]) => sorted(xs).at(-1)!;
console.log(
  `review page, ${TURNS} turns over ${MINUTES} min, ${QUESTIONS} questions, complete scorecard; Chromium 1440×900, ` +
    `cold cache, local API; ${runs} runs (after a warm-up), 1-min load average after each: ${loads.join(', ')}`,
);
console.log(`  web app: ${dist}${devBuild ? ' — a DEVELOPMENT build (React dev mode): not what production serves; --build' : ''}`);
const row = (label: string, pick: (r: Run) => number, goal: string) => {
  const xs = results.map(pick);
  console.log(
    `  ${label.padEnd(34)} p50 ${ms(p50(xs)).padStart(8)}  max ${ms(max(xs)).padStart(8)}  [${xs.map(ms).join(', ')}]  ${goal}`,
  );
};
row('rendered (last turn + scorecard)', (r) => r.rendered, 'goal ≤ 1 s');
row('interactive (quote click marked)', (r) => r.interactive, 'goal ≤ 1 s');
console.log('  where the time goes (from the start of the navigation):');
row('  app scripts loaded', (r) => r.scripts, '');
row('  first API request sent', (r) => r.apiFirst, '');
row('  last API answer in', (r) => r.apiLast, '');
row('  long tasks (main thread > 50 ms)', (r) => r.longTasks, 'total');
row('  click → turn marked', (r) => r.clickToMark, 'incl. Playwright actionability');
if (values.timeline) {
  console.log('  the last run, in order (start → end, ms from the start of the navigation):');
  for (const [from, to, what] of timeline) console.log(`    ${ms(from).padStart(8)} → ${ms(to).padStart(8)}  ${what}`);
}
process.exit(0);
