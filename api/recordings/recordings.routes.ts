import { actorFromPrincipal, recordAudit } from '../audit/audit-log.ts';
import { companyScope, type Principal } from '../auth/principal.ts';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../http/problem.ts';
import { defineRoute } from '../http/route.ts';
import { idParams } from '../http/schemas.ts';
import { findInterview } from '../interviews/interviews.repository.ts';
import { recordingParts, recordingPolicy } from '../../shared/recordings/repository.ts';
import { createRecordingStore, type RecordingStore } from '../../shared/recordings/store.ts';
import { parseRange } from './range.ts';
import {
  companyRecordingSettingsBody,
  companyRecordingSettingsSchema,
  interviewRecordingSettingBody,
  interviewRecordingSettingSchema,
  recordingInfoSchema,
  recordingQuery,
} from './recordings.schemas.ts';

// Playback of interview recordings, under the transcript's rules: the caller's company only (another company's
// interview is a 404), `read` access, and every access to the audio written to the audit log. The local store
// streams with byte ranges (seekable); an S3 store answers with a short-lived presigned URL (302), so the audio never
// passes through the API and the store's own range support does the seeking.

const tags = ['Recordings'];

/** Tolerance when placing a turn in a part: a turn stamped just before its part's zero still belongs to it. */
const placementSlackMs = 1_000;

