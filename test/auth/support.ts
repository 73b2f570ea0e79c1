import { insertActiveUser } from '../../api/auth/users.repository.ts';
import type { Role } from '../../api/auth/principal.ts';
import { bodyOf, client, type CallOptions } from '../support/harness.ts';
import type { TestApi } from '../support/harness.ts';

/** The session token a response's Set-Cookie carries, or undefined (a cleared cookie carries an empty value). */
export function sessionCookieOf(headers: Headers): string | undefined {
  const cookie = headers.getSetCookie().find((c) => c.startsWith('hr_session='));
  const value = cookie?.split(';')[0]!.slice('hr_session='.length);
  return value || undefined;
}

/**
 * A browser of the HR workspace, as far as the API can tell: it sends the session cookie on every request and the
 * CSRF token on changes, unless a test says otherwise.
 */
export function browser(api: TestApi, token: string, csrfToken: string) {
  const call = client(api.url);
  const state = { token, csrfToken };
  return {
    state,
    call<const M extends string, const P extends string>(
      method: M,
      path: P,
      options: CallOptions & { csrf?: string | null } = {},
    ) {
      const headers: Record<string, string> = { cookie: `hr_session=${state.token}`, ...options.headers };
      const csrf = options.csrf === undefined ? state.csrfToken : options.csrf;
      if (csrf) headers['x-csrf-token'] = csrf;
      return call(method, path, { ...options, key: null, headers });
    },
  };
}

export async function signIn(api: TestApi, email: string, password: string, headers: Record<string, string> = {}) {
  const r = await client(api.url)('POST', '/v1/auth/login', { body: { email, password }, headers });
  const body = bodyOf(r, 200);
  const token = sessionCookieOf(r.headers);
  if (!token) throw new Error('login set no session cookie');
  return { ...browser(api, token, body.csrfToken), body, response: r };
}

let counter = 0;

/** A user who can sign in at once, made with the same repository function `npm start` and the CLI use. */
export async function seedUser(api: TestApi, companyId: string, role: Role, password = 'correct horse battery') {
  counter++;
  const email = `${role}${counter}.${companyId.slice(0, 8)}@example.com`;
  const user = await insertActiveUser(api.db, { companyId, email, name: `${role} ${counter}`, role, password });
  return { id: user.id, email, password };
}

/** The link an account e-mail carries, read back from the outbox over the API, as a user without SMTP would. */
export async function linkFromOutbox(api: TestApi, key: string, to: string, kind: 'account.password_reset' | 'account.invitation') {
  const messages = bodyOf(await client(api.url, key)('GET', '/v1/email/messages'), 200).items;
  const message = messages.find((m) => m.toAddress === to && m.kind === kind);
  if (!message) throw new Error(`no ${kind} e-mail to ${to} in the outbox`);
  const match = /(http\S+\/hr\/(?:reset-password|accept-invitation)\?token=(\S+))/.exec(message.textBody);
  if (!match) throw new Error(`no link in: ${message.textBody}`);
  return { url: match[1]!, token: decodeURIComponent(match[2]!), message };
}
