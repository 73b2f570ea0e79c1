import type { Kysely } from 'kysely';
import type { AuditLogTable, Database } from '../../shared/db/schema.ts';
import type { Principal } from '../auth/principal.ts';
import type { RequestMeta } from '../http/route.ts';

export interface AuditEntry {
  companyId: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
}

export interface AuditActor {
  type: AuditLogTable['actorType'];
  id: string | null;
  ip: string | null;
  userAgent: string | null;
}

export function actorFromPrincipal(principal: Principal, meta: RequestMeta): AuditActor {
  if (principal.userId) return { type: 'user', id: principal.userId, ip: meta.ip, userAgent: meta.userAgent };
  return { type: 'api_key', id: principal.keyId, ip: meta.ip, userAgent: meta.userAgent };
}

/** Appends to the audit log; call it with the transaction that makes the change so both land or neither does. */
export async function recordAudit(db: Kysely<Database>, actor: AuditActor, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('auditLog')
    .values({
      companyId: entry.companyId,
      actorType: actor.type,
      actorId: actor.id,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      ip: actor.ip,
      userAgent: actor.userAgent,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}
