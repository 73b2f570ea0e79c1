import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeSandbox } from '../../api/coding/node-sandbox.ts';
import { NotRunnableError, rerunCode } from '../../api/coding/rerun.ts';
import { createSandbox, cpuWallAllowance, type SandboxWorker, type WorkerReply } from '../../shared/coding/engines/sandbox.ts';
import type { CodingProblem, CodingTest } from '../../shared/coding/coding.schema.ts';
import { runLimits } from '../../shared/coding/coding.schema.ts';

// The real engines (Pyodide, QuickJS, PGlite) in real worker threads, as the server's re-run uses them. One sandbox
// per language is shared by the file (loading Pyodide and PGlite takes seconds): that costs no isolation, since every
// test runs in a fresh namespace / runtime / database, and a stopped test restarts its worker.

// A secret of the server's: no candidate code may read it.
process.env.CODING_SANDBOX_SECRET = 'hunter2-sandbox';
const python = createNodeSandbox('PYTHON');
const javascript = createNodeSandbox('JAVASCRIPT');
const sql = createNodeSandbox('SQL');

beforeAll(() => {
  python.warm();
  javascript.warm();
  sql.warm();
});
afterAll(() => {
  python.close();
  javascript.close();
  sql.close();
});

const call = (name: string, args: unknown[], expected: unknown, visible = true): CodingTest => ({
  name,
  visible,
  args: args as CodingTest['args'],
  expected: expected as CodingTest['expected'],
});

/** A probe's "result" is whatever the attempt produced; each test then says what it must not be. */
const probe = (kind: string) => call(kind, [kind], 'contained');

// A runaway test is stopped at the limit: its result says so. How long the stop takes on the wall clock is not
// asserted (a busy machine stretches it; a loop that is never stopped fails the test by its own timeout instead).

const orders = {
  entry: null,
  sqlSetup: `create table orders (id int primary key, customer text not null, total numeric(10, 2) not null);
insert into orders values (1, 'ada', 12.50), (2, 'bob', 3), (3, 'ada', 7.25);`,
};
const totalRows = [
  { customer: 'ada', spent: 19.75, orders: 2 },
  { customer: 'bob', spent: 3, orders: 1 },
];
const totals: CodingTest = { name: 'totals', visible: true, expected: totalRows };

// First, so that the workers these tests terminate are replaced while the other languages' tests run.
describe('runaway code', () => {
  it('Python: while True: pass is stopped at the limit', async () => {
    const problem = { entry: 'add', sqlSetup: null };
    const code = 'def add(a, b):\n    if a == 1:\n        while True:\n            pass\n    return a + b\n';
    const [warm] = await python.runTests({ problem, code, tests: [call('warm', [2, 3], 5)] });
    expect(warm?.passed).toBe(true);
    const [loop] = await python.runTests({ problem, code, tests: [call('loop', [1, 2], 3)] });
    expect(loop).toMatchObject({ passed: false, timedOut: true, durationMs: runLimits.testTimeMs });
    // The next Python test (below) runs on the worker that replaced this one.
  });

  it('SQL: a recursive CTE without end is stopped at the limit', async () => {
    const code = 'with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r';
    const [warm] = await sql.runTests({
      problem: orders,
      code: 'select 1',
      tests: [{ name: 'warm', visible: true, expected: [{ '?column?': 1 }] }],
    });
    expect(warm?.passed).toBe(true);
    const [loop] = await sql.runTests({ problem: orders, code, tests: [totals] });
    expect(loop).toMatchObject({ passed: false, timedOut: true, durationMs: runLimits.testTimeMs });
  });
});

