import { sql, type Kysely } from 'kysely';
import type { AvailabilityConfig, Database, InterviewType, Slot } from '../../shared/db/schema.ts';
import { AppError } from '../http/problem.ts';
import { slotTimesForRule, toLocalIso } from './slot-times.ts';

// Slots: generation from configurations, blocks, conflicts they cause, search and the calendar.

export interface GenerationReport {
  created: number;
  removed: number;
  affectedBookedSlots: Slot[];
  overlapConflicts: number;
}

function horizonEnd(now: Date, weeks: number): Date {
  return new Date(now.getTime() + weeks * 7 * 86_400_000);
}

function desiredSlots(config: AvailabilityConfig, now: Date, horizonWeeks: number) {
  return slotTimesForRule(config, now, horizonEnd(now, horizonWeeks)).map((t) => ({
    companyId: config.companyId,
    configId: config.id,
    interviewType: config.interviewType,
    startsAt: t.startsAt,
    endsAt: t.endsAt,
    timezone: config.timezone,
    capacity: config.capacity,
    settings: JSON.stringify(config.settings),
  }));
}

/**
 * Inserts the slots a configuration wants over the horizon. ON CONFLICT DO NOTHING against the (config, start)
 * unique index makes a second run a no-op, and an existing slot (booked or not) is never modified.
 */
export async function generateSlots(
  trx: Kysely<Database>,
  config: AvailabilityConfig,
  now: Date,
  horizonWeeks: number,
): Promise<number> {
  const rows = desiredSlots(config, now, horizonWeeks);
  let created = 0;
  // Chunks keep the statement under Postgres' parameter limit for long horizons of short slots.
  for (let i = 0; i < rows.length; i += 500) {
    const result = await trx
      .insertInto('slots')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) =>
        oc
          .columns(['configId', 'startsAt'])
          .where('status', '<>', 'orphaned')
          .where('configId', 'is not', null)
          .doNothing(),
      )
      .executeTakeFirst();
    created += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return created;
}

/**
 * Brings a changed configuration's future slots in line with it. Unbooked slots that no longer match are removed;
 * booked ones are kept for their bookings, taken out of booking ("orphaned"), reported and recorded as conflicts.
 * `config` null means the configuration is being deleted.
 */
export async function reconcileConfigSlots(
  trx: Kysely<Database>,
  configId: string,
  config: AvailabilityConfig | null,
  now: Date,
  horizonWeeks: number,
): Promise<GenerationReport> {
  const existing = await trx
    .selectFrom('slots')
    .selectAll()
    .where('configId', '=', configId)
    .where('status', '<>', 'orphaned')
    .where('startsAt', '>=', now)
    .forUpdate()
    .execute();
  const wanted = new Map((config ? desiredSlots(config, now, horizonWeeks) : []).map((s) => [s.startsAt.getTime(), s]));
  const toDelete: string[] = [];
  const toOrphan: Slot[] = [];
  for (const slot of existing) {
    const want = wanted.get(slot.startsAt.getTime());
    if (want && want.endsAt.getTime() === slot.endsAt.getTime() && slot.bookedCount <= want.capacity) {
      // Same time: the slot stays (bookings untouched); capacity and settings follow the configuration.
      await trx
        .updateTable('slots')
        .set({ capacity: want.capacity, settings: want.settings, timezone: want.timezone })
        .where('id', '=', slot.id)
        .execute();
      wanted.delete(slot.startsAt.getTime());
    } else if (slot.bookedCount > 0) toOrphan.push(slot);
    else toDelete.push(slot.id);
  }
  let removed = 0;
  if (toDelete.length) {
    // A slot that once had a (now cancelled) booking is referenced by it: retire it instead of deleting.
    await trx
      .deleteFrom('slots')
      .where('id', 'in', toDelete)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('bookings').select('id').whereRef('bookings.slotId', '=', 'slots.id'))),
      )
      .executeTakeFirst();
    await trx.updateTable('slots').set({ status: 'orphaned' }).where('id', 'in', toDelete).execute();
    removed = toDelete.length;
  }
  const affected: Slot[] = [];
  if (toOrphan.length) {
    const orphaned = await trx
      .updateTable('slots')
      .set({ status: 'orphaned' })
      .where(
        'id',
        'in',
        toOrphan.map((s) => s.id),
      )
      .returningAll()
      .execute();
    affected.push(...orphaned);
    await recordBookingConflicts(
      trx,
      orphaned.map((s) => s.id),
      'booking_on_removed_slot',
      {
        configId,
        change: config ? 'configuration_changed' : 'configuration_deleted',
      },
    );
  }
  let created = 0;
  if (config && wanted.size) {
    const rows = [...wanted.values()];
    for (let i = 0; i < rows.length; i += 500) {
      const result = await trx
        .insertInto('slots')
        .values(rows.slice(i, i + 500))
        .executeTakeFirst();
      created += Number(result.numInsertedOrUpdatedRows ?? 0);
    }
  }
  const companyId = config?.companyId ?? existing[0]?.companyId;
  if (companyId) await applyBlocks(trx, companyId, now);
  const overlapConflicts = config ? await detectOverlaps(trx, config.companyId, config.id, now) : 0;
  return { created, removed, affectedBookedSlots: affected, overlapConflicts };
}

