import { sql } from 'kysely';
import { recordAudit, type AuditActor } from '../audit/audit-log.ts';
import type { AppDeps } from '../deps.ts';
import type { PeriodicDefinition } from '../jobs/runner.ts';
import { createRecordingStore, type RecordingStore } from '../../shared/recordings/store.ts';

// Recordings are kept for their company's retention period (companies.recording_retention_days, 90 days unless
// changed), counted from the recording's start, then deleted from the store by this periodic job. The row stays,
// marked deleted, and each deletion is in the audit log: what existed and when it went is itself a record.

const system: AuditActor = { type: 'system', id: null, ip: null, userAgent: null };

export async function deleteExpiredRecordings(
  deps: Pick<AppDeps, 'db' | 'log' | 'now'>,
  store: RecordingStore,
  options: { batch?: number } = {},
): Promise<number> {
  const { db, log } = deps;
  const now = deps.now();
  let deleted = 0;
  for (;;) {
    const due = await db
      .selectFrom('interviewRecordings as r')
      .innerJoin('companies as c', 'c.id', 'r.companyId')
      .select(['r.id', 'r.interviewId', 'r.companyId', 'r.part', 'r.objectKey', 'r.startedAt', 'c.recordingRetentionDays'])
      .where('r.status', '=', 'stored')
      .where(sql<boolean>`r.started_at < ${now}::timestamptz - make_interval(days => c.recording_retention_days)`)
      .orderBy('r.startedAt')
      .limit(options.batch ?? 100)
      .execute();
    if (due.length === 0) return deleted;
    for (const r of due) {
      // The object first: a failure after it leaves the row stored, and the next pass deletes (nothing) again.
      await store.delete(r.objectKey);
      await db.transaction().execute(async (trx) => {
        const gone = await trx
          .updateTable('interviewRecordings')
          .set({ status: 'deleted', deletedAt: now })
          .where('id', '=', r.id)
          .where('status', '=', 'stored')
          .returning('id')
          .executeTakeFirst();
        if (!gone) return;
        await recordAudit(trx, system, {
          companyId: r.companyId,
          action: 'recording.delete',
          targetType: 'interview',
          targetId: r.interviewId,
          details: { part: r.part, reason: 'retention', retentionDays: r.recordingRetentionDays, startedAt: r.startedAt.toISOString() },
        });
        deleted++;
      });
    }
    log.info({ deleted }, 'expired recordings deleted');
  }
}

/** Hourly, one run at a time across API processes. */
export function recordingRetention(deps: AppDeps): Record<string, PeriodicDefinition> {
  let store: RecordingStore | undefined;
  return {
    'recording-retention': {
      everyMs: 60 * 60_000,
      timeoutMs: 10 * 60_000,
      run: async () => {
        store ??= createRecordingStore(deps.config.recordings.store);
        await deleteExpiredRecordings(deps, store);
      },
    },
  };
}
