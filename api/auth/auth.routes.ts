import type { Kysely } from 'kysely';
import type { Database } from '../../shared/db/schema.ts';
import { recordAudit, type AuditActor } from '../audit/audit-log.ts';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../http/problem.ts';
import { defineRoute, type RequestMeta } from '../http/route.ts';
import { consumeRateLimits, type LimitRule } from '../public/rate-limit.ts';
import {
  acceptInvitationBody,
  loginBody,
  passwordResetBody,
  passwordResetCompleteBody,
  sessionSchema,
} from './auth.schemas.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import {
  checkOrigin,
  clearedSessionCookie,
  endUserSessions,
  findSession,
  requireSession,
  sessionTokenFrom,
  startSession,
  type Session,
} from './sessions.ts';
import {
  consumeUserToken,
  enqueueAccountEmail,
  findUserByEmail,
  issueUserToken,
  normalizeEmail,
  workspaceLink,
  type User,
} from './users.repository.ts';

const tags = ['HR accounts'];
// Session answers name the user and carry the CSRF token: no cache may keep them.
const noStore = { 'Cache-Control': 'no-store' };

function userActor(userId: string | null, meta: RequestMeta): AuditActor {
  return { type: 'user', id: userId, ip: meta.ip, userAgent: meta.userAgent };
}

async function sessionBody(db: Kysely<Database>, user: User, csrfToken: string) {
  const company = await db
    .selectFrom('companies')
    .select(['id', 'name', 'timezone'])
    .where('id', '=', user.companyId)
    .executeTakeFirstOrThrow();
  return {
    user: { id: user.id, email: user.email, name: user.name, role: user.role },
    company,
    csrfToken,
  };
}

function toBody(session: Session) {
  return { user: session.user, company: session.company, csrfToken: session.csrfToken };
}

