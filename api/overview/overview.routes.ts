import { sql } from 'kysely';
import { z } from 'zod';
import { companyScope } from '../auth/principal.ts';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../http/problem.ts';
import { defineRoute } from '../http/route.ts';
import { isoTimestamp } from '../http/schemas.ts';
import { findJob } from '../jobs/jobs.repository.ts';

// The workspace's overview: the hiring pipeline of the interviews scheduled in a date range, for the company and per
// job. One pass over the range (the index on company and scheduled start), counted with FILTER clauses.

const day = 86_400_000;
const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

const overviewQuery = z
  .object({
    from: instant.optional().meta({ description: 'Scheduled start at or after; default 30 days before `to`' }),
    to: instant.optional().meta({ description: 'Scheduled start before; default now' }),
    jobId: z.uuid().optional(),
  })
  .meta({ id: 'OverviewQuery' });

const funnelSchema = z.object({
  invited: z.number().int().meta({ description: 'Interviews scheduled in the range, whatever became of them' }),
  joined: z.number().int().meta({ description: 'The candidate came into the room' }),
  completed: z.number().int(),
  decided: z.number().int().meta({ description: 'A person recorded a hiring decision' }),
  upcoming: z.number().int().meta({ description: 'Still scheduled' }),
  inProgress: z.number().int(),
  cancelled: z.number().int(),
  noShows: z.number().int().meta({ description: 'Expired: the window closed without the candidate starting' }),
  failed: z.number().int(),
  completionRate: z
    .number()
    .nullable()
    .meta({
      description: 'completed ÷ (completed + noShows + failed): of the interviews that are over and were not cancelled; 4 decimals',
    }),
  noShowRate: z.number().nullable().meta({ description: 'noShows ÷ the same' }),
  averageDurationMinutes: z
    .number()
    .nullable()
    .meta({ description: 'Mean of ended − started over completed interviews' }),
});

const overviewSchema = z
  .object({
    from: isoTimestamp,
    to: isoTimestamp,
    totals: funnelSchema,
    decisions: z
      .object({ advance: z.number().int(), hold: z.number().int(), reject: z.number().int() })
      .meta({ description: 'The decision in force (the latest) on each decided interview' }),
    jobs: z.array(funnelSchema.extend({ jobId: z.uuid(), jobTitle: z.string() })).meta({ description: 'Most invited first' }),
  })
  .meta({ id: 'Overview' });

interface Counts {
  invited: number;
  joined: number;
  completed: number;
  decided: number;
  upcoming: number;
  inProgress: number;
  cancelled: number;
  noShows: number;
  failed: number;
  durationSeconds: number;
  timed: number;
}

const ratio = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 10_000) / 10_000);

function funnel(c: Counts) {
  const over = c.completed + c.noShows + c.failed;
  return {
    invited: c.invited,
    joined: c.joined,
    completed: c.completed,
    decided: c.decided,
    upcoming: c.upcoming,
    inProgress: c.inProgress,
    cancelled: c.cancelled,
    noShows: c.noShows,
    failed: c.failed,
    completionRate: ratio(c.completed, over),
    noShowRate: ratio(c.noShows, over),
    averageDurationMinutes: c.timed === 0 ? null : Math.round((c.durationSeconds / c.timed / 60) * 10) / 10,
  };
}

