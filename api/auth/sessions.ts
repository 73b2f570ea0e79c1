import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import type { Kysely } from 'kysely';
import type { Database } from '../../shared/db/schema.ts';
import type { ApiConfig } from '../config.ts';
import { AppError } from '../http/problem.ts';
import type { RequestMeta } from '../http/route.ts';
import { hashSecretToken, newSecretToken } from './passwords.ts';
import type { Principal, Role } from './principal.ts';

// Sessions of the HR workspace: an opaque token in an HttpOnly cookie, only its hash in Postgres. The CSRF token is
// derived from the session token (an HMAC keyed with it), so it needs no storage, changes with every session and
// cannot be computed by anyone who cannot read the cookie.

export const sessionCookieName = 'hr_session';
export const csrfHeaderName = 'x-csrf-token';

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// last_seen_at is written at most this often: the idle timeout needs minutes, not every request turned into a write.
const touchEveryMs = 60_000;

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export interface Session {
  id: string;
  user: SessionUser;
  company: { id: string; name: string; timezone: string };
  csrfToken: string;
}

export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('hr-csrf').digest('base64url');
}

/** The Set-Cookie value carrying a new session; Max-Age is the absolute lifetime, the server enforces idle time. */
export function sessionCookie(token: string, accounts: ApiConfig['accounts']): string {
  const maxAge = Math.floor(accounts.sessionMaxMs / 1000);
  return cookieHeader(token, maxAge, accounts.secureCookie);
}

export function clearedSessionCookie(accounts: ApiConfig['accounts']): string {
  return cookieHeader('', 0, accounts.secureCookie);
}

// Written by hand rather than with ctx.cookies: Koa refuses a Secure cookie on a request it does not see as https,
// which is every request behind a TLS-terminating proxy unless TRUST_PROXY is on.
function cookieHeader(value: string, maxAge: number, secure: boolean): string {
  return `${sessionCookieName}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

export function sessionTokenFrom(ctx: Context): string | undefined {
  const token = ctx.cookies.get(sessionCookieName);
  return token && /^[A-Za-z0-9_-]{43}$/.test(token) ? token : undefined;
}

/** Stores a new session for a user who just proved who they are; the old one presented, if any, ends (no fixation). */
export async function startSession(
  db: Kysely<Database>,
  accounts: ApiConfig['accounts'],
  user: { id: string; companyId: string },
  meta: RequestMeta,
  now: Date,
  presentedToken: string | undefined,
): Promise<{ token: string; csrfToken: string; cookie: string }> {
  if (presentedToken) await db.deleteFrom('userSessions').where('tokenHash', '=', hashSecretToken(presentedToken)).execute();
  // Expired sessions of this user go at each sign-in, so the table holds little more than the live ones.
  await db
    .deleteFrom('userSessions')
    .where('userId', '=', user.id)
    .where((eb) =>
      eb.or([
        eb('expiresAt', '<=', now),
        eb('lastSeenAt', '<=', new Date(now.getTime() - accounts.sessionIdleMs)),
      ]),
    )
    .execute();
  const { token, hash } = newSecretToken();
  await db
    .insertInto('userSessions')
    .values({
      tokenHash: hash,
      userId: user.id,
      companyId: user.companyId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + accounts.sessionMaxMs),
      ip: meta.ip,
      userAgent: meta.userAgent,
    })
    .execute();
  return { token, csrfToken: csrfTokenFor(token), cookie: sessionCookie(token, accounts) };
}

/** The live session a cookie names, or undefined: unknown, expired, idle too long, or its user no longer active. */
export async function findSession(
  db: Kysely<Database>,
  accounts: ApiConfig['accounts'],
  token: string | undefined,
  now: Date,
): Promise<Session | undefined> {
  if (!token) return undefined;
  const row = await db
    .selectFrom('userSessions as s')
    .innerJoin('users as u', 'u.id', 's.userId')
    .innerJoin('companies as c', 'c.id', 's.companyId')
    .select([
      's.id',
      's.lastSeenAt',
      's.expiresAt',
      'u.id as userId',
      'u.email',
      'u.name',
      'u.role',
      'u.status',
      'c.id as companyId',
      'c.name as companyName',
      'c.timezone as companyTimezone',
    ])
    .where('s.tokenHash', '=', hashSecretToken(token))
    .executeTakeFirst();
  if (!row || row.status !== 'active') return undefined;
  if (row.expiresAt <= now || row.lastSeenAt.getTime() <= now.getTime() - accounts.sessionIdleMs) {
    await db.deleteFrom('userSessions').where('id', '=', row.id).execute();
    return undefined;
  }
  if (now.getTime() - row.lastSeenAt.getTime() > touchEveryMs) {
    await db.updateTable('userSessions').set({ lastSeenAt: now }).where('id', '=', row.id).execute();
  }
  return {
    id: row.id,
    user: { id: row.userId, email: row.email, name: row.name, role: row.role },
    company: { id: row.companyId, name: row.companyName, timezone: row.companyTimezone },
    csrfToken: csrfTokenFor(token),
  };
}

/**
 * The session a cookie-authenticated request runs in; an unsafe method must also carry the session's CSRF token in
 * X-CSRF-Token. A page on another site can make the browser send the cookie, but cannot read the token.
 */
export async function requireSession(
  db: Kysely<Database>,
  accounts: ApiConfig['accounts'],
  ctx: Context,
  now: Date,
): Promise<Session> {
  const session = await findSession(db, accounts, sessionTokenFrom(ctx), now);
  if (!session) throw new AppError('unauthorized', 'Sign in first: the session is missing, expired or ended.');
  if (unsafeMethods.has(ctx.method)) checkCsrf(ctx, session.csrfToken);
  return session;
}

function checkCsrf(ctx: Context, expected: string): void {
  const sent = Buffer.from(ctx.get(csrfHeaderName));
  const wanted = Buffer.from(expected);
  if (sent.length !== wanted.length || !timingSafeEqual(sent, wanted)) {
    throw new AppError('csrf_failed', 'Send the csrfToken of the session as the X-CSRF-Token header.');
  }
}

export function principalOf(session: Session): Principal {
  return { keyId: null, userId: session.user.id, companyId: session.company.id, isAdmin: false, role: session.user.role };
}

/** Ends every session of a user (sign-out everywhere, a new password, a disabled account). */
export async function endUserSessions(db: Kysely<Database>, userId: string): Promise<number> {
  const result = await db.deleteFrom('userSessions').where('userId', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Requests that arrive without a session (sign-in, reset, accepting an invitation) are refused when the browser says
 * they come from another site: a page elsewhere could otherwise sign a visitor in to an account of its choosing.
 */
export function checkOrigin(ctx: Context, publicBaseUrl: string): void {
  const origin = ctx.get('origin');
  if (!origin) return;
  // The app's public base, or the host the request was sent to (a dev server proxying the API). Not ctx.origin:
  // in Koa 3 that is the Origin header itself.
  const allowed = new Set([new URL(publicBaseUrl).origin, `${ctx.protocol}://${ctx.host}`]);
  if (!allowed.has(origin)) throw new AppError('forbidden', 'This request must come from the workspace itself.');
}
