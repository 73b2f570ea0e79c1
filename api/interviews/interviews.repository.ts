import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, Interview, InterviewType } from '../../shared/db/schema.ts';
import { generateRoomCode } from '../../shared/room-code.ts';
import { paginate, toPage } from '../http/pagination.ts';
import type { ListInterviewsQuery } from './interviews.schemas.ts';

export interface NewInterview {
  companyId: string;
  jobId: string;
  candidateId: string;
  type: InterviewType;
  maxDurationMinutes: number;
  instructions: string;
  language: string;
  scheduledStart: Date;
  scheduledEnd: Date;
}

/**
 * Inserts an interview with a fresh room code. Codes are random, so a collision is possible but rare; the unique
 * index decides and we draw again. ON CONFLICT DO NOTHING keeps a collision from aborting the caller's transaction.
 */
export async function insertInterview(
  db: Kysely<Database>,
  values: NewInterview,
  roomPrefix: string,
): Promise<Interview> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const id = randomUUID();
    const row = await db
      .insertInto('interviews')
      .values({ id, ...values, roomCode: generateRoomCode(), roomName: `${roomPrefix}${id}` })
      .onConflict((oc) => oc.column('roomCode').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (row) return row;
  }
  throw new Error('could not find a free room code after 8 draws');
}

export async function findInterview(db: Kysely<Database>, scope: string | null, id: string) {
  let q = db.selectFrom('interviews').selectAll().where('id', '=', id);
  if (scope) q = q.where('companyId', '=', scope);
  return q.executeTakeFirst();
}

export async function listInterviews(db: Kysely<Database>, scope: string | null, filters: ListInterviewsQuery) {
  let q = db.selectFrom('interviews').selectAll();
  if (scope) q = q.where('companyId', '=', scope);
  if (filters.status?.length) q = q.where('status', 'in', filters.status);
  if (filters.type) q = q.where('type', '=', filters.type);
  if (filters.jobId) q = q.where('jobId', '=', filters.jobId);
  if (filters.candidateId) q = q.where('candidateId', '=', filters.candidateId);
  if (filters.scheduledFrom) q = q.where('scheduledStart', '>=', filters.scheduledFrom);
  if (filters.scheduledTo) q = q.where('scheduledStart', '<', filters.scheduledTo);
  return toPage(await paginate(q, 'interviews', filters.cursor, filters.limit).execute(), filters.limit);
}

export async function interviewTimeline(db: Kysely<Database>, interviewId: string) {
  return db
    .selectFrom('interviewStatusEvents')
    .select(['fromStatus', 'toStatus', 'reason', 'note', 'actor', 'at'])
    .where('interviewId', '=', interviewId)
    .orderBy('id')
    .execute();
}

export async function bumpLinkVersion(db: Kysely<Database>, id: string): Promise<Interview> {
  return db
    .updateTable('interviews')
    .set((eb) => ({ linkVersion: eb('linkVersion', '+', 1), updatedAt: new Date() }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}
