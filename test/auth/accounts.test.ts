import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, client, expectStatus, seedAdminKey, seedCompany, startTestApi, type TestApi } from '../support/harness.ts';
import { linkFromOutbox, seedUser, sessionCookieOf, signIn } from './support.ts';

// HR accounts over HTTP on a real Postgres: sign-in, the session cookie, sign-out, reset by e-mail read from the
// outbox, invitations, and users managed by an admin.

let api: TestApi;
let companyId: string;
let key: string;
let anonymous: ReturnType<typeof client>;

beforeAll(async () => {
  // Every sign-in of this file comes from one address: its per-address limit is the security test's business.
  api = await startTestApi({ env: { LOGIN_RATE_LIMIT_PER_IP: '1000' } });
  ({ companyId, key } = await seedCompany(api.db, 'Accounts Co'));
  anonymous = client(api.url);
});
afterAll(() => api?.stop());

describe('sign-in and the session', () => {
  it('signs in with e-mail and password: an HttpOnly, SameSite=Lax cookie whose token is stored only as a hash', async () => {
    const admin = await seedUser(api, companyId, 'admin');
    const signed = await signIn(api, admin.email.toUpperCase(), admin.password);
    expect(signed.body.user).toEqual({ id: admin.id, email: admin.email, name: expect.any(String), role: 'admin' });
    expect(signed.body.company).toEqual({ id: companyId, name: 'Accounts Co', timezone: 'UTC' });
    expect(signed.body.csrfToken.length).toBeGreaterThan(20);
    const cookie = signed.response.headers.getSetCookie().find((c) => c.startsWith('hr_session='))!;
    expect(cookie).toMatch(/; Path=\/;/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Max-Age=\d+/);
    // The test API's base is http, outside production: no Secure flag (production sets it; see the config test).
    expect(cookie).not.toMatch(/Secure/);
    expect(signed.response.headers.get('cache-control')).toBe('no-store');
    const rows = await api.db.selectFrom('userSessions').select('tokenHash').where('userId', '=', admin.id).execute();
    expect(rows.map((r) => r.tokenHash)).toEqual([createHash('sha256').update(signed.state.token).digest('hex')]);

    const session = bodyOf(await signed.call('GET', '/v1/auth/session'), 200);
    expect(session).toEqual(signed.body);
    const last = await api.db.selectFrom('users').select('lastLoginAt').where('id', '=', admin.id).executeTakeFirstOrThrow();
    expect(last.lastLoginAt).not.toBeNull();
  });

  it('answers 401 invalid_credentials alike for an unknown address and a wrong password, and audits both', async () => {
    const user = await seedUser(api, companyId, 'recruiter');
    const wrong = await anonymous('POST', '/v1/auth/login', { body: { email: user.email, password: 'not the password' } });
    const unknown = await anonymous('POST', '/v1/auth/login', { body: { email: 'nobody@example.com', password: 'whatever1234' } });
    expectStatus(wrong, 401);
    expectStatus(unknown, 401);
    expect(wrong.body.code).toBe('invalid_credentials');
    expect({ ...unknown.body, instance: undefined }).toEqual({ ...wrong.body, instance: undefined });
    expect(sessionCookieOf(wrong.headers)).toBeUndefined();
    const audits = await api.db
      .selectFrom('auditLog')
      .select(['actorType', 'actorId', 'companyId', 'details'])
      .where('action', '=', 'auth.login_failed')
      .execute();
    expect(audits).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actorType: 'user', actorId: user.id, companyId, details: { email: user.email, reason: 'wrong_password' } }),
        expect.objectContaining({ actorType: 'user', actorId: null, companyId: null, details: { email: 'nobody@example.com', reason: 'unknown_email' } }),
      ]),
    );
  });

  it('refuses a malformed body with 400', async () => {
    const r = await anonymous('POST', '/v1/auth/login', { body: { email: 'not-an-address', password: '' } });
    expectStatus(r, 400);
    expect(r.body.errors?.map((e) => e.path).sort()).toEqual(['body.email', 'body.password']);
  });

  it('GET /v1/auth/session is 401 without a cookie or with an unknown one', async () => {
    expectStatus(await anonymous('GET', '/v1/auth/session'), 401);
    const r = await anonymous('GET', '/v1/auth/session', { headers: { cookie: `hr_session=${'x'.repeat(43)}` } });
    expectStatus(r, 401);
    expect(r.body.code).toBe('unauthorized');
  });

  it('a session calls the HR API like a key does, and its changes are audited as the user', async () => {
    const recruiter = await seedUser(api, companyId, 'recruiter');
    const signed = await signIn(api, recruiter.email, recruiter.password);
    const job = bodyOf(
      await signed.call('POST', '/v1/jobs', { body: { title: 'Session job', description: 'Made from the workspace' } }),
      201,
    );
    expect(bodyOf(await signed.call('GET', `/v1/jobs/${job.id}`), 200).title).toBe('Session job');
    const audit = await api.db
      .selectFrom('auditLog')
      .select(['actorType', 'actorId'])
      .where('action', '=', 'job.create')
      .where('targetId', '=', job.id)
      .executeTakeFirstOrThrow();
    expect(audit).toEqual({ actorType: 'user', actorId: recruiter.id });
  });

  it('logs out this session only: the cookie is cleared and the token stops working', async () => {
    const user = await seedUser(api, companyId, 'reviewer');
    const one = await signIn(api, user.email, user.password);
    const two = await signIn(api, user.email, user.password);
    const out = await one.call('POST', '/v1/auth/logout');
    expectStatus(out, 204);
    expect(out.headers.getSetCookie().find((c) => c.startsWith('hr_session='))).toMatch(/^hr_session=; .*Max-Age=0/);
    expectStatus(await one.call('GET', '/v1/auth/session'), 401);
    expectStatus(await two.call('GET', '/v1/auth/session'), 200);
    // Nothing left to end: still 204, so a page can always sign out.
    expectStatus(await one.call('POST', '/v1/auth/logout'), 204);
  });

  it('logs out everywhere: every session of the user ends, other users keep theirs', async () => {
    const user = await seedUser(api, companyId, 'recruiter');
    const other = await seedUser(api, companyId, 'recruiter');
    const laptop = await signIn(api, user.email, user.password);
    const phone = await signIn(api, user.email, user.password);
    const colleague = await signIn(api, other.email, other.password);
    expectStatus(await phone.call('POST', '/v1/auth/logout-everywhere'), 204);
    expectStatus(await laptop.call('GET', '/v1/auth/session'), 401);
    expectStatus(await phone.call('GET', '/v1/auth/session'), 401);
    expectStatus(await colleague.call('GET', '/v1/auth/session'), 200);
    expectStatus(await laptop.call('POST', '/v1/auth/logout-everywhere'), 401);
  });

  it('ends an idle session and one past its absolute lifetime', async () => {
    const user = await seedUser(api, companyId, 'reviewer');
    const idle = await signIn(api, user.email, user.password);
    const old = await signIn(api, user.email, user.password);
    const hash = (t: string) => createHash('sha256').update(t).digest('hex');
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);
    await api.db.updateTable('userSessions').set({ lastSeenAt: hoursAgo(13) }).where('tokenHash', '=', hash(idle.state.token)).execute();
    await api.db.updateTable('userSessions').set({ expiresAt: hoursAgo(0.01) }).where('tokenHash', '=', hash(old.state.token)).execute();
    expectStatus(await idle.call('GET', '/v1/auth/session'), 401);
    expectStatus(await old.call('GET', '/v1/auth/session'), 401);
  });
});

