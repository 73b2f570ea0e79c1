import type { Kysely } from 'kysely';
import type { Database, EmailLocale } from '../../shared/db/schema.ts';

export interface CompanySchedulingSettings {
  companyId: string;
  companyName: string;
  timezone: string;
  locale: EmailLocale;
  brandName: string | null;
  logoUrl: string | null;
  replyTo: string | null;
}

/** The company's scheduling settings, with defaults (UTC, English) for a company that never set them. */
export async function schedulingSettings(
  db: Kysely<Database>,
  companyId: string,
): Promise<CompanySchedulingSettings | undefined> {
  const row = await db
    .selectFrom('companies as c')
    .leftJoin('schedulingSettings as s', 's.companyId', 'c.id')
    .select(['c.id', 'c.name', 's.timezone', 's.locale', 's.brandName', 's.logoUrl', 's.replyTo'])
    .where('c.id', '=', companyId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    companyId: row.id,
    companyName: row.name,
    timezone: row.timezone ?? 'UTC',
    locale: row.locale ?? 'en',
    brandName: row.brandName ?? null,
    logoUrl: row.logoUrl ?? null,
    replyTo: row.replyTo ?? null,
  };
}

export async function upsertSchedulingSettings(
  db: Kysely<Database>,
  companyId: string,
  values: {
    timezone?: string;
    locale?: EmailLocale;
    brandName?: string | null;
    logoUrl?: string | null;
    replyTo?: string | null;
  },
): Promise<void> {
  const set = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
  await db
    .insertInto('schedulingSettings')
    .values({ companyId, ...set })
    .onConflict((oc) => oc.column('companyId').doUpdateSet({ ...set, updatedAt: new Date() }))
    .execute();
}
