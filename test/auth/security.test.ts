import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadApiConfig } from '../../api/config.ts';
import { bodyOf, client, expectStatus, seedCompany, seedInterview, startTestApi, testEnv, type TestApi } from '../support/harness.ts';
import { browser, seedUser, sessionCookieOf, signIn } from './support.ts';

// The attacks the HR accounts must hold against (issue 15): session fixation, cross-site requests, password
// guessing, a reviewer reaching for more, and one company's session aimed at another company's records.

let api: TestApi;
let a: { companyId: string; key: string };
let b: { companyId: string; key: string };
let owned: Awaited<ReturnType<typeof seedInterview>>;
const anonymous = () => client(api.url);

beforeAll(async () => {
  api = await startTestApi({ env: { LOGIN_RATE_LIMIT_PER_ACCOUNT: '5', LOGIN_RATE_LIMIT_PER_IP: '1000' } });
  a = await seedCompany(api.db, 'Company A');
  b = await seedCompany(api.db, 'Company B');
  owned = await seedInterview(client(api.url, a.key));
});
afterAll(() => api?.stop());

describe('session fixation', () => {
  it('a planted session id is never adopted: sign-in issues a new one and the planted one signs nobody in', async () => {
    const user = await seedUser(api, a.companyId, 'recruiter');
    const planted = 'A'.repeat(43);
    const signed = await signIn(api, user.email, user.password, { cookie: `hr_session=${planted}` });
    expect(signed.state.token).not.toBe(planted);
    expectStatus(await browser(api, planted, signed.body.csrfToken).call('GET', '/v1/auth/session'), 401);
    expectStatus(await signed.call('GET', '/v1/auth/session'), 200);
  });

  it('signing in over a live session replaces it: the old id stops working', async () => {
    const user = await seedUser(api, a.companyId, 'reviewer');
    const first = await signIn(api, user.email, user.password);
    const second = await signIn(api, user.email, user.password, { cookie: `hr_session=${first.state.token}` });
    expect(second.state.token).not.toBe(first.state.token);
    expect(second.body.csrfToken).not.toBe(first.body.csrfToken);
    expectStatus(await first.call('GET', '/v1/auth/session'), 401);
    expectStatus(await second.call('GET', '/v1/auth/session'), 200);
  });
});

describe('CSRF', () => {
  it('refuses a cookie-authenticated change without the session CSRF token, or with another session’s, and changes nothing', async () => {
    const user = await seedUser(api, a.companyId, 'recruiter');
    const signed = await signIn(api, user.email, user.password);
    const other = await signIn(api, (await seedUser(api, a.companyId, 'recruiter')).email, 'correct horse battery');
    const jobs = async () => bodyOf(await client(api.url, a.key)('GET', '/v1/jobs'), 200).items.length;
    const before = await jobs();
    const attempts = [
      signed.call('POST', '/v1/jobs', { body: { title: 'Forged', description: 'x' }, csrf: null }),
      signed.call('POST', '/v1/jobs', { body: { title: 'Forged', description: 'x' }, csrf: other.body.csrfToken }),
      signed.call('PATCH', `/v1/jobs/${owned.job.id}`, { body: { title: 'Forged' }, csrf: null }),
      signed.call('DELETE', `/v1/jobs/${owned.job.id}`, { csrf: 'x'.repeat(43) }),
      signed.call('POST', '/v1/auth/logout-everywhere', { csrf: null }),
    ];
    for (const r of await Promise.all(attempts)) {
      expectStatus(r, 403);
      expect(r.body.code).toBe('csrf_failed');
    }
    expect(await jobs()).toBe(before);
    expect(bodyOf(await signed.call('GET', `/v1/jobs/${owned.job.id}`), 200).title).toBe(owned.job.title);
    expectStatus(await signed.call('GET', '/v1/auth/session'), 200);
    // Reads need no token, and the right token lets the change through.
    expectStatus(await signed.call('GET', '/v1/jobs', { csrf: null }), 200);
    expectStatus(await signed.call('POST', '/v1/jobs', { body: { title: 'Real', description: 'x' } }), 201);
  });

  it('an API key needs no CSRF token, and a cookie sent alongside it changes nothing', async () => {
    const user = await seedUser(api, b.companyId, 'admin');
    const signed = await signIn(api, user.email, user.password);
    const r = await client(api.url, a.key)('POST', '/v1/jobs', {
      body: { title: 'By key', description: 'x' },
      headers: { cookie: `hr_session=${signed.state.token}` },
    });
    expect(bodyOf(r, 201).companyId).toBe(a.companyId);
  });

  it('refuses sign-in, reset and invitation requests a page on another site sends', async () => {
    const user = await seedUser(api, a.companyId, 'reviewer');
    const evil = { origin: 'https://evil.example' };
    const login = await anonymous()('POST', '/v1/auth/login', { body: { email: user.email, password: user.password }, headers: evil });
    expectStatus(login, 403);
    expect(sessionCookieOf(login.headers)).toBeUndefined();
    expectStatus(await anonymous()('POST', '/v1/auth/password-reset', { body: { email: user.email }, headers: evil }), 403);
    const accept = { token: 'x', name: 'x', password: 'long enough password' };
    expectStatus(await anonymous()('POST', '/v1/auth/invitations/accept', { body: accept, headers: evil }), 403);
    // The app's own origin (its public base) is fine.
    await signIn(api, user.email, user.password, { origin: 'http://interviews.test' });
  });
});

