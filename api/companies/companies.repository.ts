import type { Kysely } from 'kysely';
import type { Company, Database } from '../../shared/db/schema.ts';

export async function insertCompany(
  db: Kysely<Database>,
  values: { name: string; defaultPhoneRegion?: string | undefined },
): Promise<Company> {
  return db
    .insertInto('companies')
    .values({ name: values.name, defaultPhoneRegion: values.defaultPhoneRegion ?? 'AE' })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findCompany(db: Kysely<Database>, id: string): Promise<Company | undefined> {
  return db.selectFrom('companies').selectAll().where('id', '=', id).executeTakeFirst();
}
