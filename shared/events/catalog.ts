import { z } from 'zod';

// The events customers receive by webhook. Each type has a versioned data schema; a breaking change to a payload
// adds a new version instead of editing one, so consumers can pin what they parse. Payloads carry ids, states and
// short summaries only (well under 20 KB): transcripts and full scorecards are fetched through the API.
// Personal data (names, phone numbers, résumés) stays out of payloads on purpose.

const at = z.iso.datetime({ offset: true });
const apiPath = z.string().startsWith('/v1/').meta({ description: 'Path on the HR API, relative to its base URL' });

const interviewRef = {
  interviewId: z.uuid(),
  jobId: z.uuid(),
  candidateId: z.uuid(),
};

const interviewLinks = z
  .object({ interview: apiPath })
  .meta({ id: 'WebhookInterviewLinks', description: 'Where to fetch the full records' });

export const interviewCreatedData = z
  .object({
    ...interviewRef,
    interviewType: z.string(),
    status: z.literal('scheduled'),
    scheduledStart: at,
    scheduledEnd: at,
    links: interviewLinks,
  })
  .meta({ id: 'InterviewCreatedData' });

export const interviewStartedData = z
  .object({ ...interviewRef, status: z.literal('in_progress'), startedAt: at, links: interviewLinks })
  .meta({ id: 'InterviewStartedData' });

export const candidateJoinedData = z
  .object({ ...interviewRef, joinedAt: at, links: interviewLinks })
  .meta({ id: 'CandidateJoinedData' });

function interviewEndedData(status: 'failed' | 'expired' | 'cancelled', id: string) {
  return z
    .object({
      ...interviewRef,
      status: z.literal(status),
      reason: z.string().max(200).nullable(),
      endedAt: at,
      links: interviewLinks,
    })
    .meta({ id });
}

export const interviewFailedData = interviewEndedData('failed', 'InterviewFailedData');
export const interviewExpiredData = interviewEndedData('expired', 'InterviewExpiredData');
export const interviewCancelledData = interviewEndedData('cancelled', 'InterviewCancelledData');

export const scorecardSummary = z
  .object({
    overallScore: z
      .number()
      .min(1)
      .max(5)
      .nullable()
      .meta({ description: 'Mean of the question scores on the rubric scale 1–5; null without evidence' }),
    recommendation: z.string().max(50).nullable(),
    summary: z.string().max(2_000),
    competencies: z
      .array(
        z.object({
          key: z.string().max(64),
          name: z.string().max(120),
          score: z.number().min(1).max(5).nullable().meta({ description: 'Rubric scale 1–5' }),
        }),
      )
      .max(30),
  })
  .meta({ id: 'WebhookScorecardSummary', description: 'A short summary; the full scorecard is at links.scorecard' });

const resultLinks = z
  .object({ interview: apiPath, transcript: apiPath, scorecard: apiPath })
  .meta({ id: 'WebhookResultLinks' });

export const webhookRecordingRef = z
  .object({
    exists: z.boolean().meta({ description: 'Whether the interview has an audio recording (consented, kept)' }),
    info: apiPath
      .nullable()
      .meta({ description: 'Where HR fetches it (metadata and audio, authenticated); never a public URL' }),
  })
  .meta({ id: 'WebhookRecordingRef' });

export const interviewCompletedData = z
  .object({
    ...interviewRef,
    status: z.literal('completed'),
    completedAt: at,
    scorecard: scorecardSummary,
    recording: webhookRecordingRef,
    links: resultLinks,
  })
  .meta({ id: 'InterviewCompletedData' });

export const scorecardUpdatedData = z
  .object({
    ...interviewRef,
    reason: z.enum(['re_score', 'human_decision']),
    decision: z.string().max(50).nullable(),
    updatedAt: at,
    scorecard: scorecardSummary,
    links: resultLinks,
  })
  .meta({ id: 'ScorecardUpdatedData' });

