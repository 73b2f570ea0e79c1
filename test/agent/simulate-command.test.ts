import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgentStack, type AgentStack } from './support/stack.ts';

// `npm run simulate` as a user runs it: a separate process given a scenario file and an HR key, against a running
// stack. It creates the interview through the HR API, joins, answers by typing, and exits 0 when the interview ends.

const root = fileURLToPath(new URL('../../', import.meta.url));
const scenarioPath = fileURLToPath(new URL('../../scenarios/silent-candidate.json', import.meta.url));
let stack: AgentStack;

beforeAll(async () => {
  stack = await startAgentStack({ workerEnv: { SILENCE_PROMPT_SECONDS: '2', SILENCE_MAX_PROMPTS: '1' } });
});
afterAll(async () => {
  await stack?.stop();
});

describe('the simulate command', () => {
  it(
    'runs a scenario file end to end and reports the interview',
    async () => {
      const child = spawn(
        process.execPath,
        ['scripts/simulate-candidate.ts', '--scenario', scenarioPath, '--key', stack.hrKey, '--api', stack.api.url, '--text'],
        { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code, output).toBe(0);
      expect(output).toMatch(/created interview [0-9a-f-]{36}/);
      expect(output).toMatch(/INTERVIEWER: Hello Omar/);
      expect(output).toMatch(/CANDIDATE \(text, simulated\): Yes, I agree\./);
      const id = /created interview ([0-9a-f-]{36})/.exec(output)![1]!;
      const row = await stack.api.db.selectFrom('interviews').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(row.endReason).toBe('candidate_unresponsive');
    },
    180_000,
  );
});
