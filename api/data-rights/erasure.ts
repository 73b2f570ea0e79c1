import { sql, type Kysely } from 'kysely';
import type { Database } from '../../shared/db/schema.ts';
import { endInterview } from '../../shared/interview-lifecycle.ts';
import { recordEvent } from '../../shared/events/outbox.ts';
import { enqueueJob } from '../../shared/jobs.ts';
import { createRecordingStore, type RecordingStore } from '../../shared/recordings/store.ts';
import { recordAudit, type AuditActor } from '../audit/audit-log.ts';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../http/problem.ts';
import type { TaskDefinition } from '../jobs/runner.ts';
import { redactScorecardResult } from './redact.ts';

// Erasure of a candidate (GDPR Art. 17). A request writes a `candidate_erasures` row and an `erase-candidate` job in
// one transaction; the job walks the steps below in order, and records each step as done (with what it removed)
// when it has finished. Every step is idempotent, so a process killed anywhere resumes with the step it was in: the
// job runner runs the job again (a crashed runner's jobs are freed, api/jobs/runner.ts) and the steps already done are
// skipped. Steps that change only the database commit with their progress; those that call out (LiveKit, the
// recording store) are safe to repeat (deleting what is gone is not an error).
//
// The order matters: interviews are ended and rooms closed first, so no interviewer keeps writing the candidate's
// words while their data goes; the candidate's own row goes last, because the steps before find the candidate's
// interviews, e-mail address and phone through it.
//
// What stays: the candidate's id (a pseudonym once the row is emptied), interview ids, times and statuses, scores
// without their prose, the consent's time, version and answer, and the audit log's facts (who did what, when) with
// the candidate's addresses removed. Nothing of it names, reaches or quotes the person.

export const erasureSteps = [
  'interviews',
  'rooms',
  'recordings',
  'transcripts',
  'code',
  'scorecards',
  'emails',
  'webhooks',
  'bookings',
  'traces',
  'record',
] as const;
export type ErasureStep = (typeof erasureSteps)[number];

export type ErasureReason = 'request' | 'retention';

type Db = Kysely<Database>;

const system: AuditActor = { type: 'system', id: null, ip: null, userAgent: null };
const erasureActor = 'system:erasure';

/** Names given to an erased candidate's row: the columns are NOT NULL, and the workspace shows them as they are. */
export const erasedName = { firstName: 'Erased', lastName: 'candidate' } as const;

export async function findErasure(db: Db, candidateId: string) {
  return db.selectFrom('candidateErasures').selectAll().where('candidateId', '=', candidateId).executeTakeFirst();
}

/** From the request on, nothing new is made of the candidate's interviews (see also the database's own guard). */
export async function candidateErasureAsked(db: Db, candidateId: string): Promise<boolean> {
  return (await findErasure(db, candidateId)) !== undefined;
}

/** New interviews and bookings are refused for a candidate erased, or being erased (409). */
export async function refuseErasedCandidate(db: Db, candidate: { id: string; erasedAt: Date | null }): Promise<void> {
  if (candidate.erasedAt || (await candidateErasureAsked(db, candidate.id))) {
    throw new AppError(
      'invalid_state',
      'This candidate was erased (or is being erased); create a new candidate instead.',
    );
  }
}

/**
 * Asks for a candidate's erasure in the caller's transaction: the row and its job commit together. A second request
 * while one is open, or after it completed, changes nothing and answers the existing one.
 */
export async function requestErasure(
  trx: Db,
  input: { candidateId: string; companyId: string; reason: ErasureReason; requestedBy: string; now: Date },
): Promise<{ created: boolean }> {
  const inserted = await trx
    .insertInto('candidateErasures')
    .values({
      candidateId: input.candidateId,
      companyId: input.companyId,
      reason: input.reason,
      requestedBy: input.requestedBy,
      requestedAt: input.now,
      updatedAt: input.now,
    })
    .onConflict((oc) => oc.column('candidateId').doNothing())
    .returning('candidateId')
    .executeTakeFirst();
  // Asking again for an erasure that has not completed starts its job again: one that gave up (its attempts spent)
  // is reset, and one running gets a successor that resumes whatever it leaves.
  if (inserted || (await findErasure(trx, input.candidateId))?.status !== 'completed') {
    await enqueueErasure(trx, input.candidateId);
  }
  return { created: inserted !== undefined };
}

