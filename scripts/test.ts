// `npm test`: Vitest in two passes. First every file but the end-to-end ones, two files at a time; then the
// end-to-end interviews one file at a time (each runs an agent worker, its job processes and often Chromium, and two
// at once starve a 2-core machine). The second pass runs even when the first failed, so one run reports both; the
// exit code is non-zero when either failed. With arguments (`npm test -- test/join.test.ts`) it is one `vitest run`
// of those arguments.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
// Each pass also writes Vitest's JSON report, so the last lines of the run name what failed in either pass: a CI log
// is often read from its tail, and the first pass's failures are otherwise far above it.
const reports = mkdtempSync(join(tmpdir(), 'npm-test-'));
const results: string[] = [];
const failures: string[] = [];
let failed = false;
for (const [index, pass] of passes.entries()) {
  if (interrupted) break;
  const report = join(reports, `pass-${index + 1}.json`);
  const code = await run([...pass.args, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]);
  failed ||= code !== 0;
  results.push(`${pass.name} ${code === 0 ? 'passed' : `failed (exit ${code})`}`);
  if (code !== 0) {
    const named = failuresIn(report);
    // Vitest's JSON report leaves out errors thrown outside any test (an uncaught exception from a timer, say).
    failures.push(
      ...(named.length
        ? named
        : [`  × ${pass.name}: no test failed; see Vitest's "Unhandled Errors" above (an error outside any test)`]),
    );
  }
}
rmSync(reports, { recursive: true, force: true });
if (interrupted) results.push('interrupted');
if (failures.length) console.log(`\nnpm test: what failed\n${failures.join('\n')}`);
console.log(`\nnpm test: ${results.join('; ')}.`);
process.exit(failed || interrupted ? 1 : 0);

interface JsonReport {
  testResults?: {
    name: string;
    status: string;
    message?: string;
    assertionResults?: { fullName: string; status: string; failureMessages?: string[] }[];
  }[];
}

/** One line per failed test (or per file that failed outside a test), with the first lines of its error. */
function failuresIn(reportPath: string): string[] {
  let report: JsonReport;
  try {
    report = JSON.parse(readFileSync(reportPath, 'utf8')) as JsonReport;
  } catch {
    return [`  (no report from Vitest at ${reportPath})`];
  }
  const root = process.cwd() + '/';
  const excerpt = (message = '') =>
    message
      .split('\n')
      .filter((line) => line.trim() && !line.includes('/node_modules/'))
      .slice(0, 4)
      .map((line) => `      ${line.slice(0, 300)}`)
      .join('\n');
  const lines: string[] = [];
  for (const file of report.testResults ?? []) {
    if (file.status !== 'failed') continue;
    const name = file.name.replace(root, '');
    const tests = (file.assertionResults ?? []).filter((test) => test.status === 'failed');
    if (!tests.length) lines.push(`  × ${name}\n${excerpt(file.message)}`);
    for (const test of tests) lines.push(`  × ${name} > ${test.fullName}\n${excerpt(test.failureMessages?.[0])}`);
  }
  return lines;
}