describe('JavaScript (QuickJS)', () => {
  const problem = { entry: 'twoSum', sqlSetup: null };
  const tests = [call('pair', [[2, 7, 11, 15], 9], [0, 1]), call('later pair', [[3, 2, 4], 6], [1, 2])];

  it('passes a correct solution, fails a wrong one, captures console.log', async () => {
    const right = await javascript.runTests({
      problem,
      code: `function twoSum(nums, target) {
  const seen = new Map();
  for (let i = 0; i < nums.length; i++) {
    if (seen.has(target - nums[i])) return [seen.get(target - nums[i]), i];
    seen.set(nums[i], i);
  }
  console.log('no pair', { target });
}`,
      tests: [...tests, call('none', [[1], 5], null)],
    });
    expect(right.map((r) => r.passed)).toEqual([true, true, false]);
    expect(right[2]).toMatchObject({ output: 'no pair {"target":5}\n' });
    const wrong = await javascript.runTests({ problem, code: 'const twoSum = () => [0, 0];', tests });
    expect(wrong.map((r) => r.passed)).toEqual([false, false]);
  });

  it('has no fetch, XMLHttpRequest, process, require or node: imports', async () => {
    const [globals, imported] = await javascript.runTests({
      problem: { entry: 'probe', sqlSetup: null },
      code: `async function probe(kind) {
  if (kind === 'globals') return [typeof fetch, typeof XMLHttpRequest, typeof process, typeof require, typeof WebSocket].join();
  const fs = await import('node:fs');
  return fs.readFileSync('/etc/passwd', 'utf8');
}`,
      tests: [probe('globals'), probe('import')],
    });
    expect(globals?.actual).toBe('"undefined,undefined,undefined,undefined,undefined"');
    expect(imported).toMatchObject({ passed: false, actual: null });
    expect(imported?.error).toMatch(/could not load module 'node:fs'/);
  });

  it('stops for(;;){} within the limit, fails unbounded allocation, and runs the next test', async () => {
    const code = `function twoSum(nums, target) {
  if (target === 0) for (;;) {}
  if (target === 1) { const all = []; for (;;) all.push(new ArrayBuffer(16 * 1024 * 1024)); }
  return [0, 1];
}`;
    const [loop, next] = await javascript.runTests({
      problem,
      code,
      tests: [call('loop', [[1], 0], [0, 1]), call('after', [[2, 7], 9], [0, 1])],
    });
    expect(loop).toMatchObject({ passed: false, timedOut: true });
    expect(next).toMatchObject({ passed: true });
    // The memory limit, apart from the time limit: on a busy machine the allocations may take longer than a test's
    // 2 s, and a test stopped by the clock would say nothing of where memory ends.
    const [memory, after] = await javascript.runTests({
      problem,
      code,
      tests: [call('memory', [[1], 1], [0, 1]), call('after', [[2, 7], 9], [0, 1])],
      limits: { testTimeMs: 60_000, runTimeMs: 120_000 },
    });
    expect(memory?.error).toMatch(/out of memory/);
    expect(after).toMatchObject({ passed: true });
  }, 180_000);
});

describe('the server re-run', () => {
  const problem: CodingProblem = {
    language: 'JAVASCRIPT',
    statement: 'Return the largest number of the list.',
    entry: 'largest',
    starterCode: 'function largest(numbers) {\n}\n',
    sqlSetup: null,
    tests: [
      call('three numbers', [[1, 5, 3]], 5),
      call('negatives', [[-4, -2]], -2),
      call('hidden: one number', [[7]], 7, false),
      call('hidden: long list', [Array.from({ length: 1000 }, (_, i) => i)], 999, false),
    ],
    referenceSolution: 'function largest(numbers) {\n  return Math.max(...numbers);\n}\n',
    hintPolicy: 'on_request',
  };

  it('runs visible and hidden tests in a fresh worker and reports each', async () => {
    // Passes what the candidate could see, fails a hidden test: only the server knows.
    const code =
      'function largest(numbers) {\n  let best = 0;\n  for (const n of numbers) best = Math.max(best, n);\n  return numbers.length < 1000 ? best : null;\n}\n';
    const results = await rerunCode({ problem, code });
    expect(results.map((r) => [r.name, r.passed])).toEqual([
      ['three numbers', true],
      ['negatives', false],
      ['hidden: one number', true],
      ['hidden: long list', false],
    ]);
  });

  it('stops a hidden runaway test and refuses editor-only languages', async () => {
    const results = await rerunCode({
      problem: { ...problem, tests: problem.tests.slice(0, 1).concat(call('hidden loop', [[]], 0, false)) },
      code: 'function largest(numbers) { while (numbers.length === 0) {} return Math.max(...numbers); }',
    });
    expect(results.map((r) => [r.passed, r.timedOut])).toEqual([
      [true, false],
      [false, true],
    ]);
    await expect(rerunCode({ problem: { ...problem, language: 'JAVA' }, code: 'class A {}' })).rejects.toBeInstanceOf(
      NotRunnableError,
    );
  });
});