/**
 * One pending erasure job per candidate (a new request replaces it, resetting its attempts), and erasures run one at
 * a time in their own queue, so two runs of one erasure never overlap; many attempts, since each resumes where the
 * last stopped.
 */
export function enqueueErasure(db: Db, candidateId: string): Promise<void> {
  return enqueueJob(
    db,
    'erase-candidate',
    { candidateId },
    {
      jobKey: `erase-candidate:${candidateId}`,
      jobKeyMode: 'replace',
      queueName: 'candidate-erasure',
      maxAttempts: 25,
    },
  );
}

export interface ErasureRunOptions {
  /** Called after each step is recorded as done (the job's log; tests use it to stop a process at a known point). */
  afterStep?: (step: ErasureStep) => Promise<void> | void;
}

type StepCounts = Record<string, number | undefined>;

interface ErasureContext {
  deps: Pick<AppDeps, 'db' | 'log' | 'now' | 'livekit' | 'config'>;
  store: () => RecordingStore;
  candidateId: string;
  companyId: string;
  interviewIds: string[];
}

/**
 * Runs (or resumes) a candidate's erasure to the end. Returns false when there is nothing to do (no request, or it
 * completed already).
 */
export async function runErasure(
  deps: ErasureContext['deps'],
  candidateId: string,
  options: ErasureRunOptions = {},
): Promise<boolean> {
  const { db } = deps;
  const erasure = await findErasure(db, candidateId);
  if (!erasure || erasure.status === 'completed') return false;
  await db
    .updateTable('candidateErasures')
    .set({ status: 'running', updatedAt: deps.now() })
    .where('candidateId', '=', candidateId)
    .where('status', '=', 'pending')
    .execute();
  const interviewIds = (
    await db.selectFrom('interviews').select('id').where('candidateId', '=', candidateId).execute()
  ).map((r) => r.id);
  let store: RecordingStore | undefined;
  const ctx: ErasureContext = {
    deps,
    store: () => (store ??= createRecordingStore(deps.config.recordings.store)),
    candidateId,
    companyId: erasure.companyId,
    interviewIds,
  };
  const done = new Set(erasure.stepsDone);
  for (const step of erasureSteps) {
    if (done.has(step)) continue;
    if (step === 'record') {
      await eraseRecord(ctx, erasure.reason as ErasureReason);
    } else if (step === 'rooms' || step === 'recordings') {
      // Calls out first, then records progress: repeating them after a crash is harmless.
      const counts = await stepsOutside[step](ctx);
      await markStepDone(db, candidateId, step, counts, deps.now());
    } else {
      await db.transaction().execute(async (trx) => {
        const counts = await stepsInDatabase[step](trx, ctx);
        await markStepDone(trx, candidateId, step, counts, deps.now());
      });
    }
    deps.log.info({ candidateId, step }, 'erasure step done');
    await options.afterStep?.(step);
  }
  return true;
}

async function markStepDone(
  db: Db,
  candidateId: string,
  step: ErasureStep,
  counts: StepCounts,
  now: Date,
): Promise<void> {
  await db
    .updateTable('candidateErasures')
    .set({
      stepsDone: sql<string[]>`array_append(array_remove(steps_done, ${step}), ${step})`,
      counts: sql<string>`counts || ${JSON.stringify(counts)}::jsonb`,
      updatedAt: now,
    })
    .where('candidateId', '=', candidateId)
    .execute();
}

function n(
  result: { numAffectedRows?: bigint; numDeletedRows?: bigint; numUpdatedRows?: bigint } | readonly unknown[],
): number {
  if (Array.isArray(result)) return result.length;
  const r = result as { numAffectedRows?: bigint; numDeletedRows?: bigint; numUpdatedRows?: bigint };
  return Number(r.numAffectedRows ?? r.numDeletedRows ?? r.numUpdatedRows ?? 0);
}

/** The phone's digits in E.164 and in the national forms people type, for finding it in rate-limit keys. */
function phoneForms(e164: string): string[] {
  const digits = e164.replace(/\D/g, '');
  return digits.length >= 6 ? [e164, digits] : [];
}

