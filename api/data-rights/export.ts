import JSZip from 'jszip';
import { z } from 'zod';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../shared/db/schema.ts';
import { createRecordingStore } from '../../shared/recordings/store.ts';
import type { AppDeps } from '../deps.ts';
import { isoTimestamp } from '../http/schemas.ts';

// A candidate's data for themselves (GDPR Art. 15, access; Art. 20, portability): one zip archive holding
// `candidate.json` (the CandidateExport schema below, in the OpenAPI document) and the audio of every recording
// kept, `recordings/<interview id>/part-<n>.ogg`, named in the JSON. Everything the interviewer holds about the
// person: the record, each interview with its timeline, consents, transcript, code events, scorecards, decisions
// and request for another way to be interviewed, the bookings, and the e-mails sent to them. HR's internal fields
// (who decided, room names, job keys) are not theirs and stay out.

const timestamp = isoTimestamp;

export const exportedRecordingSchema = z
  .object({
    part: z.number().int(),
    status: z.enum(['recording', 'stored', 'deleted', 'discarded']),
    startedAt: timestamp,
    durationMs: z.number().int().nullable(),
    file: z
      .string()
      .nullable()
      .meta({ description: 'Path of the audio in the archive; null when there is no audio (deleted, discarded)' }),
  })
  .meta({ id: 'ExportedRecording' });

export const exportedInterviewSchema = z
  .object({
    id: z.uuid(),
    jobId: z.uuid(),
    jobTitle: z.string(),
    type: z.string(),
    language: z.string(),
    status: z.string(),
    endReason: z.string().nullable(),
    scheduledStart: timestamp,
    scheduledEnd: timestamp,
    startedAt: timestamp.nullable(),
    endedAt: timestamp.nullable(),
    timeline: z.array(
      z.object({
        fromStatus: z.string().nullable(),
        toStatus: z.string(),
        reason: z.string().nullable(),
        at: timestamp,
      }),
    ),
    consents: z.array(
      z.object({
        at: timestamp,
        given: z.boolean(),
        noticeVersion: z.string(),
        noticeLanguage: z.string(),
        noticeText: z.string(),
        candidateStatement: z.string(),
      }),
    ),
    transcript: z.array(
      z.object({
        seq: z.number().int(),
        speaker: z.enum(['interviewer', 'candidate']),
        text: z.string(),
        input: z.enum(['voice', 'text']),
        questionId: z.string().nullable(),
        startedAt: timestamp,
        endedAt: timestamp,
      }),
    ),
    codeEvents: z.array(
      z.object({
        seq: z.number().int(),
        questionId: z.string(),
        type: z.string(),
        at: z.number(),
        payload: z.record(z.string(), z.unknown()),
      }),
    ),
    scorecards: z.array(
      z.object({
        version: z.number().int(),
        status: z.enum(['pending', 'complete']),
        evaluatedAt: timestamp,
        overallScore: z.number().nullable(),
        recommendation: z.string().nullable(),
        model: z.string().nullable(),
        result: z
          .unknown()
          .meta({ description: 'The scorecard as GET /v1/interviews/{id}/scorecard gives it (ScorecardResult)' }),
      }),
    ),
    decisions: z.array(
      z.object({ decision: z.enum(['advance', 'hold', 'reject']), decidedAt: timestamp, note: z.string().nullable() }),
    ),
    recordings: z.array(exportedRecordingSchema),
    alternativeRequest: z
      .object({
        requestedAt: timestamp,
        reason: z.string().nullable(),
        contact: z.string().nullable(),
        handledAt: timestamp.nullable(),
      })
      .nullable()
      .meta({ description: 'The request for another way to be interviewed, in the candidate\'s own words' }),
  })
  .meta({ id: 'ExportedInterview' });

