import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAdminEmail, ensureDemoAdmin } from '../../api/auth/demo-admin.ts';
import { insertCompany } from '../../api/companies/companies.repository.ts';
import { client, expectStatus, seedCompany, startTestApi, type TestApi } from '../support/harness.ts';
import { signIn } from './support.ts';

// `npm run cli -- create-user`: the first admin of a company in production, where nobody can invite them yet; and
// the demo company's admin that `npm start` creates and prints.

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.stop());

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['api/cli.ts', ...args], {
    env: { PATH: process.env.PATH, DATABASE_URL: api.deps.config.database.url },
    encoding: 'utf8',
  });
}

describe('cli create-user', () => {
  it('creates an active admin with a generated password, printed once and stored only as an argon2id hash', async () => {
    const { companyId } = await seedCompany(api.db, 'Initech');
    const result = cli('create-user', '--company', companyId, '--email', 'Boss@Initech.example', '--name', 'Bill');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const password = /Password \(shown once[^)]*\): (\S+)/.exec(result.stdout)?.[1];
    expect(password?.length).toBeGreaterThanOrEqual(10);
    const row = await api.db.selectFrom('users').selectAll().where('email', '=', 'boss@initech.example').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ companyId, name: 'Bill', role: 'admin', status: 'active' });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain(password);
    const signed = await signIn(api, 'boss@initech.example', password!);
    expect(signed.body.user.role).toBe('admin');
    const audit = await api.db.selectFrom('auditLog').select(['actorType', 'action']).where('targetId', '=', row.id).orderBy('id').execute();
    expect(audit).toEqual([
      { actorType: 'cli', action: 'user.create' },
      { actorType: 'user', action: 'auth.login' },
    ]);
  });

  it('explains its usage on bad input and refuses an address that already has an account', async () => {
    const { companyId } = await seedCompany(api.db, 'Hooli');
    expect(cli('create-user', '--email', 'x@hooli.example').stderr).toContain('--company needs a company id');
    expect(cli('create-user', '--company', companyId, '--email', 'nope').stderr).toContain('--email needs an e-mail address');
    const role = cli('create-user', '--company', companyId, '--email', 'r@hooli.example', '--role', 'owner');
    expect(role.status).toBe(64);
    expect(role.stderr).toContain('--role must be admin, recruiter or reviewer');
    expect(cli('create-user', '--company', companyId, '--email', 'r@hooli.example', '--role', 'reviewer').status).toBe(0);
    const again = cli('create-user', '--company', companyId, '--email', 'R@hooli.example');
    expect(again.status).toBe(64);
    expect(again.stderr).toContain('already has an account');
  });
});

describe("npm start's demo admin", () => {
  it('is created once in the Demo Company, signs in with the saved password, and is reported when that changed', async () => {
    expect(await ensureDemoAdmin(api.db, 'saved dev password')).toBe('no_company');
    const company = await insertCompany(api.db, { name: 'Demo Company' });
    expect(await ensureDemoAdmin(api.db, 'saved dev password')).toBe('ready');
    expect(await ensureDemoAdmin(api.db, 'saved dev password')).toBe('ready');
    const users = await api.db.selectFrom('users').select(['companyId', 'role', 'status']).where('email', '=', demoAdminEmail).execute();
    expect(users).toEqual([{ companyId: company.id, role: 'admin', status: 'active' }]);
    const signed = await signIn(api, demoAdminEmail, 'saved dev password');
    expect(signed.body.company.name).toBe('Demo Company');
    expect(await ensureDemoAdmin(api.db, 'another password')).toBe('password_changed');
    expectStatus(await client(api.url)('POST', '/v1/auth/login', { body: { email: demoAdminEmail, password: 'another password' } }), 401);
  });
});
