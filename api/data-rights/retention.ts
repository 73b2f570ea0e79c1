import { sql, type Kysely } from 'kysely';
import type { Database } from '../../shared/db/schema.ts';
import { recordAudit, type AuditActor } from '../audit/audit-log.ts';
import type { AppDeps } from '../deps.ts';
import type { PeriodicDefinition } from '../jobs/runner.ts';
import { requestErasure } from './erasure.ts';
import { effectiveRetention, type DataRetention } from './retention.schemas.ts';

// The retention job: for each company, what its periods (api/data-rights/retention.schemas.ts) say is due is
// deleted or anonymised, company by company, one kind per transaction with its audit entry (counts and the period,
// never content). Time is the API's clock (`deps.now`), so tests move it instead of waiting. Recordings keep their
// own hourly job (api/recordings/retention.ts), which deletes audio from the store and audits each part; a candidate
// whose period ended is erased by the erasure job, which this one only requests.

type Db = Kysely<Database>;

const system: AuditActor = { type: 'system', id: null, ip: null, userAgent: null };

export type RetentionCounts = Partial<
  Record<
    | 'transcriptTurns'
    | 'codeEvents'
    | 'codeReruns'
    | 'scorecards'
    | 'decisions'
    | 'emails'
    | 'webhookEvents'
    | 'candidatesErased',
    number
  >
>;

function cutoff(now: Date, days: number): Date {
  return new Date(now.getTime() - days * 86_400_000);
}

function affected(result: { numDeletedRows?: bigint; numUpdatedRows?: bigint; numAffectedRows?: bigint }): number {
  return Number(result.numDeletedRows ?? result.numUpdatedRows ?? result.numAffectedRows ?? 0);
}

/** Interviews of the company that ended before `before`: the data hanging off them is due. */
function endedBefore(trx: Db, companyId: string, before: Date) {
  return trx
    .selectFrom('interviews')
    .select('id')
    .where('companyId', '=', companyId)
    .where('endedAt', 'is not', null)
    .where('endedAt', '<', before);
}

