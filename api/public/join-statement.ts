import { CompiledQuery, type Kysely } from 'kysely';
import { executePrepared } from '../../shared/db/connect.ts';
import type { Database, Interview } from '../../shared/db/schema.ts';
import type { AuditActor } from '../audit/audit-log.ts';
import type { LimitRule } from './rate-limit.ts';

/** The interview as a join sees it, read in the same statement that may claim its seat: what the join answers with. */
export type JoinLookup = Pick<
  Interview,
  | 'id'
  | 'companyId'
  | 'status'
  | 'type'
  | 'maxDurationMinutes'
  | 'instructions'
  | 'language'
  | 'scheduledStart'
  | 'scheduledEnd'
  | 'roomCode'
  | 'roomName'
  | 'joinLeaseUntil'
  | 'agentDispatchedAt'
> & {
  companyName: string;
  defaultPhoneRegion: string;
  jobTitle: string;
  candidatePhone: string;
};

export interface JoinAttempt {
  /** Which interview: by room code, or by the id and current version a signed link names; none if unresolvable. */
  target: { roomCode: string } | { interviewId: string; linkVersion: number } | null;
  /** The phone in E.164, when it could be normalised without the company's region. */
  phone: string | null;
  /** The phone in E.164 read with the deployment's default region: only to recognise the invited candidate. */
  phoneGuess: string | null;
  limits: LimitRule[];
  windowSeconds: number;
  windowBeforeMinutes: number;
  windowAfterMinutes: number;
  leaseUntil: Date;
  proposedIdentity: string;
  displayName: string;
  now: Date;
  actor: AuditActor;
  via: 'code' | 'link';
}

export interface JoinStatementResult {
  counters: { key: string; hits: number; windowStart: Date }[];
  allowed: boolean;
  interview: JoinLookup | undefined;
  /** Set when the statement claimed the seat: the identity to admit, and whether the room was already open. */
  /**
   * The seat, when this join claimed it. A room not yet open is marked open with its interviewer dispatched, for
   * the caller to open; an open room whose interviewer left (the candidate did not arrive in time) is marked
   * dispatched, for the caller to dispatch.
   */
  claim: { identity: string; roomWasOpen: boolean; agentWasDispatched: boolean } | undefined;
}

interface StatementRow {
  ord: number;
  counters: { key: string; hits: number; windowStart: string }[] | null;
  allowed: boolean;
  found: Record<string, unknown> | null;
  claimedIdentity: string | null;
  claimedRoomWasOpen: boolean | null;
  claimedAgentWasDispatched: boolean | null;
}

/**
 * The whole admission of ordinary joins in one round trip: the rate-limit counters, the lookup, the seat claim and
 * its audit entry, for every join waiting at that moment. A round trip is what a join costs here (a syscall pair on
 * both sides and a wake-up of the other process), so joins that arrive together share one.
 *
 * Within a batch, attempts are counted as if they came one after another in batch order: each sees the hits before
 * it plus its own, so a limit refuses exactly the attempts it would have refused one by one. Of several attempts on
 * the same interview only the first may claim its seat; the others find it held, as they would have in sequence.
 *
 * The claim's conditions are a strict subset of what the caller checks afterwards — limits not exceeded, phone,
 * status, window, seat free — so the statement never admits what the caller would refuse; the caller explains every
 * refusal from the lookup, which is read from the statement's snapshot (before the claim).
 *
 * A rejoin is claimed here only when the database can vouch the seat is empty: since the last token was issued the
 * candidate was seen arriving and then leaving. Otherwise (the last token was never seen used, or the candidate is
 * marked present) the claim is left to the caller, which asks LiveKit, so a second device never kicks the first.
 *
 * Parameters are arrays, one element per attempt (and per attempt's limit), so the text never changes with the
 * batch's size and stays one prepared statement.
 */
