import { availableParallelism } from 'node:os';
import { type CodingProblem, type TestResult, isRunnable } from '../../shared/coding/coding.schema.ts';
import type { RunLimits } from '../../shared/coding/engines/engine.ts';
import { createNodeSandbox } from './node-sandbox.ts';

// The server's own run of a candidate's code, after the interview: every test, visible and hidden, in the same
// WebAssembly engines the browser used, in worker threads with the same limits. What the browser reported is never
// used for scoring; this is.

/** Re-runs at once; each holds a worker thread busy, so one per CPU. */
const slots = Math.max(1, availableParallelism());
let running = 0;
const waiting: (() => void)[] = [];

async function acquire() {
  if (running < slots) {
    running++;
    return;
  }
  await new Promise<void>((resolve) => waiting.push(resolve));
}

function release() {
  const next = waiting.shift();
  if (next) next();
  else running--;
}

export class NotRunnableError extends Error {}

/**
 * Runs `code` against all of `problem`'s tests. Each call gets a new worker (a fresh interpreter): one candidate's
 * code never shares an engine with another's, whatever it changed in the interpreter.
 */
export async function rerunCode(input: {
  problem: CodingProblem;
  code: string;
  limits?: Partial<RunLimits>;
}): Promise<TestResult[]> {
  const { problem, code, limits } = input;
  if (!isRunnable(problem.language)) throw new NotRunnableError(`${problem.language} code is not run (editor only)`);
  await acquire();
  const sandbox = createNodeSandbox(problem.language);
  try {
    return await sandbox.runTests({ problem, code, tests: problem.tests, ...(limits ? { limits } : {}) });
  } finally {
    sandbox.close();
    release();
  }
}
