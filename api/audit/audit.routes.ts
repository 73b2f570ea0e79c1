import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../shared/db/schema.ts';
import { companyScope } from '../auth/principal.ts';
import { findCandidate } from '../candidates/candidates.repository.ts';
import type { AppDeps } from '../deps.ts';
import { decodeCursor, encodeCursor } from '../http/pagination.ts';
import { AppError } from '../http/problem.ts';
import { defineRoute } from '../http/route.ts';
import { isoTimestamp, page, pageQuery } from '../http/schemas.ts';
import { findInterview, likeEscape } from '../interviews/interviews.repository.ts';

const tags = ['Audit'];

const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const actorTypes = ['api_key', 'user', 'candidate', 'system', 'livekit', 'cli'] as const;

const auditQuery = pageQuery.extend({
  interviewId: z.uuid().optional().meta({ description: 'Events about this interview' }),
  candidateId: z
    .uuid()
    .optional()
    .meta({ description: 'Events about this candidate, or about any of their interviews' }),
  actorType: z.enum(actorTypes).optional(),
  actorId: z.string().trim().min(1).max(200).optional().meta({ description: 'A user id, an API key id, …' }),
  action: z
    .string()
    .max(500)
    .transform((s) => s.split(',').map((x) => x.trim()))
    .pipe(z.array(z.string().regex(/^[a-z_]+(\.[a-z_]+)*(\.\*)?$/, 'an action such as interview.cancel or interview.*')).max(20))
    .optional()
    .meta({ description: 'One action or several, comma-separated; `interview.*` for every interview action', example: 'interview.cancel,decision.record' }),
  from: instant.optional().meta({ description: 'At or after' }),
  to: instant.optional().meta({ description: 'Before' }),
});

const auditEventSchema = z
  .object({
    id: z.string().meta({ description: 'Increasing with time' }),
    at: isoTimestamp,
    companyId: z.uuid().nullable(),
    actorType: z.enum(actorTypes),
    actorId: z.string().nullable(),
    action: z.string(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
  })
  .meta({ id: 'AuditEvent' });

type AuditFilters = z.infer<typeof auditQuery>;

/** Newest first, by (at, id): the cursor has the list endpoints' shape, with the log's bigint id. */
async function listAuditEvents(db: Kysely<Database>, scope: string | null, f: AuditFilters) {
  let q = db.selectFrom('auditLog as a').selectAll('a');
  if (scope) q = q.where('a.companyId', '=', scope);
  if (f.interviewId) q = q.where('a.targetType', '=', 'interview').where('a.targetId', '=', f.interviewId);
  if (f.candidateId) {
    const candidateId = f.candidateId;
    q = q.where((eb) =>
      eb.or([
        eb.and([eb('a.targetType', '=', 'candidate'), eb('a.targetId', '=', candidateId)]),
        eb.and([
          eb('a.targetType', '=', 'interview'),
          eb(
            'a.targetId',
            'in',
            eb.selectFrom('interviews as i').select(sql<string>`i.id::text`.as('id')).where('i.candidateId', '=', candidateId),
          ),
        ]),
      ]),
    );
  }
  if (f.actorType) q = q.where('a.actorType', '=', f.actorType);
  if (f.actorId) q = q.where('a.actorId', '=', f.actorId);
  if (f.action?.length) {
    const actions = f.action;
    q = q.where((eb) =>
      eb.or(
        actions.map((a) => (a.endsWith('.*') ? eb('a.action', 'like', `${likeEscape(a.slice(0, -1))}%`) : eb('a.action', '=', a))),
      ),
    );
  }
  if (f.from) q = q.where('a.at', '>=', f.from);
  if (f.to) q = q.where('a.at', '<', f.to);
  if (f.cursor) {
    const key = decodeCursor(f.cursor);
    if (!/^\d{1,19}$/.test(key.id)) {
      throw new AppError('validation_failed', 'The cursor is not one this API issued.', {
        errors: [{ path: 'query.cursor', message: 'Invalid cursor' }],
      });
    }
    q = q.where(sql<boolean>`(a.at, a.id) < (${key.createdAt}::timestamptz, ${key.id}::bigint)`);
  }
  const rows = await q.orderBy('a.at', 'desc').orderBy('a.id', 'desc').limit(f.limit + 1).execute();
  const items = rows.slice(0, f.limit);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: rows.length > f.limit && last ? encodeCursor({ createdAt: last.at, id: last.id }) : null,
  };
}

export function auditRoutes({ db }: AppDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/audit-events',
      operationId: 'listAuditEvents',
      summary: "The company's audit log, newest first, by interview, candidate, actor, action and time",
      tags,
      auth: 'hr',
      access: 'recruit',
      query: auditQuery,
      responses: { 200: { description: 'A page of audit events', schema: page(auditEventSchema, 'AuditEventPage') } },
      handler: async ({ query, principal }) => {
        const scope = companyScope(principal);
        // Another company's interview or candidate is as unknown here as everywhere else.
        if (query.interviewId && !(await findInterview(db, scope, query.interviewId))) {
          throw new AppError('not_found', 'No such interview.');
        }
        if (query.candidateId && !(await findCandidate(db, scope, query.candidateId))) {
          throw new AppError('not_found', 'No such candidate.');
        }
        return { status: 200, body: await listAuditEvents(db, scope, query) };
      },
    }),
  ];
}
