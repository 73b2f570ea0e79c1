import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, startTestApi, type TestApi } from './support/harness.ts';

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
