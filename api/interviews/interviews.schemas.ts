import { endReasonSchema } from '../../shared/end-reasons.ts';
import { z } from 'zod';
import { hiringDecisions, interviewStatuses, interviewTypes, recommendations } from '../../shared/db/schema.ts';
import { isoTimestamp, page } from '../http/schemas.ts';
import { languageCode } from '../jobs/jobs.schemas.ts';
import { customQuestionInput, planSchema } from '../plans/plans.schemas.ts';

export const interviewType = z.enum(interviewTypes).meta({ id: 'InterviewType' });
export const interviewStatus = z.enum(interviewStatuses).meta({ id: 'InterviewStatus' });

export const languageMode = z.enum(['fixed', 'candidate']).meta({
  id: 'LanguageMode',
  description:
    "'fixed': the interview is held in `language`. 'candidate': the candidate picks one of the company's enabled " +
    'languages on the join page (on their first join); until then `language` is the one it would be held in.',
});

const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

export const createInterviewBody = z
  .object({
    candidateId: z.uuid(),
    jobId: z.uuid(),
    type: interviewType,
    maxDurationMinutes: z.number().int().min(5).max(240).default(30),
    instructions: z.string().trim().max(5_000).default(''),
    language: languageCode.optional().meta({ description: "Default: the job's language" }),
    languageMode: languageMode.optional().meta({ description: "Default: 'fixed'" }),
    scheduledStart: instant.optional().meta({ description: 'Default: now' }),
    scheduledEnd: instant.optional().meta({ description: 'Default: start plus the max duration' }),
    customQuestions: z
      .array(customQuestionInput)
      .max(10)
      .default([])
      .meta({ description: "HR's own questions, asked word for word, kept when the plan is regenerated" }),
    notify: z.boolean().optional().meta({
      description:
        'E-mail the candidate the invitation (time, link, room code, AI notice, calendar invite) in the interview\'s ' +
        'language. Default: yes when scheduledStart is given, no for an interview starting now',
    }),
  })
  .strict()
  .refine((v) => !v.scheduledStart || !v.scheduledEnd || v.scheduledEnd > v.scheduledStart, {
    message: 'must be after scheduledStart',
    path: ['scheduledEnd'],
  })
  .meta({ id: 'CreateInterview' });

export const updateInterviewLanguageBody = z
  .object({
    language: languageCode.optional().meta({
      description:
        "The language the interview is held in (with languageMode 'candidate': the one it starts in until the " +
        "candidate picks). One of the company's enabled languages",
    }),
    languageMode: languageMode.optional(),
  })
  .strict()
  .refine((v) => v.language !== undefined || v.languageMode !== undefined, 'send language, languageMode or both')
  .meta({ id: 'UpdateInterviewLanguage' });

export const listInterviewsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  status: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()))
    .pipe(z.array(interviewStatus))
    .optional()
    .meta({ description: 'One status or several, comma-separated', example: 'scheduled,in_progress' }),
  type: interviewType.optional(),
  jobId: z.uuid().optional(),
  candidateId: z.uuid().optional(),
  scheduledFrom: instant.optional().meta({ description: 'Scheduled start at or after' }),
  scheduledTo: instant.optional().meta({ description: 'Scheduled start before' }),
  q: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .meta({ description: "Part of the candidate's name; case and accents are ignored", example: 'hadd' }),
  alternative: z
    .enum(['open', 'handled', 'any'])
    .optional()
    .meta({ description: 'Only interviews whose candidate asked for another way to be interviewed: not yet handled, handled, or either' }),
});

export const cancelInterviewBody = z
  .object({ reason: z.string().trim().min(1).max(500).optional() })
  .strict()
  .meta({ id: 'CancelInterview' });

export const signedLinkSchema = z
  .object({
    url: z.url(),
    version: z.number().int(),
    validFrom: isoTimestamp,
    expiresAt: isoTimestamp,
    currentlyValid: z.boolean().meta({ description: 'Whether the link works at this moment' }),
  })
  .meta({ id: 'SignedLink' });

export const interviewLinkSchema = signedLinkSchema
  .extend({
    questionCount: z.number().int().meta({ description: 'Questions in the plan the candidate will be asked' }),
  })
  .meta({ id: 'InterviewLink' });

export const regenerateLinkBody = z
  .object({
    regenerateQuestions: z
      .boolean()
      .default(false)
      .meta({ description: "Also generate the question plan again (HR's custom questions are kept); only while scheduled" }),
  })
  .strict()
  .meta({ id: 'RegenerateLink' });

