import { sql } from 'kysely';
import { z } from 'zod';
import { hiringDecisions, recommendations } from '../../shared/db/schema.ts';
import { recordEvent } from '../../shared/events/outbox.ts';
import { actorFromPrincipal, recordAudit } from '../audit/audit-log.ts';
import { actorLabel, companyScope } from '../auth/principal.ts';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../http/problem.ts';
import { defineRoute } from '../http/route.ts';
import { idParams, isoTimestamp } from '../http/schemas.ts';
import { findInterview, nameMatches } from '../interviews/interviews.repository.ts';
import { interviewStatus, listInterviewsQuery } from '../interviews/interviews.schemas.ts';
import { findJob } from '../jobs/jobs.repository.ts';
import {
  integrityReportSchema,
  scorecardResultSchema,
  type IntegrityReport,
  type ScorecardResult,
} from './evaluation.schemas.ts';
import { resultEventBase, scoreInterview, scorecardSummary } from './scorecards.ts';

const tags = ['Results'];

const turnSchema = z
  .object({
    seq: z.number().int(),
    speaker: z.enum(['interviewer', 'candidate']),
    text: z.string(),
    input: z.enum(['voice', 'text']),
    startedAt: isoTimestamp,
    endedAt: isoTimestamp,
    interrupted: z.boolean(),
    stage: z.string(),
    questionId: z.string().nullable(),
    questionPosition: z.number().int().nullable(),
  })
  .meta({ id: 'TranscriptTurn' });

const decisionSchema = z
  .object({
    decision: z.enum(hiringDecisions),
    decidedBy: z.string(),
    decidedAt: isoTimestamp,
    note: z.string().nullable(),
    scorecardVersion: z.number().int().nullable(),
  })
  .meta({ id: 'HiringDecision' });

const scorecardSchema = z
  .object({
    interviewId: z.uuid(),
    version: z.number().int(),
    isLatest: z.boolean(),
    status: z.enum(['pending', 'complete']),
    pendingReason: z.string().nullable(),
    trigger: z.string(),
    model: z.string().nullable().meta({ description: 'null when no model was called' }),
    promptVersion: z.string(),
    planVersion: z.string(),
    evaluatedAt: isoTimestamp,
    overallScore: z.number().nullable().meta({ description: 'Mean of the question scores (1–5); null without evidence' }),
    recommendation: z.enum(recommendations).nullable(),
    result: scorecardResultSchema,
    integrity: integrityReportSchema,
    humanDecision: decisionSchema.nullable(),
    advisory: z.literal(true).meta({ description: 'Scores are advice for a person; nothing acts on them automatically' }),
  })
  .meta({ id: 'Scorecard' });

const latencySchema = z
  .object({
    turns: z.array(
      z.object({
        turnSeq: z.number().int(),
        e2eLatency: z.number().nullable(),
        endOfTurnDelay: z.number().nullable(),
        llmTtft: z.number().nullable(),
        ttsTtfb: z.number().nullable(),
      }),
    ),
    summary: z.record(
      z.string(),
      z.object({ count: z.number().int(), p50: z.number().nullable(), p95: z.number().nullable(), max: z.number().nullable() }),
    ),
  })
  .meta({ id: 'LatencySummary', description: 'Per-turn latency in seconds, as the agents SDK measured it' });

// The interview list's filters (status, type, scheduled range, candidate name), so the workspace filters both alike.
const jobResultsQuery = listInterviewsQuery
  .pick({ status: true, type: true, scheduledFrom: true, scheduledTo: true, q: true })
  .extend({
    sort: z.enum(['score', 'completedAt', 'scheduledStart']).default('score'),
    order: z.enum(['asc', 'desc']).default('desc'),
    recommendation: z.enum(recommendations).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  });

const jobResultSchema = z
  .object({
    interviewId: z.uuid(),
    rank: z
      .number()
      .int()
      .meta({ description: 'Place by overall score among the filtered interviews (ties share one); unscored last' }),
    candidateId: z.uuid(),
    candidateName: z.string(),
    status: interviewStatus,
    type: z.string(),
    scheduledStart: isoTimestamp,
    endedAt: isoTimestamp.nullable(),
    scorecardStatus: z.enum(['none', 'pending', 'complete']),
    overallScore: z.number().nullable(),
    recommendation: z.enum(recommendations).nullable(),
    competencies: z
      .array(z.object({ key: z.string(), score: z.number().nullable() }))
      .meta({ description: "One per competency of the job, in the job's order (side by side across rows); null when not scored" }),
    decision: z.enum(hiringDecisions).nullable(),
  })
  .meta({ id: 'JobInterviewResult' });

