import { CompiledQuery, type Kysely } from 'kysely';
import { executePrepared } from '../../shared/db/connect.ts';
import type { Database, Interview } from '../../shared/db/schema.ts';
import { seatClaimSql, seatFreeSql } from '../../shared/interview-lifecycle.ts';
import type { AuditActor } from '../audit/audit-log.ts';
import { joinWindowSql } from '../interviews/join-window.ts';
import type { LimitRule } from './rate-limit.ts';

export interface JoinAttempt {
  /** Which interview: by room code, or by the id and current version a signed link names; none if unresolvable. */
  target: { roomCode: string } | { interviewId: string; linkVersion: number } | null;
  /** The phone in E.164, or null when it is not a valid number. */
  phone: string | null;
  limits: LimitRule[];
  windowSeconds: number;
  windowBeforeMinutes: number;
  windowAfterMinutes: number;
  /** How long a new token holds the seat (shared/interview-lifecycle.ts, the seat). */
  connectGraceSeconds: number;
  proposedIdentity: string;
  now: Date;
  actor: AuditActor;
  via: 'code' | 'link';
}

/** What the join answers with, read in the statement that claimed the seat. */
export type JoinedInterview = Pick<
  Interview,
  'id' | 'companyId' | 'roomName' | 'type' | 'language' | 'instructions' | 'maxDurationMinutes'
> & {
  companyName: string;
  jobTitle: string;
  /** Set once the interview started: the candidate's page counts down to it after a reload. */
  deadlineAt: string | null;
  /** HR's name for the candidate, the display name when a rejoin does not ask for it again. */
  candidateName: string;
  contactEmail: string | null;
  typedAnswersAllowed: boolean;
};

/** The seat this join claimed: the identity to admit, and what the seat held before, to give it back. */
export interface Claim {
  interview: JoinedInterview;
  identity: string;
  claimedAt: Date;
  previousSeat: Date | null;
  roomWasOpen: boolean;
}

/**
 * The statement's verdict on one join; the caller only turns it into an answer.
 * - limited: a rate limit refused it (the invited candidate's own phone passes the per-code limit);
 * - no_match: no open interview for this reference and phone (unknown, wrong phone, over, or its window closed);
 * - not_open_yet: the right phone, before the window opens;
 * - seat_held: a token issued moments ago holds the seat;
 * - admitted: the seat was free and is claimed. A room not open yet is marked open with its interviewer
 *   dispatched, for the caller to open; an open room whose interviewer left is marked dispatched, to dispatch;
 * - check_presence: the seat is claimed, but the candidate may still be connected: LiveKit must say not before
 *   the token is issued.
 */
export type JoinVerdict =
  | { kind: 'limited'; retryAfterSeconds: number }
  | { kind: 'no_match' }
  | { kind: 'not_open_yet'; opensAt: Date; retryAfterSeconds: number }
  | { kind: 'seat_held'; retryAfterSeconds: number }
  | ({ kind: 'admitted'; agentWasDispatched: boolean; previousDispatch: Date | null } & Claim)
  | ({ kind: 'check_presence' } & Claim);

interface StatementRow {
  ord: number;
  verdict: JoinVerdict['kind'];
  retryAfter: number | null;
  opensAt: Date | null;
  identity: string | null;
  claimedAt: Date | null;
  previousSeat: Date | null;
  previousDispatch: Date | null;
  roomWasOpen: boolean | null;
  agentWasDispatched: boolean | null;
  interview: JoinedInterview | null;
}

const windowBounds = joinWindowSql('i.scheduled_start', 'i.scheduled_end', '$18::int', '$19::int');

/**
 * The admission of every join, in one round trip: the rate-limit counters, the lookup, the rules, the seat claim
 * and its audit entry, for every join waiting at that moment. The statement decides; its verdict per join (see
 * JoinVerdict) is the whole answer, and nothing after it re-checks a rule. A round trip is what a join costs here
 * (a syscall pair on both sides and a wake-up of the other process), so joins that arrive together share one.
 *
 * Within a batch, attempts are counted as if they came one after another in batch order: each sees the hits before
 * it plus its own, so a limit refuses exactly the attempts it would have refused one by one. Of several attempts on
 * the same interview only the first the rules admit may claim its seat; the others find it held, as they would
 * have in sequence. The seat's own rules and its write are the lifecycle module's (seatClaimSql).
 *
 * Parameters are arrays, one element per attempt (and per attempt's limit), so the text never changes with the
 * batch's size and stays one prepared statement.
 */
