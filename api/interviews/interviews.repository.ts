import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database, Interview, InterviewType } from '../../shared/db/schema.ts';
import { generateRoomCode } from '../../shared/room-code.ts';
import { paginate, toPage } from '../http/pagination.ts';
import type { ListInterviewsQuery } from './interviews.schemas.ts';

export interface NewInterview {
  companyId: string;
  jobId: string;
  candidateId: string;
  type: InterviewType;
  maxDurationMinutes: number;
  instructions: string;
  language: string;
  /** Default 'fixed'; 'candidate' lets the candidate pick on their first join. */
  languageMode?: 'fixed' | 'candidate';
  scheduledStart: Date;
  scheduledEnd: Date;
}

/**
 * Inserts an interview with a fresh room code. Codes are random, so a collision is possible but rare; the unique
 * index decides and we draw again. ON CONFLICT DO NOTHING keeps a collision from aborting the caller's transaction.
 */
export async function insertInterview(
  db: Kysely<Database>,
  values: NewInterview,
  roomPrefix: string,
): Promise<Interview> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const id = randomUUID();
    const row = await db
      .insertInto('interviews')
      .values({ id, ...values, roomCode: generateRoomCode(), roomName: `${roomPrefix}${id}` })
      .onConflict((oc) => oc.column('roomCode').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (row) return row;
  }
  throw new Error('could not find a free room code after 8 draws');
}

export async function findInterview(db: Kysely<Database>, scope: string | null, id: string) {
  let q = db.selectFrom('interviews').selectAll().where('id', '=', id);
  if (scope) q = q.where('companyId', '=', scope);
  return q.executeTakeFirst();
}

/** So `%`, `_` and `\` in what HR typed match themselves in a LIKE pattern. */
export function likeEscape(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The name search: the candidate's stored, folded name (case, accents, Arabic spelling variants; see search_text in
 * migrations/2026-11-30T1200_hr_workspace_name_search.ts) holds what HR typed, folded the same way. The trigram index
 * candidates_name_search serves it.
 */
export function nameMatches(q: string) {
  return sql<boolean>`c.name_search like '%' || search_text(${likeEscape(q)}) || '%'`;
}

// Past these, a filter matches so many rows that the newest-first index finds a page of them quickly by itself.
const fewCandidates = 1_000;
const fewInScheduledRange = 5_000;

/**
 * How the list is fetched for these filters. Postgres finds a page by walking the newest-first index and dropping
 * what a filter refuses, which is fast while matches are common; for a name few candidates carry or a week long ago
 * it would walk most of the company's interviews. Two cheap, bounded index probes tell those cases apart: then the
 * list starts from the matching candidates, or from the scheduled range, and sorts only those rows.
 */
export interface ListPlan {
  /** The candidates whose name matches, when there are few of them; an empty list means nothing matches. */
  candidateIds?: string[];
  /** Sort the filtered rows rather than walking the newest-first index. */
  sortFiltered: boolean;
}

export async function planInterviewList(
  db: Kysely<Database>,
  scope: string | null,
  filters: ListInterviewsQuery,
): Promise<ListPlan> {
  const plan: ListPlan = { sortFiltered: false };
  // A trigram index needs three characters; a shorter search matches many names anyway.
  if (filters.q && filters.q.length >= 3) {
    let c = db.selectFrom('candidates as c').select('c.id').where(nameMatches(filters.q)).limit(fewCandidates + 1);
    if (scope) c = c.where('c.companyId', '=', scope);
    const ids = (await c.execute()).map((r) => r.id);
    if (ids.length <= fewCandidates) plan.candidateIds = ids;
  }
  if (filters.scheduledFrom || filters.scheduledTo) {
    let r = db.selectFrom('interviews as i').select('i.id');
    if (scope) r = r.where('i.companyId', '=', scope);
    if (filters.scheduledFrom) r = r.where('i.scheduledStart', '>=', filters.scheduledFrom);
    if (filters.scheduledTo) r = r.where('i.scheduledStart', '<', filters.scheduledTo);
    const counted = await db
      .selectFrom(r.limit(fewInScheduledRange).as('r'))
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    if (Number(counted.n) < fewInScheduledRange) plan.sortFiltered = true;
  }
  if (plan.candidateIds) plan.sortFiltered = true;
  return plan;
}