export function overviewRoutes({ db, now }: AppDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/overview',
      operationId: 'getOverview',
      summary: 'The hiring pipeline for interviews scheduled in a date range: invited → joined → completed → decided, per job',
      tags: ['Overview'],
      auth: 'hr',
      query: overviewQuery,
      responses: { 200: { description: 'The overview', schema: overviewSchema } },
      handler: async ({ query, principal }) => {
        const to = query.to ?? now();
        const from = query.from ?? new Date(to.getTime() - 30 * day);
        if (from >= to) {
          throw new AppError('validation_failed', 'The range must end after it starts.', {
            errors: [{ path: 'query.to', message: 'must be after from' }],
          });
        }
        if (to.getTime() - from.getTime() > 366 * day) {
          throw new AppError('validation_failed', 'The range may span a year at most.', {
            errors: [{ path: 'query.from', message: 'at most 366 days before to' }],
          });
        }
        const scope = companyScope(principal);
        if (query.jobId && !(await findJob(db, scope, query.jobId))) throw new AppError('not_found', 'No such job.');
        const n = (filter: string) => sql<string>`count(*) filter (where ${sql.raw(filter)})`;
        let q = db
          .selectFrom('interviews as i')
          .innerJoin('jobs as j', 'j.id', 'i.jobId')
          .leftJoinLateral(
            (eb) =>
              eb
                .selectFrom('hiringDecisions as d')
                .select('d.decision')
                .whereRef('d.interviewId', '=', 'i.id')
                .orderBy('d.id', 'desc')
                .limit(1)
                .as('d'),
            (join) => join.onTrue(),
          )
          .select([
            'i.jobId',
            'j.title as jobTitle',
            sql<string>`count(*)`.as('invited'),
            n('i.started_at is not null').as('joined'),
            n(`i.status = 'completed'`).as('completed'),
            n('d.decision is not null').as('decided'),
            n(`i.status = 'scheduled'`).as('upcoming'),
            n(`i.status = 'in_progress'`).as('inProgress'),
            n(`i.status = 'cancelled'`).as('cancelled'),
            n(`i.status = 'expired'`).as('noShows'),
            n(`i.status = 'failed'`).as('failed'),
            n(`d.decision = 'advance'`).as('advance'),
            n(`d.decision = 'hold'`).as('hold'),
            n(`d.decision = 'reject'`).as('reject'),
            sql<string | null>`sum(extract(epoch from i.ended_at - i.started_at)) filter (where i.status = 'completed' and i.started_at is not null and i.ended_at is not null)`.as(
              'durationSeconds',
            ),
            n(`i.status = 'completed' and i.started_at is not null and i.ended_at is not null`).as('timed'),
          ])
          .where('i.scheduledStart', '>=', from)
          .where('i.scheduledStart', '<', to)
          .groupBy(['i.jobId', 'j.title']);
        if (scope) q = q.where('i.companyId', '=', scope);
        if (query.jobId) q = q.where('i.jobId', '=', query.jobId);
        const rows = await q.execute();
        const counts = rows.map((r) => ({
          jobId: r.jobId,
          jobTitle: r.jobTitle,
          invited: Number(r.invited),
          joined: Number(r.joined),
          completed: Number(r.completed),
          decided: Number(r.decided),
          upcoming: Number(r.upcoming),
          inProgress: Number(r.inProgress),
          cancelled: Number(r.cancelled),
          noShows: Number(r.noShows),
          failed: Number(r.failed),
          durationSeconds: Number(r.durationSeconds ?? 0),
          timed: Number(r.timed),
          advance: Number(r.advance),
          hold: Number(r.hold),
          reject: Number(r.reject),
        }));
        const sum = (key: keyof (typeof counts)[number]) => counts.reduce((t, c) => t + (c[key] as number), 0);
        const totals: Counts = {
          invited: sum('invited'),
          joined: sum('joined'),
          completed: sum('completed'),
          decided: sum('decided'),
          upcoming: sum('upcoming'),
          inProgress: sum('inProgress'),
          cancelled: sum('cancelled'),
          noShows: sum('noShows'),
          failed: sum('failed'),
          durationSeconds: sum('durationSeconds'),
          timed: sum('timed'),
        };
        return {
          status: 200,
          body: {
            from,
            to,
            totals: funnel(totals),
            decisions: { advance: sum('advance'), hold: sum('hold'), reject: sum('reject') },
            jobs: counts
              .sort((a, b) => b.invited - a.invited || a.jobTitle.localeCompare(b.jobTitle))
              .map((c) => ({ jobId: c.jobId, jobTitle: c.jobTitle, ...funnel(c) })),
          },
        };
      },
    }),
  ];
}
