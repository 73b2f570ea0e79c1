import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { recordingKey } from './store.ts';

// The recording parts of interviews: one row per job that recorded, written when the recording starts (so a crash
// leaves a row saying what to look for) and marked stored once its file is in the store.

/** Whether an interview is recorded: its company records, and HR did not turn it off for this interview. */
export async function recordingPolicy(db: Kysely<Database>, interviewId: string) {
  const row = await db
    .selectFrom('interviews as i')
    .innerJoin('companies as c', 'c.id', 'i.companyId')
    .select(['i.companyId', 'i.recordingOff', 'c.recordingEnabled', 'c.recordingRetentionDays'])
    .where('i.id', '=', interviewId)
    .executeTakeFirst();
  if (!row) return undefined;
  return { companyId: row.companyId, recorded: row.recordingEnabled && !row.recordingOff, retentionDays: row.recordingRetentionDays };
}

/** The next part of an interview's recording, numbered after every earlier one (a resumed interview's is part 2). */
export async function beginRecordingPart(
  db: Kysely<Database>,
  values: { interviewId: string; companyId: string; store: 'local' | 's3'; startedAt: Date },
) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(async (trx) => {
        const { next } = await trx
          .selectFrom('interviewRecordings')
          .select(sql<number>`coalesce(max(part), 0)::int + 1`.as('next'))
          .where('interviewId', '=', values.interviewId)
          .executeTakeFirstOrThrow();
        return trx
          .insertInto('interviewRecordings')
          .values({
            ...values,
            part: next,
            objectKey: recordingKey(values.companyId, values.interviewId, next),
          })
          .returning(['id', 'part', 'objectKey', 'interviewId', 'companyId', 'store', 'startedAt'])
          .executeTakeFirstOrThrow();
      });
    } catch (error) {
      // Two jobs for one interview at once (a re-dispatch racing a slow exit) number their parts one after another.
      if (attempt >= 3 || (error as { code?: string }).code !== '23505') throw error;
    }
  }
}

/**
 * The part's file is in the store. Answers the part's status afterwards: `deleted` when its candidate's erasure
 * deleted it while the file was on its way, and the caller removes what it put.
 */
export async function markPartStored(
  db: Kysely<Database>,
  id: string,
  values: { durationMs: number | null; sizeBytes: number; recovered: boolean },
): Promise<'stored' | 'deleted' | 'discarded' | 'recording' | undefined> {
  const stored = await db
    .updateTable('interviewRecordings')
    .set({ status: 'stored', storedAt: sql`now()`, ...values })
    .where('id', '=', id)
    .where('status', '=', 'recording')
    .returning('status')
    .executeTakeFirst();
  if (stored) return stored.status;
  const row = await db.selectFrom('interviewRecordings').select('status').where('id', '=', id).executeTakeFirst();
  return row?.status;
}

export async function markPartDiscarded(db: Kysely<Database>, id: string): Promise<void> {
  await db
    .updateTable('interviewRecordings')
    .set({ status: 'discarded' })
    .where('id', '=', id)
    .where('status', '=', 'recording')
    .execute();
}

/** Audio is kept only when the candidate consented; a decline (or no answer to the notice at all) discards it. */
export async function consentCoversRecording(db: Kysely<Database>, interviewId: string): Promise<boolean> {
  const consent = await db
    .selectFrom('interviewConsents')
    .select('given')
    .where('interviewId', '=', interviewId)
    .orderBy('at', 'desc')
    .executeTakeFirst();
  return consent?.given === true;
}

export async function recordingParts(db: Kysely<Database>, interviewId: string) {
  return db
    .selectFrom('interviewRecordings')
    .selectAll()
    .where('interviewId', '=', interviewId)
    .orderBy('part')
    .execute();
}

/**
 * Whether an interview has a recording: a part in the store, or one still on its way there (the interview's end is
 * written before the interviewer closes its recorder) that the candidate's consent covers.
 */
export async function recordingExists(db: Kysely<Database>, interviewId: string): Promise<boolean> {
  const parts = await db
    .selectFrom('interviewRecordings')
    .select('status')
    .where('interviewId', '=', interviewId)
    .where('status', 'in', ['stored', 'recording'])
    .execute();
  if (parts.some((p) => p.status === 'stored')) return true;
  return parts.length > 0 && (await consentCoversRecording(db, interviewId));
}