const joinBatchSql = `
  with attempt as (
    select * from unnest(
      $1::int[], $2::text[], $3::uuid[], $4::int[], $5::text[], $6::timestamptz[], $7::timestamptz[],
      $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $21::text[]
    ) as a(ord, room_code, interview_id, link_version, phone, at, lease_until,
      identity, display_name, actor_type, actor_id, ip, user_agent, via, phone_guess)
  ),
  wanted as (
    select l.ord, l.key, l.maximum, l.spares_invited, a.at,
      row_number() over (partition by l.key order by l.ord) as rank
    from unnest($15::int[], $16::text[], $17::int[], $22::bool[]) as l(ord, key, maximum, spares_invited)
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
      hits = case when rate_limits.window_start <= excluded.window_start - $18::int * interval '1 second'
        then excluded.hits else rate_limits.hits + excluded.hits end,
      window_start = case when rate_limits.window_start <= excluded.window_start - $18::int * interval '1 second'
        then excluded.window_start else rate_limits.window_start end
    returning key, hits, window_start
  ),
  counted as (
    select w.ord, w.key, w.maximum, w.spares_invited, (rl.hits - pk.n + w.rank)::int as hits, rl.window_start
    from wanted w join per_key pk on pk.key = w.key join rl on rl.key = w.key
  ),
  target as (
    select a.ord, i.id from attempt a join interviews i on i.room_code = a.room_code
    union all
    select a.ord, i.id from attempt a join interviews i on i.id = a.interview_id and i.link_version = a.link_version
  ),
  -- Attempts made with the invited candidate's own phone: strangers' guesses cannot lock them out of their code.
  invited as (
    select t.ord from target t
    join attempt a on a.ord = t.ord
    join interviews i on i.id = t.id
    join candidates c on c.id = i.candidate_id
    where c.phone_e164 = coalesce(a.phone, a.phone_guess)
  ),
  verdict as (
    select a.ord,
      coalesce(bool_and(c.hits <= c.maximum or (c.spares_invited and a.ord in (select ord from invited))), true)
        as allowed,
      json_agg(json_build_object('key', c.key, 'hits', c.hits, 'windowStart', c.window_start))
        filter (where c.key is not null) as counters
    from attempt a left join counted c on c.ord = a.ord
    group by a.ord
  ),
  contender as (
    select distinct on (t.id) t.id, a.*
    from target t
    join attempt a on a.ord = t.ord
    join verdict v on v.ord = t.ord and v.allowed
    order by t.id, t.ord
  ),
  seat as (
    update interviews i set
      candidate_identity = coalesce(i.candidate_identity, w.identity),
      join_lease_until = w.lease_until,
      candidate_display_name = w.display_name,
      seat_claimed_at = w.at,
      room_created_at = coalesce(i.room_created_at, w.at),
      agent_dispatched_at = coalesce(i.agent_dispatched_at, w.at),
      updated_at = w.at
    from contender w, candidates c
    where i.id = w.id
      and c.id = i.candidate_id
      and c.phone_e164 = w.phone
      and i.status in ('scheduled', 'in_progress')
      and w.at >= date_trunc('second', i.scheduled_start - $19::int * interval '1 minute')
      and w.at <= date_trunc('second', i.scheduled_end + $20::int * interval '1 minute')
      and (i.join_lease_until is null or i.join_lease_until <= w.at)
      and (
        i.candidate_identity is null
        or (
          not i.candidate_connected
          and i.room_created_at is not null
          and i.candidate_joined_event_at >= date_trunc('second', i.seat_claimed_at)
          and i.candidate_left_at > i.seat_claimed_at
        )
      )
    returning w.ord, i.id, i.company_id, i.candidate_identity, (i.room_created_at <> w.at) as room_was_open,
      (i.agent_dispatched_at <> w.at) as agent_was_dispatched
  ),
  audit as (
    insert into audit_log (company_id, actor_type, actor_id, action, target_type, target_id, ip, user_agent, details)
    select seat.company_id, a.actor_type, a.actor_id, 'candidate.join', 'interview', seat.id::text, a.ip, a.user_agent,
      jsonb_build_object('via', a.via, 'identity', seat.candidate_identity)
    from seat join attempt a on a.ord = seat.ord
  )
  select a.ord, v.allowed, v.counters,
    (select row_to_json(found) from (
      select i.id, i.company_id as "companyId", i.status, i.type, i.max_duration_minutes as "maxDurationMinutes",
        i.instructions, i.language, i.scheduled_start as "scheduledStart", i.scheduled_end as "scheduledEnd",
        i.room_code as "roomCode", i.room_name as "roomName", i.join_lease_until as "joinLeaseUntil",
        i.agent_dispatched_at as "agentDispatchedAt", co.name as "companyName",
        co.default_phone_region as "defaultPhoneRegion", j.title as "jobTitle", c.phone_e164 as "candidatePhone"
      from target t
      join interviews i on i.id = t.id
      join companies co on co.id = i.company_id
      join jobs j on j.id = i.job_id
      join candidates c on c.id = i.candidate_id
      where t.ord = a.ord
      limit 1
    ) found) as found,
    seat.candidate_identity as "claimedIdentity",
    seat.room_was_open as "claimedRoomWasOpen",
    seat.agent_was_dispatched as "claimedAgentWasDispatched"
  from attempt a
  join verdict v on v.ord = a.ord
  left join seat on seat.ord = a.ord
`;