const joinBatchSql = `
  with attempt as (
    select * from unnest(
      $1::int[], $2::text[], $3::uuid[], $4::int[], $5::text[], $6::timestamptz[], $7::text[],
      $8::text[], $9::text[], $10::text[], $11::text[], $12::text[]
    ) as a(ord, room_code, interview_id, link_version, phone, at, identity, actor_type, actor_id, ip, user_agent, via)
  ),
  wanted as (
    select l.ord, l.key, l.maximum, l.spares_invited, a.at,
      row_number() over (partition by l.key order by l.ord) as rank
    from unnest($13::int[], $14::text[], $15::int[], $16::bool[]) as l(ord, key, maximum, spares_invited)
    join attempt a on a.ord = l.ord
  ),
  per_key as (
    select key, count(*)::int as n, min(at) as at from wanted group by key
  ),
  rl as (
    -- Rows locked in key order, so two batches sharing keys wait for each other instead of deadlocking.
    insert into rate_limits (key, window_start, hits)
    select key, at, n from per_key order by key
    on conflict (key) do update set
      hits = case when rate_limits.window_start <= excluded.window_start - $17::int * interval '1 second'
        then excluded.hits else rate_limits.hits + excluded.hits end,
      window_start = case when rate_limits.window_start <= excluded.window_start - $17::int * interval '1 second'
        then excluded.window_start else rate_limits.window_start end
    returning key, hits, window_start
  ),
  counted as (
    select w.ord, w.maximum, w.spares_invited, (rl.hits - pk.n + w.rank)::int as hits, rl.window_start
    from wanted w join per_key pk on pk.key = w.key join rl on rl.key = w.key
  ),
  target as (
    select a.ord, i.id from attempt a join interviews i on i.room_code = a.room_code
    union all
    select a.ord, i.id from attempt a join interviews i on i.id = a.interview_id and i.link_version = a.link_version
  ),
  found as (
    select t.ord, i.id, i.status, coalesce(c.phone_e164 = a.phone, false) as invited,
      ${windowBounds.opensAt} as opens_at, ${windowBounds.closesAt} as closes_at,
      ${seatFreeSql('i')} as free, i.seat_claimed_at,
      json_build_object(
        'id', i.id, 'companyId', i.company_id, 'roomName', i.room_name, 'type', i.type, 'language', i.language,
        'instructions', i.instructions, 'maxDurationMinutes', i.max_duration_minutes, 'companyName', co.name,
        'jobTitle', jb.title, 'deadlineAt', i.deadline_at, 'candidateName', c.first_name || ' ' || c.last_name,
        'contactEmail', (select ss.reply_to from scheduling_settings ss where ss.company_id = co.id),
        'typedAnswersAllowed', co.allow_typed_interviews
      ) as facts
    from target t
    join attempt a on a.ord = t.ord
    join interviews i on i.id = t.id
    join candidates c on c.id = i.candidate_id
    join companies co on co.id = i.company_id
    join jobs jb on jb.id = i.job_id
  ),
  -- A limit refuses unless it spares the invited candidate's own phone: strangers cannot lock them out of their code.
  refused as (
    select c.ord, max(c.window_start + $17::int * interval '1 second') as resets_at
    from counted c left join found f on f.ord = c.ord
    where c.hits > c.maximum and not (c.spares_invited and coalesce(f.invited, false))
    group by c.ord
  ),
  -- The order of the answers: the limit first (a limited request learns nothing), then one answer for every way
  -- of not matching (so nobody can probe who is invited), then the window.
  judged as (
    select a.ord, a.at, f.id, f.opens_at, f.free, f.seat_claimed_at, r.resets_at,
      case
        when r.ord is not null then 'limited'
        when f.id is null or not f.invited or f.status not in ('scheduled', 'in_progress') then 'no_match'
        when a.at < f.opens_at then 'not_open_yet'
        when a.at > f.closes_at then 'no_match'
        else 'open'
      end as outcome
    from attempt a
    left join refused r on r.ord = a.ord
    left join found f on f.ord = a.ord
  ),
  claimant as (
    select distinct on (j.id) j.id, j.ord, a.at, a.identity, $20::int as grace_seconds, j.free, j.seat_claimed_at
    from judged j join attempt a on a.ord = j.ord
    where j.outcome = 'open'
    order by j.id, j.ord
  ),
  ${seatClaimSql.trim()},
  -- A seat claimed on LiveKit's word is audited by the caller, once LiveKit has given it.
  audit as (
    insert into audit_log (company_id, actor_type, actor_id, action, target_type, target_id, ip, user_agent, details)
    select (f.facts->>'companyId')::uuid, a.actor_type, a.actor_id, 'candidate.join', 'interview', seat.id::text, a.ip,
      a.user_agent, jsonb_build_object('via', a.via, 'identity', seat.identity)
    from seat join attempt a on a.ord = seat.ord join found f on f.ord = seat.ord
    where seat.free
  )
  select j.ord,
    case
      when j.outcome <> 'open' then j.outcome
      when s.ord is not null then case when s.free then 'admitted' else 'check_presence' end
      -- Held, by a claim earlier in this batch or before it; or changed since the snapshot: asked again in a second.
      else 'seat_held'
    end as verdict,
    ceil(extract(epoch from case
      when j.outcome = 'limited' then j.resets_at - j.at
      when j.outcome = 'not_open_yet' then j.opens_at - j.at
      when j.outcome = 'open' and s.ord is null then
        coalesce(held.at, j.seat_claimed_at) + $20::int * interval '1 second' - j.at
    end))::int as "retryAfter",
    case when j.outcome = 'not_open_yet' then j.opens_at end as "opensAt",
    s.identity, s.at as "claimedAt", s.previous_seat as "previousSeat", s.previous_dispatch as "previousDispatch",
    s.room_was_open as "roomWasOpen", s.agent_was_dispatched as "agentWasDispatched",
    case when s.ord is not null then f.facts end as interview
  from judged j
  left join seat s on s.ord = j.ord
  left join seat held on held.id = j.id
  left join found f on f.ord = j.ord
`;