const stepsOutside: Record<'rooms' | 'recordings', (ctx: ErasureContext) => Promise<StepCounts>> = {
  // Every room of the candidate's interviews, open or not: deleting a room that is gone is not an error.
  async rooms(ctx) {
    const { db, livekit } = ctx.deps;
    if (ctx.interviewIds.length === 0) return { rooms: 0 };
    const rooms = await db
      .selectFrom('interviews')
      .select(['roomName', 'roomCreatedAt'])
      .where('id', 'in', ctx.interviewIds)
      .execute();
    for (const room of rooms) await livekit.deleteRoom(room.roomName);
    return { rooms: rooms.filter((r) => r.roomCreatedAt !== null).length };
  },

  // The rows marked deleted first, then the audio from the store: an interviewer still storing a part then finds its
  // row deleted and removes what it put (agent/recording.ts), which it could not if the object went first. A crash
  // between the two finds the objects again on the next run (deleting one already gone is a no-op).
  async recordings(ctx) {
    const { db } = ctx.deps;
    if (ctx.interviewIds.length === 0) return { recordings: 0 };
    const parts = await db
      .selectFrom('interviewRecordings')
      .select(['id', 'objectKey', 'store', 'status'])
      .where('interviewId', 'in', ctx.interviewIds)
      .execute();
    const store = ctx.store();
    // A part in a store this deployment is not configured for cannot be reached: the erasure stops and says so,
    // rather than reporting audio gone that is not.
    const unreachable = parts.find((p) => p.status !== 'deleted' && p.store !== store.kind);
    if (unreachable) {
      throw new Error(`recording ${unreachable.id} is in the ${unreachable.store} store; configure it to complete the erasure`);
    }
    await db
      .updateTable('interviewRecordings')
      .set({ status: 'deleted', deletedAt: ctx.deps.now() })
      .where('interviewId', 'in', ctx.interviewIds)
      .where('status', '<>', 'deleted')
      .execute();
    for (const part of parts) if (part.store === store.kind) await store.delete(part.objectKey);
    return { recordings: parts.filter((p) => p.status !== 'discarded' && p.status !== 'deleted').length };
  },
};

const stepsInDatabase: Record<
  Exclude<ErasureStep, 'rooms' | 'recordings' | 'record'>,
  (trx: Db, ctx: ErasureContext) => Promise<StepCounts>