describe("the server's clock", () => {
  it("a server test's time is its worker thread's CPU time, never more than the wall's", async () => {
    const problem = { entry: 'spin', sqlSetup: null };
    const code = 'def spin(n):\n    s = 0\n    for i in range(n):\n        s += i\n    return n\n';
    const began = performance.now();
    const [spun] = await python.runTests({ problem, code, tests: [call('spin', [300_000], 300_000)] });
    const wall = performance.now() - began;
    expect(spun).toMatchObject({ passed: true, timedOut: false });
    expect(spun!.durationMs).toBeGreaterThan(0);
    expect(spun!.durationMs).toBeLessThanOrEqual(Math.ceil(wall));
  });

  // The host's rule on its own, with a worker that answers as told: whether a real thread is kept off the CPU
  // depends on the machine's load, which no test controls. The real workers' clock is the one above.
  const scripted = (answer: { afterMs: number; candidateMs: number } | 'never') => {
    let listener: (reply: WorkerReply) => void = () => {};
    const worker: SandboxWorker = {
      post(request) {
        queueMicrotask(() => {
          listener({ type: 'started', id: request.id });
          if (answer === 'never') return;
          const result = { name: request.test.name, passed: true, actual: '1', output: '', error: null, timedOut: false, durationMs: 0 };
          setTimeout(() => listener({ type: 'result', id: request.id, result, candidateMs: answer.candidateMs }), answer.afterMs);
        });
      },
      onReply: (l) => (listener = l),
      onExit: () => {},
      terminate: () => {},
    };
    return worker;
  };
  const run = async (clock: 'cpu' | 'wall', answer: Parameters<typeof scripted>[0]) => {
    const sandbox = createSandbox('PYTHON', () => scripted(answer), { clock });
    try {
      const [result] = await sandbox.runTests({ problem: { entry: 'f', sqlSetup: null }, code: '', tests: [call('t', [], 1)], limits: { testTimeMs: 100 } });
      return result;
    } finally {
      sandbox.close();
    }
  };

  it('on the CPU clock: a test kept off the CPU passes, one that used more than its limit is stopped, a hang ends at the allowance', async () => {
    // 250 ms on the wall, 40 ms of CPU: in time on the CPU clock, over on the wall's.
    expect(await run('cpu', { afterMs: 250, candidateMs: 40 })).toMatchObject({ passed: true, timedOut: false, durationMs: 0 });
    expect(await run('wall', { afterMs: 250, candidateMs: 40 })).toMatchObject({ passed: false, timedOut: true, durationMs: 100 });
    expect(await run('cpu', { afterMs: 10, candidateMs: 150 })).toMatchObject({ passed: false, timedOut: true, durationMs: 100 });
    const began = performance.now();
    expect(await run('cpu', 'never')).toMatchObject({ passed: false, timedOut: true, durationMs: 100 });
    expect(performance.now() - began).toBeGreaterThanOrEqual(100 * cpuWallAllowance - 1);
  });
});