/** Records one conflict per active booking in the given slots; detecting the same thing twice records it once. */
export async function recordBookingConflicts(
  trx: Kysely<Database>,
  slotIds: string[],
  kind: 'booking_on_blocked_slot' | 'booking_on_removed_slot',
  details: Record<string, unknown>,
): Promise<string[]> {
  if (slotIds.length === 0) return [];
  const result = await sql<{ bookingId: string }>`
    insert into scheduling_conflicts (company_id, kind, dedupe_key, slot_id, booking_id, details)
    select b.company_id, ${kind}, ${kind} || ':' || b.id, b.slot_id, b.id, ${JSON.stringify(details)}::jsonb
      from bookings b
     where b.slot_id = any(${slotIds}::uuid[]) and b.status <> 'cancelled'
    on conflict (company_id, dedupe_key) where status = 'open' do nothing
    returning booking_id`.execute(trx);
  return result.rows.map((r) => r.bookingId);
}

/**
 * Marks open future slots that a block covers as blocked. Booked ones are blocked too (no further bookings) and
 * each of their bookings becomes a conflict for HR to rebook, cancel or dismiss.
 */
export async function applyBlocks(
  trx: Kysely<Database>,
  companyId: string,
  now: Date,
): Promise<{ blocked: number; affectedBookings: string[] }> {
  const hit = await sql<{ id: string; bookedCount: number }>`
    update slots s set status = 'blocked'
     where s.company_id = ${companyId} and s.status = 'open' and s.ends_at > ${now}
       and exists (
         select 1 from schedule_blocks b
          where b.company_id = s.company_id
            and (b.slot_id = s.id
                 or (b.slot_id is null
                     and (b.interview_type is null or b.interview_type = s.interview_type)
                     and b.starts_at < s.ends_at and s.starts_at < b.ends_at)))
    returning s.id, s.booked_count`.execute(trx);
  const booked = hit.rows.filter((r) => r.bookedCount > 0).map((r) => r.id);
  const affectedBookings = await recordBookingConflicts(trx, booked, 'booking_on_blocked_slot', {});
  return { blocked: hit.rows.length, affectedBookings };
}

