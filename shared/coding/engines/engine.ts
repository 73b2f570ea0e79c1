import type { CodingProblem, CodingTest, RunnableLanguage, TestResult } from '../coding.schema.ts';
import { runLimits } from '../coding.schema.ts';

// What every engine (Pyodide, QuickJS, PGlite) shares. These modules run unchanged in the browser's Web Worker and in
// the server's worker threads, so nothing here may import a Node built-in: whatever differs (where the WASM files
// come from, how globals are locked down) is passed in by the host.

export type RunLimits = { [K in keyof typeof runLimits]: number };

export interface TestRequest {
  problem: Pick<CodingProblem, 'entry' | 'sqlSetup'>;
  code: string;
  test: CodingTest;
  limits: RunLimits;
  /**
   * Called right before the candidate's code starts: the host's timer for `testTimeMs` starts here, so loading an
   * engine or a problem's own schema never eats into the candidate's time.
   */
  onStart: () => void;
  /** Milliseconds on the clock the limit counts (the worker thread's CPU time on the server, else the wall's). */
  clock: () => number;
}

export interface Engine {
  language: RunnableLanguage;
  runTest(request: TestRequest): Promise<TestResult>;
}

/** Keeps the head of a long text (the start of a trace or of printed output is what explains it). */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n… (${text.length - max} more characters cut)`;
}

/** JSON equality: same values, object keys in any order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** A result for a test the candidate's code never finished (timeout, crash, engine failure). */
export function failedResult(
  test: CodingTest,
  error: string,
  extra: Partial<Pick<TestResult, 'timedOut' | 'durationMs' | 'output'>> = {},
): TestResult {
  return {
    name: test.name,
    passed: false,
    actual: null,
    output: extra.output ?? '',
    error,
    timedOut: extra.timedOut ?? false,
    durationMs: Math.round(extra.durationMs ?? 0),
  };
}

/** Printed output kept up to a limit; the rest is counted, not stored (a print loop must not fill memory). */
export function outputCollector(max: number) {
  let text = '';
  let dropped = 0;
  return {
    write(chunk: string) {
      const room = max - text.length;
      if (room >= chunk.length) text += chunk;
      else {
        text += chunk.slice(0, Math.max(0, room));
        dropped += chunk.length - Math.max(0, room);
      }
    },
    text: () => (dropped ? `${text}\n… (${dropped} more characters cut)` : text),
  };
}

/**
 * Lets every WebAssembly memory of this thread grow by at most `extraBytes` beyond its size when it first grows after
 * this call. Pyodide and PGlite grow their heap through `WebAssembly.Memory.prototype.grow` (Emscripten's resize
 * hook), so a refused grow becomes the language's own out-of-memory error (Python's MemoryError, Postgres' "out of
 * memory") instead of the host's RAM filling up. QuickJS has its own allocator limit. Call it in a worker, once the
 * engines have loaded.
 */
export function capWasmMemory(extraBytes: number) {
  const proto = wasm().Memory.prototype;
  const grow = proto.grow;
  const baseline = new WeakMap<WasmMemory, number>();
  Object.defineProperty(proto, 'grow', {
    configurable: false,
    writable: false,
    value: function cappedGrow(this: WasmMemory, pages: number) {
      const size = this.buffer.byteLength;
      if (!baseline.has(this)) baseline.set(this, size);
      if (size + pages * 65_536 > (baseline.get(this) ?? size) + extraBytes) {
        throw new RangeError('WebAssembly memory limit');
      }
      return grow.call(this, pages);
    },
  });
}

/**
 * Removes globals through which code that escaped its language (Python's `js` bridge, a QuickJS bug) could reach
 * the network or the host. The engines keep what they captured while loading; the candidate's code never sees these.
 */
export function hideGlobals(names: readonly string[]) {
  for (const name of names) {
    // A browser may define a global on the global object's prototype chain (WorkerGlobalScope.prototype): every
    // level that holds it loses it, down to (never including) Object.prototype.
    for (
      let level: object | null = globalThis;
      level && level !== Object.prototype;
      level = Object.getPrototypeOf(level)
    ) {
      if (!Object.hasOwn(level, name)) continue;
      try {
        Object.defineProperty(level, name, { value: undefined, configurable: false, writable: false });
      } catch {
        // A non-configurable global stays; the sandboxing tests show what is reachable.
      }
    }
  }
}

/** Globals no candidate code needs, in a browser worker and in Node. */
export const networkGlobals = [
  'fetch',
  'XMLHttpRequest',
  'WebSocket',
  'WebSocketStream',
  'EventSource',
  'WebTransport',
  'importScripts',
  'indexedDB',
  'caches',
  'Request',
  'Response',
  'BroadcastChannel',
  'navigator',
] as const;

// The server's TypeScript lib has no WebAssembly declarations (they come with the DOM lib); these are the few parts
// the engines' hosts use.
interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
/** A compiled WebAssembly.Module. */
export type WasmModule = object;
export const wasm = () =>
  (
    globalThis as unknown as {
      WebAssembly: { Memory: { prototype: WasmMemory }; compile(bytes: Uint8Array): Promise<WasmModule> };
    }
  ).WebAssembly;

export const defaultLimits: RunLimits = { ...runLimits };
