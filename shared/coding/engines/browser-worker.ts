import type { RunnableLanguage } from '../coding.schema.ts';
import { type Engine, capWasmMemory, hideGlobals, networkGlobals, wasm } from './engine.ts';
import { type WorkerReply, type WorkerRequest, serveTests } from './sandbox.ts';

// The candidate's Run button: a Web Worker (module type) running one language's engine, started and terminated by
// browser-sandbox.ts. Its first message says which language and where the web build serves the WebAssembly files.
//
// What the browser's sandbox is for: keeping a runaway loop or a memory bomb from freezing the candidate's page, and
// keeping the code off the network. It is not a security boundary for us: the candidate runs their own code in their
// own browser, and the server re-runs everything (api/coding/rerun.ts) and trusts only its own results.

export interface BrowserAssets {
  /** Folder holding pyodide.asm.wasm, python_stdlib.zip, pyodide-lock.json (and pyodide.asm.mjs). */
  pyodideIndexURL?: string;
  quickjsWasmURL?: string;
  pgliteWasmURL?: string;
  initdbWasmURL?: string;
  pgliteDataURL?: string;
}

export type BrowserWorkerInit = { type: 'init'; language: RunnableLanguage; memoryMb: number; assets: BrowserAssets };

interface WorkerScope {
  postMessage(message: WorkerReply): void;
  addEventListener(type: 'message', listener: (event: { data: BrowserWorkerInit | WorkerRequest }) => void): void;
  fetch(
    url: string,
  ): Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer>; blob(): Promise<Blob> }>;
}
const scope = globalThis as unknown as WorkerScope;
// Kept before the lock-down below takes `fetch` away.
const fetchAsset = scope.fetch.bind(scope);

async function load({ language, memoryMb, assets }: BrowserWorkerInit): Promise<Engine> {
  let engine: Engine;
  if (language === 'PYTHON') {
    const { loadPythonEngine, lockPyodide } = await import('./python.ts');
    const python = await loadPythonEngine(assets.pyodideIndexURL ? { indexURL: assets.pyodideIndexURL } : {});
    lockPyodide(python.pyodide);
    engine = python;
  } else if (language === 'JAVASCRIPT') {
    const { loadJavaScriptEngine } = await import('./javascript.ts');
    engine = await loadJavaScriptEngine(assets.quickjsWasmURL ? { wasmLocation: assets.quickjsWasmURL } : {});
  } else {
    const { loadSqlEngine } = await import('./sql.ts');
    engine = await loadSqlEngine(async () => {
      if (!assets.pgliteWasmURL || !assets.initdbWasmURL || !assets.pgliteDataURL) return {};
      const [pglite, initdb, data] = await Promise.all(
        [assets.pgliteWasmURL, assets.initdbWasmURL, assets.pgliteDataURL].map(async (url) => {
          const response = await fetchAsset(url);
          if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
          return response;
        }),
      );
      return {
        pgliteWasmModule: await wasm().compile(new Uint8Array(await pglite!.arrayBuffer())),
        initdbWasmModule: await wasm().compile(new Uint8Array(await initdb!.arrayBuffer())),
        fsBundle: await data!.blob(),
      };
    });
  }
  hideGlobals(networkGlobals);
  capWasmMemory(memoryMb * 1024 * 1024);
  return engine;
}

let handle: ((request: WorkerRequest) => void) | null = null;
scope.addEventListener('message', ({ data }) => {
  if (data.type === 'init') {
    handle ??= serveTests((reply) => scope.postMessage(reply), load(data));
    return;
  }
  handle?.(data);
});
