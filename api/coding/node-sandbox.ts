import { Worker } from 'node:worker_threads';
import { type RunnableLanguage, runLimits } from '../../shared/coding/coding.schema.ts';
import {
  type Sandbox,
  type SandboxOptions,
  type SandboxWorker,
  createSandbox,
} from '../../shared/coding/engines/sandbox.ts';

// The server's sandboxes: one worker thread per language instance (sandbox-worker.ts), with V8 heap limits on top of
// the WebAssembly memory cap the worker sets itself. A worker that overruns is terminated and replaced by the
// sandbox (shared/coding/engines/sandbox.ts).

const workerUrl = new URL('./sandbox-worker.ts', import.meta.url);

function spawnWorker(language: RunnableLanguage, memoryMb: number): SandboxWorker {
  const worker = new Worker(workerUrl, {
    workerData: { language, memoryMb },
    // The server's secrets (database URL, API keys) stay out of the thread that runs candidates' code.
    env: {},
    // The engines' JavaScript side (Pyodide's proxies, PGlite's result rows); their WebAssembly heaps are capped
    // separately. The worker's output is not the candidate's (that is captured inside the engine).
    resourceLimits: { maxOldGenerationSizeMb: 256 + memoryMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 8 },
    stdout: true,
    stderr: true,
  });
  // Unread pipes would fill up; what an engine prints outside a test is of no use.
  worker.stdout.resume();
  worker.stderr.resume();
  let lastError = '';
  worker.on('error', (e) => {
    lastError = (e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'out of memory' : e.message;
  });
  return {
    post: (request) => worker.postMessage(request),
    onReply: (listener) => worker.on('message', listener),
    onExit: (listener) => worker.on('exit', (code) => listener(lastError || `exit code ${code}`)),
    terminate: () => void worker.terminate(),
  };
}

export function createNodeSandbox(
  language: RunnableLanguage,
  options: SandboxOptions & { memoryMb?: number } = {},
): Sandbox {
  // The worker measures its tests on its thread's CPU time (sandbox-worker.ts).
  return createSandbox(language, () => spawnWorker(language, options.memoryMb ?? runLimits.memoryMb), {
    clock: 'cpu',
    ...options,
  });
}
