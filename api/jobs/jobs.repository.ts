import { sql, type Kysely } from 'kysely';
import type { Database, Job } from '../../shared/db/schema.ts';
import { paginate, toPage } from '../http/pagination.ts';
import type { CreateJobBody, UpdateJobBody } from './jobs.schemas.ts';

// `scope` is the caller's company, or null for an admin. Every read and write filters on it.

export async function insertJob(db: Kysely<Database>, companyId: string, input: CreateJobBody): Promise<Job> {
  return db
    .insertInto('jobs')
    .values({
      companyId,
      title: input.title,
      description: input.description,
      // Read in the insert itself: the company's default as it is when the job is created.
      language: input.language ?? sql<string>`(select default_language from companies where id = ${companyId})`,
      codingLanguage: input.codingLanguage ?? null,
      codingVoiceOnly: input.codingVoiceOnly ?? false,
      competencies: JSON.stringify(input.competencies),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findJob(db: Kysely<Database>, scope: string | null, id: string): Promise<Job | undefined> {
  let q = db.selectFrom('jobs').selectAll().where('id', '=', id);
  if (scope) q = q.where('companyId', '=', scope);
  return q.executeTakeFirst();
}

export async function listJobs(db: Kysely<Database>, scope: string | null, limit: number, cursor?: string) {
  let q = db.selectFrom('jobs').selectAll();
  if (scope) q = q.where('companyId', '=', scope);
  const rows = await paginate(q, 'jobs', cursor, limit).execute();
  return toPage(rows, limit);
}

export async function updateJob(
  db: Kysely<Database>,
  scope: string | null,
  id: string,
  input: UpdateJobBody,
): Promise<Job | undefined> {
  const { competencies, ...rest } = input;
  let q = db
    .updateTable('jobs')
    .set({ ...rest, ...(competencies ? { competencies: JSON.stringify(competencies) } : {}), updatedAt: new Date() })
    .where('id', '=', id);
  if (scope) q = q.where('companyId', '=', scope);
  return q.returningAll().executeTakeFirst();
}

export async function jobHasInterviews(db: Kysely<Database>, id: string): Promise<boolean> {
  const row = await db.selectFrom('interviews').select('id').where('jobId', '=', id).limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function deleteJob(db: Kysely<Database>, scope: string | null, id: string): Promise<Job | undefined> {
  let q = db.deleteFrom('jobs').where('id', '=', id);
  if (scope) q = q.where('companyId', '=', scope);
  return q.returningAll().executeTakeFirst();
}
