import { z } from 'zod';
import { isoTimestamp } from '../http/schemas.ts';

export const recordingPartSchema = z
  .object({
    part: z.number().int().min(1),
    status: z
      .enum(['recording', 'stored', 'deleted', 'discarded'])
      .meta({ description: '`recording`: being written or not yet in the store; `deleted`: removed by retention' }),
    startedAt: isoTimestamp.meta({ description: "The recording's zero: second 0 of this part's audio" }),
    durationMs: z.number().int().nullable(),
    sizeBytes: z.number().int().nullable(),
    offsetMs: z
      .number()
      .int()
      .meta({ description: "Where this part starts when the stored parts are played one after another" }),
    recovered: z.boolean().meta({ description: 'Stored from what a crashed interviewer left (the last seconds may be missing)' }),
    storedAt: isoTimestamp.nullable(),
    deletedAt: isoTimestamp.nullable(),
    url: z.string().nullable().meta({ description: 'API path of the audio (Ogg/Opus, stereo: candidate left, interviewer right)' }),
  })
  .meta({ id: 'RecordingPart' });

export const recordingTurnSchema = z
  .object({
    seq: z.number().int(),
    part: z.number().int().nullable().meta({ description: 'The part holding this turn; null when no stored part does' }),
    startMs: z.number().int().nullable().meta({ description: "The turn's start in its part's audio" }),
    endMs: z.number().int().nullable(),
  })
  .meta({ id: 'RecordingTurn' });

export const recordingInfoSchema = z
  .object({
    interviewId: z.uuid(),
    recorded: z
      .boolean()
      .meta({ description: 'Whether this interview is recorded: the company records and HR did not turn it off' }),
    available: z.boolean().meta({ description: 'At least one part is in the store' }),
    totalDurationMs: z.number().int(),
    retentionDays: z.number().int(),
    parts: z.array(recordingPartSchema),
    turns: z.array(recordingTurnSchema).meta({ description: 'Where each transcript turn is in the audio' }),
  })
  .meta({ id: 'RecordingInfo' });

export const recordingQuery = z.object({
  part: z.coerce.number().int().min(1).max(9999).default(1),
});

export const interviewRecordingSettingBody = z
  .object({ off: z.boolean().meta({ description: 'true: this interview is not recorded, whatever the company setting' }) })
  .strict()
  .meta({ id: 'InterviewRecordingSetting' });

export const interviewRecordingSettingSchema = z
  .object({
    interviewId: z.uuid(),
    off: z.boolean(),
    companyRecords: z.boolean(),
    recorded: z.boolean(),
  })
  .meta({ id: 'InterviewRecordingSettingResult' });

export const companyRecordingSettingsSchema = z
  .object({
    enabled: z.boolean().meta({ description: "Record interviews' audio (off by default)" }),
    retentionDays: z.number().int().min(1).max(3650).meta({ description: 'Recordings are deleted this long after they start' }),
  })
  .meta({ id: 'CompanyRecordingSettings' });

export const companyRecordingSettingsBody = companyRecordingSettingsSchema
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change')
  .meta({ id: 'UpdateCompanyRecordingSettings' });