export const regeneratedLinkSchema = interviewLinkSchema
  .extend({ plan: planSchema.optional().meta({ description: 'The new plan, when regenerateQuestions was asked' }) })
  .meta({ id: 'RegeneratedLink' });

export const interviewSchema = z
  .object({
    id: z.uuid(),
    companyId: z.uuid(),
    jobId: z.uuid(),
    candidateId: z.uuid(),
    type: interviewType,
    status: interviewStatus,
    maxDurationMinutes: z.number().int(),
    instructions: z.string(),
    language: z.string(),
    languageMode,
    scheduledStart: isoTimestamp,
    scheduledEnd: isoTimestamp,
    roomCode: z.string().meta({ description: '8 characters, shown as XXXX-XXXX; case-insensitive on input' }),
    roomName: z.string(),
    joinUrl: z.url().meta({ description: 'Page where the candidate types the room code' }),
    candidateConnected: z.boolean(),
    startedAt: isoTimestamp.nullable().meta({ description: 'When the candidate was first in the room' }),
    deadlineAt: isoTimestamp
      .nullable()
      .meta({ description: 'When the interview must end: the first arrival plus the maximum duration' }),
    endedAt: isoTimestamp.nullable(),
    endReason: endReasonSchema.nullable(),
    createdAt: isoTimestamp,
    updatedAt: isoTimestamp,
  })
  .meta({ id: 'Interview' });

export const invitationSchema = z
  .discriminatedUnion('status', [
    z.object({
      status: z.literal('queued'),
      emailId: z.uuid().meta({ description: 'The message in GET /v1/email/messages' }),
      to: z.string(),
      locale: z.enum(['en', 'ar']),
    }),
    z.object({ status: z.literal('skipped'), reason: z.enum(['notify_false', 'not_scheduled', 'no_email']) }),
    z.object({
      status: z.literal('failed'),
      reason: z.enum(['email_unavailable']).meta({ description: 'The e-mail could not be queued; the interview was created' }),
    }),
  ])
  .meta({ id: 'InterviewInvitation', description: "The invitation e-mail to the candidate: whether it was queued, and if not why" });

export const createdInterviewSchema = interviewSchema
  .extend({
    candidateName: z.string(),
    jobTitle: z.string(),
    signedLink: signedLinkSchema,
    plan: planSchema,
    invitation: invitationSchema,
  })
  .meta({ id: 'CreatedInterview' });

export const interviewWithPlanSchema = interviewSchema
  .extend({ plan: planSchema })
  .meta({ id: 'InterviewWithPlan' });

export const timelineEntrySchema = z
  .object({
    from: interviewStatus.nullable(),
    to: interviewStatus,
    reason: z.string().nullable().meta({ description: 'An end reason for a final step; candidate_joined for the start' }),
    note: z.string().nullable().meta({ description: "HR's or the candidate's own words on this step" }),
    actor: z.string(),
    at: isoTimestamp,
  })
  .meta({ id: 'InterviewTimelineEntry' });

export const interviewDetailSchema = interviewSchema
  .extend({ timeline: z.array(timelineEntrySchema) })
  .meta({ id: 'InterviewDetail' });

export const latestDecisionSchema = z
  .object({ decision: z.enum(hiringDecisions), decidedBy: z.string(), decidedAt: isoTimestamp })
  .meta({ id: 'LatestDecision' });

/** A row of the workspace's interview list: the interview with what HR reads beside it. */
export const interviewListItemSchema = interviewSchema
  .extend({
    candidateName: z.string(),
    jobTitle: z.string(),
    recommendation: z
      .enum(recommendations)
      .nullable()
      .meta({ description: "The current scorecard's recommendation; null until one is complete" }),
    decision: latestDecisionSchema.nullable().meta({ description: 'The latest human decision, if any' }),
    alternativeRequest: z
      .enum(['open', 'handled'])
      .nullable()
      .meta({ description: 'The candidate asked for another way to be interviewed (GET /v1/interviews/{id}/alternative-request)' }),
  })
  .meta({ id: 'InterviewListItem' });

export const interviewPage = page(interviewListItemSchema, 'InterviewPage');

export type CreateInterviewBody = z.infer<typeof createInterviewBody>;
export type ListInterviewsQuery = z.infer<typeof listInterviewsQuery>;
