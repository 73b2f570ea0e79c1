import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../shared/db/schema.ts';
import type { UserTokens, Users } from '../../shared/db/schema.generated.ts';
import { enqueueEmail } from '../email/queue.ts';
import { escapeHtml } from '../email/templates.ts';
import { hashPassword, hashSecretToken, newSecretToken } from './passwords.ts';
import type { Role } from './principal.ts';

export type User = Selectable<Users>;
export type UserTokenKind = Selectable<UserTokens>['kind'];

export const tokenLifetimeMs: Record<UserTokenKind, number> = {
  password_reset: 60 * 60_000,
  invitation: 7 * 24 * 60 * 60_000,
};

/** Addresses are compared as typed in any case: stored and looked up lowercased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function findUserByEmail(db: Kysely<Database>, email: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', normalizeEmail(email)).executeTakeFirst();
}

/** A user who can sign in at once (the demo admin, `cli create-user`); an invitation makes one who cannot yet. */
export async function insertActiveUser(
  db: Kysely<Database>,
  user: { companyId: string; email: string; name: string; role: Role; password: string },
): Promise<User> {
  return db
    .insertInto('users')
    .values({
      companyId: user.companyId,
      email: normalizeEmail(user.email),
      name: user.name,
      role: user.role,
      status: 'active',
      passwordHash: await hashPassword(user.password),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Issues a single-use link token; earlier unused ones of the same kind stop working, so only the newest e-mail counts. */
export async function issueUserToken(
  db: Kysely<Database>,
  userId: string,
  kind: UserTokenKind,
  now: Date,
): Promise<string> {
  await db
    .updateTable('userTokens')
    .set({ usedAt: now })
    .where('userId', '=', userId)
    .where('kind', '=', kind)
    .where('usedAt', 'is', null)
    .execute();
  const { token, hash } = newSecretToken();
  await db
    .insertInto('userTokens')
    .values({ userId, kind, tokenHash: hash, createdAt: now, expiresAt: new Date(now.getTime() + tokenLifetimeMs[kind]) })
    .execute();
  return token;
}

/**
 * Uses up a link token: marks it used and returns its user, or undefined when it is unknown, used, expired or of
 * another kind. The update is the check, so two requests with the same token cannot both succeed.
 */
export async function consumeUserToken(
  db: Kysely<Database>,
  token: string,
  kind: UserTokenKind,
  now: Date,
): Promise<User | undefined> {
  const used = await db
    .updateTable('userTokens')
    .set({ usedAt: now })
    .where('tokenHash', '=', hashSecretToken(token))
    .where('kind', '=', kind)
    .where('usedAt', 'is', null)
    .where('expiresAt', '>', now)
    .returning('userId')
    .executeTakeFirst();
  if (!used) return undefined;
  return db.selectFrom('users').selectAll().where('id', '=', used.userId).executeTakeFirst();
}

/** The workspace page a link opens: the app's public base, where the API serves the web app. */
export function workspaceLink(publicBaseUrl: string, page: 'reset-password' | 'accept-invitation', token: string): string {
  return `${publicBaseUrl}/hr/${page}?token=${encodeURIComponent(token)}`;
}

/** Account e-mails go through the outbox like every other, so without SMTP they are read from GET /v1/email/messages. */
export async function enqueueAccountEmail(
  db: Kysely<Database>,
  email: { companyId: string; to: string; kind: 'account.password_reset' | 'account.invitation'; link: string; companyName: string; inviterName?: string | null },
  now: Date,
): Promise<void> {
  const content =
    email.kind === 'account.password_reset'
      ? {
          subject: 'Reset your password',
          lines: [
            `Someone asked to reset the password of your ${email.companyName} account.`,
            'Choose a new password here (the link works once, for one hour):',
          ],
          after: 'If it was not you, ignore this e-mail: your password stays as it is.',
        }
      : {
          subject: `You are invited to ${email.companyName}'s interview workspace`,
          lines: [
            `${email.inviterName ? `${email.inviterName} invited you` : 'You are invited'} to ${email.companyName}'s interview workspace.`,
            'Choose your name and password here (the link works once, for seven days):',
          ],
          after: 'If you did not expect this, ignore this e-mail.',
        };
  const text = [...content.lines, '', email.link, '', content.after, ''].join('\n');
  const html = [
    ...content.lines.map((line) => `<p>${escapeHtml(line)}</p>`),
    `<p><a href="${escapeHtml(email.link)}">${escapeHtml(email.link)}</a></p>`,
    `<p>${escapeHtml(content.after)}</p>`,
  ].join('\n');
  await enqueueEmail(db, {
    companyId: email.companyId,
    kind: email.kind,
    to: email.to,
    replyTo: null,
    subject: content.subject,
    text,
    html,
    sendAt: now,
  });
}