> = {
  // An interview still open is ended through the lifecycle (its timeline and event as for any cancellation); the
  // rooms step closes its room.
  async interviews(trx, ctx) {
    let ended = 0;
    const open = await trx
      .selectFrom('interviews')
      .select('id')
      .where('candidateId', '=', ctx.candidateId)
      .where('status', 'in', ['scheduled', 'in_progress'])
      .execute();
    for (const { id } of open) {
      const result = await endInterview(trx, id, 'cancelled_by_hr', { actor: erasureActor, now: ctx.deps.now() });
      if (result.ended) ended++;
    }
    return { interviewsEnded: ended };
  },

  async transcripts(trx, ctx) {
    if (ctx.interviewIds.length === 0) return { transcriptTurns: 0 };
    const turns = await trx
      .deleteFrom('transcriptTurns')
      .where('interviewId', 'in', ctx.interviewIds)
      .executeTakeFirst();
    await trx.deleteFrom('turnMetrics').where('interviewId', 'in', ctx.interviewIds).execute();
    // Questions written from the résumé quote it; HR's own may name the person.
    const questions = await trx
      .deleteFrom('interviewPlanQuestions')
      .where('interviewId', 'in', ctx.interviewIds)
      .executeTakeFirst();
    // The consent keeps its time, version, language and answer; the words spoken and the notice text go.
    await trx
      .updateTable('interviewConsents')
      .set({ candidateStatement: '', noticeText: '' })
      .where('interviewId', 'in', ctx.interviewIds)
      .execute();
    return { transcriptTurns: n(turns), planQuestions: n(questions) };
  },

  async code(trx, ctx) {
    if (ctx.interviewIds.length === 0) return { codeEvents: 0 };
    const events = await trx.deleteFrom('codeEvents').where('interviewId', 'in', ctx.interviewIds).executeTakeFirst();
    const reruns = await trx.deleteFrom('codeReruns').where('interviewId', 'in', ctx.interviewIds).executeTakeFirst();
    return { codeEvents: n(events), codeReruns: n(reruns) };
  },

  // Scores and recommendations stay (numbers, no words); the prose, the quotes and every note go.
  async scorecards(trx, ctx) {
    if (ctx.interviewIds.length === 0) return { scorecards: 0 };
    // An evaluation writing now holds its interview's row (api/scoring/scorecards.ts): waited for, so its card is
    // stripped below; one that starts later finds the erasure and writes nothing.
    await trx.selectFrom('interviews').select('id').where('id', 'in', ctx.interviewIds).forUpdate().execute();
    const cards = await trx
      .selectFrom('scorecards')
      .select(['id', 'result'])
      .where('interviewId', 'in', ctx.interviewIds)
      .execute();
    for (const card of cards) {
      await trx
        .updateTable('scorecards')
        .set({ result: JSON.stringify(redactScorecardResult(card.result)), pendingReason: null })
        .where('id', '=', card.id)
        .execute();
    }
    const notes = await trx
      .updateTable('hiringDecisions')
      .set({ note: null })
      .where('interviewId', 'in', ctx.interviewIds)
      .where('note', 'is not', null)
      .executeTakeFirst();
    await trx
      .updateTable('interviewStatusEvents')
      .set({ note: null })
      .where('interviewId', 'in', ctx.interviewIds)
      .where('note', 'is not', null)
      .execute();
    await trx.updateTable('interviews').set({ instructions: '' }).where('id', 'in', ctx.interviewIds).execute();
    // A scoring job still waiting would write a new scorecard from what is left: nothing of the person, but no use.
    for (const id of ctx.interviewIds)
      await sql`select graphile_worker.remove_job(${`score-interview:${id}`})`.execute(trx);
    return { scorecards: cards.length, decisionNotes: n(notes) };
  },

  // Queued and stored alike: the messages of the candidate's interviews and bookings, and any other to their address.
  async emails(trx, ctx) {
    const candidate = await trx
      .selectFrom('candidates')
      .select('email')
      .where('id', '=', ctx.candidateId)
      .executeTakeFirstOrThrow();
    const bookingIds = (
      await trx.selectFrom('bookings').select('id').where('candidateId', '=', ctx.candidateId).execute()
    ).map((b) => b.id);
    const messages = await trx
      .deleteFrom('emailMessages')
      .where('companyId', '=', ctx.companyId)
      .where((eb) =>
        eb.or([
          ...(ctx.interviewIds.length > 0 ? [eb('interviewId', 'in', ctx.interviewIds)] : []),
          ...(bookingIds.length > 0 ? [eb('bookingId', 'in', bookingIds)] : []),
          ...(candidate.email ? [sql<boolean>`position(lower(${candidate.email}) in lower(to_address)) > 0`] : []),
          eb.val(false),
        ]),
      )
      .returning(['id', 'status'])
      .execute();
    // Their send jobs would find nothing; removed so no job payload outlives the message.
    for (const m of messages) await sql`select graphile_worker.remove_job(${`email:${m.id}`})`.execute(trx);
    return { emails: messages.length, emailsQueued: messages.filter((m) => m.status === 'pending').length };
  },

  // Every event about the candidate, delivered or not: its payload, its deliveries and their attempt log (cascade).
  async webhooks(trx, ctx) {
    const pending = await trx
      .selectFrom('webhookDeliveries as d')
      .innerJoin('webhookEvents as e', 'e.id', 'd.eventId')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('e.companyId', '=', ctx.companyId)
      .where(sql<boolean>`e.payload->>'candidateId' = ${ctx.candidateId}`)
      .where('d.status', '=', 'pending')
      .executeTakeFirstOrThrow();
    const events = await trx
      .deleteFrom('webhookEvents')
      .where('companyId', '=', ctx.companyId)
      .where(sql<boolean>`payload->>'candidateId' = ${ctx.candidateId}`)
      .executeTakeFirst();
    return { webhookEvents: n(events), webhookDeliveriesPending: pending.n };
  },

  // A booking holding a seat gives it back; the booking, the candidate's scheduling invitations and the conflicts
  // about their bookings go (cascade).
  async bookings(trx, ctx) {
    const bookings = await trx
      .selectFrom('bookings')
      .select(['id', 'slotId', 'status'])
      .where('candidateId', '=', ctx.candidateId)
      .forUpdate()
      .execute();
    for (const b of bookings) {
      if (b.status === 'cancelled') continue;
      await trx
        .updateTable('slots')
        .set((eb) => ({ bookedCount: eb('bookedCount', '-', 1) }))
        .where('id', '=', b.slotId)
        .where('bookedCount', '>', 0)
        .execute();
    }
    await trx.deleteFrom('bookings').where('candidateId', '=', ctx.candidateId).execute();
    const invitations = await trx
      .deleteFrom('schedulingInvitations')
      .where('candidateId', '=', ctx.candidateId)
      .executeTakeFirst();
    return { bookings: bookings.length, schedulingInvitations: n(invitations) };
  },

  // What else holds the person: join rate-limit counters keyed by their phone, the address and browser the audit log
  // kept of their own actions, and the words of an alternative-process request.
  async traces(trx, ctx) {
    const candidate = await trx
      .selectFrom('candidates')
      .select('phoneE164')
      .where('id', '=', ctx.candidateId)
      .executeTakeFirstOrThrow();
    let limits = 0;
    for (const form of phoneForms(candidate.phoneE164)) {
      limits += n(await trx.deleteFrom('rateLimits').where('key', 'like', `%${form}%`).executeTakeFirst());
    }
    let audit = 0;
    if (ctx.interviewIds.length > 0) {
      audit = n(
        await trx
          .updateTable('auditLog')
          .set({ ip: null, userAgent: null })
          .where('actorType', '=', 'candidate')
          .where('targetId', 'in', ctx.interviewIds)
          .executeTakeFirst(),
      );
      await trx
        .updateTable('alternativeRequests')
        .set({ reason: null, contact: null })
        .where('interviewId', 'in', ctx.interviewIds)
        .execute();
    }
    return { rateLimits: limits, auditEntriesPseudonymised: audit };
  },
};

