// The candidate's pages on a slow mobile line: Chromium (playwright-core) with CDP network emulation (400 kbps down
// and up, 300 ms latency, a fresh cache each run) against the real API, Postgres and LiveKit server. For each run it
// prints, from the start of the navigation to /join/CODE:
//   first readable text   the company's name is on screen: in the page and painted (first contentful paint)
//   join form usable      the phone field and Continue are there and enabled (the app is running)
// and, after the join and the Prepare checks, from the click on Start:
//   interview page        the interview page is on screen (its heading and the interviewer's state)
//   in the room           the page has connected to LiveKit (the state is no longer "connecting")
// No interviewer agent runs: the room is joined, nobody answers.
//
//   node bench/web-slow-network.ts [--runs 3] [--kbps 400] [--latency 300] [--web-root DIR] [--dist DIR] [--no-build]
//
// --web-root serves another checkout's built app with that checkout's static server (api/web/static.ts), the API
// calls still going to this one: `git worktree add /tmp/web-before cb315fe^` then build there, to measure before.
// --dist serves a build other than web/dist (built there unless --no-build), leaving web/dist alone.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Koa from 'koa';
import { chromium, type Page } from 'playwright-core';
import { createApp } from '../api/app.ts';
import { createApiKey } from '../api/auth/api-keys.ts';
import { insertCompany } from '../api/companies/companies.repository.ts';
import { loadApiConfig } from '../api/config.ts';
import type { AppDeps } from '../api/deps.ts';
import { createLiveKitGateway } from '../api/livekit/gateway.ts';
import { roomInfo } from '../api/public/candidate-session.ts';
import type { JoinPreview, PreviewRef } from '../api/web/static.ts';
import { connectDatabase } from '../shared/db/connect.ts';
import { migrateToLatest } from '../shared/db/migrate.ts';
import { createLogger } from '../shared/logger.ts';
import { startLivekit, startPostgres, testLivekit } from '../test/support/services.ts';
import { createBenchDatabase } from './support.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    kbps: { type: 'string', default: '400' },
    latency: { type: 'string', default: '300' },
    'web-root': { type: 'string' },
    dist: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const bytesPerSecond = (Number(values.kbps) * 1000) / 8;
const latencyMs = Number(values.latency);
const root = fileURLToPath(new URL('../', import.meta.url));
const webRoot = values['web-root'] ? path.resolve(values['web-root']) : root;
const dist = values.dist ? path.resolve(values.dist) : path.join(webRoot, 'web/dist');

if (!values['no-build']) {
  execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      'web',
      '--outDir',
      dist,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { cwd: webRoot, stdio: 'inherit' },
  );
}

const postgres = await startPostgres();
const livekit = await startLivekit();
const benchDb = await createBenchDatabase(postgres.url, `bench_web_slow_${process.pid}`);
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
  ROOM_PREFIX: `bench-web-${process.pid}-`,
  AGENT_NAME: `bench-nobody-${process.pid}`,
});
const deps: AppDeps = {
  db: database.db,
  config,
  log: createLogger({ level: 'silent', name: 'bench-web' }),
  livekit: createLiveKitGateway(config.livekit),
  now: () => new Date(),
};
const api = createApp(deps).callback();

// The web app (this checkout's or another's), served by its checkout's static middleware wired as api/app.ts
// wires it (an older one ignores the preview); the API calls go to this API.
const { serveWebApp } = (await import(pathToFileURL(path.join(webRoot, 'api/web/static.ts')).href)) as {
  serveWebApp: (
    dist: string,
    options: { preview: (ref: PreviewRef, ip: string) => Promise<JoinPreview> },
  ) => Koa.Middleware;
};
const web = new Koa().use(serveWebApp(dist, { preview: (ref, ip) => roomInfo(deps, ref, ip) })).callback();
const server = http
  .createServer((req, res) => ((req.url ?? '').startsWith('/v1/') ? api(req, res) : web(req, res)))
  .listen(0, '127.0.0.1');
await once(server, 'listening');
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const company = await insertCompany(database.db, { name: 'Gulf Logistics', defaultPhoneRegion: 'AE' });
const { key } = await createApiKey(database.db, { companyId: company.id, isAdmin: false, name: 'bench' });
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
  competencies: [{ key: 'system_design', name: 'System design', description: 'Designs robust services' }],
});

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
  ],
});

