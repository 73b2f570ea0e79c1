import type { Kysely } from 'kysely';
import { codeEventSchema, type CodeEvent } from '../../shared/coding/coding.schema.ts';
import type { Database } from '../../shared/db/schema.ts';

// The one module that owns the `code_events` rows: the interviewer (agent) stores the candidate's editor events as
// they arrive, the HR API reads them back for the reviewer's replay. Each row is one event: its type and time in
// columns of their own, the rest of it as JSON.

export interface StoredCodeEvent {
  seq: number;
  questionId: string;
  receivedAt: Date;
  event: CodeEvent;
}

/**
 * Stores a batch of events numbered from `firstSeq`. Numbers the store already has (a batch resent after a
 * reconnect) are ignored; returns how many events were new.
 */
export async function insertCodeEvents(
  db: Kysely<Database>,
  interviewId: string,
  questionId: string,
  firstSeq: number,
  events: readonly CodeEvent[],
): Promise<number> {
  if (events.length === 0) return 0;
  const rows = events.map(({ type, at, ...payload }, i) => ({
    interviewId,
    seq: firstSeq + i,
    questionId,
    type,
    at,
    payload: JSON.stringify(payload),
  }));
  const inserted = await db
    .insertInto('codeEvents')
    .values(rows)
    .onConflict((oc) => oc.columns(['interviewId', 'seq']).doNothing())
    .returning('seq')
    .execute();
  return inserted.length;
}

/** An interview's events after `afterSeq`, in order; at most `limit`. */
export async function listCodeEvents(
  db: Kysely<Database>,
  interviewId: string,
  afterSeq: number,
  limit: number,
): Promise<StoredCodeEvent[]> {
  const rows = await db
    .selectFrom('codeEvents')
    .select(['seq', 'questionId', 'type', 'at', 'payload', 'receivedAt'])
    .where('interviewId', '=', interviewId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  // Stored from events that passed this schema; one that does not parse back is a bug worth a 500.
  return rows.map((r) => ({
    seq: r.seq,
    questionId: r.questionId,
    receivedAt: r.receivedAt,
    event: codeEventSchema.parse({ ...r.payload, type: r.type, at: r.at }),
  }));
}
