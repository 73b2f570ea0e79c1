import { readFile } from 'node:fs/promises';
import { registerHooks } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type { RunnableLanguage } from '../../shared/coding/coding.schema.ts';
import { capWasmMemory, type Engine, hideGlobals, networkGlobals, wasm } from '../../shared/coding/engines/engine.ts';
import { type WorkerRequest, serveTests } from '../../shared/coding/engines/sandbox.ts';

// One worker thread runs one language's engine for the server's re-run (api/coding/node-sandbox.ts starts it, with
// V8 heap limits, and terminates it when a test overruns). The engines are WebAssembly, but Pyodide on Node reaches
// the host on purpose (sockets through node:net, host directories through NODEFS), so this thread is locked down in
// layers before any candidate code runs:
//   1. before loading: modules that reach the network or other processes cannot be imported at all;
//   2. after loading: no module can be imported any more, the Pyodide API loses its host doors, `process` and the
//      network globals are gone, and WebAssembly memory is capped.
// SQL is the exception to (2)'s first two points: PGlite's Emscripten start-up imports node:fs and reads `process`
// for every new database, and SQL code has no way to call JavaScript (no PL/JS, no extension but those bundled).

const { language, memoryMb } = workerData as { language: RunnableLanguage; memoryMb: number };
const port = parentPort;
if (!port) throw new Error('sandbox-worker.ts runs as a worker thread');

const neverImported =
  /^(node:)?(net|tls|http|https|http2|child_process|dgram|dns|dns\/promises|cluster|inspector|inspector\/promises|repl|wasi|worker_threads|ws)$/;
let locked = false;
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (neverImported.test(specifier) || (locked && language !== 'SQL')) {
      throw new Error(`Import refused in the sandbox: ${specifier}`);
    }
    return nextResolve(specifier, context);
  },
});

async function load(): Promise<Engine> {
  let engine: Engine;
  if (language === 'PYTHON') {
    const { loadPythonEngine, lockPyodide } = await import('../../shared/coding/engines/python.ts');
    const python = await loadPythonEngine();
    lockPyodide(python.pyodide);
    engine = python;
  } else if (language === 'JAVASCRIPT') {
    const { loadJavaScriptEngine } = await import('../../shared/coding/engines/javascript.ts');
    engine = await loadJavaScriptEngine();
  } else {
    const { loadSqlEngine } = await import('../../shared/coding/engines/sql.ts');
    engine = await loadSqlEngine(loadSqlAssets);
  }
  locked = true;
  // PGlite's Emscripten glue looks at `process` for every new database; SQL has no way to call JavaScript, so the
  // SQL worker keeps it. Python (through its `js` bridge) and JavaScript lose it.
  hideGlobals(language === 'SQL' ? networkGlobals : ['process', 'require', 'module', ...networkGlobals]);
  capWasmMemory(memoryMb * 1024 * 1024);
  return engine;
}

async function loadSqlAssets() {
  const dist = new URL('./', import.meta.resolve('@electric-sql/pglite'));
  const [pglite, initdb, data] = await Promise.all(
    ['pglite.wasm', 'initdb.wasm', 'pglite.data'].map((name) => readFile(new URL(name, dist))),
  );
  return {
    pgliteWasmModule: await wasm().compile(pglite!),
    initdbWasmModule: await wasm().compile(initdb!),
    fsBundle: new Blob([data!]),
  };
}

// Taken before `process` is hidden: a test's limit counts this thread's CPU time, so a busy server does not stop a
// correct solution that the same machine would run in time when idle.
const { threadCpuUsage } = process;
const threadCpuMs = () => {
  const { user, system } = threadCpuUsage.call(process);
  return (user + system) / 1000;
};
const handle = serveTests((reply) => port.postMessage(reply), load(), threadCpuMs);
port.on('message', (request: WorkerRequest) => handle(request));