describe('Python (Pyodide)', () => {
  const problem = { entry: 'add', sqlSetup: null };

  it('passes a correct solution, fails a wrong one, captures print() and reports errors', async () => {
    const tests = [call('small', [1, 2], 3), call('negative', [-1, -2], -3)];
    const right = await python.runTests({
      problem,
      code: 'def add(a, b):\n    print("adding", a, b)\n    return a + b\n',
      tests,
    });
    expect(right.map((r) => r.passed)).toEqual([true, true]);
    expect(right[0]).toMatchObject({ actual: '3', output: 'adding 1 2\n', error: null, timedOut: false });

    const wrong = await python.runTests({ problem, code: 'def add(a, b):\n    return a - b\n', tests });
    expect(wrong.map((r) => r.passed)).toEqual([false, false]);
    expect(wrong[0]?.actual).toBe('-1');

    const [broken] = await python.runTests({
      problem,
      code: 'def add(a, b)\n    return a + b\n',
      tests: tests.slice(0, 1),
    });
    expect(broken?.error).toMatch(/SyntaxError/);
    const [missing] = await python.runTests({
      problem,
      code: 'def plus(a, b):\n    return a + b\n',
      tests: tests.slice(0, 1),
    });
    expect(missing?.error).toMatch(/add\(\) is not defined/);
    // input() has no one to ask: it ends at once instead of waiting on the server's standard input.
    const [asks] = await python.runTests({
      problem,
      code: 'def add(a, b):\n    return int(input())\n',
      tests: tests.slice(0, 1),
    });
    expect(asks?.error).toMatch(/EOFError/);
  });

  it('keeps the network, the file system and JavaScript out of reach', async () => {
    const code = `
import pyodide_js
def add(kind):
    try:
        if kind == 'file':
            return open('/etc/passwd').read()
        if kind == 'environ':
            import os
            return dict(os.environ)
        if kind == 'listing':
            import os
            return os.listdir('/')
        if kind == 'socket':
            import socket
            s = socket.socket()
            s.connect(('1.1.1.1', 80))
            return 'connected'
        if kind == 'urllib':
            import urllib.request
            return str(urllib.request.urlopen('http://1.1.1.1/', timeout=1).read())
        if kind == 'js':
            import js
            return str(js.process)
        if kind == 'mount':
            pyodide_js.mountNodeFS('/host', '/etc')
            return open('/host/passwd').read()
        if kind == 'globals':
            return pyodide_js.constructor.constructor('return [typeof process, typeof require, typeof fetch, typeof XMLHttpRequest, typeof WebSocket].join()')()
        if kind == 'import':
            pyodide_js.constructor.constructor('import("node:fs").then(m => { globalThis.probe = m.readFileSync("/etc/passwd", "utf8") }, e => { globalThis.probe = "refused: " + e.message })')()
            return 'started'
        if kind == 'imported':
            return pyodide_js.constructor.constructor('return globalThis.probe')()
    except BaseException as e:
        return f'{type(e).__name__}: {e}'
`;
    const kinds = ['file', 'environ', 'listing', 'socket', 'urllib', 'js', 'mount', 'globals', 'import', 'imported'];
    const results = await python.runTests({
      problem: { entry: 'add', sqlSetup: null },
      code,
      tests: kinds.map(probe),
      // Importing urllib from the zipped standard library takes a while on a busy machine; this test is about where
      // the attempts end, not how fast.
      limits: { testTimeMs: 15_000, runTimeMs: 60_000 },
    });
    const actual = Object.fromEntries(results.map((r) => [r.name, r.actual === null ? r.error : JSON.parse(r.actual)]));
    expect(actual.file).toMatch(/FileNotFoundError/);
    expect(actual.listing).toEqual(expect.not.arrayContaining(['etc', 'root', 'work']));
    expect(actual.socket).toMatch(/OSError/);
    expect(actual.urllib).toMatch(/URLError|OSError|Error/);
    expect(actual.js).toMatch(/AttributeError/);
    expect(actual.mount).toMatch(/TypeError/);
    expect(actual.globals).toBe('undefined,undefined,undefined,undefined,undefined');
    expect(actual.imported).toMatch(/^refused: Import refused in the sandbox: node:fs/);
    expect(actual.environ).toMatchObject({ HOME: '/home/pyodide' });
    for (const value of Object.values(actual)) expect(JSON.stringify(value)).not.toMatch(/root:x:0|hunter2-sandbox/);
  });

  it('turns unbounded allocation into MemoryError and runs the next test in the same interpreter', async () => {
    const [memory] = await python.runTests({
      problem,
      code: 'def add(a, b):\n    x = []\n    while True:\n        x.append(" " * 10**6)\n',
      tests: [call('memory', [1, 2], 3)],
      // Where memory ends, not how fast it gets there: a busy machine may take longer than a test's 2 s.
      limits: { testTimeMs: 60_000, runTimeMs: 120_000 },
    });
    expect(memory?.error).toMatch(/MemoryError/);
    const [after] = await python.runTests({
      problem,
      code: 'def add(a, b):\n    return a + b\n',
      tests: [call('after', [2, 3], 5)],
    });
    expect(after).toMatchObject({ passed: true });
  }, 180_000);
});

