import { sql, type Kysely } from 'kysely';
import type { Database } from '../../shared/db/schema.ts';
import { configsOfCompany } from './configs.repository.ts';
import { applyBlocks, detectOverlaps, generateSlots, type GenerationReport } from './slots.repository.ts';

// Background scheduling chores, run by the e-mail worker's loop: they are idempotent, so running them in several
// processes at once only costs a little work.

/** Regenerates every configuration of a company over the horizon; only inserts, so it is safe to run any time. */
export async function regenerateCompany(db: Kysely<Database>, companyId: string, now: Date, horizonWeeks: number): Promise<GenerationReport> {
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
