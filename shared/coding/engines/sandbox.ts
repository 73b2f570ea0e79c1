import type { CodingProblem, CodingTest, RunnableLanguage, TestResult } from '../coding.schema.ts';
import { type Engine, type RunLimits, cut, defaultLimits, failedResult } from './engine.ts';

// Pyodide and PGlite run synchronously: nothing on their thread can stop `while True: pass`. So every engine runs in
// a worker (a Web Worker in the browser, a worker thread on the server) and the host keeps the clock: when a test
// overruns, the worker is terminated and a new one is started for the next test. This file is both halves of that
// arrangement, free of browser and Node APIs; browser-worker.ts and api/coding/ plug in the real workers.

export type WorkerRequest = {
  type: 'run';
  id: number;
  problem: Pick<CodingProblem, 'entry' | 'sqlSetup'>;
  code: string;
  test: CodingTest;
  limits: RunLimits;
};
export type WorkerReply =
  | { type: 'started'; id: number }
  /** `candidateMs`: from the candidate's code starting to the result, on the worker's clock (`serveTests`). */
  | { type: 'result'; id: number; result: TestResult; candidateMs: number }
  | { type: 'failed'; id: number; error: string };

/**
 * Worker side: starts loading the engine at once (a warm worker is ready when a run comes) and runs requests one at a
 * time. `clock` is what a test's time is counted on: its thread's CPU time where the worker can read it (a Node
 * worker thread, for a host in `cpu` mode), else the wall's.
 */
export function serveTests(
  post: (reply: WorkerReply) => void,
  engine: Promise<Engine>,
  clock: () => number = () => performance.now(),
) {
  engine.catch(() => undefined); // reported to the first request
  let queue: Promise<void> = Promise.resolve();
  return (request: WorkerRequest) => {
    queue = queue.then(async () => {
      try {
        const loaded = await engine;
        let startedAt: number | undefined;
        const result = await loaded.runTest({
          problem: request.problem,
          code: request.code,
          test: request.test,
          limits: request.limits,
          onStart: () => {
            startedAt = clock();
            post({ type: 'started', id: request.id });
          },
          clock,
        });
        const candidateMs = startedAt === undefined ? 0 : clock() - startedAt;
        post({ type: 'result', id: request.id, result: { ...result, durationMs: Math.round(candidateMs) }, candidateMs });
      } catch (e) {
        post({ type: 'failed', id: request.id, error: String((e as Error)?.stack ?? e) });
      }
    });
  };
}

/** What the host needs from a worker, whichever kind it is. */
export interface SandboxWorker {
  post(request: WorkerRequest): void;
  onReply(listener: (reply: WorkerReply) => void): void;
  /** The worker died on its own (out of memory, a crash in the engine). */
  onExit(listener: (reason: string) => void): void;
  terminate(): void;
}

export interface RunRequest {
  problem: Pick<CodingProblem, 'entry' | 'sqlSetup'>;
  code: string;
  tests: CodingTest[];
  limits?: Partial<RunLimits>;
}

export interface Sandbox {
  language: RunnableLanguage;
  runTests(request: RunRequest): Promise<TestResult[]>;
  /** Starts the worker (and its engine load) ahead of the first run. */
  warm(): void;
  close(): void;
}

export interface SandboxOptions {
  /** Loading an engine and a problem's set-up are not the candidate's time, but they must end some time. */
  prepareTimeMs?: number;
  /**
   * What a test's time limit counts. `wall` (the browser, the candidate's own machine): time on the clock. `cpu` (the
   * server's re-run, whose verdict is scored): the worker thread's CPU time, so a busy server does not fail a correct
   * solution; the clock then stops a runaway at `cpuWallAllowance` times the limit.
   */
  clock?: 'wall' | 'cpu';
}

/** How much longer than its CPU limit a test may take on the clock, in `cpu` mode, before it is stopped. */
export const cpuWallAllowance = 3;

/**
 * Host side: one worker for one language, tests sent one at a time, each stopped at `testTimeMs` after the
 * candidate's code started, the whole run stopped at `runTimeMs` of candidate time.
 */
