import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodingTest, RunnableLanguage, TestResult } from '../../shared/coding/coding.schema.ts';
import { runLimits } from '../../shared/coding/coding.schema.ts';
import { bankProblems } from '../../shared/question-bank-coding.ts';
import type { RunRequest } from '../../shared/coding/engines/sandbox.ts';
import { launchBrowser } from './support/browser.ts';

// The candidate's Run in real Chromium: shared/coding/engines/browser-worker.ts bundled by Vite into a Web Worker,
// Pyodide, QuickJS and PGlite fetched from the build, a runaway test stopped by terminating the worker. A second
// local server counts requests: code that tries the network must not reach it.

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = path.join(root, 'test/web/fixtures/coding-sandbox');
const types: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

let browser: Browser;
let page: Page;
let site: http.Server;
let target: http.Server;
let targetHits = 0;
let targetUrl = '';

async function listen(server: http.Server) {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

beforeAll(async () => {
  const dist = mkdtempSync(path.join(tmpdir(), 'coding-sandbox-'));
  await build({
    root: fixture,
    configFile: false,
    logLevel: 'error',
    build: { outDir: dist, emptyOutDir: true, target: 'es2022' },
    worker: { format: 'es' },
  });
  // Pyodide loads its runtime, standard library and lock file from one folder (its indexURL).
  mkdirSync(path.join(dist, 'pyodide'));
  for (const file of ['pyodide.asm.mjs', 'pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json']) {
    copyFileSync(path.join(root, 'node_modules/pyodide', file), path.join(dist, 'pyodide', file));
  }
  site = http.createServer((req, res) => {
    const file = path.join(dist, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const name = file.endsWith('/') ? path.join(file, 'index.html') : file;
    try {
      const body = readFileSync(name);
      res.writeHead(200, { 'content-type': types[path.extname(name)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  target = http.createServer((_req, res) => {
    targetHits++;
    res.writeHead(200, { 'access-control-allow-origin': '*' }).end('reached');
  });
  const siteUrl = await listen(site);
  targetUrl = await listen(target);
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.goto(siteUrl);
  await page.waitForFunction(() => 'sandboxes' in globalThis);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  site?.close();
  target?.close();
});

async function run(language: RunnableLanguage, request: RunRequest): Promise<{ results: TestResult[]; ms: number }> {
  // The request crosses into the page as JSON text (its JSON-typed fields are too deep for Playwright's types).
  const outcome = await page.evaluate(
    async ({ language, request }) => {
      const { sandboxes } = globalThis as unknown as {
        sandboxes: { runTests(l: string, r: unknown): Promise<unknown> };
      };
      const began = performance.now();
      const results = await sandboxes.runTests(language, JSON.parse(request));
      return JSON.stringify({ results, ms: performance.now() - began });
    },
    { language, request: JSON.stringify(request) },
  );
  return JSON.parse(outcome);
}

const call = (name: string, args: unknown[], expected: unknown): CodingTest => ({
  name,
  visible: true,
  args: args as CodingTest['args'],
  expected: expected as CodingTest['expected'],
});
const add = { entry: 'add', sqlSetup: null };

describe('coding sandboxes in the browser', () => {
  it('runs Python, keeps it off the network, stops a runaway loop at the limit and runs the next test', async () => {
    const first = await run('PYTHON', {
      problem: add,
      code: 'def add(a, b):\n    print("adding")\n    return a + b\n',
      tests: [call('right', [1, 2], 3), call('wrong', [1, 2], 4)],
    });
    expect(first.results.map((r) => r.passed)).toEqual([true, false]);
    expect(first.results[0]?.output).toBe('adding\n');

    const code = `import pyodide_js
def add(kind, _):
    try:
        if kind == 'globals':
            return pyodide_js.constructor.constructor('return [typeof fetch, typeof XMLHttpRequest, typeof WebSocket, typeof importScripts].join()')()
        from pyodide.http import open_url
        return open_url('${targetUrl}').read()
    except BaseException as e:
        return f'{type(e).__name__}: {e}'
`;
    const network = await run('PYTHON', {
      problem: add,
      code,
      tests: [call('globals', ['globals', 0], ''), call('open_url', ['open_url', 0], '')],
    });
    expect(network.results[0]?.actual).toBe('"undefined,undefined,undefined,undefined"');
    expect(network.results[1]?.actual).toMatch(/Error/);
    expect(targetHits).toBe(0);

    const loop = await run('PYTHON', {
      problem: add,
      code: 'def add(a, b):\n    while True:\n        pass\n',
      tests: [call('loop', [1, 2], 3)],
    });
    expect(loop.results[0]).toMatchObject({ passed: false, timedOut: true, durationMs: runLimits.testTimeMs });
    expect(loop.ms).toBeLessThan(runLimits.testTimeMs + 1_500);
    const after = await run('PYTHON', {
      problem: add,
      code: 'def add(a, b):\n    return a + b\n',
      tests: [call('after', [2, 3], 5)],
    });
    expect(after.results[0]?.passed).toBe(true);
  });

  it('runs JavaScript in QuickJS and stops for(;;){}', async () => {
    const { results } = await run('JAVASCRIPT', {
      problem: add,
      code: `function add(a, b) {
  if (a === 0) for (;;) {}
  console.log(typeof fetch, typeof XMLHttpRequest);
  return a + b;
}`,
      tests: [call('loop', [0, 1], 1), call('sum', [1, 2], 3)],
    });
    expect(results[0]).toMatchObject({ passed: false, timedOut: true });
    expect(results[1]).toMatchObject({ passed: true, output: 'undefined undefined\n' });
  });

  it('runs SQL in PGlite against the problem’s data and stops a recursive CTE without end', async () => {
    const problem = {
      entry: null,
      sqlSetup: "create table t (id int primary key, name text); insert into t values (1, 'a'), (2, 'b');",
    };
    const rows = await run('SQL', {
      problem,
      code: 'select id, name from t',
      tests: [
        {
          name: 'rows',
          visible: true,
          expected: [
            { id: 2, name: 'b' },
            { id: 1, name: 'a' },
          ],
        },
      ],
    });
    expect(rows.results[0]?.passed).toBe(true);
    const loop = await run('SQL', {
      problem,
      code: 'with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r',
      tests: [{ name: 'loop', visible: true, expected: [] }],
    });
    expect(loop.results[0]).toMatchObject({ passed: false, timedOut: true, durationMs: runLimits.testTimeMs });
  });

  it('runs the bank’s SQL problems as a candidate does: the starter query, a refused one, then the reference passes', async () => {
    for (const problem of bankProblems('SQL', 'en')) {
      const request = (code: string) => ({ problem: { entry: null, sqlSetup: problem.sqlSetup }, code, tests: problem.tests });
      const starter = await run('SQL', request(problem.starterCode));
      expect(starter.results.map((r) => r.passed)).toEqual(problem.tests.map(() => false));
      const refused = await run('SQL', request('select nonsense from payments;\n'));
      expect(refused.results.map((r) => r.passed)).toEqual(problem.tests.map(() => false));
      const reference = await run('SQL', request(problem.referenceSolution!));
      expect(reference.results, problem.statement).toEqual(
        problem.tests.map((t) => expect.objectContaining({ name: t.name, passed: true, error: null })),
      );
    }
  });
});
