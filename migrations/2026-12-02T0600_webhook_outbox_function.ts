import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must keep describing the schema as it was on the day it was written.
// It takes Kysely<any> and imports nothing from the application.
//
// The outbox's write (an event and a pending delivery for each endpoint that takes it) as a function: PL/pgSQL keeps
// the plans of its statements for the session, where the same statements sent as text are parsed and planned again in
// every transaction that records an event, which made planning a large share of a writer's backend CPU. Returns the
// number of deliveries written. `p_only_endpoint` targets one endpoint whatever it subscribes to (test sends).

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function record_webhook_event(p_id uuid, p_company_id uuid, p_type text, p_version int, p_payload jsonb,
                                         p_only_endpoint uuid)
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
      return written;
    end $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function record_webhook_event(uuid, uuid, text, int, jsonb, uuid)`.execute(db);
}
