import { z } from 'zod';
import { actorFromPrincipal, recordAudit } from '../audit/audit-log.ts';
import { createApiKey } from '../auth/api-keys.ts';
import type { Principal } from '../auth/principal.ts';
import { regionCode } from '../candidates/candidates.schemas.ts';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../http/problem.ts';
import { defineRoute } from '../http/route.ts';
import { idParams, isoTimestamp } from '../http/schemas.ts';
import { requireInterviewVoice } from '../interviews/interview-voice.ts';
import { interviewLanguages } from '../../shared/speech-languages.ts';
import { companyTimezone } from './time-zone.ts';
import { dataRetentionPatch, dataRetentionSchema, effectiveRetention } from '../data-rights/retention.schemas.ts';
import { sql } from 'kysely';
import type { Company } from '../../shared/db/schema.ts';

const tags = ['Company and API keys'];

// Shown to candidates as a link, so only a secure page of a real host: no script: or data: URLs, no plain http.
const privacyNoticeUrl = z
  .url({ protocol: /^https$/, hostname: z.regexes.domain, error: 'must be an https:// address' })
  .max(2_000)
  .meta({
    description: "The company's privacy notice (https): the candidate's disclosure on the join page links to it",
    example: 'https://acme.example/privacy',
  });

const companySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    defaultPhoneRegion: z.string(),
    defaultLanguage: z.string().meta({ description: 'The language of its interviews unless a job or HR names another' }),
    enabledLanguages: z
      .array(z.string())
      .meta({ description: "The languages its candidates may choose from, for interviews in 'candidate' language mode" }),
    allowTypedInterviews: z.boolean().meta({
      description: 'A candidate without a working microphone may take the interview by typing every answer',
    }),
    timezone: z.string().meta({
      description:
        "IANA time zone. The HR workspace shows dates in it; invitation e-mails and their calendar invites give times in it when " +
        "the interview names no zone of its own; scheduling lays out availability and its calendar in it (the same value as " +
        'GET /v1/scheduling/settings `timezone`)',
      example: 'Asia/Dubai',
    }),
    privacyNoticeUrl: privacyNoticeUrl.nullable(),
    dataRetention: dataRetentionSchema,
    createdAt: isoTimestamp,
  })
  .meta({ id: 'Company' });

/** The row as the API shows it: retention as the periods in force (defaults where the company set none). */
function companyToApi(company: Company) {
  return { ...company, dataRetention: effectiveRetention(company) };
}

const interviewLanguage = z.enum(interviewLanguages);

const updateCompanyBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    defaultPhoneRegion: regionCode,
    defaultLanguage: interviewLanguage,
    enabledLanguages: z
      .array(interviewLanguage)
      .min(1)
      .transform((v) => [...new Set(v)]),
    allowTypedInterviews: z.boolean(),
    timezone: companyTimezone,
    privacyNoticeUrl: privacyNoticeUrl.nullable(),
    dataRetention: dataRetentionPatch.meta({
      description: 'Retention periods to change, in days; the others keep their value (`recordings` is the recording retention)',
    }),
  })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change')
  .meta({ id: 'UpdateCompany' });

const apiKeySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string().meta({ description: 'First characters of the key, to recognise it' }),
    createdAt: isoTimestamp,
    lastUsedAt: isoTimestamp.nullable(),
    revokedAt: isoTimestamp.nullable(),
  })
  .meta({ id: 'ApiKey' });

const createdApiKeySchema = apiKeySchema
  .extend({ key: z.string().meta({ description: 'The key itself; shown only in this response' }) })
  .meta({ id: 'CreatedApiKey' });

/** Company-level endpoints act on the caller's own company; an admin key has none and is told so. */
function ownCompany(principal: Principal): string {
  if (!principal.companyId) {
    throw new AppError('forbidden', 'Admin keys belong to no company; use a company key for this endpoint.');
  }
  return principal.companyId;
}

