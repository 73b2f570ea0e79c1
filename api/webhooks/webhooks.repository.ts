import { sql, type Kysely } from 'kysely';
import type { Database, WebhookEndpoint } from '../../shared/db/schema.ts';
import { paginate, toPage } from '../http/pagination.ts';
import { requestDrain } from './delivery.ts';
import type { CreateEndpointBody, UpdateEndpointBody } from './webhooks.schemas.ts';

// `scope` is the caller's company, or null for an admin. Every read and write filters on it.

export async function insertEndpoint(
  db: Kysely<Database>,
  companyId: string,
  input: CreateEndpointBody,
  secret: string,
): Promise<WebhookEndpoint> {
  return db
    .insertInto('webhookEndpoints')
    .values({ companyId, url: input.url, description: input.description, eventTypes: input.eventTypes, secret })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findEndpoint(
  db: Kysely<Database>,
  scope: string | null,
  id: string,
): Promise<WebhookEndpoint | undefined> {
  let q = db.selectFrom('webhookEndpoints').selectAll().where('id', '=', id);
  if (scope) q = q.where('companyId', '=', scope);
  return q.executeTakeFirst();
}

export async function listEndpoints(db: Kysely<Database>, scope: string | null, limit: number, cursor?: string) {
  let q = db.selectFrom('webhookEndpoints').selectAll();
  if (scope) q = q.where('companyId', '=', scope);
  return toPage(await paginate(q, 'webhook_endpoints', cursor, limit).execute(), limit);
}

export async function updateEndpoint(
  db: Kysely<Database>,
  id: string,
  input: UpdateEndpointBody,
  now: Date,
): Promise<WebhookEndpoint> {
  const { enabled, ...fields } = input;
  const status =
    enabled === undefined
      ? {}
      : enabled
        ? // Enabling again starts the failure clock afresh, or the next failure would disable it at once.
          { status: 'enabled' as const, disabledReason: null, disabledAt: null, failingSince: null }
        : { status: 'disabled' as const, disabledReason: 'manual', disabledAt: now };
  const updated = await db
    .updateTable('webhookEndpoints')
    .set({ ...fields, ...status, updatedAt: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  // Deliveries held while it was disabled are owed again: their rows say when; a drain picks them up.
  if (enabled) await requestDrain(db);
  return updated;
}

export async function rotateSecret(
  db: Kysely<Database>,
  endpoint: WebhookEndpoint,
  secret: string,
  previousValidUntil: Date,
  now: Date,
): Promise<WebhookEndpoint> {
  return db
    .updateTable('webhookEndpoints')
    .set({ secret, previousSecret: endpoint.secret, previousSecretExpiresAt: previousValidUntil, updatedAt: now })
    .where('id', '=', endpoint.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteEndpoint(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('webhookEndpoints').where('id', '=', id).execute();
}

export async function listDeliveries(
  db: Kysely<Database>,
  endpointId: string,
  options: { limit: number; cursor?: string | undefined; status?: 'pending' | 'succeeded' | 'exhausted' | undefined },
) {
  let q = db
    .selectFrom('webhookDeliveries')
    .innerJoin('webhookEvents', 'webhookEvents.id', 'webhookDeliveries.eventId')
    .select([
      'webhookDeliveries.id',
      'webhookDeliveries.endpointId',
      'webhookDeliveries.eventId',
      'webhookEvents.type as eventType',
      'webhookDeliveries.status',
      'webhookDeliveries.attempts',
      'webhookDeliveries.nextAttemptAt',
      'webhookDeliveries.lastStatusCode',
      'webhookDeliveries.lastError',
      'webhookDeliveries.succeededAt',
      'webhookDeliveries.createdAt',
    ])
    .where('webhookDeliveries.endpointId', '=', endpointId);
  if (options.status) q = q.where('webhookDeliveries.status', '=', options.status);
  const page = toPage(await paginate(q, 'webhook_deliveries', options.cursor, options.limit).execute(), options.limit);
  return {
    ...page,
    items: page.items.map((d) => ({ ...d, nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt : null })),
  };
}

export async function listAttempts(db: Kysely<Database>, endpointId: string, limit: number, cursor?: string) {
  const q = db.selectFrom('webhookAttempts').selectAll().where('endpointId', '=', endpointId);
  return toPage(await paginate(q, 'webhook_attempts', cursor, limit).execute(), limit);
}

/** Makes one delivery due again with a fresh schedule; the webhook-id stays the event's. */
export async function replayDelivery(
  db: Kysely<Database>,
  endpointId: string,
  deliveryId: string,
  now: Date,
): Promise<boolean> {
  const row = await db
    .updateTable('webhookDeliveries')
    .set({ status: 'pending', attempts: 0, nextAttemptAt: now, updatedAt: now })
    .where('id', '=', deliveryId)
    .where('endpointId', '=', endpointId)
    .returning('id')
    .executeTakeFirst();
  if (row) await requestDrain(db);
  return row !== undefined;
}

/**
 * Replays every event since `since` that the endpoint subscribes to: deliveries that exist start over, and
 * events it never got (it was disabled, or subscribed later) get one. Returns how many are now due.
 */
export async function replaySince(
  db: Kysely<Database>,
  endpoint: WebhookEndpoint,
  since: Date,
  now: Date,
): Promise<number> {
  const result = await sql<{ id: string }>`
    insert into webhook_deliveries (company_id, event_id, endpoint_id, status, attempts, next_attempt_at)
    select ev.company_id, ev.id, ${endpoint.id}::uuid, 'pending', 0, ${now}
      from webhook_events ev
     where ev.company_id = ${endpoint.companyId}
       and ev.created_at >= ${since}
       and ev.type = any(${endpoint.eventTypes}::text[])
    on conflict (event_id, endpoint_id) do update
       set status = 'pending', attempts = 0, next_attempt_at = excluded.next_attempt_at, updated_at = now()
    returning id`.execute(db);
  if (result.rows.length > 0) await requestDrain(db);
  return result.rows.length;
}
