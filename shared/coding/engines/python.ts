import type { PyodideAPI } from 'pyodide';
import type { TestResult } from '../coding.schema.ts';
import { type Engine, jsonEqual } from './engine.ts';

// Python through Pyodide (CPython compiled to WebAssembly). One interpreter per worker; each test executes the
// candidate's file again in a fresh namespace, so a test cannot see what an earlier one left in module globals, and
// the modules a test imported are dropped from `sys.modules` afterwards.

export interface PythonAssets {
  /** Where pyodide.asm.wasm, python_stdlib.zip and pyodide-lock.json are served (browser); Node's default is the package. */
  indexURL?: string;
}

// Runs inside the interpreter. It keeps its own references to json/traceback/sys, taken before any candidate code
// runs, so a solution that rebinds `json.dumps` cannot forge its own result.
const harness = String.raw`
def _make_runner():
    import builtins, json, linecache, sys, traceback
    dumps, loads = json.dumps, json.loads
    baseline = set(sys.modules)

    class Out:
        def __init__(self, limit):
            self.parts, self.size, self.limit, self.dropped = [], 0, limit, 0
        def write(self, s):
            s = str(s)
            room = self.limit - self.size
            if room > 0:
                self.parts.append(s[:room])
                self.size += min(len(s), room)
            self.dropped += max(0, len(s) - max(room, 0))
            return len(s)
        def flush(self):
            pass
        def text(self):
            text = ''.join(self.parts)
            return text + f'\n… ({self.dropped} more characters cut)' if self.dropped else text

    def describe(e):
        tb = e.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != '<solution>':
            tb = tb.tb_next
        return ''.join(traceback.format_exception(type(e), e, tb)).strip()

    def run(code, entry, args_json, limit, on_start):
        out = Out(limit)
        saved = sys.stdout, sys.stderr
        result = {'actual': None, 'error': None}
        linecache.cache['<solution>'] = (len(code), None, code.splitlines(True), '<solution>')
        sys.stdout = sys.stderr = out
        try:
            namespace = {'__name__': '__main__', '__builtins__': builtins}
            on_start()
            exec(compile(code, '<solution>', 'exec'), namespace)
            fn = namespace.get(entry)
            if not callable(fn):
                result['error'] = f'NameError: the function {entry}() is not defined'
            else:
                value = fn(*loads(args_json))
                try:
                    result['actual'] = dumps(value, allow_nan=False)
                except (TypeError, ValueError) as e:
                    result['error'] = f'The return value is not JSON: {e}'
        except BaseException as e:
            result['error'] = describe(e)
        finally:
            sys.stdout, sys.stderr = saved
            for name in [n for n in sys.modules if n not in baseline]:
                del sys.modules[name]
        result['output'] = out.text()
        return dumps(result)

    return run

_run_test = _make_runner()
del _make_runner
`;

export async function loadPythonEngine(assets: PythonAssets = {}): Promise<Engine & { pyodide: PyodideAPI }> {
  const { loadPyodide } = await import('pyodide');
  const pyodide = await loadPyodide({
    ...(assets.indexURL ? { indexURL: assets.indexURL } : {}),
    // The `js` module is Python's door to JavaScript's globals (fetch, process, …): it opens onto an empty object.
    jsglobals: {},
    // input() ends at once (EOFError) instead of waiting on the host's standard input.
    stdin: () => null,
    stdout: () => undefined,
    stderr: () => undefined,
  });
  const globals = pyodide.toPy({}) as ReturnType<PyodideAPI['toPy']> & { get(name: string): unknown };
  pyodide.runPython(harness, { globals });
  const runTestPy = globals.get('_run_test') as (...args: unknown[]) => string;

  return {
    language: 'PYTHON',
    pyodide,
    async runTest({ problem, code, test, limits, onStart }): Promise<TestResult> {
      let started = performance.now();
      const raw = runTestPy(
        code,
        problem.entry ?? 'solution',
        JSON.stringify(test.args ?? []),
        limits.outputChars,
        () => {
          started = performance.now();
          onStart();
        },
      );
      const durationMs = Math.round(performance.now() - started);
      const { actual, error, output } = JSON.parse(raw) as {
        actual: string | null;
        error: string | null;
        output: string;
      };
      return {
        name: test.name,
        passed: error === null && actual !== null && jsonEqual(JSON.parse(actual), test.expected),
        actual: actual === null ? null : actual.slice(0, limits.outputChars),
        output,
        error: error === null ? null : error.slice(0, limits.outputChars),
        timedOut: false,
        durationMs,
      };
    },
  };
}

/**
 * Takes away the Pyodide API's doors to the host (mounting a host directory, downloading packages) and the file
 * systems that reach it: Python code can reach this object through the `pyodide_js` module.
 */
export function lockPyodide(pyodide: PyodideAPI) {
  const api = pyodide as unknown as Record<string, unknown>;
  for (const name of ['mountNodeFS', 'mountNativeFS', 'loadPackage', 'loadPackagesFromImports', 'registerJsModule']) {
    Object.defineProperty(api, name, { value: undefined, configurable: false, writable: false });
  }
  const filesystems = pyodide.FS.filesystems as Record<string, unknown>;
  for (const name of Object.keys(filesystems)) if (name !== 'MEMFS') delete filesystems[name];
}
