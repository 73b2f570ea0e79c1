import { sql, type Kysely, type RawBuilder } from 'kysely';
import { executePrepared } from '../../shared/db/connect.ts';
import type { Database, Interview } from '../../shared/db/schema.ts';
import type { AuditActor } from '../audit/audit-log.ts';
import type { LimitRule } from './rate-limit.ts';

/** The interview as a join sees it, read in the same statement that may claim its seat. */
export type JoinLookup = Interview & {
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
  claim: { identity: string; roomWasOpen: boolean } | undefined;
}

interface StatementRow {
  counters: { key: string; hits: number; windowStart: string }[] | null;
  allowed: boolean;
  found: Record<string, unknown> | null;
  claimedIdentity: string | null;
  claimedRoomWasOpen: boolean | null;
}

const lookupColumns = sql`i.*, co.name as company_name, co.default_phone_region, j.title as job_title,
  c.phone_e164 as candidate_phone`;

/**
 * The whole admission of an ordinary join in one round trip: the rate-limit counters, the lookup, the seat claim
 * and its audit entry. Round trips are what a join costs here (each is a syscall pair on both sides), so the common
 * cases take one. The claim's conditions are a strict subset of what the caller checks afterwards — limits not
 * exceeded, phone, status, window, seat free — so the statement never admits what the caller would refuse; the
 * caller explains every refusal from the lookup, which is read from the statement's snapshot (before the claim).
 *
 * A rejoin is claimed here only when the database can vouch the seat is empty: since the last token was issued the
 * candidate was seen arriving and then leaving. Otherwise (the last token was never seen used, or the candidate is
 * marked present) the claim is left to the caller, which asks LiveKit, so a second device never kicks the first.
 */
export async function runJoinStatement(db: Kysely<Database>, a: JoinAttempt): Promise<JoinStatementResult> {
  const cutoff = new Date(a.now.getTime() - a.windowSeconds * 1000);
  const keys = a.limits.map((l) => l.key);
  const maxima = a.limits.map((l) => l.limit);
  const matches = (alias: string): RawBuilder<boolean> => {
    const t = a.target;
    if (!t) return sql<boolean>`false`;
    return 'roomCode' in t
      ? sql<boolean>`${sql.ref(`${alias}.room_code`)} = ${t.roomCode}::text`
      : sql<boolean>`${sql.ref(`${alias}.id`)} = ${t.interviewId}::uuid and ${sql.ref(`${alias}.link_version`)} = ${t.linkVersion}::int`;
  };
  const details = JSON.stringify({ via: a.via });

  const query = sql<StatementRow>`
    with rl as (
      insert into rate_limits (key, window_start, hits)
      select k, ${a.now}::timestamptz, 1 from unnest(${keys}::text[]) as k
      on conflict (key) do update set
        hits = case when rate_limits.window_start <= ${cutoff}::timestamptz then 1 else rate_limits.hits + 1 end,
        window_start = case when rate_limits.window_start <= ${cutoff}::timestamptz then ${a.now}::timestamptz else rate_limits.window_start end
      returning key, hits, window_start
    ),
    verdict as (
      select coalesce(bool_and(rl.hits <= l.maximum), true) as allowed
      from rl join unnest(${keys}::text[], ${maxima}::int[]) as l(key, maximum) on l.key = rl.key
    ),
    seat as (
      update interviews i set
        candidate_identity = coalesce(i.candidate_identity, ${a.proposedIdentity}::text),
        join_lease_until = ${a.leaseUntil}::timestamptz,
        candidate_display_name = ${a.displayName},
        seat_claimed_at = ${a.now}::timestamptz,
        room_created_at = coalesce(i.room_created_at, ${a.now}::timestamptz),
        agent_dispatched_at = coalesce(i.agent_dispatched_at, ${a.now}::timestamptz),
        updated_at = ${a.now}::timestamptz
      from candidates c
      where ${matches('i')}
        and c.id = i.candidate_id
        and c.phone_e164 = ${a.phone}::text
        and (select allowed from verdict)
        and i.status in ('scheduled', 'in_progress')
        and ${a.now}::timestamptz >= date_trunc('second', i.scheduled_start - ${a.windowBeforeMinutes}::int * interval '1 minute')
        and ${a.now}::timestamptz <= date_trunc('second', i.scheduled_end + ${a.windowAfterMinutes}::int * interval '1 minute')
        and (i.join_lease_until is null or i.join_lease_until <= ${a.now}::timestamptz)
        and (
          i.candidate_identity is null
          or (
            not i.candidate_connected
            and i.room_created_at is not null
            and i.candidate_joined_event_at >= date_trunc('second', i.seat_claimed_at)
            and i.candidate_left_at > i.seat_claimed_at
          )
        )
      returning i.id, i.company_id, i.candidate_identity, (i.room_created_at <> ${a.now}::timestamptz) as room_was_open
    ),
    audit as (
      insert into audit_log (company_id, actor_type, actor_id, action, target_type, target_id, ip, user_agent, details)
      select seat.company_id, ${a.actor.type}::text, ${a.actor.id}::text, 'candidate.join', 'interview', seat.id::text,
        ${a.actor.ip}::text, ${a.actor.userAgent}::text, ${details}::jsonb || jsonb_build_object('identity', seat.candidate_identity)
      from seat
    )
    select
      (select json_agg(json_build_object('key', key, 'hits', hits, 'windowStart', window_start)) from rl) as counters,
      (select allowed from verdict) as allowed,
      (select row_to_json(found) from (
        select ${lookupColumns}
        from interviews i
        join companies co on co.id = i.company_id
        join jobs j on j.id = i.job_id
        join candidates c on c.id = i.candidate_id
        where ${matches('i')}
      ) found) as found,
      (select candidate_identity from seat) as "claimedIdentity",
      (select room_was_open from seat) as "claimedRoomWasOpen"
  `;
  // One SQL text per kind of target, so each can be a prepared statement.
  const variant = !a.target ? 'none' : 'roomCode' in a.target ? 'code' : 'link';
  const [row] = await executePrepared<StatementRow>(db, `join_interview_${variant}`, query.compile(db));
  if (!row) throw new Error('join statement returned no row');
  return {
    counters: (row.counters ?? []).map((c) => ({ key: c.key, hits: c.hits, windowStart: new Date(c.windowStart) })),
    allowed: row.allowed,
    interview: row.found ? reviveLookup(row.found) : undefined,
    claim: row.claimedIdentity
      ? { identity: row.claimedIdentity, roomWasOpen: row.claimedRoomWasOpen === true }
      : undefined,
  };
}

// row_to_json keeps snake_case keys and turns timestamps into strings; give the caller the same shape a Kysely
// select of these columns would.
const timestampColumns = new Set([
  'scheduledStart',
  'scheduledEnd',
  'joinLeaseUntil',
  'roomCreatedAt',
  'startedAt',
  'endedAt',
  'createdAt',
  'updatedAt',
  'agentDispatchedAt',
  'seatClaimedAt',
  'candidateJoinedEventAt',
  'candidateLeftAt',
]);

const camelNames = new Map<string, string>();
const camelName = (key: string) => {
  let name = camelNames.get(key);
  if (name === undefined) {
    name = key.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
    camelNames.set(key, name);
  }
  return name;
};

function reviveLookup(found: Record<string, unknown>): JoinLookup {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(found)) {
    const camel = camelName(key);
    out[camel] = timestampColumns.has(camel) && typeof value === 'string' ? new Date(value) : value;
  }
  return out as JoinLookup;
}