export function companyRoutes({ db, config }: AppDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/company',
      operationId: 'getCompany',
      summary: "The caller's company",
      tags,
      auth: 'hr',
      responses: { 200: { description: 'The company', schema: companySchema } },
      handler: async ({ principal }) => {
        const company = await db.selectFrom('companies').selectAll().where('id', '=', ownCompany(principal)).executeTakeFirst();
        if (!company) throw new AppError('not_found', 'No such company.');
        return { status: 200, body: companyToApi(company) };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/company',
      operationId: 'updateCompany',
      summary:
        "Change the company's name, default phone region, time zone, interview languages, privacy notice link, whether typed interviews are allowed, or how long candidate data is kept",
      tags,
      auth: 'hr',
      access: 'admin',
      body: updateCompanyBody,
      responses: { 200: { description: 'The updated company', schema: companySchema } },
      handler: async ({ principal, body, meta }) => {
        const companyId = ownCompany(principal);
        // Every language offered to candidates needs a voice here; the default must be one of them.
        for (const [i, language] of (body.enabledLanguages ?? []).entries()) {
          requireInterviewVoice(config.speech, language, { path: `body.enabledLanguages.${i}` });
        }
        if (body.defaultLanguage) requireInterviewVoice(config.speech, body.defaultLanguage, { path: 'body.defaultLanguage' });
        const company = await db.transaction().execute(async (trx) => {
          const current = await trx
            .selectFrom('companies')
            .select(['defaultLanguage', 'enabledLanguages'])
            .where('id', '=', companyId)
            .forUpdate()
            .executeTakeFirstOrThrow();
          const enabled = body.enabledLanguages ?? current.enabledLanguages;
          const fallback = body.defaultLanguage ?? current.defaultLanguage;
          if (!enabled.includes(fallback)) {
            throw new AppError('validation_failed', 'The default language must be one of the enabled languages.', {
              errors: [
                {
                  path: body.defaultLanguage ? 'body.defaultLanguage' : 'body.enabledLanguages',
                  message: `"${fallback}" is not in the enabled languages (${enabled.join(', ')})`,
                },
              ],
            });
          }
          const { dataRetention, ...fields } = body;
          const { recordings, ...retention } = dataRetention ?? {};
          const row = await trx
            .updateTable('companies')
            .set({
              ...fields,
              ...(dataRetention ? { dataRetention: sql<string>`data_retention || ${JSON.stringify(retention)}::jsonb` } : {}),
              ...(recordings !== undefined ? { recordingRetentionDays: recordings } : {}),
            })
            .where('id', '=', companyId)
            .returningAll()
            .executeTakeFirstOrThrow();
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId,
            action: 'company.update',
            targetType: 'company',
            targetId: companyId,
            details: { fields: Object.keys(body), ...(dataRetention ? { dataRetention } : {}) },
          });
          return row;
        });
        return { status: 200, body: companyToApi(company) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/api-keys',
      operationId: 'listApiKeys',
      summary: "The company's API keys (never the keys themselves)",
      tags,
      auth: 'hr',
      access: 'admin',
      responses: { 200: { description: 'API keys', schema: z.object({ items: z.array(apiKeySchema) }) } },
      handler: async ({ principal }) => {
        const items = await db
          .selectFrom('apiKeys')
          .select(['id', 'name', 'prefix', 'createdAt', 'lastUsedAt', 'revokedAt'])
          .where('companyId', '=', ownCompany(principal))
          .orderBy('createdAt', 'desc')
          .execute();
        return { status: 200, body: { items } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/api-keys',
      operationId: 'createApiKey',
      summary: 'Create another API key for the company; the key is shown once',
      tags,
      auth: 'hr',
      access: 'admin',
      body: z.object({ name: z.string().trim().min(1).max(100) }).strict().meta({ id: 'CreateApiKey' }),
      responses: { 201: { description: 'Created', schema: createdApiKeySchema } },
      handler: async ({ principal, body, meta }) => {
        const companyId = ownCompany(principal);
        const created = await db.transaction().execute(async (trx) => {
          const key = await createApiKey(trx, { companyId, isAdmin: false, name: body.name });
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId,
            action: 'api_key.create',
            targetType: 'api_key',
            targetId: key.id,
          });
          const row = await trx
            .selectFrom('apiKeys')
            .select(['id', 'name', 'prefix', 'createdAt', 'lastUsedAt', 'revokedAt'])
            .where('id', '=', key.id)
            .executeTakeFirstOrThrow();
          return { ...row, key: key.key };
        });
        return { status: 201, body: created, headers: { 'Cache-Control': 'no-store' } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/api-keys/:id',
      operationId: 'revokeApiKey',
      summary: 'Revoke an API key; it stops working at once',
      tags,
      auth: 'hr',
      access: 'admin',
      params: idParams,
      responses: { 204: { description: 'Revoked' } },
      handler: async ({ principal, params, meta }) => {
        const companyId = ownCompany(principal);
        await db.transaction().execute(async (trx) => {
          const row = await trx
            .updateTable('apiKeys')
            .set({ revokedAt: new Date() })
            .where('id', '=', params.id)
            .where('companyId', '=', companyId)
            .where('revokedAt', 'is', null)
            .returning('id')
            .executeTakeFirst();
          if (!row) throw new AppError('not_found', 'No such active API key.');
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId,
            action: 'api_key.revoke',
            targetType: 'api_key',
            targetId: params.id,
          });
        });
        return { status: 204 };
      },
    }),
  ];
}