export function createSandbox(
  language: RunnableLanguage,
  spawn: () => SandboxWorker,
  options: SandboxOptions = {},
): Sandbox {
  const prepareTimeMs = options.prepareTimeMs ?? 120_000;
  const byCpu = options.clock === 'cpu';
  let worker: SandboxWorker | null = null;
  let nextId = 0;
  let pending: ((event: WorkerReply | { type: 'exit'; reason: string }) => void) | null = null;
  let queue: Promise<unknown> = Promise.resolve();

  function current(): SandboxWorker {
    if (worker) return worker;
    const fresh = spawn();
    fresh.onReply((reply) => pending?.(reply));
    fresh.onExit((reason) => {
      // A worker we terminated ourselves has already been answered for.
      if (worker !== fresh) return;
      worker = null;
      pending?.({ type: 'exit', reason });
    });
    worker = fresh;
    return fresh;
  }

  let closed = false;
  /** Ends a worker that overran; its replacement starts loading at once, so the next test waits less. */
  function replace() {
    const dead = worker;
    worker = null;
    dead?.terminate();
    if (!closed) current();
  }

  function runOne(
    request: Omit<WorkerRequest, 'type' | 'id'>,
    testTimeMs: number,
  ): Promise<TestResult & { candidateMs: number }> {
    const id = nextId++;
    const { test } = request;
    return new Promise((resolve) => {
      let startedAt: number | null = null;
      let timer = setTimeout(
        () => finish(failedResult(test, `The sandbox did not start within ${prepareTimeMs} ms`)),
        prepareTimeMs,
      );
      const finish = (result: TestResult, stop = true, candidateMs?: number) => {
        clearTimeout(timer);
        pending = null;
        if (stop) replace();
        resolve({ ...result, candidateMs: candidateMs ?? (startedAt === null ? 0 : performance.now() - startedAt) });
      };
      const overran = () =>
        failedResult(test, `Stopped: the test ran longer than ${testTimeMs} ms`, { timedOut: true, durationMs: testTimeMs });
      pending = (event) => {
        if (event.type === 'exit') {
          finish(
            failedResult(test, `The sandbox stopped: ${event.reason}`, {
              durationMs: startedAt === null ? 0 : performance.now() - startedAt,
            }),
            false,
          );
          return;
        }
        if (event.id !== id) return;
        if (event.type === 'started') {
          startedAt = performance.now();
          clearTimeout(timer);
          // On the CPU's clock the worker measures the limit; the wall's only stops what never ends.
          timer = setTimeout(() => finish(overran(), true, testTimeMs), byCpu ? testTimeMs * cpuWallAllowance : testTimeMs);
        } else if (event.type === 'result') {
          if (byCpu && event.candidateMs > testTimeMs && !event.result.timedOut) finish(overran(), false, testTimeMs);
          else finish(event.result, false, byCpu ? event.candidateMs : undefined);
        }
        else finish(failedResult(test, `The sandbox failed: ${cut(event.error, 2_000)}`));
      };
      current().post({ type: 'run', id, ...request });
    });
  }

  async function runTests({ problem, code, tests, limits: given }: RunRequest): Promise<TestResult[]> {
    const limits = { ...defaultLimits, ...given };
    const results: TestResult[] = [];
    let used = 0;
    for (const test of tests) {
      const left = limits.runTimeMs - used;
      if (left <= 0) {
        results.push(failedResult(test, `Not run: the run used its ${limits.runTimeMs} ms`));
        continue;
      }
      const testTimeMs = Math.min(limits.testTimeMs, left);
      const { candidateMs, ...result } = await runOne(
        {
          problem: { entry: problem.entry, sqlSetup: problem.sqlSetup },
          code,
          test,
          limits: { ...limits, testTimeMs },
        },
        testTimeMs,
      );
      used += candidateMs;
      results.push(result);
    }
    return results;
  }

  return {
    language,
    // Runs never overlap on one worker: a second caller waits for the first.
    runTests: (request) => {
      const run = queue.then(() => runTests(request));
      queue = run.catch(() => undefined);
      return run;
    },
    warm: () => void current(),
    close: () => {
      closed = true;
      const last = worker;
      worker = null;
      last?.terminate();
    },
  };
}
