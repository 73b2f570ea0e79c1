import { actorFromPrincipal, recordAudit } from '../audit/audit-log.ts';
import { companyScope } from '../auth/principal.ts';
import { owningCompany } from '../companies/owning-company.ts';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../http/problem.ts';
import { defineRoute } from '../http/route.ts';
import { idParams, pageQuery } from '../http/schemas.ts';
import { deleteJob, findJob, insertJob, jobHasInterviews, listJobs, updateJob } from './jobs.repository.ts';
import { createJobBody, jobPage, jobSchema, updateJobBody } from './jobs.schemas.ts';

const tags = ['Jobs'];

export function jobRoutes({ db }: AppDeps) {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/jobs',
      operationId: 'createJob',
      summary: 'Create a job with its competencies',
      tags,
      auth: 'hr',
      body: createJobBody,
      responses: { 201: { description: 'Created', schema: jobSchema } },
      handler: async ({ body, principal, meta }) => {
        const companyId = await owningCompany(db, principal, body.companyId);
        const job = await db.transaction().execute(async (trx) => {
          const created = await insertJob(trx, companyId, body);
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId,
            action: 'job.create',
            targetType: 'job',
            targetId: created.id,
          });
          return created;
        });
        return { status: 201, body: job, headers: { Location: `/v1/jobs/${job.id}` } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/jobs',
      operationId: 'listJobs',
      summary: 'List jobs, newest first',
      tags,
      auth: 'hr',
      query: pageQuery,
      responses: { 200: { description: 'A page of jobs', schema: jobPage } },
      handler: async ({ query, principal }) => ({
        status: 200,
        body: await listJobs(db, companyScope(principal), query.limit, query.cursor),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/jobs/:id',
      operationId: 'getJob',
      summary: 'Get a job',
      tags,
      auth: 'hr',
      params: idParams,
      responses: { 200: { description: 'The job', schema: jobSchema } },
      handler: async ({ params, principal }) => {
        const job = await findJob(db, companyScope(principal), params.id);
        if (!job) throw new AppError('not_found', 'No such job.');
        return { status: 200, body: job };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/jobs/:id',
      operationId: 'updateJob',
      summary: 'Change a job',
      tags,
      auth: 'hr',
      params: idParams,
      body: updateJobBody,
      responses: { 200: { description: 'The updated job', schema: jobSchema } },
      handler: async ({ params, body, principal, meta }) => {
        const job = await db.transaction().execute(async (trx) => {
          const updated = await updateJob(trx, companyScope(principal), params.id, body);
          if (!updated) throw new AppError('not_found', 'No such job.');
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId: updated.companyId,
            action: 'job.update',
            targetType: 'job',
            targetId: updated.id,
            details: { fields: Object.keys(body) },
          });
          return updated;
        });
        return { status: 200, body: job };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/jobs/:id',
      operationId: 'deleteJob',
      summary: 'Delete a job that has no interviews',
      tags,
      auth: 'hr',
      params: idParams,
      responses: { 204: { description: 'Deleted' } },
      handler: async ({ params, principal, meta }) => {
        await db.transaction().execute(async (trx) => {
          const job = await findJob(trx, companyScope(principal), params.id);
          if (!job) throw new AppError('not_found', 'No such job.');
          // Interviews keep their job for the record; deleting it would orphan transcripts and scorecards.
          if (await jobHasInterviews(trx, job.id)) {
            throw new AppError('conflict', 'This job has interviews; cancel or keep them instead of deleting the job.');
          }
          await deleteJob(trx, companyScope(principal), job.id);
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId: job.companyId,
            action: 'job.delete',
            targetType: 'job',
            targetId: job.id,
          });
        });
        return { status: 204 };
      },
    }),
  ];
}
