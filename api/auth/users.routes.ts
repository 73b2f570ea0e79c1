import type { Kysely } from 'kysely';
import type { Database } from '../../shared/db/schema.ts';
import { actorFromPrincipal, recordAudit } from '../audit/audit-log.ts';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../http/problem.ts';
import { defineRoute } from '../http/route.ts';
import { idParams } from '../http/schemas.ts';
import { invitationBody, updateUserBody, userListSchema, userSchema } from './auth.schemas.ts';
import type { Principal, Role } from './principal.ts';
import { endUserSessions } from './sessions.ts';
import { enqueueAccountEmail, issueUserToken, normalizeEmail, workspaceLink, type User } from './users.repository.ts';

const tags = ['HR accounts'];

/** Users belong to one company: these endpoints act on the caller's own; an admin key has none and is told so. */
function ownCompany(principal: Principal): string {
  if (!principal.companyId) {
    throw new AppError('forbidden', 'Admin keys belong to no company; use a company key or sign in for this endpoint.');
  }
  return principal.companyId;
}

function toApi(user: User) {
  return { id: user.id, email: user.email, name: user.name, role: user.role, status: user.status, createdAt: user.createdAt };
}

/**
 * The company's user, locked for the change; another company's id is a 404 like an unknown one. The company's
 * active admins are locked too (in one order, so two changes cannot deadlock), so that two admins demoting each
 * other at once cannot both pass the last-admin check.
 */
async function lockForChange(trx: Kysely<Database>, companyId: string, id: string) {
  const admins = await trx
    .selectFrom('users')
    .select('id')
    .where('companyId', '=', companyId)
    .where('role', '=', 'admin')
    .where('status', '=', 'active')
    .orderBy('id')
    .forUpdate()
    .execute();
  const user = await trx.selectFrom('users').selectAll().where('id', '=', id).where('companyId', '=', companyId).forUpdate().executeTakeFirst();
  if (!user) throw new AppError('not_found', 'No such user.');
  return { user, activeAdmins: admins.length };
}

function guardLastAdmin(user: User, activeAdmins: number, next: { role: Role; status: User['status'] }): void {
  const wasActiveAdmin = user.role === 'admin' && user.status === 'active';
  const staysActiveAdmin = next.role === 'admin' && next.status === 'active';
  if (wasActiveAdmin && !staysActiveAdmin && activeAdmins <= 1) {
    throw new AppError('conflict', "This is the company's last admin: make another user admin first.");
  }
}

export function userRoutes({ db, config, now }: AppDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/users',
      operationId: 'listUsers',
      summary: "The company's users: active, invited and disabled",
      tags,
      auth: 'hr',
      access: 'admin',
      responses: { 200: { description: 'The users', schema: userListSchema } },
      handler: async ({ principal }) => {
        const rows = await db
          .selectFrom('users')
          .selectAll()
          .where('companyId', '=', ownCompany(principal))
          .orderBy('createdAt')
          .orderBy('id')
          .execute();
        return { status: 200, body: { items: rows.map(toApi) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/users/invitations',
      operationId: 'inviteUser',
      summary:
        'Invite someone by e-mail with a role: they get a link (seven days, single use) to choose a name and ' +
        'password. Inviting an address still invited sends a new link (the old one stops working).',
      tags,
      auth: 'hr',
      access: 'admin',
      body: invitationBody,
      responses: { 201: { description: 'The invited user', schema: userSchema } },
      handler: async ({ principal, body, meta }) => {
        const companyId = ownCompany(principal);
        const email = normalizeEmail(body.email);
        const at = now();
        const user = await db.transaction().execute(async (trx) => {
          const existing = await trx.selectFrom('users').selectAll().where('email', '=', email).forUpdate().executeTakeFirst();
          if (existing && (existing.companyId !== companyId || existing.status !== 'invited')) {
            throw new AppError('conflict', 'This address already has an account.');
          }
          const user = existing
            ? await trx
                .updateTable('users')
                .set({ role: body.role, name: body.name ?? existing.name, updatedAt: at })
                .where('id', '=', existing.id)
                .returningAll()
                .executeTakeFirstOrThrow()
            : await trx
                .insertInto('users')
                .values({ companyId, email, name: body.name ?? '', role: body.role, status: 'invited' })
                .returningAll()
                .executeTakeFirstOrThrow();
          const token = await issueUserToken(trx, user.id, 'invitation', at);
          const company = await trx.selectFrom('companies').select('name').where('id', '=', companyId).executeTakeFirstOrThrow();
          const inviter = principal.userId
            ? await trx.selectFrom('users').select('name').where('id', '=', principal.userId).executeTakeFirst()
            : undefined;
          await enqueueAccountEmail(
            trx,
            {
              companyId,
              to: email,
              kind: 'account.invitation',
              link: workspaceLink(config.publicBaseUrl, 'accept-invitation', token),
              companyName: company.name,
              inviterName: inviter?.name || null,
            },
            at,
          );
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId,
            action: existing ? 'user.reinvite' : 'user.invite',
            targetType: 'user',
            targetId: user.id,
            details: { email, role: body.role },
          });
          return user;
        });
        return { status: 201, body: toApi(user) };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/users/:id',
      operationId: 'updateUser',
      summary:
        "Change a user's role, or disable (ending their sessions) or enable them. The company's last admin cannot " +
        'be demoted or disabled (409).',
      tags,
      auth: 'hr',
      access: 'admin',
      params: idParams,
      body: updateUserBody,
      responses: { 200: { description: 'The updated user', schema: userSchema } },
      handler: async ({ principal, params, body, meta }) => {
        const companyId = ownCompany(principal);
        const user = await db.transaction().execute(async (trx) => {
          const { user, activeAdmins } = await lockForChange(trx, companyId, params.id);
          const role = body.role ?? user.role;
          let status = user.status;
          if (body.disabled === true) status = 'disabled';
          // Enabling again restores what the user was: active with a password, else still invited.
          if (body.disabled === false && user.status === 'disabled') status = user.passwordHash ? 'active' : 'invited';
          guardLastAdmin(user, activeAdmins, { role, status });
          const updated = await trx
            .updateTable('users')
            .set({ role, status, updatedAt: now() })
            .where('id', '=', user.id)
            .returningAll()
            .executeTakeFirstOrThrow();
          // A role change takes effect on the next request anyway (sessions read the role); disabling ends them.
          if (status === 'disabled') await endUserSessions(trx, user.id);
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId,
            action: 'user.update',
            targetType: 'user',
            targetId: user.id,
            details: { from: { role: user.role, status: user.status }, to: { role, status } },
          });
          return updated;
        });
        return { status: 200, body: toApi(user) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/users/:id',
      operationId: 'disableUser',
      summary:
        'Disable a user and end their sessions. The record stays, so the audit log keeps naming them; enable ' +
        'them again with PATCH.',
      tags,
      auth: 'hr',
      access: 'admin',
      params: idParams,
      responses: { 204: { description: 'Disabled' } },
      handler: async ({ principal, params, meta }) => {
        const companyId = ownCompany(principal);
        await db.transaction().execute(async (trx) => {
          const { user, activeAdmins } = await lockForChange(trx, companyId, params.id);
          guardLastAdmin(user, activeAdmins, { role: user.role, status: 'disabled' });
          await trx.updateTable('users').set({ status: 'disabled', updatedAt: now() }).where('id', '=', user.id).execute();
          const ended = await endUserSessions(trx, user.id);
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId,
            action: 'user.disable',
            targetType: 'user',
            targetId: user.id,
            details: { sessionsEnded: ended },
          });
        });
        return { status: 204 };
      },
    }),
  ];
}