/** Runs one batch as one statement; the rows come back keyed by the attempt's position. */
async function runBatch(db: Kysely<Database>, attempts: JoinAttempt[]): Promise<JoinVerdict[]> {
  const [first] = attempts;
  const column = <T>(pick: (a: JoinAttempt, ord: number) => T) => attempts.map((a, ord) => pick(a, ord));
  const limitOrd: number[] = [];
  const limitKey: string[] = [];
  const limitMax: number[] = [];
  const limitSpares: boolean[] = [];
  attempts.forEach((a, ord) => {
    for (const l of a.limits) {
      limitOrd.push(ord);
      limitKey.push(l.key);
      limitMax.push(l.limit);
      limitSpares.push(l.sparesInvited === true);
    }
  });
  const parameters = [
    column((_, ord) => ord),
    column((a) => (a.target && 'roomCode' in a.target ? a.target.roomCode : null)),
    column((a) => (a.target && 'interviewId' in a.target ? a.target.interviewId : null)),
    column((a) => (a.target && 'interviewId' in a.target ? a.target.linkVersion : null)),
    column((a) => a.phone),
    column((a) => a.now.toISOString()),
    column((a) => a.proposedIdentity),
    column((a) => a.actor.type),
    column((a) => a.actor.id),
    column((a) => a.actor.ip),
    column((a) => a.actor.userAgent),
    column((a) => a.via),
    limitOrd,
    limitKey,
    limitMax,
    limitSpares,
    first!.windowSeconds,
    first!.windowBeforeMinutes,
    first!.windowAfterMinutes,
    first!.connectGraceSeconds,
  ];
  const rows = await executePrepared<StatementRow>(db, 'join_interviews', CompiledQuery.raw(joinBatchSql, parameters));
  if (rows.length !== attempts.length) throw new Error('join statement returned a row count unlike its attempts');
  const results: JoinVerdict[] = new Array(attempts.length);
  for (const row of rows) results[row.ord] = verdictOf(row);
  return results;
}

