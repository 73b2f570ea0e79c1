// Figures for the coding sandboxes (issue 19): what the browser downloads for each engine (raw, gzip, brotli), how
// long Pyodide takes to load and to run a test in Node (cold and warm), and the server re-run's time per test per
// language (a warm worker, and a whole re-run as api/coding/rerun.ts does it: a fresh worker per call), and the bytes
// per minute of code events a typing session sends (bench/code-events.ts), and a correct solution's verdict in the
// server's re-run while the machine is busy, with the limit on the thread's CPU clock and on the wall's.
// Run it alone (the machine's other work skews it): flock /tmp/heavy.lock -c 'npm run bench:coding'
// (`npm run bench:coding -- --sizes` prints only the sizes and the code events' bytes, which need no quiet machine.)
import { readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { createNodeSandbox } from '../api/coding/node-sandbox.ts';
import { printCodeEventTraffic } from './code-events.ts';
import { rerunCode } from '../api/coding/rerun.ts';
import type { CodingProblem, CodingTest, RunnableLanguage } from '../shared/coding/coding.schema.ts';
import { defaultLimits } from '../shared/coding/engines/engine.ts';
import { loadPythonEngine } from '../shared/coding/engines/python.ts';

const modules = fileURLToPath(new URL('../node_modules/', import.meta.url));
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

console.log('## What the browser downloads per engine (fetched once, then cached)\n');
const assets: Record<string, string[]> = {
  'Python (Pyodide)': [
    'pyodide/pyodide.mjs',
    'pyodide/pyodide.asm.mjs',
    'pyodide/pyodide.asm.wasm',
    'pyodide/python_stdlib.zip',
    'pyodide/pyodide-lock.json',
  ],
  'JavaScript (QuickJS)': [
    '@jitl/quickjs-wasmfile-release-sync/dist/emscripten-module.browser.mjs',
    '@jitl/quickjs-wasmfile-release-sync/dist/emscripten-module.wasm',
  ],
  'SQL (PGlite)': [
    '@electric-sql/pglite/dist/pglite.wasm',
    '@electric-sql/pglite/dist/initdb.wasm',
    '@electric-sql/pglite/dist/pglite.data',
  ],
};
for (const [engine, files] of Object.entries(assets)) {
  const sizes = files.map((file) => {
    const raw = readFileSync(path.join(modules, file));
    const gzip = gzipSync(raw, { level: 9 }).length;
    const br = brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    return { file: path.basename(file), raw: statSync(path.join(modules, file)).size, gzip, br };
  });
  const total = sizes.reduce((sum, s) => ({ raw: sum.raw + s.raw, gzip: sum.gzip + s.gzip, br: sum.br + s.br }), {
    raw: 0,
    gzip: 0,
    br: 0,
  });
  console.log(`${engine}: ${kb(total.raw)} raw, ${kb(total.gzip)} gzip, ${kb(total.br)} brotli`);
  for (const s of sizes)
    console.log(`  ${s.file.padEnd(32)} ${kb(s.raw).padStart(9)} ${kb(s.gzip).padStart(9)} ${kb(s.br).padStart(9)}`);
}
console.log(
  '  (The JavaScript glue is bundled by Vite into the worker chunk in the browser; counted here as shipped.)',
);

console.log('');
printCodeEventTraffic();

// `--sizes` stops here: the sizes need no quiet machine.
if (process.argv.includes('--sizes')) process.exit(0);

console.log('\n## Pyodide in Node, in this thread\n');
let began = performance.now();
const python = await loadPythonEngine();
const coldLoad = performance.now() - began;
const add: CodingTest = { name: 'add', visible: true, args: [2, 3], expected: 5 };
const request = {
  problem: { entry: 'add', sqlSetup: null },
  code: 'def add(a, b):\n    return a + b\n',
  test: add,
  limits: defaultLimits,
  onStart: () => undefined,
  clock: () => performance.now(),
};
began = performance.now();
await python.runTest(request);
const firstRun = performance.now() - began;
const warmRuns: number[] = [];
for (let i = 0; i < 20; i++) {
  began = performance.now();
  await python.runTest(request);
  warmRuns.push(performance.now() - began);
}
console.log(
  `cold load ${coldLoad.toFixed(0)} ms; first test ${firstRun.toFixed(1)} ms; warm test median ${median(warmRuns).toFixed(1)} ms`,
);
console.log(`time to first Run, cold: ${(coldLoad + firstRun).toFixed(0)} ms; warm: ${median(warmRuns).toFixed(1)} ms`);

console.log('\n## The server re-run, per language (worker threads, with the limits)\n');
const tests = (n: number, make: (i: number) => CodingTest) => Array.from({ length: n }, (_, i) => make(i));
const problems: Record<RunnableLanguage, { problem: CodingProblem; code: string }> = {
  PYTHON: {
    problem: problem(
      'PYTHON',
      'add',
      null,
      tests(10, (i) => ({ name: `t${i}`, visible: i < 3, args: [i, i], expected: 2 * i })),
    ),
    code: 'def add(a, b):\n    return a + b\n',
  },
  JAVASCRIPT: {
    problem: problem(
      'JAVASCRIPT',
      'add',
      null,
      tests(10, (i) => ({ name: `t${i}`, visible: i < 3, args: [i, i], expected: 2 * i })),
    ),
    code: 'function add(a, b) { return a + b; }',
  },
  SQL: {
    problem: problem(
      'SQL',
      null,
      "create table t (id int primary key, name text); insert into t select g, 'n' || g from generate_series(1, 100) g;",
      tests(10, (i) => ({
        name: `t${i}`,
        visible: i < 3,
        setup: `insert into t values (${1000 + i}, 'extra')`,
        expected: [{ n: 101 }],
      })),
    ),
    code: 'select count(*) as n from t',
  },
};
for (const [language, { problem: p, code }] of Object.entries(problems) as [
  RunnableLanguage,
  (typeof problems)['PYTHON'],
][]) {
  const sandbox = createNodeSandbox(language);
  began = performance.now();
  const [first] = await sandbox.runTests({ problem: p, code, tests: p.tests.slice(0, 1) });
  const load = performance.now() - began;
  began = performance.now();
  const warm = await sandbox.runTests({ problem: p, code, tests: p.tests });
  const warmTotal = performance.now() - began;
  sandbox.close();
  began = performance.now();
  const rerun = await rerunCode({ problem: p, code });
  const rerunTotal = performance.now() - began;
  const passed = [first, ...warm, ...rerun].every((r) => r?.passed);
  console.log(
    `${language.padEnd(10)} worker start + load ${load.toFixed(0)} ms; warm ${(warmTotal / p.tests.length).toFixed(1)} ms/test; ` +
      `rerunCode (fresh worker, ${p.tests.length} tests) ${rerunTotal.toFixed(0)} ms = ${(rerunTotal / p.tests.length).toFixed(0)} ms/test` +
      (passed ? '' : '  (SOME TESTS FAILED)'),
  );
}

console.log('\n## The server re-run on a busy machine (the limit on the CPU clock, and on the wall as before)\n');
{
  // A correct solution that needs about 60 % of a test's limit of CPU when the machine is idle, run while twice as
  // many threads as there are cores spin: on the wall it takes longer than the limit, on the thread's CPU it does not.
  const spin = (n: number) => problem('PYTHON', 'spin', null, [{ name: 'spin', visible: true, args: [n], expected: n }]);
  const code = 'def spin(n):\n    s = 0\n    for i in range(n):\n        s += i\n    return n\n';
  const sandbox = createNodeSandbox('PYTHON');
  const probe = 1_000_000;
  await sandbox.runTests({ problem: spin(probe), code, tests: spin(probe).tests });
  const [idle] = await sandbox.runTests({ problem: spin(probe), code, tests: spin(probe).tests });
  const n = Math.round((probe * defaultLimits.testTimeMs * 0.6) / Math.max(1, idle!.durationMs));
  const calibrated = await sandbox.runTests({ problem: spin(n), code, tests: spin(n).tests });
  sandbox.close();
  console.log(`idle: range(${n}) takes ${calibrated[0]!.durationMs} ms of CPU (limit ${defaultLimits.testTimeMs} ms)`);
  const spinners = Array.from({ length: 2 * availableParallelism() }, () => new Worker('for (;;) {}', { eval: true }));
  try {
    for (const clock of ['cpu', 'wall'] as const) {
      const busy = createNodeSandbox('PYTHON', { clock });
      await busy.runTests({ problem: spin(1), code, tests: spin(1).tests });
      began = performance.now();
      const [result] = await busy.runTests({ problem: spin(n), code, tests: spin(n).tests });
      const wall = performance.now() - began;
      busy.close();
      console.log(
        `${spinners.length} busy threads, limit on the ${clock === 'cpu' ? "thread's CPU" : "wall's"} clock: ` +
          `${result!.passed ? 'passed' : `failed (${result!.error})`}; ${result!.durationMs} ms counted, ${wall.toFixed(0)} ms on the wall`,
      );
    }
  } finally {
    await Promise.all(spinners.map((w) => w.terminate()));
  }
}

function problem(
  language: RunnableLanguage,
  entry: string | null,
  sqlSetup: string | null,
  list: CodingTest[],
): CodingProblem {
  return {
    language,
    statement: 'A benchmark problem.',
    entry,
    starterCode: '',
    sqlSetup,
    tests: list,
    referenceSolution: null,
    hintPolicy: 'none',
  };
}
