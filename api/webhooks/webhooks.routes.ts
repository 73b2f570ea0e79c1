import { actorFromPrincipal, recordAudit } from '../audit/audit-log.ts';
import { companyScope } from '../auth/principal.ts';
import { owningCompany } from '../companies/owning-company.ts';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../http/problem.ts';
import { defineRoute } from '../http/route.ts';
import { idParams, pageQuery } from '../http/schemas.ts';
import { recordEvent } from '../../shared/events/outbox.ts';
import { secretBox } from './secret-box.ts';
import { generateSecret } from './signing.ts';
import { refuseEndpointUrl } from './ssrf.ts';
import {
  deleteEndpoint,
  findEndpoint,
  insertEndpoint,
  listAttempts,
  listDeliveries,
  listEndpoints,
  replayDelivery,
  replaySince,
  rotateSecret,
  updateEndpoint,
} from './webhooks.repository.ts';
import {
  attemptPage,
  createEndpointBody,
  deliveryPage,
  deliveryQuery,
  endpointDeliveryParams,
  endpointPage,
  endpointSchema,
  endpointWithSecretSchema,
  replayResult,
  replaySinceBody,
  rotateSecretBody,
  testSendResult,
  updateEndpointBody,
} from './webhooks.schemas.ts';

const tags = ['Webhooks'];

