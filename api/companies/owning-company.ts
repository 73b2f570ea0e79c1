import type { Kysely } from 'kysely';
import type { Database } from '../../shared/db/schema.ts';
import type { Principal } from '../auth/principal.ts';
import { AppError } from '../http/problem.ts';
import { findCompany } from './companies.repository.ts';

/**
 * The company a new record belongs to. Naming someone else's company answers 404, exactly like an id that does
 * not exist, so a key learns nothing about other tenants.
 */
export async function owningCompany(
  db: Kysely<Database>,
  principal: Principal,
  requested: string | undefined,
): Promise<string> {
  if (!principal.isAdmin) {
    if (requested && requested !== principal.companyId) throw new AppError('not_found', 'No such company.');
    return principal.companyId!;
  }
  if (!requested) {
    throw new AppError('validation_failed', 'Admin keys must say which company the record belongs to.', {
      errors: [{ path: 'body.companyId', message: 'Required for admin keys' }],
    });
  }
  if (!(await findCompany(db, requested))) throw new AppError('not_found', 'No such company.');
  return requested;
}