describe('password reset by e-mail', () => {
  it('e-mails a single-use link through the outbox; the new password works and every session ends', async () => {
    const user = await seedUser(api, companyId, 'recruiter');
    const before = await signIn(api, user.email, user.password);
    expectStatus(await anonymous('POST', '/v1/auth/password-reset', { body: { email: user.email } }), 202);
    const link = await linkFromOutbox(api, key, user.email, 'account.password_reset');
    expect(link.url.startsWith('http://interviews.test/hr/reset-password?token=')).toBe(true);
    expect(link.message.subject).toBe('Reset your password');

    const short = await anonymous('POST', '/v1/auth/password-reset/complete', { body: { token: link.token, password: 'short' } });
    expectStatus(short, 400);
    expect(short.body.errors?.[0]?.path).toBe('body.password');

    const done = await anonymous('POST', '/v1/auth/password-reset/complete', {
      body: { token: link.token, password: 'a brand new password' },
    });
    expectStatus(done, 204);
    expectStatus(await before.call('GET', '/v1/auth/session'), 401);
    expectStatus(await anonymous('POST', '/v1/auth/login', { body: { email: user.email, password: user.password } }), 401);
    await signIn(api, user.email, 'a brand new password');

    const again = await anonymous('POST', '/v1/auth/password-reset/complete', {
      body: { token: link.token, password: 'yet another password' },
    });
    expectStatus(again, 400);
    expect(again.body.code).toBe('invalid_token');
    const actions = await api.db.selectFrom('auditLog').select('action').where('targetId', '=', user.id).execute();
    expect(actions.map((a) => a.action)).toEqual(expect.arrayContaining(['auth.password_reset_requested', 'auth.password_reset']));
  });

  it('answers 202 for an address without an account, and sends nothing', async () => {
    const count = async () =>
      (await api.db.selectFrom('emailMessages').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n;
    const was = await count();
    expectStatus(await anonymous('POST', '/v1/auth/password-reset', { body: { email: 'ghost@example.com' } }), 202);
    expect(await count()).toBe(was);
  });

  it('a link stops working after an hour, and an older link once a newer one is sent', async () => {
    const user = await seedUser(api, companyId, 'reviewer');
    await anonymous('POST', '/v1/auth/password-reset', { body: { email: user.email } });
    const first = await linkFromOutbox(api, key, user.email, 'account.password_reset');
    await api.db.deleteFrom('emailMessages').where('id', '=', first.message.id).execute();
    await anonymous('POST', '/v1/auth/password-reset', { body: { email: user.email } });
    const second = await linkFromOutbox(api, key, user.email, 'account.password_reset');
    const stale = await anonymous('POST', '/v1/auth/password-reset/complete', { body: { token: first.token, password: 'new password 1' } });
    expectStatus(stale, 400);
    api.setNow(new Date(Date.now() + 61 * 60_000));
    try {
      const late = await anonymous('POST', '/v1/auth/password-reset/complete', { body: { token: second.token, password: 'new password 2' } });
      expectStatus(late, 400);
      expect(late.body.code).toBe('invalid_token');
    } finally {
      api.setNow(null);
    }
  });
});

describe('invitations and users', () => {
  it('an admin invites by e-mail; the invitee accepts with name and password and is signed in with the role', async () => {
    const admin = await signIn(api, (await seedUser(api, companyId, 'admin')).email, 'correct horse battery');
    const invited = bodyOf(
      await admin.call('POST', '/v1/users/invitations', { body: { email: 'Nadia@Example.com', role: 'reviewer' } }),
      201,
    );
    expect(invited).toMatchObject({ email: 'nadia@example.com', role: 'reviewer', status: 'invited' });
    const listed = bodyOf(await admin.call('GET', '/v1/users'), 200).items;
    expect(listed.find((u) => u.id === invited.id)?.status).toBe('invited');
    // Not yet a password to sign in with.
    expectStatus(await anonymous('POST', '/v1/auth/login', { body: { email: 'nadia@example.com', password: 'anything long' } }), 401);

    const link = await linkFromOutbox(api, key, 'nadia@example.com', 'account.invitation');
    expect(link.url.startsWith('http://interviews.test/hr/accept-invitation?token=')).toBe(true);
    const accepted = await anonymous('POST', '/v1/auth/invitations/accept', {
      body: { token: link.token, name: 'Nadia Saleh', password: 'her own password' },
    });
    const session = bodyOf(accepted, 200);
    expect(session.user).toEqual({ id: invited.id, email: 'nadia@example.com', name: 'Nadia Saleh', role: 'reviewer' });
    expect(sessionCookieOf(accepted.headers)).toBeTruthy();
    expect(bodyOf(await admin.call('GET', '/v1/users'), 200).items.find((u) => u.id === invited.id)?.status).toBe('active');
    await signIn(api, 'nadia@example.com', 'her own password');

    const reuse = await anonymous('POST', '/v1/auth/invitations/accept', {
      body: { token: link.token, name: 'Mallory', password: 'taking it over' },
    });
    expectStatus(reuse, 400);
    expect(reuse.body.code).toBe('invalid_token');
    const conflict = await admin.call('POST', '/v1/users/invitations', { body: { email: 'nadia@example.com', role: 'admin' } });
    expectStatus(conflict, 409);
  });

  it('changes roles, disables (ending sessions) and enables users, and never removes the last admin', async () => {
    const { companyId: solo, key: soloKey } = await seedCompany(api.db, 'Solo Co');
    const only = await seedUser(api, solo, 'admin');
    const admin = await signIn(api, only.email, only.password);
    const demote = await admin.call('PATCH', `/v1/users/${only.id}`, { body: { role: 'recruiter' } });
    expectStatus(demote, 409);
    expectStatus(await admin.call('DELETE', `/v1/users/${only.id}`), 409);
    expectStatus(await client(api.url, soloKey)('PATCH', `/v1/users/${only.id}`, { body: { disabled: true } }), 409);

    const colleague = await seedUser(api, solo, 'recruiter');
    const theirs = await signIn(api, colleague.email, colleague.password);
    expect(bodyOf(await admin.call('PATCH', `/v1/users/${colleague.id}`, { body: { role: 'admin' } }), 200).role).toBe('admin');
    // Two admins now: the first may step down.
    expect(bodyOf(await admin.call('PATCH', `/v1/users/${only.id}`, { body: { role: 'reviewer' } }), 200).role).toBe('reviewer');
    // The role is read on every request: the former admin lost admin access at once.
    expectStatus(await admin.call('GET', '/v1/users'), 403);

    expectStatus(await theirs.call('DELETE', `/v1/users/${only.id}`), 204);
    expectStatus(await admin.call('GET', '/v1/auth/session'), 401);
    expectStatus(await anonymous('POST', '/v1/auth/login', { body: { email: only.email, password: only.password } }), 401);
    const enabled = bodyOf(await theirs.call('PATCH', `/v1/users/${only.id}`, { body: { disabled: false } }), 200);
    expect(enabled.status).toBe('active');
    await signIn(api, only.email, only.password);

    const audit = await api.db
      .selectFrom('auditLog')
      .select(['action', 'actorType', 'actorId'])
      .where('targetId', '=', only.id)
      .where('action', 'in', ['user.update', 'user.disable'])
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      { action: 'user.update', actorType: 'user', actorId: only.id },
      { action: 'user.disable', actorType: 'user', actorId: colleague.id },
      { action: 'user.update', actorType: 'user', actorId: colleague.id },
    ]);
  });

  it('an API key of the company manages its users too; the admin key, which has no company, is told to use one', async () => {
    const byKey = bodyOf(await client(api.url, key)('POST', '/v1/users/invitations', { body: { email: 'bykey@example.com', role: 'recruiter' } }), 201);
    expect(byKey.status).toBe('invited');
    const audit = await api.db.selectFrom('auditLog').select('actorType').where('targetId', '=', byKey.id).executeTakeFirstOrThrow();
    expect(audit.actorType).toBe('api_key');
    const global = await client(api.url, await seedAdminKey(api.db))('GET', '/v1/users');
    expectStatus(global, 403);
    expect(global.body.detail).toMatch(/company key/);
  });
});
