import type { EndReason } from '../../shared/end-reasons.ts';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../shared/db/schema.ts';
import type { AppDeps } from '../deps.ts';
import { enqueueBookingEmails } from '../email/queue.ts';
import type { PeriodicDefinition } from '../jobs/runner.ts';
import { candidateCancelReason } from '../interviews/candidate-end-reason.ts';
import { configsOfCompany } from './configs.repository.ts';
import { applyBlocks, detectOverlaps, generateSlots, type GenerationReport } from './slots.repository.ts';

// Background scheduling chores, periodic work on the job runner (schedulingChores below). They are idempotent, so a
// pass run again after a crash only costs a little work.

/** Regenerates every configuration of a company over the horizon; only inserts, so it is safe to run any time. */
export async function regenerateCompany(
  db: Kysely<Database>,
  companyId: string,
  now: Date,
  horizonWeeks: number,
): Promise<GenerationReport> {
  return db.transaction().execute(async (trx) => {
    let created = 0;
    let overlapConflicts = 0;
    const configs = await configsOfCompany(trx, companyId);
    for (const config of configs) created += await generateSlots(trx, config, now, horizonWeeks);
    await applyBlocks(trx, companyId, now);
    for (const config of configs) overlapConflicts += await detectOverlaps(trx, companyId, config.id, now);
    return { created, removed: 0, affectedBookedSlots: [], overlapConflicts };
  });
}

/** Rolls the horizon forward for every company with a configuration. */
export async function extendHorizon(db: Kysely<Database>, now: Date, horizonWeeks: number): Promise<number> {
  const companies = await db.selectFrom('availabilityConfigs').select('companyId').distinct().execute();
  let created = 0;
  for (const { companyId } of companies) created += (await regenerateCompany(db, companyId, now, horizonWeeks)).created;
  return created;
}

/** A booked interview that failed (AI system error, nobody could start it) becomes a conflict for HR. */
export async function detectFailedInterviews(db: Kysely<Database>): Promise<number> {
  const result = await sql`
    insert into scheduling_conflicts (company_id, kind, dedupe_key, slot_id, booking_id, details)
    select b.company_id, 'interview_failed_to_start', 'failed:' || b.id, b.slot_id, b.id,
           jsonb_build_object('interviewId', i.id, 'reason', left(coalesce(i.end_reason, ''), 200))
      from bookings b
      join interviews i on i.id = b.interview_id
     where i.status = 'failed' and b.status <> 'cancelled'
       and not exists (select 1 from scheduling_conflicts c
                        where c.booking_id = b.id and c.kind = 'interview_failed_to_start')
    on conflict (company_id, dedupe_key) where status = 'open' do nothing`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * An interview cancelled outside scheduling (POST /v1/interviews/:id/cancel) frees its seat: its active booking is
 * cancelled, the slot's count goes down in the same statement, and the candidate gets the METHOD:CANCEL e-mail.
 * The bookings UPDATE re-checks status under the row lock, so a concurrent HR cancel cannot free the seat twice.
 */
export async function releaseCancelledInterviews(deps: Pick<AppDeps, 'db' | 'config'>, now: Date): Promise<number> {
  return deps.db.transaction().execute(async (trx) => {
    // The booking keeps HR's own words for the cancel (the timeline step's note), else its reason code.
    const released = await sql<{ id: string; endReason: EndReason | null }>`
      with released as (
        update bookings b
           set status = 'cancelled',
               cancel_reason = coalesce(
                 (select e.note from interview_status_events e
                   where e.interview_id = i.id and e.to_status = 'cancelled' order by e.id desc limit 1),
                 i.end_reason, 'interview_cancelled'),
               cancelled_at = ${now}, ics_sequence = b.ics_sequence + 1, updated_at = ${now}
          from interviews i
         where i.id = b.interview_id and b.status <> 'cancelled' and i.status = 'cancelled'
        returning b.id, b.slot_id, i.end_reason),
      seats as (
        update slots s set booked_count = s.booked_count - r.n
          from (select slot_id, count(*)::int as n from released group by slot_id) r
         where s.id = r.slot_id)
      select id, end_reason from released`.execute(trx);
    for (const { id, endReason } of released.rows) {
      await enqueueBookingEmails(trx, deps.config, id, 'cancellation', now, candidateCancelReason(endReason));
    }
    return released.rows.length;
  });
}

/**
 * The scheduling chores as periodic work on the job runner (each one run at a time across processes): conflicts for
 * failed interviews and seats of cancelled ones every minute, the slot horizon hourly.
 */
export function schedulingChores(deps: Pick<AppDeps, 'db' | 'config' | 'now'>): Record<string, PeriodicDefinition> {
  return {
    'scheduling-maintenance': {
      everyMs: 60_000,
      timeoutMs: 5 * 60_000,
      async run() {
        await detectFailedInterviews(deps.db);
        await releaseCancelledInterviews(deps, deps.now());
      },
    },
    // Extending a year of slots for every company is the heavy chore.
    'extend-slot-horizon': {
      everyMs: 3_600_000,
      timeoutMs: 30 * 60_000,
      async run() {
        await extendHorizon(deps.db, deps.now(), deps.config.scheduling.horizonWeeks);
      },
    },
  };
}
