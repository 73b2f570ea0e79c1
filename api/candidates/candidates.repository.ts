import type { Kysely, Updateable } from 'kysely';
import type { Candidate, CandidatesTable, Database } from '../../shared/db/schema.ts';
import { paginate, toPage } from '../http/pagination.ts';

export interface CandidateValues {
  firstName: string;
  lastName: string;
  email: string | null;
  phoneE164: string;
  resumeText: string | null;
}

export async function insertCandidate(db: Kysely<Database>, companyId: string, values: CandidateValues) {
  return db
    .insertInto('candidates')
    .values({ companyId, ...values })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findCandidate(db: Kysely<Database>, scope: string | null, id: string) {
  let q = db.selectFrom('candidates').selectAll().where('id', '=', id);
  if (scope) q = q.where('companyId', '=', scope);
  return q.executeTakeFirst();
}

export async function listCandidates(db: Kysely<Database>, scope: string | null, limit: number, cursor?: string) {
  let q = db.selectFrom('candidates').selectAll();
  if (scope) q = q.where('companyId', '=', scope);
  return toPage(await paginate(q, 'candidates', cursor, limit).execute(), limit);
}

export async function updateCandidate(
  db: Kysely<Database>,
  scope: string | null,
  id: string,
  values: Updateable<CandidatesTable>,
): Promise<Candidate | undefined> {
  let q = db
    .updateTable('candidates')
    .set({ ...values, updatedAt: new Date() })
    .where('id', '=', id);
  if (scope) q = q.where('companyId', '=', scope);
  return q.returningAll().executeTakeFirst();
}

export async function candidateHasInterviews(db: Kysely<Database>, id: string): Promise<boolean> {
  const row = await db.selectFrom('interviews').select('id').where('candidateId', '=', id).limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function deleteCandidate(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('candidates').where('id', '=', id).execute();
}

/** The API names the field `phone`; the table stores the normalised `phoneE164`. */
export function candidateToApi(c: Candidate) {
  const { phoneE164, ...rest } = c;
  return { ...rest, phone: phoneE164 };
}
