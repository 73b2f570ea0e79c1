import { sql, type Kysely } from 'kysely';
import type { Database } from '../../shared/db/schema.ts';

/**
 * Deletes events older than the retention period, with their deliveries and attempt log (by cascade), unless a
 * delivery of theirs is still pending: history is bounded, but nothing still owed to a consumer is dropped.
 * Works in batches so a large backlog never holds long locks. Returns how many events it removed.
 */
export async function pruneWebhookHistory(
  db: Kysely<Database>,
  options: { now: Date; retentionMs: number; batchSize?: number },
): Promise<number> {
  const cutoff = new Date(options.now.getTime() - options.retentionMs);
  const batch = options.batchSize ?? 1_000;
  let removed = 0;
  for (;;) {
    const result = await sql`
      delete from webhook_events
       where id in (
         select ev.id from webhook_events ev
          where ev.created_at < ${cutoff}
            and not exists (select 1 from webhook_deliveries d where d.event_id = ev.id and d.status = 'pending')
          limit ${batch})`.execute(db);
    const n = Number(result.numAffectedRows ?? 0);
    removed += n;
    if (n < batch) return removed;
  }
}
