import { z } from 'zod';
import { isoTimestamp } from '../http/schemas.ts';

// The alternative process: the candidate asks for another way to be interviewed (NYC LL 144's alternative, GDPR
// Art. 22's human involvement). Both fields are optional: a click alone is a request.

export const alternativeRequestBody = z
  .object({
    reason: z
      .string()
      .trim()
      .max(500)
      .optional()
      .meta({ description: "The candidate's own words on why (e.g. an accessibility need); optional" }),
    contact: z
      .string()
      .trim()
      .max(200)
      .optional()
      .meta({ description: 'How the candidate prefers to be contacted (an e-mail address, a phone number, a time); optional' }),
  })
  .strict()
  .meta({ id: 'AlternativeRequestBody' });

export const alternativeRecordedSchema = z
  .object({
    requestedAt: isoTimestamp,
    alreadyRecorded: z
      .boolean()
      .meta({ description: 'True when this interview already had a request: nothing new was recorded or sent' }),
  })
  .meta({ id: 'AlternativeRecorded' });

export const alternativeRequestSchema = z
  .object({
    interviewId: z.uuid(),
    reason: z.string().nullable(),
    contact: z.string().nullable(),
    requestedAt: isoTimestamp,
    handledAt: isoTimestamp.nullable(),
    handledBy: z.string().nullable().meta({ description: 'Who marked it handled: `user:<id>` or `api_key:<id>`' }),
    handledByName: z.string().nullable().meta({ description: "The workspace user's name; null for an API key" }),
  })
  .meta({ id: 'AlternativeRequest' });

export const interviewAlternativeSchema = z
  .object({
    request: alternativeRequestSchema
      .nullable()
      .meta({ description: 'The request, or null when the candidate has not asked for another way' }),
  })
  .meta({ id: 'InterviewAlternative' });

export type AlternativeRequestBody = z.infer<typeof alternativeRequestBody>;
