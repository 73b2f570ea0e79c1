import type { Kysely } from 'kysely';
import type { Database } from '../../shared/db/schema.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { verifyPassword } from './passwords.ts';
import { findUserByEmail, insertActiveUser } from './users.repository.ts';

export const demoAdminEmail = 'admin@demo.local';

/**
 * `npm start`'s first admin of its "Demo Company", so the HR workspace can be signed in to straight away with the
 * password kept in .data/dev-secrets.json. Run on every start: creates the admin once, then only answers whether that
 * password still signs in (a reset in the workspace may have changed it).
 */
export async function ensureDemoAdmin(
  db: Kysely<Database>,
  password: string,
): Promise<'ready' | 'password_changed' | 'no_company'> {
  const existing = await findUserByEmail(db, demoAdminEmail);
  if (existing) return (await verifyPassword(existing.passwordHash, password)) ? 'ready' : 'password_changed';
  const company = await db
    .selectFrom('companies')
    .select('id')
    .where('name', '=', 'Demo Company')
    .orderBy('createdAt')
    .limit(1)
    .executeTakeFirst();
  if (!company) return 'no_company';
  await db.transaction().execute(async (trx) => {
    const user = await insertActiveUser(trx, {
      companyId: company.id,
      email: demoAdminEmail,
      name: 'Demo Admin',
      role: 'admin',
      password,
    });
    await recordAudit(
      trx,
      { type: 'system', id: 'npm start', ip: null, userAgent: null },
      { companyId: company.id, action: 'user.create', targetType: 'user', targetId: user.id, details: { role: 'admin' } },
    );
  });
  return 'ready';
}
