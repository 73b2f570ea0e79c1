import { type RunnableLanguage, runLimits } from '../coding.schema.ts';
import type { BrowserAssets, BrowserWorkerInit } from './browser-worker.ts';
import { type RunRequest, type Sandbox, type SandboxWorker, createSandbox } from './sandbox.ts';
import type { TestResult } from '../coding.schema.ts';

// The editor page's side of Run: one Web Worker per language (browser-worker.ts), terminated and replaced when a
// test overruns its time. The page creates the Worker itself, so that its bundler sees the worker's URL:
//   createBrowserSandboxes({
//     createWorker: () => new Worker(new URL('.../engines/browser-worker.ts', import.meta.url), { type: 'module' }),
//     assets: { pyodideIndexURL: '/assets/pyodide/', ... },
//   })

/** The part of the DOM's Worker this file uses (the server's TypeScript lib has no DOM). */
export interface WebWorker {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'error', listener: (event: { message?: string }) => void): void;
  terminate(): void;
}

export interface BrowserSandboxes {
  runTests(language: RunnableLanguage, request: RunRequest): Promise<TestResult[]>;
  /** Starts loading a language's engine (Pyodide takes seconds) before the candidate's first Run. */
  warm(language: RunnableLanguage): void;
  close(): void;
}

export function createBrowserSandboxes(options: {
  createWorker: () => WebWorker;
  assets: BrowserAssets;
  memoryMb?: number;
}): BrowserSandboxes {
  const sandboxes = new Map<RunnableLanguage, Sandbox>();
  const sandbox = (language: RunnableLanguage) => {
    let found = sandboxes.get(language);
    if (!found) {
      found = createSandbox(language, () => spawn(language));
      sandboxes.set(language, found);
    }
    return found;
  };

  function spawn(language: RunnableLanguage): SandboxWorker {
    const worker = options.createWorker();
    const init: BrowserWorkerInit = {
      type: 'init',
      language,
      memoryMb: options.memoryMb ?? runLimits.memoryMb,
      assets: options.assets,
    };
    worker.postMessage(init);
    return {
      post: (request) => worker.postMessage(request),
      onReply: (listener) => worker.addEventListener('message', (event) => listener(event.data as never)),
      // A Web Worker has no exit event; an uncaught error (a crashed engine) is the nearest thing.
      onExit: (listener) =>
        worker.addEventListener('error', (event) => {
          worker.terminate();
          listener(event.message ?? 'the worker failed');
        }),
      terminate: () => worker.terminate(),
    };
  }

  return {
    runTests: (language, request) => sandbox(language).runTests(request),
    warm: (language) => sandbox(language).warm(),
    close: () => {
      for (const s of sandboxes.values()) s.close();
      sandboxes.clear();
    },
  };
}
