import type { QuickJSContext, QuickJSHandle, QuickJSWASMModule } from 'quickjs-emscripten';
import type { TestResult } from '../coding.schema.ts';
import { type Engine, type WasmModule, jsonEqual, outputCollector } from './engine.ts';

// JavaScript through QuickJS compiled to WebAssembly: a separate JS engine, so the candidate's code shares nothing
// with the host's realm. Every test gets a fresh runtime with its own memory limit and an interrupt handler that
// stops it at the time limit; the only host function it sees is a console whose output is captured.

export interface JavaScriptAssets {
  /** URL of QuickJS's emscripten-module.wasm (browser); Node's default is the package's own file. */
  wasmLocation?: string;
  wasmModule?: WasmModule;
}

export async function loadJavaScriptEngine(assets: JavaScriptAssets = {}): Promise<Engine> {
  const { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC } = await import('quickjs-emscripten');
  const custom = assets.wasmLocation || assets.wasmModule;
  const quickjs: QuickJSWASMModule = await newQuickJSWASMModuleFromVariant(
    custom
      ? newVariant(RELEASE_SYNC, {
          ...(assets.wasmLocation ? { wasmLocation: assets.wasmLocation } : {}),
          ...(assets.wasmModule ? { wasmModule: assets.wasmModule } : {}),
        })
      : RELEASE_SYNC,
  );

  return {
    language: 'JAVASCRIPT',
    async runTest({ problem, code, test, limits, onStart, clock }): Promise<TestResult> {
      const out = outputCollector(limits.outputChars);
      const runtime = quickjs.newRuntime();
      runtime.setMemoryLimit(limits.memoryMb * 1024 * 1024);
      runtime.setMaxStackSize(1024 * 1024);
      const vm = runtime.newContext();
      let deadline = Number.POSITIVE_INFINITY;
      let interrupted = false;
      // Stops a bit before the host's own timer, which would otherwise terminate the whole worker.
      runtime.setInterruptHandler(() => (interrupted = clock() > deadline));
      try {
        installConsole(vm, out.write);
        onStart();
        const started = performance.now();
        deadline = clock() + limits.testTimeMs * 0.9;
        const entry = problem.entry ?? 'solution';
        const call = `(() => {
          if (typeof ${entry} !== 'function') throw new ReferenceError('the function ${entry}() is not defined');
          return ${entry}(...JSON.parse(${JSON.stringify(JSON.stringify(test.args ?? []))}));
        })()`;
        let error: string | null = null;
        let actual: string | null = null;
        const loaded = vm.evalCode(code, 'solution.js');
        if (loaded.error) error = describe(vm, loaded.error);
        else {
          loaded.value.dispose();
          const called = vm.evalCode(call, 'test.js');
          if (called.error) error = describe(vm, called.error);
          else {
            const settled = await settle(vm, called.value);
            if (settled.error) error = describe(vm, settled.error);
            else actual = toJson(vm, settled.value);
          }
        }
        const durationMs = Math.round(performance.now() - started);
        if (interrupted) error = `Stopped: the test ran longer than ${limits.testTimeMs} ms`;
        return {
          name: test.name,
          passed: error === null && actual !== null && jsonEqual(JSON.parse(actual), test.expected),
          actual: actual?.slice(0, limits.outputChars) ?? null,
          output: out.text(),
          error: error?.slice(0, limits.outputChars) ?? null,
          timedOut: interrupted,
          durationMs,
        };
      } finally {
        vm.dispose();
        runtime.dispose();
      }
    },
  };
}

function installConsole(vm: QuickJSContext, write: (text: string) => void) {
  const console = vm.newObject();
  for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
    const fn = vm.newFunction(level, (...args) => {
      write(`${args.map((a) => show(vm, a)).join(' ')}\n`);
    });
    vm.setProp(console, level, fn);
    fn.dispose();
  }
  vm.setProp(vm.global, 'console', console);
  console.dispose();
}

function show(vm: QuickJSContext, handle: QuickJSHandle): string {
  if (vm.typeof(handle) === 'string') return vm.getString(handle);
  return toJson(vm, handle) ?? String(vm.dump(handle));
}

/** The VM's own JSON.stringify, so the host never walks the candidate's objects (getters, proxies). */
function toJson(vm: QuickJSContext, handle: QuickJSHandle): string | null {
  const json = vm.getProp(vm.global, 'JSON');
  const stringify = vm.getProp(json, 'stringify');
  const result = vm.callFunction(stringify, json, handle);
  stringify.dispose();
  json.dispose();
  handle.dispose();
  if (result.error) {
    result.error.dispose();
    return null;
  }
  const text = vm.typeof(result.value) === 'string' ? vm.getString(result.value) : null;
  result.value.dispose();
  return text;
}

/** An async solution returns a promise: run the VM's jobs until it settles (the interrupt handler still applies). */
async function settle(vm: QuickJSContext, value: QuickJSHandle) {
  let state = vm.getPromiseState(value);
  if (state.type === 'fulfilled' && state.notAPromise) return { value, error: undefined };
  if (state.type === 'pending') {
    vm.runtime.executePendingJobs();
    state = vm.getPromiseState(value);
  }
  value.dispose();
  if (state.type === 'fulfilled') return { value: state.value, error: undefined };
  if (state.type === 'rejected') return { value: undefined, error: state.error };
  return { value: undefined, error: vm.newError('The returned promise never settled') };
}

function describe(vm: QuickJSContext, error: QuickJSHandle): string {
  const dumped = vm.dump(error) as { name?: string; message?: string; stack?: string } | string;
  error.dispose();
  if (typeof dumped !== 'object' || dumped === null) return String(dumped);
  const head = `${dumped.name ?? 'Error'}: ${dumped.message ?? ''}`;
  return dumped.stack ? `${head}\n${dumped.stack}`.trim() : head;
}
