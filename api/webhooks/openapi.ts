import { createDocument, type ZodOpenApiPathsObject } from 'zod-openapi';
import { eventCatalog, eventEnvelopeSchema, eventTypes } from '../../shared/events/catalog.ts';

const signatureHeaders = {
  'webhook-id': {
    description: 'The event id: the same on every retry and replay; dedupe on it',
    schema: { type: 'string' },
  },
  'webhook-timestamp': { description: 'Unix seconds when this attempt was signed', schema: { type: 'string' } },
  'webhook-signature': {
    description: 'Space-separated `v1,<base64 HMAC-SHA256 of id.timestamp.body>`; two during a secret rotation',
    schema: { type: 'string' },
  },
} as const;

/**
 * Adds the outbound events to an OpenAPI 3.1 document under `webhooks`, with their versioned payload schemas in
 * `components.schemas`, so the events are documented from the same zod schemas that validate them.
 */
export function withWebhookEvents<D extends { components?: { schemas?: Record<string, unknown> } }>(document: D): D {
  const webhooks: ZodOpenApiPathsObject = {};
  for (const type of eventTypes) {
    webhooks[type] = {
      post: {
        operationId: `webhook_${type.replace('.', '_')}`,
        summary: eventCatalog[type].summary,
        description:
          'Signed per Standard Webhooks. Ordering is not guaranteed and an event may arrive more than once: ' +
          'dedupe on `webhook-id`. Answer 2xx within 15 s; 410 disables the endpoint; 429/503 may send Retry-After.',
        tags: ['Webhook events'],
        parameters: Object.entries(signatureHeaders).map(([name, spec]) => ({
          name,
          in: 'header',
          required: true,
          ...spec,
        })),
        requestBody: { required: true, content: { 'application/json': { schema: eventEnvelopeSchema(type) } } },
        responses: { '2XX': { description: 'Received' } },
      },
    };
  }
  const generated = createDocument({ openapi: '3.1.0', info: { title: 'events', version: '1' }, webhooks });
  return {
    ...document,
    webhooks: generated.webhooks,
    components: {
      ...document.components,
      schemas: { ...document.components?.schemas, ...generated.components?.schemas },
    },
  };
}