/**
 * The workspace's interview list: each interview with its candidate's name, its job's title, the current
 * scorecard's recommendation and the latest decision, newest first. Every filter is served by an index
 * (migrations/2026-11-30T1200_hr_workspace.ts), and the joins run only for the page's rows.
 */
export function interviewListQuery(
  db: Kysely<Database>,
  scope: string | null,
  filters: ListInterviewsQuery,
  plan: ListPlan = { sortFiltered: false },
) {
  let q = db
    .selectFrom('interviews as i')
    .innerJoin('candidates as c', 'c.id', 'i.candidateId')
    .innerJoin('jobs as j', 'j.id', 'i.jobId')
    .leftJoin('scorecards as s', (join) => join.onRef('s.interviewId', '=', 'i.id').on('s.isLatest', '=', true))
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('hiringDecisions as d')
          .select(['d.decision', 'd.decidedBy', 'd.decidedAt'])
          .whereRef('d.interviewId', '=', 'i.id')
          .orderBy('d.id', 'desc')
          .limit(1)
          .as('d'),
      (join) => join.onTrue(),
    )
    .leftJoin('alternativeRequests as ar', 'ar.interviewId', 'i.id')
    .selectAll('i')
    .select([
      sql<'open' | 'handled' | null>`case when ar.interview_id is null then null when ar.handled_at is null then 'open' else 'handled' end`.as(
        'alternativeRequest',
      ),
      sql<string>`c.first_name || ' ' || c.last_name`.as('candidateName'),
      'j.title as jobTitle',
      // A pending scorecard has no recommendation yet.
      's.recommendation',
      'd.decision',
      'd.decidedBy',
      'd.decidedAt',
    ]);
  if (scope) q = q.where('i.companyId', '=', scope);
  if (filters.status?.length) q = q.where('i.status', 'in', filters.status);
  if (filters.type) q = q.where('i.type', '=', filters.type);
  if (filters.jobId) q = q.where('i.jobId', '=', filters.jobId);
  if (filters.candidateId) q = q.where('i.candidateId', '=', filters.candidateId);
  if (filters.scheduledFrom) q = q.where('i.scheduledStart', '>=', filters.scheduledFrom);
  if (filters.scheduledTo) q = q.where('i.scheduledStart', '<', filters.scheduledTo);
  if (filters.alternative === 'any') q = q.where('ar.interviewId', 'is not', null);
  if (filters.alternative === 'open') q = q.where('ar.interviewId', 'is not', null).where('ar.handledAt', 'is', null);
  if (filters.alternative === 'handled') q = q.where('ar.handledAt', 'is not', null);
  if (plan.candidateIds) q = q.where('i.candidateId', '=', (eb) => eb.fn<string>('any', [eb.val(plan.candidateIds)]));
  else if (filters.q) q = q.where(nameMatches(filters.q));
  return paginate(q, 'i', filters.cursor, filters.limit, { useIndexOrder: !plan.sortFiltered });
}

export async function listInterviews(db: Kysely<Database>, scope: string | null, filters: ListInterviewsQuery) {
  const plan = await planInterviewList(db, scope, filters);
  if (plan.candidateIds?.length === 0) return { items: [], nextCursor: null };
  const rows = await interviewListQuery(db, scope, filters, plan).execute();
  const page = toPage(rows, filters.limit);
  return {
    nextCursor: page.nextCursor,
    items: page.items.map(({ decision, decidedBy, decidedAt, ...interview }) => ({
      ...interview,
      decision: decision && decidedBy && decidedAt ? { decision, decidedBy, decidedAt } : null,
    })),
  };
}

export async function interviewTimeline(db: Kysely<Database>, interviewId: string) {
  return db
    .selectFrom('interviewStatusEvents')
    .select(['fromStatus', 'toStatus', 'reason', 'note', 'actor', 'at'])
    .where('interviewId', '=', interviewId)
    .orderBy('id')
    .execute();
}

export async function bumpLinkVersion(db: Kysely<Database>, id: string): Promise<Interview> {
  return db
    .updateTable('interviews')
    .set((eb) => ({ linkVersion: eb('linkVersion', '+', 1), updatedAt: new Date() }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}
