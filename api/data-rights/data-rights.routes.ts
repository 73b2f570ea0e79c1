import { z } from 'zod';
import { actorFromPrincipal, recordAudit } from '../audit/audit-log.ts';
import { actorLabel, companyScope } from '../auth/principal.ts';
import { findCandidate } from '../candidates/candidates.repository.ts';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../http/problem.ts';
import { defineRoute } from '../http/route.ts';
import { idParams, isoTimestamp } from '../http/schemas.ts';
import { erasureSteps, erasureToApi, findErasure, requestErasure } from './erasure.ts';
import { buildExportArchive, candidateExportSchema, collectExport } from './export.ts';

const tags = ['Candidate data rights'];

export const erasureStatusSchema = z
  .object({
    candidateId: z.uuid(),
    status: z.enum(['not_requested', 'pending', 'running', 'completed']).meta({
      description:
        '`pending`: requested, not started; `running`: under way (resumed after a crash); `completed`: nothing personal is left',
    }),
    reason: z.enum(['request', 'retention']).nullable(),
    steps: z.array(z.enum(erasureSteps)).meta({ description: 'Every step, in the order they run' }),
    stepsDone: z.array(z.string()),
    counts: z.record(z.string(), z.number()).meta({ description: 'What each step removed (counts, never content)' }),
    requestedAt: isoTimestamp.nullable(),
    completedAt: isoTimestamp.nullable(),
  })
  .meta({ id: 'CandidateErasure' });

export function dataRightsRoutes(deps: AppDeps) {
  const { db } = deps;

  async function ownCandidate(principal: Parameters<typeof companyScope>[0], id: string) {
    const candidate = await findCandidate(db, companyScope(principal), id);
    if (!candidate) throw new AppError('not_found', 'No such candidate.');
    return candidate;
  }

  return [
    defineRoute({
      method: 'post',
      path: '/v1/candidates/:id/erase',
      operationId: 'eraseCandidate',
      summary:
        "Erase a candidate (GDPR Art. 17): ends an interview in progress, then deletes or anonymises their name, phone, e-mail, résumé, transcripts, recordings, code, scorecards' prose and quotes, decision notes, e-mails, webhook payloads, rooms and bookings, in a job that resumes after a crash; sends `candidate.erased`. Idempotent: asking again answers the same erasure",
      tags,
      auth: 'hr',
      access: 'admin',
      params: idParams,
      responses: { 202: { description: 'Accepted: the erasure runs in the background', schema: erasureStatusSchema } },
      handler: async ({ params, principal, meta }) => {
        const candidate = await ownCandidate(principal, params.id);
        await db.transaction().execute(async (trx) => {
          const { created } = await requestErasure(trx, {
            candidateId: candidate.id,
            companyId: candidate.companyId,
            reason: 'request',
            requestedBy: actorLabel(principal),
            now: deps.now(),
          });
          // Who asked and when; the candidate is their id alone, which names nobody once the erasure is done.
          if (created) {
            await recordAudit(trx, actorFromPrincipal(principal, meta), {
              companyId: candidate.companyId,
              action: 'candidate.erase.request',
              targetType: 'candidate',
              targetId: candidate.id,
            });
          }
        });
        return { status: 202, body: erasureToApi(candidate.id, await findErasure(db, candidate.id)) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/candidates/:id/erasure',
      operationId: 'getCandidateErasure',
      summary: "Where a candidate's erasure stands",
      tags,
      auth: 'hr',
      params: idParams,
      responses: { 200: { description: 'The erasure', schema: erasureStatusSchema } },
      handler: async ({ params, principal }) => {
        const candidate = await ownCandidate(principal, params.id);
        return { status: 200, body: erasureToApi(candidate.id, await findErasure(db, candidate.id)) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/candidates/:id/export',
      operationId: 'exportCandidate',
      summary:
        "A candidate's data for them (GDPR Art. 15 and 20): a zip archive with candidate.json (the CandidateExport schema, also at …/export/data) and the audio of each recording kept, recordings/<interview id>/part-<n>.ogg",
      tags,
      auth: 'hr',
      access: 'admin',
      params: idParams,
      responses: { 200: { description: 'application/zip' } },
      handler: async ({ params, principal, meta, ctx }) => {
        const candidate = await ownCandidate(principal, params.id);
        const archive = await buildExportArchive(deps, candidate.id).catch((error: unknown) => {
          deps.log.warn({ err: error, candidateId: candidate.id }, 'export failed');
          throw new AppError('upstream_unavailable', 'The recording store is not available; try again shortly.');
        });
        await auditExport(principal, meta, candidate, 'archive');
        ctx.body = archive.zip;
        const headers: Record<string, string> = {
          'Content-Type': 'application/zip',
          'Content-Disposition': `attachment; filename="candidate-${candidate.id}.zip"`,
          'Cache-Control': 'private, no-store',
        };
        return { status: 200, headers };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/candidates/:id/export/data',
      operationId: 'exportCandidateData',
      summary: 'The candidate.json of the export archive alone (no audio)',
      tags,
      auth: 'hr',
      access: 'admin',
      params: idParams,
      responses: { 200: { description: 'Everything kept about the candidate', schema: candidateExportSchema } },
      handler: async ({ params, principal, meta }) => {
        const candidate = await ownCandidate(principal, params.id);
        const data = await collectExport(db, candidate.id, deps.now());
        await auditExport(principal, meta, candidate, 'data');
        return { status: 200, body: data };
      },
    }),
  ];

  async function auditExport(
    principal: Parameters<typeof actorFromPrincipal>[0],
    meta: Parameters<typeof actorFromPrincipal>[1],
    candidate: { id: string; companyId: string },
    form: 'archive' | 'data',
  ): Promise<void> {
    await recordAudit(db, actorFromPrincipal(principal, meta), {
      companyId: candidate.companyId,
      action: 'candidate.export',
      targetType: 'candidate',
      targetId: candidate.id,
      details: { form },
    });
  }
}