export const candidateExportSchema = z
  .object({
    format: z.literal('ai-interviewer/candidate-export'),
    version: z.literal(1),
    exportedAt: timestamp,
    candidate: z.object({
      id: z.uuid(),
      firstName: z.string(),
      lastName: z.string(),
      email: z.string().nullable(),
      phone: z.string().meta({ description: 'E.164' }),
      resumeText: z.string().nullable(),
      createdAt: timestamp,
      erasedAt: timestamp.nullable(),
    }),
    interviews: z.array(exportedInterviewSchema),
    bookings: z.array(
      z.object({
        id: z.uuid(),
        interviewId: z.uuid(),
        status: z.string(),
        createdAt: timestamp,
        cancelledAt: timestamp.nullable(),
      }),
    ),
    emails: z.array(
      z.object({
        id: z.uuid(),
        interviewId: z.uuid().nullable(),
        kind: z.string(),
        toAddress: z.string(),
        subject: z.string(),
        textBody: z.string(),
        status: z.string(),
        sendAt: timestamp,
        sentAt: timestamp.nullable(),
      }),
    ),
  })
  .meta({
    id: 'CandidateExport',
    description:
      'Everything kept about one candidate: `candidate.json` in the archive of GET /v1/candidates/{id}/export, and the body of GET /v1/candidates/{id}/export/data',
  });
export type CandidateExport = z.input<typeof candidateExportSchema>;

/** The candidate's data as the schema above (timestamps as Dates; the schema makes them strings). */
export async function collectExport(db: Kysely<Database>, candidateId: string, now: Date): Promise<CandidateExport> {
  const c = await db.selectFrom('candidates').selectAll().where('id', '=', candidateId).executeTakeFirstOrThrow();
  const interviews = await db
    .selectFrom('interviews as i')
    .innerJoin('jobs as j', 'j.id', 'i.jobId')
    .select([
      'i.id',
      'i.jobId',
      'j.title as jobTitle',
      'i.type',
      'i.language',
      'i.status',
      'i.endReason',
      'i.scheduledStart',
      'i.scheduledEnd',
      'i.startedAt',
      'i.endedAt',
    ])
    .where('i.candidateId', '=', candidateId)
    .orderBy('i.scheduledStart')
    .execute();
  const ids = interviews.map((i) => i.id);
  const by =
    <T extends { interviewId: string }>(rows: T[]) =>
    (id: string) =>
      rows.filter((r) => r.interviewId === id);
  // `in ()` is not SQL: a candidate without interviews has none of these rows.
  const forInterviews = <T>(query: () => Promise<T[]>) => (ids.length ? query() : Promise.resolve([] as T[]));
  const [timeline, consents, turns, code, cards, decisions, parts, alternatives] = await Promise.all([
    forInterviews(() =>
      db
        .selectFrom('interviewStatusEvents')
        .select(['interviewId', 'fromStatus', 'toStatus', 'reason', 'at'])
        .where('interviewId', 'in', ids)
        .orderBy('id')
        .execute(),
    ),
    forInterviews(() =>
      db
        .selectFrom('interviewConsents')
        .select(['interviewId', 'at', 'given', 'noticeVersion', 'noticeLanguage', 'noticeText', 'candidateStatement'])
        .where('interviewId', 'in', ids)
        .orderBy('at')
        .execute(),
    ),
    forInterviews(() =>
      db
        .selectFrom('transcriptTurns')
        .select(['interviewId', 'seq', 'speaker', 'text', 'input', 'questionId', 'startedAt', 'endedAt'])
        .where('interviewId', 'in', ids)
        .orderBy('seq')
        .execute(),
    ),
    forInterviews(() =>
      db
        .selectFrom('codeEvents')
        .select(['interviewId', 'seq', 'questionId', 'type', 'at', 'payload'])
        .where('interviewId', 'in', ids)
        .orderBy('seq')
        .execute(),
    ),
    forInterviews(() =>
      db
        .selectFrom('scorecards')
        .select([
          'interviewId',
          'version',
          'status',
          'evaluatedAt',
          'overallScore',
          'recommendation',
          'model',
          'result',
        ])
        .where('interviewId', 'in', ids)
        .orderBy('version')
        .execute(),
    ),
    forInterviews(() =>
      db
        .selectFrom('hiringDecisions')
        .select(['interviewId', 'decision', 'decidedAt', 'note'])
        .where('interviewId', 'in', ids)
        .orderBy('decidedAt')
        .execute(),
    ),
    forInterviews(() =>
      db
        .selectFrom('interviewRecordings')
        .select(['interviewId', 'part', 'status', 'startedAt', 'durationMs'])
        .where('interviewId', 'in', ids)
        .orderBy('part')
        .execute(),
    ),
    forInterviews(() =>
      db
        .selectFrom('alternativeRequests')
        .select(['interviewId', 'requestedAt', 'reason', 'contact', 'handledAt'])
        .where('interviewId', 'in', ids)
        .execute(),
    ),
  ]);
  const bookings = await db
    .selectFrom('bookings')
    .select(['id', 'interviewId', 'status', 'createdAt', 'cancelledAt'])
    .where('candidateId', '=', candidateId)
    .orderBy('createdAt')
    .execute();
  const bookingIds = bookings.map((b) => b.id);
  const emails = await db
    .selectFrom('emailMessages')
    .select(['id', 'interviewId', 'kind', 'toAddress', 'subject', 'textBody', 'status', 'sendAt', 'sentAt'])
    .where('companyId', '=', c.companyId)
    .where((eb) =>
      eb.or([
        ...(ids.length ? [eb('interviewId', 'in', ids)] : []),
        ...(bookingIds.length ? [eb('bookingId', 'in', bookingIds)] : []),
        // Messages about no interview (a self-scheduling invitation) are found by their address, as the erasure does.
        ...(c.email ? [sql<boolean>`position(lower(${c.email}) in lower(to_address)) > 0`] : []),
        eb.val(false),
      ]),
    )
    .orderBy('sendAt')
    .execute();
  return {
    format: 'ai-interviewer/candidate-export',
    version: 1,
    exportedAt: now,
    candidate: {
      id: c.id,
      firstName: c.firstName,
      lastName: c.lastName,
      email: c.email,
      phone: c.phoneE164,
      resumeText: c.resumeText,
      createdAt: c.createdAt,
      erasedAt: c.erasedAt,
    },
    interviews: interviews.map((i) => ({
      ...i,
      timeline: by(timeline)(i.id).map(({ interviewId: _, ...t }) => t),
      consents: by(consents)(i.id).map(({ interviewId: _, ...t }) => t),
      transcript: by(turns)(i.id).map(({ interviewId: _, ...t }) => t),
      codeEvents: by(code)(i.id).map(({ interviewId: _, ...t }) => t),
      scorecards: by(cards)(i.id).map(({ interviewId: _, ...t }) => t),
      decisions: by(decisions)(i.id).map(({ interviewId: _, ...t }) => t),
      recordings: by(parts)(i.id).map(({ interviewId, ...p }) => ({
        ...p,
        file: p.status === 'stored' ? recordingPath(interviewId, p.part) : null,
      })),
      alternativeRequest: by(alternatives)(i.id).map(({ interviewId: _, ...a }) => a)[0] ?? null,
    })),
    bookings,
    emails,
  };
}