async function applyCompany(db: Db, companyId: string, retention: DataRetention, now: Date): Promise<RetentionCounts> {
  const counts: RetentionCounts = {};
  const audit = async (trx: Db, kind: keyof DataRetention, details: RetentionCounts) => {
    if (Object.values(details).every((v) => !v)) return;
    Object.assign(counts, details);
    await recordAudit(trx, system, {
      companyId,
      action: 'retention.apply',
      targetType: 'company',
      targetId: companyId,
      details: {
        kind,
        retentionDays: retention[kind],
        before: cutoff(now, retention[kind]).toISOString(),
        counts: details,
      },
    });
  };

  await db.transaction().execute(async (trx) => {
    const before = cutoff(now, retention.transcripts);
    const turns = await trx
      .deleteFrom('transcriptTurns')
      .where('interviewId', 'in', endedBefore(trx, companyId, before))
      .executeTakeFirst();
    await trx
      .deleteFrom('turnMetrics')
      .where('interviewId', 'in', endedBefore(trx, companyId, before))
      .execute();
    await trx
      .updateTable('interviewConsents')
      .set({ candidateStatement: '' })
      .where('interviewId', 'in', endedBefore(trx, companyId, before))
      .where('candidateStatement', '<>', '')
      .execute();
    await audit(trx, 'transcripts', { transcriptTurns: affected(turns) });
  });

  await db.transaction().execute(async (trx) => {
    const before = cutoff(now, retention.codeEvents);
    const events = await trx
      .deleteFrom('codeEvents')
      .where('interviewId', 'in', endedBefore(trx, companyId, before))
      .executeTakeFirst();
    const reruns = await trx
      .deleteFrom('codeReruns')
      .where('interviewId', 'in', endedBefore(trx, companyId, before))
      .executeTakeFirst();
    await audit(trx, 'codeEvents', { codeEvents: affected(events), codeReruns: affected(reruns) });
  });

  await db.transaction().execute(async (trx) => {
    const before = cutoff(now, retention.scorecards);
    const cards = await trx
      .deleteFrom('scorecards')
      .where('interviewId', 'in', endedBefore(trx, companyId, before))
      .executeTakeFirst();
    const decisions = await trx
      .deleteFrom('hiringDecisions')
      .where('interviewId', 'in', endedBefore(trx, companyId, before))
      .executeTakeFirst();
    await audit(trx, 'scorecards', { scorecards: affected(cards), decisions: affected(decisions) });
  });

  await db.transaction().execute(async (trx) => {
    const before = cutoff(now, retention.emails);
    // A pending message is still owed to someone; the others are history once their period passes.
    const emails = await trx
      .deleteFrom('emailMessages')
      .where('companyId', '=', companyId)
      .where('status', '<>', 'pending')
      .where(sql<boolean>`coalesce(sent_at, updated_at) < ${before}`)
      .executeTakeFirst();
    await audit(trx, 'emails', { emails: affected(emails) });
  });

  await db.transaction().execute(async (trx) => {
    const before = cutoff(now, retention.webhookPayloads);
    // The deliveries and their attempt log go with the event (cascade); nothing still owed to a consumer is dropped.
    const events = await sql`
      delete from webhook_events ev
       where ev.company_id = ${companyId}::uuid and ev.created_at < ${before}
         and not exists (select 1 from webhook_deliveries d where d.event_id = ev.id and d.status = 'pending')`.execute(
      trx,
    );
    await audit(trx, 'webhookPayloads', { webhookEvents: Number(events.numAffectedRows ?? 0) });
  });

  await db.transaction().execute(async (trx) => {
    const before = cutoff(now, retention.candidate);
    // Candidates with nothing open whose last interview ended (or, with none, who were created) before the cutoff.
    const due = await trx
      .selectFrom('candidates as c')
      .select('c.id')
      .where('c.companyId', '=', companyId)
      .where('c.erasedAt', 'is', null)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb.selectFrom('candidateErasures as e').select('e.candidateId').whereRef('e.candidateId', '=', 'c.id'),
          ),
        ),
      )
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('interviews as i')
              .select('i.id')
              .whereRef('i.candidateId', '=', 'c.id')
              .where((w) => w.or([w('i.endedAt', 'is', null), w('i.endedAt', '>=', before)])),
          ),
        ),
      )
      .where('c.createdAt', '<', before)
      .limit(500)
      .execute();
    for (const c of due) {
      await requestErasure(trx, {
        candidateId: c.id,
        companyId,
        reason: 'retention',
        requestedBy: 'system:retention',
        now,
      });
    }
    await audit(trx, 'candidate', { candidatesErased: due.length });
  });
  return counts;
}

/** One pass over every company; returns what it did per company that had anything due. */
export async function applyRetention(
  deps: Pick<AppDeps, 'db' | 'log' | 'now'>,
): Promise<Record<string, RetentionCounts>> {
  const now = deps.now();
  const companies = await deps.db
    .selectFrom('companies')
    .select(['id', 'dataRetention', 'recordingRetentionDays'])
    .execute();
  const done: Record<string, RetentionCounts> = {};
  for (const company of companies) {
    const counts = await applyCompany(deps.db, company.id, effectiveRetention(company), now);
    if (Object.keys(counts).length > 0) {
      done[company.id] = counts;
      deps.log.info({ companyId: company.id, counts }, 'retention applied');
    }
  }
  return done;
}

/** Hourly, one run at a time across API processes. */
export function dataRetention(deps: AppDeps): Record<string, PeriodicDefinition> {
  return {
    'data-retention': {
      everyMs: 60 * 60_000,
      timeoutMs: 15 * 60_000,
      run: async () => {
        await applyRetention(deps);
      },
    },
  };
}
