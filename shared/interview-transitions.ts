import { sql, type Kysely } from 'kysely';
import type { Database, Interview, InterviewStatus } from './db/schema.ts';
import { recordTransitionEvent } from './events/outbox.ts';
import { statesLeadingTo, terminalStatuses } from './interview-status.ts';
import { enqueueScoring } from './jobs.ts';

export interface TransitionOptions {
  reason?: string | null;
  /** Who moved it: `api_key:<id>`, `candidate`, `livekit`, `reconciler`, `agent`. */
  actor: string;
  /** Only move if the interview is in one of these states (narrower than the state machine allows). */
  onlyFrom?: InterviewStatus[];
}

/**
 * Moves an interview to `to` if the state machine allows it from its current state, and records the step in the
 * timeline in the same transaction. The state check is in the UPDATE itself, so two racing writers cannot both win.
 * Returns the updated interview, or undefined when the move was not legal (or the interview does not exist).
 */
export async function transitionInterview(
  db: Kysely<Database>,
  interviewId: string,
  to: InterviewStatus,
  options: TransitionOptions,
): Promise<Interview | undefined> {
  const from = statesLeadingTo(to).filter((s) => !options.onlyFrom || options.onlyFrom.includes(s));
  if (from.length === 0) return undefined;
  const run = async (trx: Kysely<Database>) => {
    const previous = await trx
      .selectFrom('interviews')
      .select('status')
      .where('id', '=', interviewId)
      .forUpdate()
      .executeTakeFirst();
    if (!previous || !from.includes(previous.status)) return undefined;
    const now = new Date();
    const updated = await trx
      .updateTable('interviews')
      .set({
        status: to,
        updatedAt: now,
        ...(to === 'in_progress' ? { startedAt: sql<Date>`coalesce(started_at, ${now})` } : {}),
        ...(terminalStatuses.includes(to)
          ? { endedAt: now, endReason: sql<string>`coalesce(end_reason, ${options.reason ?? to})` }
          : {}),
      })
      .where('id', '=', interviewId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('interviewStatusEvents')
      .values({
        interviewId,
        fromStatus: previous.status,
        toStatus: to,
        reason: options.reason ?? null,
        actor: options.actor,
      })
      .execute();
    // The webhook event lands in the same transaction as the state change (transactional outbox).
    await recordTransitionEvent(trx, updated);
    // Results without waiting: the scoring job commits with the completion and starts at once (shared/jobs.ts).
    if (to === 'completed') await enqueueScoring(trx, interviewId);
    return updated;
  };
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}
