import type { Kysely } from 'kysely';
import type { Database } from '../../shared/db/schema.ts';
import { toE164 } from '../../shared/phone.ts';
import { actorFromPrincipal, recordAudit } from '../audit/audit-log.ts';
import { companyScope } from '../auth/principal.ts';
import { findCompany } from '../companies/companies.repository.ts';
import { owningCompany } from '../companies/owning-company.ts';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../http/problem.ts';
import { defineRoute } from '../http/route.ts';
import { idParams, pageQuery } from '../http/schemas.ts';
import {
  candidateHasInterviews,
  candidateToApi,
  deleteCandidate,
  findCandidate,
  insertCandidate,
  listCandidates,
  updateCandidate,
} from './candidates.repository.ts';
import { candidatePage, candidateSchema, createCandidateBody, updateCandidateBody } from './candidates.schemas.ts';
import { resumeTextRoutes } from './resume-text.ts';

const tags = ['Candidates'];

async function normalisePhone(
  db: Kysely<Database>,
  companyId: string,
  phone: string,
  region: string | undefined,
): Promise<string> {
  const company = await findCompany(db, companyId);
  const e164 = toE164(phone, region ?? company?.defaultPhoneRegion ?? 'AE');
  if (!e164) {
    throw new AppError('validation_failed', 'The phone number is not valid.', {
      errors: [{ path: 'body.phone', message: 'Not a valid phone number for the given or default region' }],
    });
  }
  return e164;
}

export function candidateRoutes(deps: AppDeps) {
  const { db } = deps;
  return [
    ...resumeTextRoutes(deps),
    defineRoute({
      method: 'post',
      path: '/v1/candidates',
      operationId: 'createCandidate',
      summary: 'Create a candidate',
      tags,
      auth: 'hr',
      body: createCandidateBody,
      responses: { 201: { description: 'Created', schema: candidateSchema } },
      handler: async ({ body, principal, meta }) => {
        const companyId = await owningCompany(db, principal, body.companyId);
        const phoneE164 = await normalisePhone(db, companyId, body.phone, body.phoneRegion);
        const candidate = await db.transaction().execute(async (trx) => {
          const created = await insertCandidate(trx, companyId, {
            firstName: body.firstName,
            lastName: body.lastName,
            email: body.email ?? null,
            phoneE164,
            resumeText: body.resumeText ?? null,
          });
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId,
            action: 'candidate.create',
            targetType: 'candidate',
            targetId: created.id,
          });
          return created;
        });
        return {
          status: 201,
          body: candidateToApi(candidate),
          headers: { Location: `/v1/candidates/${candidate.id}` },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/candidates',
      operationId: 'listCandidates',
      summary: 'List candidates, newest first',
      tags,
      auth: 'hr',
      query: pageQuery,
      responses: { 200: { description: 'A page of candidates', schema: candidatePage } },
      handler: async ({ query, principal }) => {
        const result = await listCandidates(db, companyScope(principal), query.limit, query.cursor);
        return { status: 200, body: { ...result, items: result.items.map(candidateToApi) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/candidates/:id',
      operationId: 'getCandidate',
      summary: 'Get a candidate',
      tags,
      auth: 'hr',
      params: idParams,
      responses: { 200: { description: 'The candidate', schema: candidateSchema } },
      handler: async ({ params, principal }) => {
        const candidate = await findCandidate(db, companyScope(principal), params.id);
        if (!candidate) throw new AppError('not_found', 'No such candidate.');
        return { status: 200, body: candidateToApi(candidate) };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/candidates/:id',
      operationId: 'updateCandidate',
      summary: 'Change a candidate',
      tags,
      auth: 'hr',
      params: idParams,
      body: updateCandidateBody,
      responses: { 200: { description: 'The updated candidate', schema: candidateSchema } },
      handler: async ({ params, body, principal, meta }) => {
        const scope = companyScope(principal);
        const existing = await findCandidate(db, scope, params.id);
        if (!existing) throw new AppError('not_found', 'No such candidate.');
        // An erased candidate stays erased: new details belong to a new candidate record.
        if (existing.erasedAt)
          throw new AppError('invalid_state', 'This candidate was erased; create a new candidate instead.');
        const { phone, phoneRegion, ...rest } = body;
        const values = phone
          ? { ...rest, phoneE164: await normalisePhone(db, existing.companyId, phone, phoneRegion) }
          : rest;
        const updated = await db.transaction().execute(async (trx) => {
          const row = await updateCandidate(trx, scope, params.id, values);
          if (!row) throw new AppError('not_found', 'No such candidate.');
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId: row.companyId,
            action: 'candidate.update',
            targetType: 'candidate',
            targetId: row.id,
            details: { fields: Object.keys(body).filter((k) => k !== 'phoneRegion') },
          });
          return row;
        });
        return { status: 200, body: candidateToApi(updated) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/candidates/:id',
      operationId: 'deleteCandidate',
      summary: 'Delete a candidate who has no interviews',
      tags,
      auth: 'hr',
      params: idParams,
      responses: { 204: { description: 'Deleted' } },
      handler: async ({ params, principal, meta }) => {
        await db.transaction().execute(async (trx) => {
          const candidate = await findCandidate(trx, companyScope(principal), params.id);
          if (!candidate) throw new AppError('not_found', 'No such candidate.');
          if (await candidateHasInterviews(trx, candidate.id)) {
            throw new AppError('conflict', 'This candidate has interviews; cancel them instead of deleting the candidate.');
          }
          await deleteCandidate(trx, candidate.id);
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId: candidate.companyId,
            action: 'candidate.delete',
            targetType: 'candidate',
            targetId: candidate.id,
          });
        });
        return { status: 204 };
      },
    }),
  ];
}
