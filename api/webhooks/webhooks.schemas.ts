import { z } from 'zod';
import { subscribableEventTypes } from '../../shared/events/catalog.ts';
import { companyIdField, isoTimestamp, page, pageQuery } from '../http/schemas.ts';

const eventType = z.enum(subscribableEventTypes as [string, ...string[]]).meta({ id: 'WebhookEventType' });

const eventTypes = z
  .array(eventType)
  .min(1)
  .max(subscribableEventTypes.length)
  .refine((list) => new Set(list).size === list.length, 'event types must be unique');

const endpointUrl = z
  .url({ protocol: /^https?$/ })
  .max(2_000)
  .meta({ example: 'https://ats.example.com/hooks/interviews' });

export const createEndpointBody = z
  .object({
    companyId: companyIdField,
    url: endpointUrl,
    eventTypes,
    description: z.string().trim().max(500).default(''),
  })
  .strict()
  .meta({ id: 'CreateWebhookEndpoint' });

export const updateEndpointBody = z
  .object({
    url: endpointUrl,
    eventTypes,
    description: z.string().trim().max(500),
    enabled: z
      .boolean()
      .meta({ description: 'false disables the endpoint; true enables it again and resumes held deliveries' }),
  })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change')
  .meta({ id: 'UpdateWebhookEndpoint' });

export const rotateSecretBody = z
  .object({
    graceHours: z
      .number()
      .min(0)
      .max(24 * 30)
      .optional()
      .meta({
        description: 'How long the old secret keeps signing beside the new one; the server default when absent',
      }),
  })
  .strict()
  .meta({ id: 'RotateWebhookSecret' });

export const replaySinceBody = z
  .object({
    since: z.iso.datetime({ offset: true }).meta({ description: 'Replays every subscribed event from this time on' }),
  })
  .strict()
  .meta({ id: 'ReplayWebhookDeliveries' });

export const endpointSchema = z
  .object({
    id: z.uuid(),
    companyId: z.uuid(),
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(z.string()),
    status: z.enum(['enabled', 'disabled']),
    disabledReason: z
      .string()
      .nullable()
      .meta({ description: '`gone` (answered 410), `failing` (failed for days) or `manual`' }),
    disabledAt: isoTimestamp.nullable(),
    failingSince: isoTimestamp.nullable(),
    previousSecretExpiresAt: isoTimestamp
      .nullable()
      .meta({ description: 'Until then, deliveries are also signed with the secret before the last rotation' }),
    createdAt: isoTimestamp,
    updatedAt: isoTimestamp,
  })
  .meta({ id: 'WebhookEndpoint' });

export const endpointWithSecretSchema = endpointSchema
  .extend({
    secret: z.string().startsWith('whsec_').meta({ description: 'Shown only in this response; store it now' }),
  })
  .meta({ id: 'WebhookEndpointWithSecret' });

export const endpointPage = page(endpointSchema, 'WebhookEndpointPage');

export const deliverySchema = z
  .object({
    id: z.uuid(),
    endpointId: z.uuid(),
    eventId: z.uuid().meta({ description: 'Also the webhook-id header: the same on every attempt' }),
    eventType: z.string(),
    status: z.enum(['pending', 'succeeded', 'exhausted']),
    attempts: z.number().int(),
    nextAttemptAt: isoTimestamp.nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    succeededAt: isoTimestamp.nullable(),
    createdAt: isoTimestamp,
  })
  .meta({ id: 'WebhookDelivery' });

export const deliveryPage = page(deliverySchema, 'WebhookDeliveryPage');

export const attemptSchema = z
  .object({
    id: z.uuid(),
    deliveryId: z.uuid(),
    attempt: z.number().int(),
    outcome: z.enum(['succeeded', 'failed']),
    statusCode: z.number().int().nullable(),
    error: z.string().nullable(),
    durationMs: z.number().int(),
    responseExcerpt: z.string().nullable().meta({ description: 'The first kilobyte of the response body' }),
    createdAt: isoTimestamp,
  })
  .meta({ id: 'WebhookAttempt' });

export const attemptPage = page(attemptSchema, 'WebhookAttemptPage');

export const deliveryQuery = pageQuery.extend({ status: z.enum(['pending', 'succeeded', 'exhausted']).optional() });

export const endpointDeliveryParams = z.object({ id: z.uuid(), deliveryId: z.uuid() });

export const testSendResult = z
  .object({ eventId: z.uuid(), deliveryId: z.uuid() })
  .meta({ id: 'WebhookTestSend', description: 'Queued; follow it in the delivery log' });

export const replayResult = z.object({ replayed: z.number().int() }).meta({ id: 'WebhookReplay' });

export type CreateEndpointBody = z.infer<typeof createEndpointBody>;
export type UpdateEndpointBody = z.infer<typeof updateEndpointBody>;