function verdictOf(row: StatementRow): JoinVerdict {
  // Never less than a second: a Retry-After of 0 invites an immediate retry that gets the same answer.
  const retryAfterSeconds = Math.max(1, row.retryAfter ?? 1);
  switch (row.verdict) {
    case 'limited':
    case 'seat_held':
      return { kind: row.verdict, retryAfterSeconds };
    case 'not_open_yet':
      return { kind: 'not_open_yet', opensAt: row.opensAt!, retryAfterSeconds };
    case 'no_match':
      return { kind: 'no_match' };
    case 'admitted':
    case 'check_presence': {
      const claim: Claim = {
        interview: row.interview!,
        identity: row.identity!,
        claimedAt: row.claimedAt!,
        previousSeat: row.previousSeat,
        roomWasOpen: row.roomWasOpen === true,
      };
      return row.verdict === 'admitted'
        ? { kind: 'admitted', ...claim, agentWasDispatched: row.agentWasDispatched === true, previousDispatch: row.previousDispatch }
        : { kind: 'check_presence', ...claim };
    }
  }
}

const sqlState = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
};

// Postgres aborts one of two transactions that wait on each other; the statement is all-or-nothing, so it can rerun.
const retryable = (error: unknown) => ['40P01', '40001'].includes(sqlState(error));

// A value Postgres refuses (data exception, class 22, or a constraint, class 23) belongs to one attempt; anything
// else (the database unreachable, say) would fail each attempt alone just the same.
const causedByOneAttempt = (error: unknown) => /^2[23]/.test(sqlState(error));

async function runBatchWithRetry(db: Kysely<Database>, attempts: JoinAttempt[]) {
  for (let tries = 1; ; tries++) {
    try {
      return await runBatch(db, attempts);
    } catch (error) {
      if (!retryable(error) || tries >= 3) throw error;
    }
  }
}

interface Waiting {
  attempt: JoinAttempt;
  resolve: (result: JoinVerdict) => void;
  reject: (error: unknown) => void;
}

// Statements in flight at once per database. Two: while one runs, joins gather into the next, and one statement
// stuck on a row lock doesn't hold up every join. More only split the joins into smaller batches that then wait on
// each other's rate-limit rows (bench/join.ts, all joins from one address: 1–2 in flight ~3,700–4,500 req/s,
// 4 ~3,500–3,900, 8 ~3,000–3,300). Batches are capped so a burst can't build one huge statement.
const maxInFlight = 2;
const maxBatch = 64;

function createBatcher(db: Kysely<Database>) {
  const queues = new Map<string, Waiting[]>();
  let inFlight = 0;
  let scheduled = false;

  const schedule = () => {
    if (scheduled || inFlight >= maxInFlight || queues.size === 0) return;
    scheduled = true;
    // After the current I/O phase: every request read in it joins this batch.
    setImmediate(flush);
  };

  function flush() {
    scheduled = false;
    for (const [key, queue] of queues) {
      while (queue.length > 0 && inFlight < maxInFlight) {
        const batch = queue.splice(0, maxBatch);
        inFlight++;
        void settle(batch).finally(() => {
          inFlight--;
          schedule();
        });
      }
      if (queue.length === 0) queues.delete(key);
      if (inFlight >= maxInFlight) break;
    }
  }

  async function settle(batch: Waiting[]) {
    try {
      const results = await runBatchWithRetry(
        db,
        batch.map((w) => w.attempt),
      );
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (error) {
      if (batch.length === 1 || !causedByOneAttempt(error)) {
        for (const w of batch) w.reject(error);
        return;
      }
      // One attempt's bad value must not fail the joins it happened to share a statement with: run each alone.
      await Promise.all(
        batch.map((w) =>
          runBatchWithRetry(db, [w.attempt]).then(
            ([result]) => w.resolve(result!),
            (alone: unknown) => w.reject(alone),
          ),
        ),
      );
    }
  }

  return (attempt: JoinAttempt) =>
    new Promise<JoinVerdict>((resolve, reject) => {
      // The settings are the statement's scalars; attempts under different settings go in different batches.
      const key = `${attempt.windowSeconds}/${attempt.windowBeforeMinutes}/${attempt.windowAfterMinutes}/${attempt.connectGraceSeconds}`;
      let queue = queues.get(key);
      if (!queue) queues.set(key, (queue = []));
      queue.push({ attempt, resolve, reject });
      schedule();
    });
}

const batchers = new WeakMap<Kysely<Database>, (attempt: JoinAttempt) => Promise<JoinVerdict>>();

/** Admits (or explains) one join; it shares its statement with whatever other joins are waiting at that moment. */
export function runJoinStatement(db: Kysely<Database>, attempt: JoinAttempt): Promise<JoinVerdict> {
  let batcher = batchers.get(db);
  if (!batcher) batchers.set(db, (batcher = createBatcher(db)));
  return batcher(attempt);
}
