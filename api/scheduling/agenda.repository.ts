import type { Kysely } from 'kysely';
import type { Database, Slot } from '../../shared/db/schema.ts';
import { slotToApi } from './slots.repository.ts';

// A range of the company's schedule as a calendar draws it: slots, active bookings with who and for what, and the
// open conflicts that touch them. Conflicts are the API's own rows (scheduling_conflicts); this only says which
// slots and bookings each one concerns, so every client marks the same items.

/** A calendar asks for days, not for everything: more slots than this in a range is reported as truncated. */
const maxSlots = 5_000;

interface PairConflict {
  id: string;
  configIds: [string, string];
}

const pairKey = (a: string, b: string) => (a < b ? `${a}:${b}` : `${b}:${a}`);

/**
 * Which slots of the range overlap a slot of another configuration whose overlap is an open conflict. The API
 * records an overlap once per pair of configurations (not per slot); the range's slots are swept in time order to
 * find the slots it concerns.
 */
function overlapConflictsBySlot(slots: Slot[], conflicts: PairConflict[]): Map<string, Set<string>> {
  const byPair = new Map(conflicts.map((c) => [pairKey(c.configIds[0], c.configIds[1]), c.id]));
  const found = new Map<string, Set<string>>();
  const mark = (slotId: string, conflictId: string) => {
    const set = found.get(slotId) ?? new Set<string>();
    set.add(conflictId);
    found.set(slotId, set);
  };
  if (byPair.size === 0) return found;
  const live = slots.filter((s) => s.configId && s.status !== 'orphaned');
  for (let i = 0; i < live.length; i++) {
    const a = live[i]!;
    for (let j = i + 1; j < live.length && live[j]!.startsAt < a.endsAt; j++) {
      const b = live[j]!;
      if (b.interviewType !== a.interviewType || b.configId === a.configId) continue;
      const conflictId = byPair.get(pairKey(a.configId!, b.configId!));
      if (!conflictId) continue;
      mark(a.id, conflictId);
      mark(b.id, conflictId);
    }
  }
  return found;
}

export async function agenda(
  db: Kysely<Database>,
  companyId: string,
  range: { from: Date; until: Date },
  zone: string,
) {
  const slotRows = await db
    .selectFrom('slots')
    .selectAll()
    .where('companyId', '=', companyId)
    .where('startsAt', '>=', range.from)
    .where('startsAt', '<', range.until)
    // A removed slot still holding a booking is where that booking sits; without one it is history.
    .where((eb) => eb.or([eb('status', '<>', 'orphaned'), eb('bookedCount', '>', 0)]))
    .orderBy('startsAt')
    .orderBy('id')
    .limit(maxSlots + 1)
    .execute();
  const slots = slotRows.slice(0, maxSlots);

  const bookings = await db
    .selectFrom('bookings')
    .innerJoin('interviews', 'interviews.id', 'bookings.interviewId')
    .innerJoin('candidates', 'candidates.id', 'bookings.candidateId')
    .innerJoin('jobs', 'jobs.id', 'bookings.jobId')
    .selectAll('bookings')
    .select([
      'interviews.scheduledStart as startsAt',
      'interviews.scheduledEnd as endsAt',
      'interviews.status as interviewStatus',
      'candidates.firstName',
      'candidates.lastName',
      'jobs.title as jobTitle',
    ])
    .where('bookings.companyId', '=', companyId)
    .where('bookings.status', '<>', 'cancelled')
    .where('interviews.scheduledStart', '>=', range.from)
    .where('interviews.scheduledStart', '<', range.until)
    .orderBy('interviews.scheduledStart')
    .orderBy('bookings.id')
    .execute();

  const bookingIds = bookings.map((b) => b.id);
  const open = await db
    .selectFrom('schedulingConflicts')
    .selectAll()
    .where('companyId', '=', companyId)
    .where('status', '=', 'open')
    .where((eb) =>
      eb.or([eb('kind', '=', 'overlapping_slots'), ...(bookingIds.length ? [eb('bookingId', 'in', bookingIds)] : [])]),
    )
    .orderBy('createdAt')
    .execute();

  const pairs: PairConflict[] = open.flatMap((c) => {
    const ids = c.details.configIds;
    return c.kind === 'overlapping_slots' && Array.isArray(ids) && ids.length === 2
      ? [{ id: c.id, configIds: [String(ids[0]), String(ids[1])] as [string, string] }]
      : [];
  });
  const bySlot = overlapConflictsBySlot(slots, pairs);
  const byBooking = new Map<string, Set<string>>();
  for (const c of open) {
    if (!c.bookingId) continue;
    byBooking.set(c.bookingId, (byBooking.get(c.bookingId) ?? new Set()).add(c.id));
    // The slot holding a conflicted booking shows it too: that is where HR looks.
    if (c.slotId) bySlot.set(c.slotId, (bySlot.get(c.slotId) ?? new Set()).add(c.id));
  }
  // A booking in a slot that overlaps another configuration's is double-booked time.
  for (const b of bookings) {
    for (const id of bySlot.get(b.slotId) ?? []) byBooking.set(b.id, (byBooking.get(b.id) ?? new Set()).add(id));
  }
  const used = new Set([...bySlot.values(), ...byBooking.values()].flatMap((set) => [...set]));

  return {
    slots: slots.map((s) => ({ ...slotToApi(s, zone), conflictIds: [...(bySlot.get(s.id) ?? [])] })),
    bookings: bookings.map(({ firstName, lastName, ...b }) => ({
      ...b,
      candidateName: `${firstName} ${lastName}`.trim(),
      conflictIds: [...(byBooking.get(b.id) ?? [])],
    })),
    conflicts: open.filter((c) => used.has(c.id)),
    truncated: slotRows.length > maxSlots,
  };
}