/** Runs one batch as one statement; the rows come back keyed by the attempt's position. */
async function runBatch(db: Kysely<Database>, attempts: JoinAttempt[]): Promise<JoinStatementResult[]> {
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
    column((a) => a.leaseUntil.toISOString()),
    column((a) => a.proposedIdentity),
    column((a) => a.displayName),
    column((a) => a.actor.type),
    column((a) => a.actor.id),
    column((a) => a.actor.ip),
    column((a) => a.actor.userAgent),
    column((a) => a.via),
    limitOrd,
    limitKey,
    limitMax,
    first!.windowSeconds,
    first!.windowBeforeMinutes,
    first!.windowAfterMinutes,
    column((a) => a.phoneGuess),
    limitSpares,
  ];
  const rows = await executePrepared<StatementRow>(db, 'join_interviews', CompiledQuery.raw(joinBatchSql, parameters));
  if (rows.length !== attempts.length) throw new Error('join statement returned a row count unlike its attempts');
  const results: JoinStatementResult[] = new Array(attempts.length);
  for (const row of rows) {
    results[row.ord] = {
      counters: (row.counters ?? []).map((c) => ({ key: c.key, hits: c.hits, windowStart: new Date(c.windowStart) })),
      allowed: row.allowed,
      interview: row.found ? reviveLookup(row.found) : undefined,
      claim: row.claimedIdentity
        ? {
            identity: row.claimedIdentity,
            roomWasOpen: row.claimedRoomWasOpen === true,
            agentWasDispatched: row.claimedAgentWasDispatched === true,
          }
        : undefined,
    };
  }
  return results;
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
  resolve: (result: JoinStatementResult) => void;
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
    new Promise<JoinStatementResult>((resolve, reject) => {
      // The window settings are the statement's scalars; attempts under different settings go in different batches.
      const key = `${attempt.windowSeconds}/${attempt.windowBeforeMinutes}/${attempt.windowAfterMinutes}`;
      let queue = queues.get(key);
      if (!queue) queues.set(key, (queue = []));
      queue.push({ attempt, resolve, reject });
      schedule();
    });
}

const batchers = new WeakMap<Kysely<Database>, (attempt: JoinAttempt) => Promise<JoinStatementResult>>();

/** Admits (or explains) one join; it shares its statement with whatever other joins are waiting at that moment. */
export function runJoinStatement(db: Kysely<Database>, attempt: JoinAttempt): Promise<JoinStatementResult> {
  let batcher = batchers.get(db);
  if (!batcher) batchers.set(db, (batcher = createBatcher(db)));
  return batcher(attempt);
}

// row_to_json turns timestamps into strings; give the caller the Dates a Kysely select of these columns would.
function reviveLookup(found: Record<string, unknown>): JoinLookup {
  const at = (value: unknown) => (typeof value === 'string' ? new Date(value) : null);
  return {
    ...found,
    scheduledStart: at(found.scheduledStart),
    scheduledEnd: at(found.scheduledEnd),
    joinLeaseUntil: at(found.joinLeaseUntil),
    agentDispatchedAt: at(found.agentDispatchedAt),
  } as JoinLookup;
}