export const alternativeRequestedData = z
  .object({
    ...interviewRef,
    requestedAt: at,
    links: interviewLinks,
  })
  .meta({
    id: 'InterviewAlternativeRequestedData',
    description:
      "The candidate's reason and contact stay out of the payload (personal data): HR reads them at " +
      'GET /v1/interviews/{id}/alternative-request',
  });

export const candidateErasedData = z
  .object({
    candidateId: z.uuid(),
    interviewIds: z.array(z.uuid()).max(1_000),
    reason: z.enum(['request', 'retention']).meta({
      description: '`request`: HR erased the candidate (a data subject request); `retention`: the retention period ended',
    }),
    requestedAt: at,
    erasedAt: at,
  })
  .meta({
    id: 'CandidateErasedData',
    description:
      "The candidate's personal data is gone from the interviewer: erase what your systems hold about them too. Ids only",
  });

export const endpointDisabledData = z
  .object({
    endpointId: z.uuid(),
    reason: z.enum(['gone', 'failing']).meta({ description: '`gone`: it answered 410; `failing`: it failed for days' }),
    failingSince: at.nullable(),
    disabledAt: at,
  })
  .meta({ id: 'EndpointDisabledData' });

export const webhookTestData = z
  .object({ endpointId: z.uuid(), message: z.string().max(200) })
  .meta({ id: 'WebhookTestData' });

export const eventCatalog = {
  'interview.created': { version: 1, data: interviewCreatedData, summary: 'An interview was scheduled' },
  'interview.started': {
    version: 1,
    data: interviewStartedData,
    summary: 'The interview began (candidate in the room)',
  },
  'candidate.joined': {
    version: 1,
    data: candidateJoinedData,
    summary: 'The candidate connected to the interview room',
  },
  'interview.completed': {
    version: 1,
    data: interviewCompletedData,
    summary: 'The interview finished and its scorecard is stored',
  },
  'interview.failed': { version: 1, data: interviewFailedData, summary: 'The interview could not be concluded' },
  'interview.expired': {
    version: 1,
    data: interviewExpiredData,
    summary: 'The join window passed without an interview',
  },
  'interview.cancelled': { version: 1, data: interviewCancelledData, summary: 'The interview was cancelled' },
  'scorecard.updated': {
    version: 1,
    data: scorecardUpdatedData,
    summary: 'A re-score or a human decision changed the scorecard',
  },
  'interview.alternative_requested': {
    version: 1,
    data: alternativeRequestedData,
    summary: 'The candidate asked for another way to be interviewed; nothing was cancelled, HR decides',
  },
  'candidate.erased': {
    version: 1,
    data: candidateErasedData,
    summary: "A candidate's personal data was erased (on request or at the end of retention)",
  },
  'endpoint.disabled': { version: 1, data: endpointDisabledData, summary: 'A webhook endpoint was disabled' },
  'webhook.test': { version: 1, data: webhookTestData, summary: 'Sent by the test-send action; never sent otherwise' },
} as const;

export type EventType = keyof typeof eventCatalog;
export type EventData<T extends EventType> = z.input<(typeof eventCatalog)[T]['data']>;

export const eventTypes = Object.keys(eventCatalog) as EventType[];
/** Types an endpoint may subscribe to; test sends go to the endpoint they target whatever it subscribes to. */
export const subscribableEventTypes = eventTypes.filter((t) => t !== 'webhook.test');

/** The body of every delivery, in the Standard Webhooks shape (`type`, `timestamp`, `data`) plus a version. */
export function eventEnvelopeSchema<T extends EventType>(type: T) {
  const entry = eventCatalog[type];
  const name = type
    .split(/[._]/)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
  return z
    .object({
      type: z.literal(type),
      version: z.literal(entry.version),
      timestamp: at.meta({ description: 'When the event happened' }),
      data: entry.data,
    })
    .meta({ id: `${name}Event`, description: entry.summary });
}

/** Payloads above this are refused when recorded; the envelope adds well under 1 KB. */
export const maxPayloadBytes = 16 * 1024;
