import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must keep describing the schema as it was on the day it was written.
// Webhook delivery moved from a `deliver-webhook` job per delivery to one `drain-webhooks` job that claims due
// deliveries from their rows: the per-delivery jobs left waiting have no handler any more. Their deliveries are
// still pending in webhook_deliveries, which is all the drain needs. (On a new database the job runner's schema is
// installed after our migrations, so there is nothing to remove.)

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    do $$
    begin
      if to_regclass('graphile_worker._private_jobs') is not null then
        delete from graphile_worker._private_jobs
         where task_id in (select id from graphile_worker._private_tasks where identifier = 'deliver-webhook');
      end if;
    end $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // The jobs cannot come back, and need not: going back to per-delivery jobs would have to add them for the pending
  // deliveries, which the code of that time did for an endpoint enabled again.
  void db;
}