/** After a block is removed: slots no block covers any more are bookable again. */
export async function releaseUnblockedSlots(trx: Kysely<Database>, companyId: string): Promise<number> {
  const result = await sql`
    update slots s set status = 'open'
     where s.company_id = ${companyId} and s.status = 'blocked'
       and not exists (
         select 1 from schedule_blocks b
          where b.company_id = s.company_id
            and (b.slot_id = s.id
                 or (b.slot_id is null
                     and (b.interview_type is null or b.interview_type = s.interview_type)
                     and b.starts_at < s.ends_at and s.starts_at < b.ends_at)))`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Overlapping slots of one company and interview type from different configurations: one conflict per pair of
 * configurations (not per slot pair, which would bury HR), with the count and the first overlap.
 */
export async function detectOverlaps(
  trx: Kysely<Database>,
  companyId: string,
  configId: string,
  now: Date,
): Promise<number> {
  const result = await sql`
    insert into scheduling_conflicts (company_id, kind, dedupe_key, slot_id, details)
    select a.company_id, 'overlapping_slots',
           'overlap:' || least(a.config_id, b.config_id) || ':' || greatest(a.config_id, b.config_id),
           (array_agg(a.id order by a.starts_at))[1],
           jsonb_build_object('configIds', jsonb_build_array(a.config_id, b.config_id), 'overlaps', count(*),
                              'firstOverlapAt', min(greatest(a.starts_at, b.starts_at)))
      from slots a
      join slots b on b.company_id = a.company_id and b.interview_type = a.interview_type
                  and b.config_id <> a.config_id and b.status <> 'orphaned'
                  and a.starts_at < b.ends_at and b.starts_at < a.ends_at
     where a.company_id = ${companyId} and a.config_id = ${configId} and a.status <> 'orphaned' and a.ends_at > ${now}
     group by a.company_id, a.config_id, b.config_id
    on conflict (company_id, dedupe_key) where status = 'open' do nothing`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

// Search.

interface SlotCursor {
  startsAt: string;
  id: string;
}

export function encodeSlotCursor(slot: { startsAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([slot.startsAt.toISOString(), slot.id])).toString('base64url');
}

function decodeSlotCursor(cursor: string): SlotCursor {
  try {
    const [startsAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    if (typeof startsAt !== 'string' || typeof id !== 'string' || Number.isNaN(Date.parse(startsAt))) throw new Error();
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new Error();
    return { startsAt, id };
  } catch {
    throw new AppError('validation_failed', 'The cursor is not one this API issued.', {
      errors: [{ path: 'query.cursor', message: 'Invalid cursor' }],
    });
  }
}

export interface SlotSearch {
  interviewType?: InterviewType;
  from: Date;
  to: Date;
  onlyAvailable: boolean;
  limit: number;
  cursor?: string;
  /** Slots starting before this cannot be booked any more; only applied with onlyAvailable. */
  notBefore?: Date;
}

/** Slots in time order, keyset-paged on (starts_at, id) so pages stay stable while bookings come in. */
export async function searchSlots(db: Kysely<Database>, scope: string | null, search: SlotSearch) {
  let q = db.selectFrom('slots').selectAll().where('startsAt', '>=', search.from).where('startsAt', '<', search.to);
  if (scope) q = q.where('companyId', '=', scope);
  if (search.interviewType) q = q.where('interviewType', '=', search.interviewType);
  if (search.onlyAvailable) {
    q = q.where('status', '=', 'open').whereRef('bookedCount', '<', 'capacity');
    if (search.notBefore) q = q.where('startsAt', '>', search.notBefore);
  } else q = q.where('status', '<>', 'orphaned');
  if (search.cursor) {
    const c = decodeSlotCursor(search.cursor);
    q = q.where(sql<boolean>`(starts_at, id) > (${c.startsAt}::timestamptz, ${c.id}::uuid)`);
  }
  const rows = await q
    .orderBy('startsAt')
    .orderBy('id')
    .limit(search.limit + 1)
    .execute();
  const items = rows.slice(0, search.limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > search.limit && last ? encodeSlotCursor(last) : null };
}

export function slotToApi(slot: Slot, displayZone?: string) {
  const zone = displayZone ?? slot.timezone;
  return {
    ...slot,
    localStart: toLocalIso(slot.startsAt, zone),
    localEnd: toLocalIso(slot.endsAt, zone),
    timezone: zone,
    booked: slot.bookedCount,
    available: slot.status === 'open' ? slot.capacity - slot.bookedCount : 0,
  };
}

export async function findSlot(db: Kysely<Database>, scope: string | null, id: string) {
  let q = db.selectFrom('slots').selectAll().where('id', '=', id);
  if (scope) q = q.where('companyId', '=', scope);
  return q.executeTakeFirst();
}

/** Bookings and free capacity per local day or ISO week, grouped by Postgres in the company's timezone. */
export async function calendar(
  db: Kysely<Database>,
  companyId: string,
  range: { from: Date; until: Date },
  zone: string,
  by: 'day' | 'week',
  interviewType?: InterviewType,
) {
  const result = await sql<{ start: string; slots: string; capacity: string; booked: string; free: string }>`
    select to_char(date_trunc(${by}, starts_at at time zone ${zone}), 'YYYY-MM-DD') as start,
           count(*) as slots, sum(capacity) as capacity, sum(booked_count) as booked,
           sum(case when status = 'open' then capacity - booked_count else 0 end) as free
      from slots
     where company_id = ${companyId} and starts_at >= ${range.from} and starts_at < ${range.until}
       and status <> 'orphaned'
       ${interviewType ? sql`and interview_type = ${interviewType}` : sql``}
     group by 1
     order by 1`.execute(db);
  return result.rows.map((r) => ({
    start: r.start,
    slots: Number(r.slots),
    capacity: Number(r.capacity),
    booked: Number(r.booked),
    free: Number(r.free),
  }));
}
