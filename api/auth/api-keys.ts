import { createHash, randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import type { Kysely } from 'kysely';
import type { Database } from '../../shared/db/schema.ts';
import { AppError } from '../http/problem.ts';
import type { Principal } from './principal.ts';

const keyPattern = /^ik_[A-Za-z0-9_-]{32,}$/;

/** Keys carry 192 random bits, so a fast hash is enough: there is nothing to brute-force. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const key = `ik_${randomBytes(24).toString('base64url')}`;
  return { key, prefix: key.slice(0, 10), hash: hashApiKey(key) };
}

/** Stores a new key and returns it in clear: the only time it is ever shown. */
export async function createApiKey(
  db: Kysely<Database>,
  owner: { companyId: string | null; isAdmin: boolean; name: string },
): Promise<{ id: string; key: string; prefix: string }> {
  const { key, prefix, hash } = generateApiKey();
  const row = await db
    .insertInto('apiKeys')
    .values({ companyId: owner.companyId, isAdmin: owner.isAdmin, name: owner.name, prefix, keyHash: hash })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, key, prefix };
}

export function bearerAuthenticator(db: Kysely<Database>) {
  return async function authenticate(ctx: Context): Promise<Principal> {
    const header = ctx.get('authorization');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match || !keyPattern.test(match[1]!)) {
      ctx.set('WWW-Authenticate', 'Bearer');
      throw new AppError('unauthorized', 'Send an API key as `Authorization: Bearer <key>`.');
    }
    const row = await db
      .selectFrom('apiKeys')
      .select(['id', 'companyId', 'isAdmin', 'lastUsedAt'])
      .where('keyHash', '=', hashApiKey(match[1]!))
      .where('revokedAt', 'is', null)
      .executeTakeFirst();
    if (!row) {
      ctx.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw new AppError('unauthorized', 'The API key is unknown or revoked.');
    }
    // Recording use on every request would turn reads into writes; a five-minute resolution is enough for audits.
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 5 * 60_000) {
      await db.updateTable('apiKeys').set({ lastUsedAt: new Date() }).where('id', '=', row.id).execute();
    }
    const principal: Principal = {
      keyId: row.id,
      userId: null,
      companyId: row.companyId,
      isAdmin: row.isAdmin,
      role: 'admin',
    };
    ctx.state.principal = principal;
    return principal;
  };
}