const jobResultsSchema = z
  .object({
    competencies: z
      .array(z.object({ key: z.string(), name: z.string() }))
      .meta({ description: "The job's competencies: the columns of each row's competencies" }),
    items: z.array(jobResultSchema),
  })
  .meta({ id: 'JobResults' });

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function resultRoutes(deps: AppDeps) {
  const { db } = deps;
  const scoringDeps = { db, log: deps.log, now: deps.now, scoring: deps.config.scoring };

  async function ownInterview(principal: Parameters<typeof companyScope>[0], id: string) {
    const interview = await findInterview(db, companyScope(principal), id);
    if (!interview) throw new AppError('not_found', 'No such interview.');
    return interview;
  }

  async function scorecardBody(interviewId: string, version?: number) {
    let q = db.selectFrom('scorecards').selectAll().where('interviewId', '=', interviewId);
    q = version ? q.where('version', '=', version) : q.where('isLatest', '=', true);
    const row = await q.executeTakeFirst();
    if (!row) return undefined;
    const decision = await db
      .selectFrom('hiringDecisions')
      .select(['decision', 'decidedBy', 'decidedAt', 'note', 'scorecardVersion'])
      .where('interviewId', '=', interviewId)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    // The JSON columns hold what scoreInterview stored from these schemas; the response parse checks them again.
    const stored = { result: row.result as ScorecardResult, integrity: row.integrity as IntegrityReport };
    return { ...row, ...stored, humanDecision: decision ?? null, advisory: true as const };
  }

  return [
    defineRoute({
      method: 'get',
      path: '/v1/interviews/:id/transcript',
      operationId: 'getTranscript',
      summary: 'The transcript, turn by turn, with timestamps, speakers and the plan question each turn belongs to',
      tags,
      auth: 'hr',
      params: idParams,
      responses: { 200: { description: 'Transcript', schema: z.object({ interviewId: z.uuid(), turns: z.array(turnSchema) }) } },
      handler: async ({ params, principal }) => {
        const interview = await ownInterview(principal, params.id);
        const turns = await db
          .selectFrom('transcriptTurns as t')
          .leftJoin('interviewPlanQuestions as q', (j) =>
            j.onRef('q.interviewId', '=', 't.interviewId').onRef('q.questionId', '=', 't.questionId'),
          )
          .select(['t.seq', 't.speaker', 't.text', 't.input', 't.startedAt', 't.endedAt', 't.interrupted', 't.stage', 't.questionId', 'q.position as questionPosition'])
          .where('t.interviewId', '=', interview.id)
          .orderBy('t.seq')
          .execute();
        return { status: 200, body: { interviewId: interview.id, turns } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/interviews/:id/scorecard',
      operationId: 'getScorecard',
      summary: 'The latest scorecard (or `?version=N`), with the human decision',
      tags,
      auth: 'hr',
      params: idParams,
      query: z.object({ version: z.coerce.number().int().min(1).optional() }),
      responses: { 200: { description: 'Scorecard', schema: scorecardSchema } },
      handler: async ({ params, query, principal }) => {
        const interview = await ownInterview(principal, params.id);
        const body = await scorecardBody(interview.id, query.version);
        if (!body) throw new AppError('not_found', 'This interview has no scorecard yet.');
        return { status: 200, body };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/interviews/:id/scorecards',
      operationId: 'listScorecards',
      summary: 'Every scorecard version of an interview, newest first',
      tags,
      auth: 'hr',
      params: idParams,
      responses: {
        200: {
          description: 'Versions',
          schema: z.object({
            items: z.array(
              z.object({
                version: z.number().int(),
                isLatest: z.boolean(),
                status: z.enum(['pending', 'complete']),
                trigger: z.string(),
                model: z.string().nullable(),
                promptVersion: z.string(),
                planVersion: z.string(),
                overallScore: z.number().nullable(),
                recommendation: z.enum(recommendations).nullable(),
                evaluatedAt: isoTimestamp,
              }),
            ),
          }),
        },
      },
      handler: async ({ params, principal }) => {
        const interview = await ownInterview(principal, params.id);
        const items = await db
          .selectFrom('scorecards')
          .select(['version', 'isLatest', 'status', 'trigger', 'model', 'promptVersion', 'planVersion', 'overallScore', 'recommendation', 'evaluatedAt'])
          .where('interviewId', '=', interview.id)
          .orderBy('version', 'desc')
          .execute();
        return { status: 200, body: { items } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/interviews/:id/scorecard/rescore',
      operationId: 'rescoreInterview',
      summary: 'Evaluate a finished interview again; the new version becomes the latest and every version is kept',
      tags,
      auth: 'hr',
      access: 'decide',
      params: idParams,
      body: z.object({}).strict().optional(),
      responses: { 201: { description: 'The new scorecard version', schema: scorecardSchema } },
      handler: async ({ params, principal, meta }) => {
        const interview = await ownInterview(principal, params.id);
        let row;
        try {
          row = await scoreInterview(scoringDeps, interview, 're_score');
        } catch (error) {
          if (error instanceof AppError) throw error;
          deps.log.warn({ err: error, interviewId: interview.id }, 're-score failed');
          throw new AppError('upstream_unavailable', 'The language model could not evaluate the interview; try again later.');
        }
        await recordAudit(db, actorFromPrincipal(principal, meta), {
          companyId: interview.companyId,
          action: 'scorecard.rescore',
          targetType: 'interview',
          targetId: interview.id,
          details: { version: row.version },
        });
        const body = await scorecardBody(interview.id, row.version);
        if (!body) throw new Error(`scorecard version ${row.version} of interview ${interview.id} vanished after it was written`);
        return { status: 201, body };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/interviews/:id/decision',
      operationId: 'recordDecision',
      summary: "Record the human hiring decision on an interview; scores are advice, this is the decision",
      description:
        'Human review (GDPR Art. 22): nothing in this API changes an interview\'s or a candidate\'s status from a score ' +
        'alone. Scorecards and their recommendation are advice to the person deciding; no automatic rule advances, ' +
        'holds or rejects anyone on them. This endpoint, called by a person (a workspace user or a company API key ' +
        'acting for one), is the only writer of hiring decisions; it changes no interview status, and every decision ' +
        'is kept with who made it, when and their note, and is audited.',
      tags,
      auth: 'hr',
      access: 'decide',
      params: idParams,
      body: z
        .object({ decision: z.enum(hiringDecisions), note: z.string().trim().max(5_000).optional() })
        .strict()
        .meta({ id: 'RecordDecision' }),
      responses: { 201: { description: 'Recorded', schema: decisionSchema } },
      handler: async ({ params, body, principal, meta }) => {
        const interview = await ownInterview(principal, params.id);
        const decided = await db.transaction().execute(async (trx) => {
          const latest = await trx
            .selectFrom('scorecards')
            .selectAll()
            .where('interviewId', '=', interview.id)
            .where('isLatest', '=', true)
            .executeTakeFirst();
          const row = await trx
            .insertInto('hiringDecisions')
            .values({
              interviewId: interview.id,
              scorecardVersion: latest?.version ?? null,
              decision: body.decision,
              decidedBy: actorLabel(principal),
              note: body.note ?? null,
            })
            .returning(['decision', 'decidedBy', 'decidedAt', 'note', 'scorecardVersion'])
            .executeTakeFirstOrThrow();
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId: interview.companyId,
            action: 'decision.record',
            targetType: 'interview',
            targetId: interview.id,
            details: { decision: body.decision },
          });
          if (latest) {
            await recordEvent(trx, {
              companyId: interview.companyId,
              type: 'scorecard.updated',
              payload: {
                ...resultEventBase(interview),
                reason: 'human_decision',
                decision: body.decision,
                updatedAt: row.decidedAt.toISOString(),
                scorecard: scorecardSummary(latest, latest.result as ScorecardResult, interview.language),
              },
            });
          }
          return row;
        });
        return { status: 201, body: decided };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/interviews/:id/decisions',
      operationId: 'listDecisions',
      summary: 'Every human decision recorded on an interview, newest first, with who made it',
      tags,
      auth: 'hr',
      params: idParams,
      responses: {
        200: {
          description: 'Decisions',
          schema: z.object({
            items: z.array(
              decisionSchema.extend({
                decidedByName: z
                  .string()
                  .nullable()
                  .meta({ description: "The workspace user's name; null for an API key" }),
              }),
            ),
          }),
        },
      },
      handler: async ({ params, principal }) => {
        const interview = await ownInterview(principal, params.id);
        const rows = await db
          .selectFrom('hiringDecisions')
          .select(['decision', 'decidedBy', 'decidedAt', 'note', 'scorecardVersion'])
          .where('interviewId', '=', interview.id)
          .orderBy('decidedAt', 'desc')
          .orderBy('id', 'desc')
          .execute();
        // decidedBy is an actor label (user:<id> or api_key:<id>, see actorLabel); people are shown by name.
        const userIds = [...new Set(rows.flatMap((r) => (r.decidedBy.startsWith('user:') ? [r.decidedBy.slice(5)] : [])))];
        const users = userIds.length
          ? await db
              .selectFrom('users')
              .select(['id', 'name'])
              .where('companyId', '=', interview.companyId)
              .where('id', 'in', userIds)
              .execute()
          : [];
        const names = new Map(users.map((u) => [`user:${u.id}`, u.name]));
        return { status: 200, body: { items: rows.map((r) => ({ ...r, decidedByName: names.get(r.decidedBy) ?? null })) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/interviews/:id/latency',
      operationId: 'getLatency',
      summary: 'Per-turn latency of the interviewer, with p50/p95 per measure',
      tags,
      auth: 'hr',
      params: idParams,
      responses: { 200: { description: 'Latency', schema: latencySchema } },
      handler: async ({ params, principal }) => {
        const interview = await ownInterview(principal, params.id);
        const turns = await db
          .selectFrom('turnMetrics')
          .select(['turnSeq', 'e2eLatency', 'endOfTurnDelay', 'llmTtft', 'ttsTtfb'])
          .where('interviewId', '=', interview.id)
          .orderBy('turnSeq')
          .execute();
        const summary: Record<string, { count: number; p50: number | null; p95: number | null; max: number | null }> = {};
        for (const key of ['e2eLatency', 'endOfTurnDelay', 'llmTtft', 'ttsTtfb'] as const) {
          const values = turns.map((t) => t[key]).filter((v): v is number => v !== null);
          summary[key] = {
            count: values.length,
            p50: percentile(values, 50),
            p95: percentile(values, 95),
            max: values.length ? Math.max(...values) : null,
          };
        }
        return { status: 200, body: { turns, summary } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/jobs/:id/results',
      operationId: 'listJobResults',
      summary: "A job's interviews ranked by score, with per-competency scores side by side and decisions; the list's filters",
      tags,
      auth: 'hr',
      params: idParams,
      query: jobResultsQuery,
      responses: { 200: { description: 'Results', schema: jobResultsSchema } },
      handler: async ({ params, query, principal }) => {
        const job = await findJob(db, companyScope(principal), params.id);
        if (!job) throw new AppError('not_found', 'No such job.');
        let q = db
          .selectFrom('interviews as i')
          .innerJoin('candidates as c', 'c.id', 'i.candidateId')
          .leftJoin('scorecards as s', (j) => j.onRef('s.interviewId', '=', 'i.id').on('s.isLatest', '=', true))
          .select([
            'i.id as interviewId',
            sql<string>`rank() over (order by s.overall_score desc nulls last)`.as('rank'),
            'i.candidateId',
            sql<string>`c.first_name || ' ' || c.last_name`.as('candidateName'),
            'i.status',
            'i.type',
            'i.scheduledStart',
            'i.endedAt',
            's.status as scorecardStatus',
            's.overallScore',
            's.recommendation',
            's.result',
            (eb) =>
              eb
                .selectFrom('hiringDecisions as d')
                .select('d.decision')
                .whereRef('d.interviewId', '=', 'i.id')
                .orderBy('d.id', 'desc')
                .limit(1)
                .as('decision'),
          ])
          .where('i.jobId', '=', job.id);
        if (query.status?.length) q = q.where('i.status', 'in', query.status);
        if (query.type) q = q.where('i.type', '=', query.type);
        if (query.scheduledFrom) q = q.where('i.scheduledStart', '>=', query.scheduledFrom);
        if (query.scheduledTo) q = q.where('i.scheduledStart', '<', query.scheduledTo);
        if (query.q) q = q.where(nameMatches(query.q));
        if (query.recommendation) q = q.where('s.recommendation', '=', query.recommendation);
        const column = { score: 's.overall_score', completedAt: 'i.ended_at', scheduledStart: 'i.scheduled_start' }[query.sort];
        q = q
          .orderBy(sql.raw(`${column} ${query.order} nulls last`))
          .orderBy('i.id')
          .limit(query.limit);
        const rows = await q.execute();
        return {
          status: 200,
          body: {
            competencies: job.competencies.map(({ key, name }) => ({ key, name })),
            items: rows.map(({ result, rank, ...r }) => {
              const scored = (result as ScorecardResult | null)?.competencies ?? [];
              return {
                ...r,
                rank: Number(rank),
                scorecardStatus: r.scorecardStatus ?? ('none' as const),
                competencies: job.competencies.map(({ key }) => ({
                  key,
                  score: scored.find((c) => c.key === key)?.score ?? null,
                })),
              };
            }),
          },
        };
      },
    }),
  ];
}