export function authRoutes({ db, config, now }: AppDeps) {
  const accounts = config.accounts;

  /**
   * Attempts per address and, when one is named, per account, in one fixed window; over either is a 429 with
   * Retry-After. Counted before the password is checked, so a flood costs no argon2 work past the limit.
   */
  function limitAttempts(kind: 'login' | 'reset' | 'token', ip: string, account?: string): Promise<void> {
    const rules: LimitRule[] = [{ key: `${kind}:ip:${ip}`, limit: accounts.loginPerIp }];
    if (account) rules.push({ key: `${kind}:account:${account}`, limit: accounts.loginPerAccount });
    return consumeRateLimits(db, rules, accounts.loginWindowSeconds, now());
  }

  return [
    defineRoute({
      method: 'post',
      path: '/v1/auth/login',
      operationId: 'login',
      summary:
        'Sign in to the HR workspace with e-mail and password: sets the `hr_session` cookie (a new session every ' +
        'time) and returns the CSRF token for later changes. Rate-limited per address and per account.',
      tags,
      auth: 'public',
      body: loginBody,
      responses: { 200: { description: 'Signed in', schema: sessionSchema } },
      handler: async ({ body, meta, ctx }) => {
        checkOrigin(ctx, config.publicBaseUrl);
        const email = normalizeEmail(body.email);
        await limitAttempts('login', meta.ip, email);
        const user = await findUserByEmail(db, email);
        const passwordOk = await verifyPassword(user?.passwordHash, body.password);
        if (!user || !passwordOk || user.status !== 'active') {
          // Failures are security events; the rate limit above bounds how many an attacker can write.
          await recordAudit(db, userActor(user?.id ?? null, meta), {
            companyId: user?.companyId ?? null,
            action: 'auth.login_failed',
            targetType: 'user',
            ...(user ? { targetId: user.id } : {}),
            details: { email, reason: !user ? 'unknown_email' : !passwordOk ? 'wrong_password' : `user_${user.status}` },
          });
          // One answer for an unknown address, a wrong password and a disabled account: nothing to enumerate.
          throw new AppError('invalid_credentials', 'The e-mail or the password is wrong.');
        }
        const at = now();
        const started = await db.transaction().execute(async (trx) => {
          const session = await startSession(trx, accounts, user, meta, at, sessionTokenFrom(ctx));
          await trx.updateTable('users').set({ lastLoginAt: at }).where('id', '=', user.id).execute();
          await recordAudit(trx, userActor(user.id, meta), {
            companyId: user.companyId,
            action: 'auth.login',
            targetType: 'user',
            targetId: user.id,
          });
          return session;
        });
        return {
          status: 200,
          body: await sessionBody(db, user, started.csrfToken),
          headers: { ...noStore, 'Set-Cookie': started.cookie },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/auth/session',
      operationId: 'getSession',
      summary: 'The signed-in user, their company and the CSRF token of the session; 401 when not signed in',
      tags,
      auth: 'public',
      responses: { 200: { description: 'The session', schema: sessionSchema } },
      handler: async ({ ctx }) => {
        const session = await requireSession(db, accounts, ctx, now());
        return { status: 200, body: toBody(session), headers: noStore };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/auth/logout',
      operationId: 'logout',
      summary: 'End this session (needs X-CSRF-Token); without a live session there is nothing to end and it still answers 204',
      tags,
      auth: 'public',
      responses: { 204: { description: 'Signed out' } },
      handler: async ({ ctx, meta }) => {
        const token = sessionTokenFrom(ctx);
        if (await findSession(db, accounts, token, now())) {
          const session = await requireSession(db, accounts, ctx, now());
          await db.transaction().execute(async (trx) => {
            await trx.deleteFrom('userSessions').where('id', '=', session.id).execute();
            await recordAudit(trx, userActor(session.user.id, meta), {
              companyId: session.company.id,
              action: 'auth.logout',
              targetType: 'user',
              targetId: session.user.id,
            });
          });
        }
        return { status: 204, headers: { 'Set-Cookie': clearedSessionCookie(accounts) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/auth/logout-everywhere',
      operationId: 'logoutEverywhere',
      summary: "End every session of the signed-in user, on every device (needs X-CSRF-Token)",
      tags,
      auth: 'public',
      responses: { 204: { description: 'Signed out everywhere' } },
      handler: async ({ ctx, meta }) => {
        const session = await requireSession(db, accounts, ctx, now());
        await db.transaction().execute(async (trx) => {
          const ended = await endUserSessions(trx, session.user.id);
          await recordAudit(trx, userActor(session.user.id, meta), {
            companyId: session.company.id,
            action: 'auth.logout_everywhere',
            targetType: 'user',
            targetId: session.user.id,
            details: { sessionsEnded: ended },
          });
        });
        return { status: 204, headers: { 'Set-Cookie': clearedSessionCookie(accounts) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/auth/password-reset',
      operationId: 'requestPasswordReset',
      summary:
        'E-mail a password-reset link (single use, one hour) to an active account. Always 202, whether or not ' +
        'the address has an account.',
      tags,
      auth: 'public',
      body: passwordResetBody,
      responses: { 202: { description: 'If the address has an account, a link is on its way' } },
      handler: async ({ body, meta, ctx }) => {
        checkOrigin(ctx, config.publicBaseUrl);
        const email = normalizeEmail(body.email);
        await limitAttempts('reset', meta.ip, email);
        const user = await findUserByEmail(db, email);
        if (user?.status === 'active') {
          const at = now();
          await db.transaction().execute(async (trx) => {
            const token = await issueUserToken(trx, user.id, 'password_reset', at);
            const company = await trx.selectFrom('companies').select('name').where('id', '=', user.companyId).executeTakeFirstOrThrow();
            await enqueueAccountEmail(
              trx,
              {
                companyId: user.companyId,
                to: user.email,
                kind: 'account.password_reset',
                link: workspaceLink(config.publicBaseUrl, 'reset-password', token),
                companyName: company.name,
              },
              at,
            );
            await recordAudit(trx, userActor(null, meta), {
              companyId: user.companyId,
              action: 'auth.password_reset_requested',
              targetType: 'user',
              targetId: user.id,
            });
          });
        }
        return { status: 202 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/auth/password-reset/complete',
      operationId: 'completePasswordReset',
      summary: "Set a new password with the e-mailed link's token; ends every session of the user",
      tags,
      auth: 'public',
      body: passwordResetCompleteBody,
      responses: { 204: { description: 'Password changed; sign in with it' } },
      handler: async ({ body, meta, ctx }) => {
        checkOrigin(ctx, config.publicBaseUrl);
        await limitAttempts('token', meta.ip);
        const passwordHash = await hashPassword(body.password);
        await db.transaction().execute(async (trx) => {
          const user = await consumeUserToken(trx, body.token, 'password_reset', now());
          if (!user || user.status !== 'active') throw invalidLink();
          await trx.updateTable('users').set({ passwordHash, updatedAt: now() }).where('id', '=', user.id).execute();
          const ended = await endUserSessions(trx, user.id);
          await recordAudit(trx, userActor(user.id, meta), {
            companyId: user.companyId,
            action: 'auth.password_reset',
            targetType: 'user',
            targetId: user.id,
            details: { sessionsEnded: ended },
          });
        });
        return { status: 204, headers: { 'Set-Cookie': clearedSessionCookie(accounts) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/auth/invitations/accept',
      operationId: 'acceptInvitation',
      summary: "Accept an invitation with the e-mailed link's token: choose a name and password, and be signed in",
      tags,
      auth: 'public',
      body: acceptInvitationBody,
      responses: { 200: { description: 'Signed in', schema: sessionSchema } },
      handler: async ({ body, meta, ctx }) => {
        checkOrigin(ctx, config.publicBaseUrl);
        await limitAttempts('token', meta.ip);
        const passwordHash = await hashPassword(body.password);
        const at = now();
        const { user, started } = await db.transaction().execute(async (trx) => {
          const invited = await consumeUserToken(trx, body.token, 'invitation', at);
          if (!invited || invited.status !== 'invited') throw invalidLink();
          const user = await trx
            .updateTable('users')
            .set({ name: body.name, passwordHash, status: 'active', updatedAt: at, lastLoginAt: at })
            .where('id', '=', invited.id)
            .returningAll()
            .executeTakeFirstOrThrow();
          const started = await startSession(trx, accounts, user, meta, at, sessionTokenFrom(ctx));
          await recordAudit(trx, userActor(user.id, meta), {
            companyId: user.companyId,
            action: 'user.invitation_accepted',
            targetType: 'user',
            targetId: user.id,
          });
          return { user, started };
        });
        return {
          status: 200,
          body: await sessionBody(db, user, started.csrfToken),
          headers: { ...noStore, 'Set-Cookie': started.cookie },
        };
      },
    }),
  ];
}

function invalidLink(): AppError {
  return new AppError('invalid_token', 'The link is not valid: it was already used, has expired, or was replaced by a newer one.');
}
