import { z } from 'zod';
import { isoTimestamp } from '../http/schemas.ts';
import { candidateEndReasonSchema } from '../interviews/candidate-end-reason.ts';
import { interviewStatus, interviewType } from '../interviews/interviews.schemas.ts';
import { regionCode } from '../candidates/candidates.schemas.ts';
import { interviewLanguages } from '../../shared/speech-languages.ts';

export const codeParams = z.object({
  code: z
    .string()
    .min(1)
    .max(32)
    .meta({ description: 'Room code; any case, spaces and dashes ignored', example: 'ABCD-2345' }),
});

export const linkParams = z.object({
  token: z.string().min(1).max(1024).meta({ description: 'The signed link token (the `link` query value)' }),
});

const typedAnswersAllowed = z.boolean().meta({
  description: 'The company lets a candidate without a working microphone take the interview by typing every answer',
});

export const roomInfoSchema = z
  .object({
    companyName: z.string(),
    jobTitle: z.string(),
    type: interviewType,
    maxDurationMinutes: z.number().int(),
    instructions: z.string(),
    language: z.string(),
    languageChoices: z
      .array(z.string())
      .nullable()
      .meta({
        description:
          'The languages the candidate may choose from before their first join (send one as `language`); null when the language is fixed',
      }),
    status: interviewStatus,
    roomCode: z.string().meta({ description: 'Formatted as XXXX-XXXX' }),
    defaultPhoneRegion: z.string().meta({ description: "The company's default region for phone numbers" }),
    window: z.object({ opensAt: isoTimestamp, closesAt: isoTimestamp }),
    startsAt: isoTimestamp.meta({ description: 'When the interview is scheduled to start' }),
    contactEmail: z
      .string()
      .nullable()
      .meta({ description: "Where the candidate can write to the company (its scheduling settings' reply-to)" }),
    joinState: z.enum(['not_open_yet', 'open', 'closed', 'ended']),
    recorded: z.boolean().meta({ description: "The interview's audio is recorded (the interviewer says so too, before consent)" }),
    typedAnswersAllowed: typedAnswersAllowed,
    privacyNoticeUrl: z
      .string()
      .nullable()
      .meta({ description: "The company's privacy notice, linked from the disclosure; null when it has none" }),
  })
  .meta({ id: 'RoomInfo', description: 'What a candidate sees before joining; nothing personal' });

export const joinBody = z
  .object({
    phone: z.string().trim().min(3).max(32),
    phoneRegion: regionCode
      .optional()
      .meta({ description: "Region for numbers typed without +; default the company's" }),
    // A rejoin (after a reload) asks only for the phone: without names, HR's name for the candidate is shown.
    firstName: z.string().trim().min(1).max(100).optional(),
    lastName: z.string().trim().min(1).max(100).optional(),
    language: z
      .enum(interviewLanguages)
      .optional()
      .meta({ description: "The candidate's choice from the room's `languageChoices`; ignored once chosen, or when fixed" }),
  })
  .strict()
  .meta({ id: 'JoinRequest' });

export const joinResponseSchema = z
  .object({
    token: z.string().meta({ description: 'LiveKit access token for this room only; short-lived' }),
    tokenExpiresAt: isoTimestamp,
    serverUrl: z.string().meta({ description: 'LiveKit URL for browsers' }),
    roomName: z.string(),
    identity: z.string().meta({ description: 'Random participant identity; the same one on a rejoin' }),
    displayName: z.string(),
    companyName: z.string(),
    jobTitle: z.string(),
    type: interviewType,
    language: z.string(),
    instructions: z.string(),
    maxDurationMinutes: z.number().int(),
    deadlineAt: isoTimestamp
      .nullable()
      .meta({ description: 'When the interview reaches its maximum length; null until it has started' }),
    answers: z
      .enum(['voice', 'typed'])
      .meta({ description: "'typed' when the interviewer has no speech recognition (local mode)" }),
    contactEmail: z.string().nullable(),
    typedAnswersAllowed: typedAnswersAllowed,
  })
  .meta({ id: 'JoinResponse' });

export const endSessionResponse = z
  .object({ status: interviewStatus, endReason: candidateEndReasonSchema.nullable() })
  .meta({ id: 'EndSessionResponse' });

export const sessionStatusResponse = z
  .object({
    status: interviewStatus,
    endReason: candidateEndReasonSchema.nullable(),
  })
  .meta({ id: 'SessionStatus' });

export type JoinBody = z.infer<typeof joinBody>;
