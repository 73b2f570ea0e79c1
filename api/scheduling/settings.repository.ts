import type { Kysely } from 'kysely';
import type { Database, EmailLocale } from '../../shared/db/schema.ts';
import { canonicalTimeZone } from '../companies/time-zone.ts';

export interface CompanySchedulingSettings {
  companyId: string;
  companyName: string;
  timezone: string;
  locale: EmailLocale;
  brandName: string | null;
  logoUrl: string | null;
  replyTo: string | null;
}

/**
 * The company's scheduling settings, with defaults (English, no branding) for a company that never set them. The
 * time zone is the company's own (companies.timezone, also set by PATCH /v1/company): scheduling, invitation e-mails
 * and the HR workspace read the same one.
 */
export async function schedulingSettings(
  db: Kysely<Database>,
  companyId: string,
): Promise<CompanySchedulingSettings | undefined> {
  const row = await db
    .selectFrom('companies as c')
    .leftJoin('schedulingSettings as s', 's.companyId', 'c.id')
    .select(['c.id', 'c.name', 'c.timezone', 's.locale', 's.brandName', 's.logoUrl', 's.replyTo'])
    .where('c.id', '=', companyId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    companyId: row.id,
    companyName: row.name,
    timezone: row.timezone,
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
  const { timezone, ...rest } = values;
  if (timezone !== undefined) {
    const zone = canonicalTimeZone(timezone);
    if (!zone) throw new Error(`unvalidated time zone ${timezone}`);
    await db.updateTable('companies').set({ timezone: zone }).where('id', '=', companyId).execute();
  }
  const set = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  await db
    .insertInto('schedulingSettings')
    .values({ companyId, ...set })
    .onConflict((oc) => oc.column('companyId').doUpdateSet({ ...set, updatedAt: new Date() }))
    .execute();
}
