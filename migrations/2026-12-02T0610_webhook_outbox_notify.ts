import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must keep describing the schema as it was on the day it was written.
// It takes Kysely<any> and imports nothing from the application.
//
// record_webhook_event also decides the NOTIFY (the rule and its locks are explained in shared/events/outbox.ts, which
// passes the lock keys and the channel): the statement that called it and decided in a CASE around it was itself
// planned in every writer's transaction, about a sixth of the writer's backend CPU per event.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop function record_webhook_event(uuid, uuid, text, int, jsonb, uuid)`.execute(db);
  await sql`
    create function record_webhook_event(p_id uuid, p_company_id uuid, p_type text, p_version int, p_payload jsonb,
                                         p_only_endpoint uuid, p_lock_space int, p_lookout_lock int,
                                         p_polling_lock int, p_channel text)
    returns int language plpgsql as $$
    declare
      written int;
    begin
      insert into webhook_events (id, company_id, type, version, payload)
      values (p_id, p_company_id, p_type, p_version, p_payload);
      -- Two statements, not one with an OR: each keeps a plan that uses its own index.
      if p_only_endpoint is null then
        insert into webhook_deliveries (event_id, endpoint_id, company_id)
        select p_id, e.id, e.company_id
          from webhook_endpoints e
         where e.company_id = p_company_id and e.status = 'enabled' and p_type = any(e.event_types);
      else
        insert into webhook_deliveries (event_id, endpoint_id, company_id)
        select p_id, e.id, e.company_id
          from webhook_endpoints e
         where e.company_id = p_company_id and e.id = p_only_endpoint;
      end if;
      get diagnostics written = row_count;
      -- An event no endpoint takes notifies nothing. The two tries in this order: a drain that stopped polling waits
      -- for the writers that saw it poll (this one did not: notify); a polling drain will see the row (no NOTIFY).
      if written > 0 then
        if not pg_try_advisory_xact_lock_shared(p_lock_space, p_lookout_lock) then
          perform pg_notify(p_channel, '');
        elsif pg_try_advisory_xact_lock_shared(p_lock_space, p_polling_lock) then
          perform pg_notify(p_channel, '');
        end if;
      end if;
      return written;
    end $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function record_webhook_event(uuid, uuid, text, int, jsonb, uuid, int, int, int, text)`.execute(db);
  await sql`
    create function record_webhook_event(p_id uuid, p_company_id uuid, p_type text, p_version int, p_payload jsonb,
                                         p_only_endpoint uuid)
    returns int language plpgsql as $$
    declare
      written int;
    begin
      insert into webhook_events (id, company_id, type, version, payload)
      values (p_id, p_company_id, p_type, p_version, p_payload);
      if p_only_endpoint is null then
        insert into webhook_deliveries (event_id, endpoint_id, company_id)
        select p_id, e.id, e.company_id
          from webhook_endpoints e
         where e.company_id = p_company_id and e.status = 'enabled' and p_type = any(e.event_types);
      else
        insert into webhook_deliveries (event_id, endpoint_id, company_id)
        select p_id, e.id, e.company_id
          from webhook_endpoints e
         where e.company_id = p_company_id and e.id = p_only_endpoint;
      end if;
      get diagnostics written = row_count;
      return written;
    end $$`.execute(db);
}
