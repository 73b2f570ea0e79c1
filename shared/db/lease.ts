import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

export const processHolderId = `${process.pid}-${randomUUID().slice(0, 8)}`;

/**
 * Takes or renews a named lease for `ttlMs`. Returns true when this process holds it. A holder that dies simply
 * stops renewing, and another process takes over once the lease runs out.
 */
export async function acquireLease(db: Kysely<Database>, name: string, ttlMs: number, holder = processHolderId): Promise<boolean> {
  const expiresAt = new Date(Date.now() + ttlMs);
  const row = await db
    .insertInto('leases')
    .values({ name, holder, expiresAt })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ holder, expiresAt })
        .where((eb) => eb.or([eb('leases.holder', '=', holder), eb('leases.expiresAt', '<', sql<Date>`now()`)])),
    )
    .returning('holder')
    .executeTakeFirst();
  return row?.holder === holder;
}
