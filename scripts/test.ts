// `npm test`: Vitest in two passes. First every file but the end-to-end ones, two files at a time; then the
// end-to-end interviews one file at a time (each runs an agent worker, its job processes and often Chromium, and two
// at once starve a 2-core machine). The second pass runs even when the first failed, so one run reports both; the
// exit code is non-zero when either failed. With arguments (`npm test -- test/join.test.ts`) it is one `vitest run`
// of those arguments.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));

/** Ctrl+C reaches Vitest too (same process group); this process waits for it to stop its services, then stops. */
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => (interrupted = true));

function run(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [vitest, 'run', ...args], { stdio: 'inherit' });
    child.on('error', () => resolve(1));
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

const extra = process.argv.slice(2);
if (extra.length) process.exit(await run(extra));

const passes = [
  {
    name: 'first pass (all but the end-to-end files)',
    args: ['--exclude', '**/*e2e*.test.ts', '--exclude', '**/simulate-command.test.ts'],
  },
  { name: 'second pass (end-to-end, one file at a time)', args: ['--no-file-parallelism', 'e2e', 'simulate-command'] },
];
const results: string[] = [];
let failed = false;
for (const pass of passes) {
  if (interrupted) break;
  const code = await run(pass.args);
  failed ||= code !== 0;
  results.push(`${pass.name} ${code === 0 ? 'passed' : `failed (exit ${code})`}`);
}
if (interrupted) results.push('interrupted');
console.log(`\nnpm test: ${results.join('; ')}.`);
process.exit(failed || interrupted ? 1 : 0);
