import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, seedCompany, seedInterview, startTestApi, type TestApi } from './support/harness.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.stop());

function cli(...args: string[]) {
  const url = new URL(api.deps.config.database.url!);
  return spawnSync(process.execPath, ['api/cli.ts', ...args], {
    env: { PATH: process.env.PATH, DATABASE_URL: url.toString() },
    encoding: 'utf8',
  });
}

describe('cli', () => {
  it('creates a company with its first key, shown once and stored only as a hash', async () => {
    const result = cli('create-company', '--name', 'Globex', '--region', 'SA');
    expect(result.status).toBe(0);
    const key = /API key \(shown once\): (ik_\S+)/.exec(result.stdout)?.[1];
    expect(key).toBeTruthy();
    const stored = await api.db.selectFrom('apiKeys').select(['keyHash', 'prefix']).execute();
    expect(JSON.stringify(stored)).not.toContain(key);

    const call = client(api.url, key);
    const company = await call('GET', '/v1/company');
    expect(company.body).toMatchObject({ name: 'Globex', defaultPhoneRegion: 'SA' });
  });

  it('creates an admin key that sees every company', async () => {
    const result = cli('create-admin-key', '--name', 'ops');
    expect(result.status).toBe(0);
    const key = /Admin API key \(shown once\): (ik_\S+)/.exec(result.stdout)![1];
    const jobs = await client(api.url, key)('GET', '/v1/jobs');
    expect(jobs.status).toBe(200);
  });

  it('explains its usage on bad input', () => {
    const result = cli('create-company');
    expect(result.status).toBe(64);
    expect(result.stderr).toContain('--name is required');
    expect(cli('frobnicate').stderr).toContain('unknown command');
  });
});

describe('cli rescore', () => {
  it('evaluates a finished interview again; without a model the new version is pending with its reason', async () => {
    const { key } = await seedCompany(api.db, 'Rescore Co');
    const call = client(api.url, key);
    const { interview } = await seedInterview(call);
    await api.db.updateTable('interviews').set({ status: 'completed', endedAt: new Date() }).where('id', '=', interview.id).execute();
    await api.db
      .insertInto('transcriptTurns')
      .values([
        { interviewId: interview.id, seq: 1, speaker: 'interviewer', text: 'Tell me about a system.', questionId: 'q-opening', stage: 'question', startedAt: new Date(), endedAt: new Date() },
        { interviewId: interview.id, seq: 2, speaker: 'candidate', text: 'I rebuilt a ledger in Go on Postgres.', questionId: 'q-opening', stage: 'question', startedAt: new Date(), endedAt: new Date() },
      ])
      .execute();
    const first = cli('rescore', interview.id);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('Scorecard version 1: pending (No language model is configured');
    expect(cli('rescore', interview.id).stdout).toContain('Scorecard version 2: pending');
    const versions = await api.db.selectFrom('scorecards').select(['version', 'isLatest']).where('interviewId', '=', interview.id).orderBy('version').execute();
    expect(versions).toEqual([
      { version: 1, isLatest: false },
      { version: 2, isLatest: true },
    ]);
    expect(cli('rescore', 'not-an-id').status).toBe(64);
  });
});