describe('login brute force', () => {
  it('answers 429 with Retry-After once an account has had its attempts, even for the right password; others still sign in', async () => {
    const victim = await seedUser(api, a.companyId, 'admin');
    for (let i = 0; i < 5; i++) {
      const r = await anonymous()('POST', '/v1/auth/login', { body: { email: victim.email, password: `guess number ${i}` } });
      expectStatus(r, 401);
    }
    const limited = await anonymous()('POST', '/v1/auth/login', { body: { email: victim.email, password: victim.password } });
    expectStatus(limited, 429);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(sessionCookieOf(limited.headers)).toBeUndefined();
    // The same address in another case is the same account.
    expectStatus(await anonymous()('POST', '/v1/auth/login', { body: { email: victim.email.toUpperCase(), password: 'x' } }), 429);
    const bystander = await seedUser(api, a.companyId, 'reviewer');
    await signIn(api, bystander.email, bystander.password);
    // Only the failures before the limit are in the audit log: a flood cannot fill it.
    const failures = await api.db
      .selectFrom('auditLog')
      .select('id')
      .where('action', '=', 'auth.login_failed')
      .where('actorId', '=', victim.id)
      .execute();
    expect(failures).toHaveLength(5);
  });

  it('limits attempts per address across accounts', async () => {
    const strict = await startTestApi({ env: { LOGIN_RATE_LIMIT_PER_IP: '3', SESSION_COOKIE_SECURE: 'true' } });
    try {
      const { companyId } = await seedCompany(strict.db, 'Strict Co');
      const user = await seedUser(strict, companyId, 'admin');
      // A production-like cookie: Secure when configured (or in production, or behind an https base).
      const ok = await signIn(strict, user.email, user.password);
      expect(ok.response.headers.getSetCookie()[0]).toMatch(/; Secure$/);
      const call = client(strict.url);
      expectStatus(await call('POST', '/v1/auth/login', { body: { email: 'one@example.com', password: 'guess one' } }), 401);
      expectStatus(await call('POST', '/v1/auth/login', { body: { email: 'two@example.com', password: 'guess two' } }), 401);
      const r = await call('POST', '/v1/auth/login', { body: { email: user.email, password: user.password } });
      expectStatus(r, 429);
      expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      await strict.stop();
    }
  });

  it('marks the cookie Secure in production and behind an https base by default', () => {
    expect(loadApiConfig(testEnv({ NODE_ENV: 'production' })).accounts.secureCookie).toBe(true);
    expect(loadApiConfig(testEnv({ PUBLIC_BASE_URL: 'https://hr.example.com' })).accounts.secureCookie).toBe(true);
    expect(loadApiConfig(testEnv()).accounts.secureCookie).toBe(false);
  });
});