export function webhookRoutes({ db, config, now }: AppDeps) {
  const settings = config.webhooks;
  const box = secretBox(settings.secretEncryptionKey);

  async function vetUrl(url: string): Promise<void> {
    const reason = await refuseEndpointUrl(url, {
      allowPrivate: settings.allowPrivateUrls,
      requireHttps: settings.requireHttps,
    });
    if (reason) {
      throw new AppError('validation_failed', `The endpoint URL is refused: ${reason}.`, {
        errors: [{ path: 'body.url', message: reason }],
      });
    }
  }

  async function mustFind(principal: Parameters<typeof companyScope>[0], id: string) {
    const endpoint = await findEndpoint(db, companyScope(principal), id);
    if (!endpoint) throw new AppError('not_found', 'No such webhook endpoint.');
    return endpoint;
  }

  return [
    defineRoute({
      method: 'post',
      path: '/v1/webhook-endpoints',
      operationId: 'createWebhookEndpoint',
      summary: 'Register a webhook endpoint; its signing secret is returned once',
      tags,
      auth: 'hr',
      access: 'admin',
      body: createEndpointBody,
      responses: { 201: { description: 'Created, with the secret', schema: endpointWithSecretSchema } },
      handler: async ({ body, principal, meta }) => {
        const companyId = await owningCompany(db, principal, body.companyId);
        await vetUrl(body.url);
        const secret = generateSecret();
        const endpoint = await db.transaction().execute(async (trx) => {
          const created = await insertEndpoint(trx, companyId, body, box.seal(secret));
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId,
            action: 'webhook_endpoint.create',
            targetType: 'webhook_endpoint',
            targetId: created.id,
            details: { eventTypes: body.eventTypes },
          });
          return created;
        });
        return {
          status: 201,
          body: { ...endpoint, secret },
          headers: { Location: `/v1/webhook-endpoints/${endpoint.id}` },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/webhook-endpoints',
      operationId: 'listWebhookEndpoints',
      summary: 'List webhook endpoints, newest first',
      tags,
      auth: 'hr',
      access: 'admin',
      query: pageQuery,
      responses: { 200: { description: 'A page of endpoints', schema: endpointPage } },
      handler: async ({ query, principal }) => ({
        status: 200,
        body: await listEndpoints(db, companyScope(principal), query.limit, query.cursor),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/webhook-endpoints/:id',
      operationId: 'getWebhookEndpoint',
      summary: 'Get a webhook endpoint',
      tags,
      auth: 'hr',
      access: 'admin',
      params: idParams,
      responses: { 200: { description: 'The endpoint', schema: endpointSchema } },
      handler: async ({ params, principal }) => ({ status: 200, body: await mustFind(principal, params.id) }),
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/webhook-endpoints/:id',
      operationId: 'updateWebhookEndpoint',
      summary: 'Change, disable or enable a webhook endpoint',
      tags,
      auth: 'hr',
      access: 'admin',
      params: idParams,
      body: updateEndpointBody,
      responses: { 200: { description: 'The updated endpoint', schema: endpointSchema } },
      handler: async ({ params, body, principal, meta }) => {
        const existing = await mustFind(principal, params.id);
        if (body.url) await vetUrl(body.url);
        const endpoint = await db.transaction().execute(async (trx) => {
          const updated = await updateEndpoint(trx, existing.id, body, now());
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId: existing.companyId,
            action: 'webhook_endpoint.update',
            targetType: 'webhook_endpoint',
            targetId: existing.id,
            details: { fields: Object.keys(body) },
          });
          return updated;
        });
        return { status: 200, body: endpoint };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/webhook-endpoints/:id',
      operationId: 'deleteWebhookEndpoint',
      summary: 'Delete a webhook endpoint with its delivery log',
      tags,
      auth: 'hr',
      access: 'admin',
      params: idParams,
      responses: { 204: { description: 'Deleted' } },
      handler: async ({ params, principal, meta }) => {
        const existing = await mustFind(principal, params.id);
        await db.transaction().execute(async (trx) => {
          await deleteEndpoint(trx, existing.id);
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId: existing.companyId,
            action: 'webhook_endpoint.delete',
            targetType: 'webhook_endpoint',
            targetId: existing.id,
          });
        });
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/webhook-endpoints/:id/rotate-secret',
      operationId: 'rotateWebhookSecret',
      summary: 'Issue a new signing secret; the old one keeps signing beside it for a grace period',
      tags,
      auth: 'hr',
      access: 'admin',
      params: idParams,
      body: rotateSecretBody,
      responses: { 200: { description: 'The endpoint with its new secret', schema: endpointWithSecretSchema } },
      handler: async ({ params, body, principal, meta }) => {
        const existing = await mustFind(principal, params.id);
        const at = now();
        const graceMs = body.graceHours !== undefined ? body.graceHours * 3_600_000 : settings.secretGraceMs;
        const secret = generateSecret();
        const endpoint = await db.transaction().execute(async (trx) => {
          const rotated = await rotateSecret(trx, existing, box.seal(secret), new Date(at.getTime() + graceMs), at);
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId: existing.companyId,
            action: 'webhook_endpoint.rotate_secret',
            targetType: 'webhook_endpoint',
            targetId: existing.id,
            details: { graceHours: graceMs / 3_600_000 },
          });
          return rotated;
        });
        return { status: 200, body: { ...endpoint, secret } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/webhook-endpoints/:id/test',
      operationId: 'testWebhookEndpoint',
      summary: 'Queue a signed `webhook.test` event to this endpoint',
      tags,
      auth: 'hr',
      access: 'admin',
      params: idParams,
      responses: { 202: { description: 'Queued', schema: testSendResult } },
      handler: async ({ params, principal, meta }) => {
        const endpoint = await mustFind(principal, params.id);
        if (endpoint.status !== 'enabled')
          throw new AppError('invalid_state', 'The endpoint is disabled; enable it first.');
        const result = await db.transaction().execute(async (trx) => {
          const event = await recordEvent(trx, {
            companyId: endpoint.companyId,
            type: 'webhook.test',
            payload: { endpointId: endpoint.id, message: 'Test event from the AI interviewer' },
            onlyEndpointId: endpoint.id,
          });
          const delivery = await trx
            .selectFrom('webhookDeliveries')
            .select('id')
            .where('eventId', '=', event.id)
            .executeTakeFirstOrThrow();
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId: endpoint.companyId,
            action: 'webhook_endpoint.test',
            targetType: 'webhook_endpoint',
            targetId: endpoint.id,
          });
          return { eventId: event.id, deliveryId: delivery.id };
        });
        return { status: 202, body: result };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/webhook-endpoints/:id/deliveries',
      operationId: 'listWebhookDeliveries',
      summary: 'Deliveries to this endpoint, newest first',
      tags,
      auth: 'hr',
      access: 'admin',
      params: idParams,
      query: deliveryQuery,
      responses: { 200: { description: 'A page of deliveries', schema: deliveryPage } },
      handler: async ({ params, query, principal }) => {
        const endpoint = await mustFind(principal, params.id);
        return { status: 200, body: await listDeliveries(db, endpoint.id, query) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/webhook-endpoints/:id/attempts',
      operationId: 'listWebhookAttempts',
      summary: 'The delivery log: every attempt with its status, duration and a response excerpt',
      tags,
      auth: 'hr',
      access: 'admin',
      params: idParams,
      query: pageQuery,
      responses: { 200: { description: 'A page of attempts', schema: attemptPage } },
      handler: async ({ params, query, principal }) => {
        const endpoint = await mustFind(principal, params.id);
        return { status: 200, body: await listAttempts(db, endpoint.id, query.limit, query.cursor) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/webhook-endpoints/:id/deliveries/:deliveryId/replay',
      operationId: 'replayWebhookDelivery',
      summary: 'Send one delivery again, with the same webhook-id and a fresh retry schedule',
      tags,
      auth: 'hr',
      access: 'admin',
      params: endpointDeliveryParams,
      responses: { 202: { description: 'Queued', schema: replayResult } },
      handler: async ({ params, principal, meta }) => {
        const endpoint = await mustFind(principal, params.id);
        await db.transaction().execute(async (trx) => {
          if (!(await replayDelivery(trx, endpoint.id, params.deliveryId, now()))) {
            throw new AppError('not_found', 'No such delivery for this endpoint.');
          }
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId: endpoint.companyId,
            action: 'webhook_delivery.replay',
            targetType: 'webhook_delivery',
            targetId: params.deliveryId,
          });
        });
        return { status: 202, body: { replayed: 1 } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/webhook-endpoints/:id/replay',
      operationId: 'replayWebhookEndpoint',
      summary: 'Send again every subscribed event since a time, including ones the endpoint never received',
      tags,
      auth: 'hr',
      access: 'admin',
      params: idParams,
      body: replaySinceBody,
      responses: { 202: { description: 'Queued', schema: replayResult } },
      handler: async ({ params, body, principal, meta }) => {
        const endpoint = await mustFind(principal, params.id);
        const since = new Date(body.since);
        const replayed = await db.transaction().execute(async (trx) => {
          const n = await replaySince(trx, endpoint, since, now());
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId: endpoint.companyId,
            action: 'webhook_endpoint.replay',
            targetType: 'webhook_endpoint',
            targetId: endpoint.id,
            details: { since: since.toISOString(), replayed: n },
          });
          return n;
        });
        return { status: 202, body: { replayed } };
      },
    }),
  ];
}