/** performance.now() (ms since the navigation started) when the condition first holds, checked every frame. */
const when = (page: Page, condition: string, timeout = 60_000) =>
  page
    .waitForFunction(`(${condition}) ? performance.now() : false`, undefined, { polling: 'raf', timeout })
    .then((handle) => handle.jsonValue() as Promise<number>);

interface Run {
  readable: number;
  usable: number;
  interviewShown: number;
  inRoom: number;
}

async function oneRun(n: number): Promise<Run> {
  const phone = `+97150${String(1000000 + n).slice(-7)}`;
  const candidate = await hr<{ id: string }>('/v1/candidates', {
    firstName: 'Layla',
    lastName: 'Haddad',
    phone,
    email: `layla${n}@example.com`,
  });
  const interview = await hr<{ roomCode: string }>('/v1/interviews', {
    candidateId: candidate.id,
    jobId: job.id,
    type: 'TECHNICAL',
    maxDurationMinutes: 30,
    notify: false,
  });
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'en-US' });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: latencyMs,
    downloadThroughput: bytesPerSecond,
    uploadThroughput: bytesPerSecond,
  });
  try {
    await page.goto(`${base}/join/${interview.roomCode}`, { waitUntil: 'commit' });
    // In the DOM is not on screen (a stylesheet still loading holds the first paint): readable is the later of the
    // name being in the page and the first contentful paint.
    const inPage = await when(page, `document.body && document.body.innerText.includes('Gulf Logistics')`);
    const firstPaint = await when(
      page,
      `(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || 0`,
    ).then(
      () => page.evaluate(`performance.getEntriesByName('first-contentful-paint')[0].startTime`) as Promise<number>,
    );
    const readable = Math.max(inPage, firstPaint);
    const usable = await when(
      page,
      `(() => { const p = document.querySelector('#phone'); const b = [...document.querySelectorAll('button[type=submit]')].find((x) => !x.disabled);
        return p && !p.disabled && b; })()`,
    );
    await page.fill('#phone', phone);
    const first = page.locator('#first-name');
    // After this change a rejoin may not ask for names; a first join does.
    if (await first.count()) {
      await first.fill('Layla');
      await page.fill('#last-name', 'Haddad');
    }
    await page.locator('button[type=submit]').click();
    const start = page.getByRole('button', { name: 'Start the interview' });
    const allow = page.getByRole('button', { name: 'Allow microphone' });
    const deadline = Date.now() + 60_000;
    while (!(await start.isEnabled().catch(() => false))) {
      if (Date.now() > deadline) throw new Error('Start never became enabled');
      if (await allow.isVisible().catch(() => false)) await allow.click({ timeout: 2_000 }).catch(() => undefined);
      await page.waitForTimeout(50);
    }
    const clicked = await page.evaluate('performance.now()');
    await start.click();
    const interviewShown = await when(page, `document.querySelector('[data-testid="agent-state"]') !== null`);
    const inRoom = await when(
      page,
      `(() => { const s = document.querySelector('[data-testid="agent-state"]'); return s && s.dataset.state !== 'connecting'; })()`,
    );
    return {
      readable,
      usable,
      interviewShown: interviewShown - (clicked as number),
      inRoom: inRoom - (clicked as number),
    };
  } finally {
    await context.close();
  }
}

const results: Run[] = [];
try {
  for (let n = 0; n < runs; n++) results.push(await oneRun(n));
} finally {
  await browser.close();
  server.close();
  server.closeAllConnections();
  await database.destroy();
  await benchDb.drop();
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `candidate pages at ${values.kbps} kbps / ${latencyMs} ms latency (CDP emulation, phone 360×740, cold cache), ` +
    `web app from ${values['web-root'] ?? 'this checkout'} (${dist}); ${runs} runs, median [each run]`,
);
const row = (label: string, pick: (r: Run) => number, goal: string) =>
  console.log(
    `  ${label.padEnd(34)} ${s(median(results.map(pick))).padStart(8)}  [${results.map((r) => s(pick(r))).join(', ')}]  goal ${goal}`,
  );
row('first readable text (company)', (r) => r.readable, '≤ 2 s');
row('join form usable', (r) => r.usable, '≤ 4 s');
row('Start → interview page', (r) => r.interviewShown, '≤ 1 s');
row('Start → connected to the room', (r) => r.inRoom, '-');
process.exit(0);