/** The last step: the person's own row emptied, the fact audited and announced, the erasure completed, together. */
async function eraseRecord(ctx: ErasureContext, reason: ErasureReason): Promise<void> {
  const { db } = ctx.deps;
  const now = ctx.deps.now();
  await db.transaction().execute(async (trx) => {
    // Swept again: an interviewer that was closing when the interview ended may have stored a last turn or code
    // batch after those steps ran, from a write it checked before the erasure was asked for. Any write checked
    // since is dropped by the database (migrations/2026-12-03T0100_erased_candidate_writes.ts).
    await stepsInDatabase.transcripts(trx, ctx);
    await stepsInDatabase.code(trx, ctx);
    await trx
      .updateTable('candidates')
      .set({ ...erasedName, email: null, phoneE164: '', resumeText: null, erasedAt: now, updatedAt: now })
      .where('id', '=', ctx.candidateId)
      .execute();
    const row = await trx
      .updateTable('candidateErasures')
      .set({
        status: 'completed',
        stepsDone: sql<string[]>`array_append(array_remove(steps_done, 'record'), 'record')`,
        completedAt: now,
        updatedAt: now,
      })
      .where('candidateId', '=', ctx.candidateId)
      .where('status', '<>', 'completed')
      .returning(['counts', 'requestedAt'])
      .executeTakeFirst();
    if (!row) return;
    await recordAudit(trx, system, {
      companyId: ctx.companyId,
      action: 'candidate.erase.complete',
      targetType: 'candidate',
      targetId: ctx.candidateId,
      details: { reason, counts: row.counts },
    });
    await recordEvent(trx, {
      companyId: ctx.companyId,
      type: 'candidate.erased',
      payload: {
        candidateId: ctx.candidateId,
        interviewIds: ctx.interviewIds,
        reason,
        requestedAt: row.requestedAt.toISOString(),
        erasedAt: now.toISOString(),
      },
    });
  });
}

/** The job: runs an erasure to the end (or resumes it). */
export function eraseCandidateTask(
  deps: AppDeps,
  options: ErasureRunOptions = {},
): TaskDefinition<{ candidateId: string }> {
  return {
    timeoutMs: 10 * 60_000,
    run: async ({ candidateId }) => {
      await runErasure(deps, candidateId, options);
    },
  };
}

/** An erasure's state for the API. */
export function erasureToApi(candidateId: string, erasure: Awaited<ReturnType<typeof findErasure>>) {
  if (!erasure)
    return {
      candidateId,
      status: 'not_requested' as const,
      reason: null,
      stepsDone: [],
      steps: [...erasureSteps],
      counts: {},
      requestedAt: null,
      completedAt: null,
    };
  return {
    candidateId,
    status: erasure.status as 'pending' | 'running' | 'completed',
    reason: erasure.reason as ErasureReason,
    stepsDone: erasure.stepsDone,
    steps: [...erasureSteps],
    counts: erasure.counts,
    requestedAt: erasure.requestedAt,
    completedAt: erasure.completedAt,
  };
}
