import type { Kysely } from 'kysely';
import type { Database } from '../../shared/db/schema.ts';

/** The interview's request with the name of whoever handled it; undefined when there is none. */
export function findAlternativeRequest(db: Kysely<Database>, interviewId: string) {
  return db
    .selectFrom('alternativeRequests as a')
    .leftJoin('users as u', 'u.id', 'a.handledByUserId')
    .select([
      'a.interviewId',
      'a.reason',
      'a.contact',
      'a.requestedAt',
      'a.handledAt',
      'a.handledBy',
      'u.name as handledByName',
    ])
    .where('a.interviewId', '=', interviewId)
    .executeTakeFirst();
}

/**
 * Who hears of a new request: the company's admins and recruiters who can sign in (they arrange interviews), else
 * the scheduling reply-to address (the inbox candidates write to), else nobody: the webhook and the workspace still
 * show it.
 */
export async function alternativeRecipients(db: Kysely<Database>, companyId: string): Promise<string[]> {
  const users = await db
    .selectFrom('users')
    .select('email')
    .where('companyId', '=', companyId)
    .where('status', '=', 'active')
    .where('role', 'in', ['admin', 'recruiter'])
    .orderBy('email')
    .execute();
  if (users.length > 0) return users.map((u) => u.email);
  const settings = await db
    .selectFrom('schedulingSettings')
    .select('replyTo')
    .where('companyId', '=', companyId)
    .executeTakeFirst();
  return settings?.replyTo ? [settings.replyTo] : [];
}