export function recordingRoutes({ db, config, log }: AppDeps) {
  let store: RecordingStore | undefined;
  const recordings = () => (store ??= createRecordingStore(config.recordings.store));
  // The store being down is a 503 (a dependency), never a 500.
  const fromStore = async <T>(what: () => Promise<T>): Promise<T> => {
    try {
      return await what();
    } catch (error) {
      log.warn({ err: error }, 'recording store failed');
      throw new AppError('upstream_unavailable', 'The recording store is not available; try again shortly.');
    }
  };

  async function ownInterview(principal: Principal, id: string) {
    const interview = await findInterview(db, companyScope(principal), id);
    if (!interview) throw new AppError('not_found', 'No such interview.');
    return interview;
  }

  function ownCompany(principal: Principal): string {
    if (!principal.companyId) {
      throw new AppError('forbidden', 'Admin keys belong to no company; use a company key for this endpoint.');
    }
    return principal.companyId;
  }

  return [
    defineRoute({
      method: 'get',
      path: '/v1/interviews/:id/recording/info',
      operationId: 'getRecordingInfo',
      summary: "The interview's recording: its parts (a resumed interview has several, in order), their lengths, and where each transcript turn is in the audio",
      tags,
      auth: 'hr',
      access: 'read',
      params: idParams,
      responses: { 200: { description: 'Recording metadata', schema: recordingInfoSchema } },
      handler: async ({ params, principal }) => {
        const interview = await ownInterview(principal, params.id);
        const [policy, parts, turns] = await Promise.all([
          recordingPolicy(db, interview.id),
          recordingParts(db, interview.id),
          db
            .selectFrom('transcriptTurns')
            .select(['seq', 'startedAt', 'endedAt'])
            .where('interviewId', '=', interview.id)
            .orderBy('seq')
            .execute(),
        ]);
        const visible = parts.filter((p) => p.status !== 'discarded');
        const stored = visible.filter((p) => p.status === 'stored');
        let offset = 0;
        const offsets = new Map<number, number>();
        for (const p of stored) {
          offsets.set(p.part, offset);
          offset += p.durationMs ?? 0;
        }
        return {
          status: 200,
          body: {
            interviewId: interview.id,
            recorded: policy?.recorded ?? false,
            available: stored.length > 0,
            totalDurationMs: offset,
            retentionDays: policy?.retentionDays ?? 0,
            parts: visible.map((p) => ({
              part: p.part,
              status: p.status as 'recording' | 'stored' | 'deleted',
              startedAt: p.startedAt,
              durationMs: p.durationMs,
              sizeBytes: p.sizeBytes === null ? null : Number(p.sizeBytes),
              offsetMs: offsets.get(p.part) ?? 0,
              recovered: p.recovered,
              storedAt: p.storedAt,
              deletedAt: p.deletedAt,
              url: p.status === 'stored' ? `/v1/interviews/${interview.id}/recording?part=${p.part}` : null,
            })),
            turns: turns.map((t) => {
              const start = t.startedAt.getTime();
              // The latest stored part that had begun when the turn began, if the turn is inside its audio.
              const part = stored.findLast((p) => p.startedAt.getTime() - placementSlackMs <= start);
              const zero = part?.startedAt.getTime() ?? 0;
              const inside = part && start - zero <= (part.durationMs ?? 0) + placementSlackMs;
              return inside
                ? { seq: t.seq, part: part.part, startMs: Math.max(0, start - zero), endMs: Math.max(0, t.endedAt.getTime() - zero) }
                : { seq: t.seq, part: null, startMs: null, endMs: null };
            }),
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/interviews/:id/recording',
      operationId: 'getRecording',
      summary:
        'The audio of one part (`?part=N`, default 1): Ogg/Opus, stereo (candidate left, interviewer right). The local store answers byte ranges (seekable); an S3 store redirects to a short-lived presigned URL. Every access is audited.',
      tags,
      auth: 'hr',
      access: 'read',
      params: idParams,
      query: recordingQuery,
      responses: {
        200: { description: 'The whole file (audio/ogg)' },
        206: { description: 'The requested byte range (audio/ogg)' },
        302: { description: 'Redirect to a presigned URL of the S3 store' },
        416: { description: 'The range is outside the file' },
      },
      handler: async ({ params, query, principal, meta, ctx }) => {
        const interview = await ownInterview(principal, params.id);
        const part = await db
          .selectFrom('interviewRecordings')
          .selectAll()
          .where('interviewId', '=', interview.id)
          .where('part', '=', query.part)
          .executeTakeFirst();
        if (!part || part.status !== 'stored') {
          const why = part?.status === 'deleted' ? ' It was deleted under the retention policy.' : '';
          throw new AppError('not_found', `This interview has no stored recording part ${query.part}.${why}`);
        }
        const audit = (details: Record<string, unknown>) =>
          recordAudit(db, actorFromPrincipal(principal, meta), {
            companyId: interview.companyId,
            action: 'recording.access',
            targetType: 'interview',
            targetId: interview.id,
            details: { part: part.part, ...details },
          });
        const current = recordings();
        const name = `interview-${interview.id}-part-${part.part}.ogg`;
        // A part is read from the store it was written to; a deployment that moved stores has to move the files.
        if (part.store !== current.kind) {
          throw new AppError('not_found', `This part is in the ${part.store} store, which this deployment does not use any more.`);
        }
        if (current.kind === 's3') {
          const url = await fromStore(() => current.presignedUrl(part.objectKey, config.recordings.urlTtlSeconds, name));
          await audit({ via: 'presigned_url', ttlSeconds: config.recordings.urlTtlSeconds });
          const redirect: Record<string, string> = { Location: url!, 'Cache-Control': 'no-store' };
          return { status: 302, headers: redirect };
        }
        const head = await fromStore(() => current.head(part.objectKey));
        if (!head) throw new AppError('not_found', 'The recording file is missing from the store.');
        const range = parseRange(ctx.get('range') || undefined, head.sizeBytes);
        await audit({ via: 'stream', range: range === 'unsatisfiable' ? ctx.get('range') : range ? `${range.start}-${range.end}` : null });
        const common: Record<string, string> = {
          'Accept-Ranges': 'bytes',
          'Content-Type': part.contentType,
          'Content-Disposition': `inline; filename="${name}"`,
          'Cache-Control': 'private, no-store',
          ETag: `"${part.id}-${head.sizeBytes}"`,
        };
        if (range === 'unsatisfiable') {
          const refused: Record<string, string> = { ...common, 'Content-Range': `bytes */${head.sizeBytes}` };
          return { status: 416, headers: refused };
        }
        const stream = await fromStore(() => current.read(part.objectKey, range));
        if (!stream) throw new AppError('not_found', 'The recording file is missing from the store.');
        ctx.body = stream;
        if (!range) {
          const whole: Record<string, string> = { ...common, 'Content-Length': String(head.sizeBytes) };
          return { status: 200, headers: whole };
        }
        const partial: Record<string, string> = {
          ...common,
          'Content-Length': String(range.end - range.start + 1),
          'Content-Range': `bytes ${range.start}-${range.end}/${head.sizeBytes}`,
        };
        return { status: 206, headers: partial };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/v1/interviews/:id/recording/setting',
      operationId: 'setInterviewRecording',
      summary: 'Turn recording off (or back on) for one interview, before it starts; it is recorded only when its company records too',
      tags,
      auth: 'hr',
      access: 'recruit',
      params: idParams,
      body: interviewRecordingSettingBody,
      responses: { 200: { description: 'The setting', schema: interviewRecordingSettingSchema } },
      handler: async ({ params, body, principal, meta }) => {
        const scope = companyScope(principal);
        const result = await db.transaction().execute(async (trx) => {
          const interview = await findInterview(trx, scope, params.id);
          if (!interview) throw new AppError('not_found', 'No such interview.');
          // The candidate was told at the start whether the audio is recorded; that cannot change under them.
          if (interview.status !== 'scheduled') {
            throw new AppError('invalid_state', `The recording setting of an interview that is ${interview.status} cannot change.`);
          }
          await trx.updateTable('interviews').set({ recordingOff: body.off }).where('id', '=', interview.id).execute();
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId: interview.companyId,
            action: 'interview.recording.setting',
            targetType: 'interview',
            targetId: interview.id,
            details: { off: body.off },
          });
          const company = await trx
            .selectFrom('companies')
            .select('recordingEnabled')
            .where('id', '=', interview.companyId)
            .executeTakeFirstOrThrow();
          return { interviewId: interview.id, off: body.off, companyRecords: company.recordingEnabled };
        });
        return { status: 200, body: { ...result, recorded: result.companyRecords && !result.off } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/company/recording',
      operationId: 'getCompanyRecordingSettings',
      summary: "Whether the company's interviews are recorded, and how long recordings are kept",
      tags,
      auth: 'hr',
      access: 'read',
      responses: { 200: { description: 'Settings', schema: companyRecordingSettingsSchema } },
      handler: async ({ principal }) => {
        const row = await db
          .selectFrom('companies')
          .select(['recordingEnabled as enabled', 'recordingRetentionDays as retentionDays'])
          .where('id', '=', ownCompany(principal))
          .executeTakeFirst();
        if (!row) throw new AppError('not_found', 'No such company.');
        return { status: 200, body: row };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/company/recording',
      operationId: 'updateCompanyRecordingSettings',
      summary: 'Turn recording on or off for the whole company, or change how long recordings are kept',
      tags,
      auth: 'hr',
      access: 'admin',
      body: companyRecordingSettingsBody,
      responses: { 200: { description: 'Settings', schema: companyRecordingSettingsSchema } },
      handler: async ({ principal, body, meta }) => {
        const companyId = ownCompany(principal);
        const row = await db.transaction().execute(async (trx) => {
          const updated = await trx
            .updateTable('companies')
            .set({
              ...(body.enabled !== undefined ? { recordingEnabled: body.enabled } : {}),
              ...(body.retentionDays !== undefined ? { recordingRetentionDays: body.retentionDays } : {}),
            })
            .where('id', '=', companyId)
            .returning(['recordingEnabled as enabled', 'recordingRetentionDays as retentionDays'])
            .executeTakeFirstOrThrow();
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId,
            action: 'company.recording.update',
            targetType: 'company',
            targetId: companyId,
            details: body,
          });
          return updated;
        });
        return { status: 200, body: row };
      },
    }),
  ];
}