function recordingPath(interviewId: string, part: number): string {
  return `recordings/${interviewId}/part-${part}.ogg`;
}

/**
 * The archive: candidate.json and the audio. Audio comes from the store the deployment uses; a part that cannot be
 * read fails the export (an export missing data it claims to hold would mislead the person).
 */
export async function buildExportArchive(
  deps: Pick<AppDeps, 'db' | 'config' | 'now'>,
  candidateId: string,
): Promise<{ zip: Buffer; data: z.output<typeof candidateExportSchema> }> {
  const data = candidateExportSchema.parse(await collectExport(deps.db, candidateId, deps.now()));
  const zip = new JSZip();
  zip.file('candidate.json', JSON.stringify(data, null, 2));
  const files = data.interviews.flatMap((i) =>
    i.recordings.filter((r) => r.file).map((r) => ({ interviewId: i.id, ...r })),
  );
  if (files.length > 0) {
    const store = createRecordingStore(deps.config.recordings.store);
    const parts = await deps.db
      .selectFrom('interviewRecordings')
      .select(['interviewId', 'part', 'objectKey', 'store'])
      .where(
        'interviewId',
        'in',
        files.map((f) => f.interviewId),
      )
      .where('status', '=', 'stored')
      .execute();
    for (const f of files) {
      const part = parts.find((p) => p.interviewId === f.interviewId && p.part === f.part);
      if (!part || part.store !== store.kind)
        throw new Error(`recording part ${f.part} of ${f.interviewId} is not in this deployment's store`);
      const stream = await store.read(part.objectKey);
      if (!stream) throw new Error(`recording part ${f.part} of ${f.interviewId} is missing from the store`);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
      // Opus is compressed already: stored as is.
      zip.file(f.file!, Buffer.concat(chunks), { compression: 'STORE' });
    }
  }
  const buffer = await zip.generateAsync({
    type: 'nodebuffer',
    compression: 'DEFLATE',
    compressionOptions: { level: 6 },
  });
  return { zip: buffer, data };
}