describe('SQL (PGlite)', () => {
  const problem = orders;

  it('compares rows in or out of order; each test gets a fresh database with its own rows', async () => {
    const code =
      'select customer, sum(total) as spent, count(*) as orders from orders group by customer order by spent desc;';
    const withCarol: CodingTest = {
      name: 'with carol',
      visible: false,
      setup: "insert into orders values (4, 'carol', 100)",
      ordered: true,
      expected: [{ customer: 'carol', spent: 100, orders: 1 }, ...totalRows],
    };
    const results = await sql.runTests({ problem, code, tests: [withCarol, totals] });
    // The second test does not see the first one's row.
    expect(results.map((r) => r.passed)).toEqual([true, true]);

    const unordered = await sql.runTests({
      problem,
      code: code.replace('desc', 'asc'),
      tests: [totals, { ...totals, ordered: true }],
    });
    expect(unordered.map((r) => r.passed)).toEqual([true, false]);
    const [wrong] = await sql.runTests({ problem, code: 'select customer from orders', tests: [totals] });
    expect(wrong).toMatchObject({ passed: false, error: null });
    const [broken] = await sql.runTests({ problem, code: 'select nope from orders', tests: [totals] });
    expect(broken?.error).toMatch(/column "nope" does not exist/);
  });

  it('one database for the tests of a run, reset between them: no table, row, sequence value or prepared statement leaks into the next test, even after a COMMIT', async () => {
    const problem = {
      entry: null,
      sqlSetup: `create table tickets (id serial primary key, title text not null);
insert into tickets (title) values ('first'), ('second');`,
    };
    const test = (name: string, expected: CodingTest['expected']): CodingTest => ({
      name,
      visible: true,
      ordered: true,
      expected,
    });
    // The set-up's sequence continues where Postgres logged it (ahead of the rows, as after a restart): asked once.
    const [probe] = await sql.runTests({
      problem,
      code: "select nextval('tickets_id_seq') as id",
      tests: [test('probe', [])],
    });
    const next = JSON.parse(probe!.actual!)[0].id as number;
    expect(next).toBeGreaterThan(2);
    // Each test leaves something behind the way a candidate's query can, and checks that the one before left nothing.
    const steps: { code: string; expected: CodingTest['expected'] }[] = [
      {
        code: `create table leak (x int); insert into leak values (1);
insert into tickets (title) values ('third') returning id;`,
        expected: [{ id: next }],
      },
      {
        code: `select (select count(*) from pg_tables where tablename = 'leak') as leaks,
       (select count(*) from tickets) as tickets,
       nextval('tickets_id_seq') as next_id;`,
        expected: [{ leaks: 0, tickets: 2, next_id: next }],
      },
      // A COMMIT ends the test's transaction: what follows it cannot be rolled back, so this database is dropped.
      {
        code: `commit; create table committed_leak (x int); prepare p as select 1 as n; execute p;`,
        expected: [{ n: 1 }],
      },
      {
        code: `prepare p as select (select count(*) from pg_tables where tablename in ('leak', 'committed_leak')) as leaks;
execute p;`,
        expected: [{ leaks: 0 }],
      },
      {
        code: `create temporary table scratch (x int); set search_path = nowhere; select 1 as n;`,
        expected: [{ n: 1 }],
      },
      {
        code: `select (select count(*) from pg_tables where tablename = 'scratch') as scratch,
       current_setting('search_path') as path, (select count(*) from public.tickets) as tickets;`,
        expected: [{ scratch: 0, path: 'public', tickets: 2 }],
      },
    ];
    for (const [i, step] of steps.entries()) {
      const [result] = await sql.runTests({ problem, code: step.code, tests: [test(`step ${i}`, step.expected)] });
      expect(result, `step ${i}: ${step.code} → ${result?.actual}`).toMatchObject({ passed: true, error: null });
    }
    // The same within one run of several tests, where the database is shared for certain.
    const run = await sql.runTests({
      problem,
      code: `insert into tickets (title) values ('again') returning id;`,
      tests: [test('a', [{ id: next }]), test('b', [{ id: next }]), test('c', [{ id: next }])],
    });
    expect(run.map((r) => r.passed)).toEqual([true, true, true]);
  });

  it('reaches neither files, programs nor other servers', async () => {
    const marker = path.join(mkdtempSync(path.join(tmpdir(), 'sql-sandbox-')), 'pwned');
    const attempts = [
      "select pg_read_file('/etc/passwd') as f",
      "select lo_import('/etc/passwd') as f",
      `create table loot (line text); copy (select 1) to program 'touch ${marker}';
       copy loot from program 'cat /etc/passwd'; select line as f from loot`,
      // No extension but those PGlite bundles can be created: no dblink, postgres_fdw or file_fdw.
      "create extension dblink; select * from dblink('host=127.0.0.1', 'select 1') as t(f int)",
    ];
    for (const code of attempts) {
      const [result] = await sql.runTests({ problem, code, tests: [{ name: code, visible: true, expected: [] }] });
      expect(result?.actual ?? '', code).not.toMatch(/root:x:0/);
      expect(result?.passed, code).toBe(false);
    }
    expect(existsSync(marker)).toBe(false);
  });
});