describe('roles', () => {
  it('a reviewer reads and decides, and cannot create, change settings, or raise their own role through the API', async () => {
    const reviewer = await seedUser(api, a.companyId, 'reviewer');
    const admin = await seedUser(api, a.companyId, 'admin');
    const r = await signIn(api, reviewer.email, reviewer.password);
    const i = owned.interview.id;
    const refused: [string, string, unknown?][] = [
      ['PATCH', `/v1/users/${reviewer.id}`, { role: 'admin' }],
      ['POST', '/v1/users/invitations', { email: 'accomplice@example.com', role: 'admin' }],
      ['GET', '/v1/users'],
      ['PATCH', `/v1/users/${admin.id}`, { disabled: true }],
      ['POST', '/v1/api-keys', { name: 'mine' }],
      ['GET', '/v1/api-keys'],
      ['POST', '/v1/webhook-endpoints', { url: 'https://example.com/hook' }],
      ['GET', '/v1/webhook-endpoints'],
      ['PATCH', '/v1/company', { name: 'Taken' }],
      ['POST', '/v1/jobs', { title: 'Nope', description: 'x' }],
      ['PATCH', `/v1/jobs/${owned.job.id}`, { title: 'Nope' }],
      ['POST', '/v1/candidates', { firstName: 'N', lastName: 'O', phone: '+971501112233' }],
      ['POST', `/v1/interviews/${i}/cancel`, {}],
      ['GET', `/v1/interviews/${i}/link`],
      ['GET', '/v1/email/messages'],
    ];
    for (const [method, path, body] of refused) {
      const res = await r.call(method, path, body === undefined ? {} : { body });
      expectStatus(res, 403, `${method} ${path}`);
      expect(res.body.code).toBe('forbidden');
    }
    const row = await api.db.selectFrom('users').select('role').where('id', '=', reviewer.id).executeTakeFirstOrThrow();
    expect(row.role).toBe('reviewer');

    expect(bodyOf(await r.call('GET', `/v1/interviews/${i}`), 200).id).toBe(i);
    expectStatus(await r.call('GET', '/v1/jobs'), 200);
    const decision = bodyOf(await r.call('POST', `/v1/interviews/${i}/decision`, { body: { decision: 'hold', note: 'Ask again' } }), 201);
    expect(decision.decision).toBe('hold');
    expect(decision.decidedBy).toBe(`user:${reviewer.id}`);
  });

  it('a recruiter runs hiring but not the company: no keys, users or webhooks, and no account e-mails in the outbox', async () => {
    const recruiter = await seedUser(api, a.companyId, 'recruiter');
    const r = await signIn(api, recruiter.email, recruiter.password);
    expectStatus(await r.call('POST', '/v1/jobs', { body: { title: 'Recruiter job', description: 'x' } }), 201);
    for (const [method, path] of [['POST', '/v1/api-keys'], ['GET', '/v1/users'], ['GET', '/v1/webhook-endpoints']] as const) {
      expectStatus(await r.call(method, path, method === 'POST' ? { body: { name: 'k' } } : {}), 403, path);
    }
    // A reset link in the outbox would hand an admin's account to whoever reads it.
    const admin = await seedUser(api, a.companyId, 'admin');
    expectStatus(await anonymous()('POST', '/v1/auth/password-reset', { body: { email: admin.email } }), 202);
    const seen = bodyOf(await r.call('GET', '/v1/email/messages'), 200).items;
    expect(seen.some((m) => m.kind.startsWith('account.'))).toBe(false);
    const byAdmin = bodyOf(await client(api.url, a.key)('GET', '/v1/email/messages'), 200).items;
    expect(byAdmin.some((m) => m.kind === 'account.password_reset' && m.toAddress === admin.email)).toBe(true);
  });
});

describe("a session of one company on another's records", () => {
  it('answers 404, exactly as for an id that does not exist, and changes nothing', async () => {
    const intruder = await seedUser(api, b.companyId, 'admin');
    const victimUser = await seedUser(api, a.companyId, 'recruiter');
    const s = await signIn(api, intruder.email, intruder.password);
    const operations: [string, string, unknown?][] = [
      ['GET', `/v1/jobs/${owned.job.id}`],
      ['PATCH', `/v1/jobs/${owned.job.id}`, { title: 'Hijacked' }],
      ['DELETE', `/v1/jobs/${owned.job.id}`],
      ['GET', `/v1/candidates/${owned.candidate.id}`],
      ['GET', `/v1/interviews/${owned.interview.id}`],
      ['POST', `/v1/interviews/${owned.interview.id}/cancel`, {}],
      ['GET', `/v1/interviews/${owned.interview.id}/link`],
      ['POST', `/v1/interviews/${owned.interview.id}/decision`, { decision: 'reject' }],
      ['PATCH', `/v1/users/${victimUser.id}`, { role: 'reviewer' }],
      ['DELETE', `/v1/users/${victimUser.id}`],
    ];
    for (const [method, path, body] of operations) {
      const res = await s.call(method, path, body === undefined ? {} : { body });
      expectStatus(res, 404, `${method} ${path}`);
      expect(res.body.code).toBe('not_found');
    }
    expect(bodyOf(await s.call('GET', '/v1/interviews'), 200).items).toEqual([]);
    const theirs = bodyOf(await s.call('GET', '/v1/users'), 200).items.map((u) => u.id);
    expect(theirs).toContain(intruder.id);
    expect(theirs).not.toContain(victimUser.id);
    const a1 = client(api.url, a.key);
    expect(bodyOf(await a1('GET', `/v1/jobs/${owned.job.id}`), 200).title).toBe(owned.job.title);
    expect(bodyOf(await a1('GET', `/v1/interviews/${owned.interview.id}`), 200).status).toBe('scheduled');
    const victim = await api.db.selectFrom('users').select(['role', 'status']).where('id', '=', victimUser.id).executeTakeFirstOrThrow();
    expect(victim).toEqual({ role: 'recruiter', status: 'active' });
  });
});
