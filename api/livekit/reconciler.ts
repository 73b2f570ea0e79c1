import type { AppDeps } from '../deps.ts';
import { startJobRunner, type PeriodicDefinition } from '../jobs/runner.ts';
import { pruneRateLimits } from '../public/rate-limit.ts';
import { candidateArrived, candidateLeft } from '../../shared/interview-lifecycle.ts';
import { closeInterview, dispatchInterviewer } from './interview-lifecycle.ts';

export interface ReconcileReport {
  expired: number;
  maxDuration: number;
  lostRooms: number;
  orphanRoomsDeleted: number;
  joinsHealed: number;
  agentsRedispatched: number;
}

/** A room opened moments ago may not be listed yet; LiveKit gets this long before a room counts as lost. */
const newRoomGraceMs = 30_000;
/** How long past its deadline an interview may run before the reconciler ends it (the interviewer's closing). */
const deadlineGraceMs = 60_000;
/**
 * The interviewer ends an interview in the database, then tells the candidate why (a room attribute), then deletes the
 * room itself: its room is left alone this long after the end, so a sweep in between cannot cut that message off.
 */
const endedRoomGraceMs = 30_000;
/** How long a dispatched interviewer gets to join before it counts as lost and is dispatched again. */
const agentJoinGraceMs = 45_000;

/**
 * One pass of bringing the database and LiveKit into agreement. LiveKit webhooks are best effort (dropped after
 * 30 s or beyond 200 queued per room), so state is never left to them alone:
 * - scheduled interviews whose join window closed become expired;
 * - interviews past their max duration end with reason max_duration and their room is deleted;
 * - an interview in progress whose room no longer exists failed (room_closed);
 * - rooms of finished interviews (once their interviewer had time to close them itself), or of no interview at
 *   all, are deleted.
 */
export async function reconcileOnce(deps: AppDeps): Promise<ReconcileReport | null> {
  const { db, config, livekit } = deps;
  const now = deps.now();
  const report: ReconcileReport = {
    expired: 0,
    maxDuration: 0,
    lostRooms: 0,
    orphanRoomsDeleted: 0,
    joinsHealed: 0,
    agentsRedispatched: 0,
  };

  const expired = await db
    .selectFrom('interviews')
    .selectAll()
    .where('status', '=', 'scheduled')
    .where('scheduledEnd', '<', new Date(now.getTime() - config.links.windowAfterMinutes * 60_000))
    .limit(500)
    .execute();
  for (const interview of expired) {
    // A candidate who took a join token and never arrived is a no-show; one who never tried, a window that closed.
    const reason = interview.seatClaimedAt ? 'no_show' : 'window_closed';
    await closeInterview(deps, interview, reason, { actor: 'reconciler', onlyFrom: ['scheduled'] });
    report.expired++;
  }

  const overrun = await db
    .selectFrom('interviews')
    .selectAll()
    .where('status', '=', 'in_progress')
    // The interviewer closes by the same deadline; this is the backstop, a grace period later, for an interview
    // whose interviewer is gone or stuck.
    .where('deadlineAt', '<=', new Date(now.getTime() - deadlineGraceMs))
    .limit(500)
    .execute();
  for (const interview of overrun) {
    await closeInterview(deps, interview, 'max_duration', { actor: 'reconciler', onlyFrom: ['in_progress'] });
    report.maxDuration++;
  }

  const liveRooms = new Set(await livekit.listRoomNames());
  const inProgress = await db
    .selectFrom('interviews')
    .selectAll()
    .where('status', '=', 'in_progress')
    .where('roomCreatedAt', 'is not', null)
    .execute();
  for (const interview of inProgress) {
    if (liveRooms.has(interview.roomName)) continue;
    if (now.getTime() - interview.roomCreatedAt!.getTime() < newRoomGraceMs) continue;
    await closeInterview(deps, interview, 'room_closed', { actor: 'reconciler', onlyFrom: ['in_progress'] });
    report.lostRooms++;
  }

  await healLiveRooms(deps, liveRooms, now, report);

  const ours = [...liveRooms].filter((name) => name.startsWith(config.livekit.roomPrefix));
  if (ours.length > 0) {
    const open = await db
      .selectFrom('interviews')
      .select('roomName')
      .where('roomName', 'in', ours)
      .where((eb) =>
        eb.or([
          eb('status', 'in', ['scheduled', 'in_progress']),
          eb('endedAt', '>', new Date(now.getTime() - endedRoomGraceMs)),
        ]),
      )
      .execute();
    const keep = new Set(open.map((r) => r.roomName));
    for (const name of ours) {
      if (keep.has(name)) continue;
      await livekit.deleteRoom(name);
      report.orphanRoomsDeleted++;
    }
  }

  // One table holds every counter: keep each until the longest window (sign-in's may be longer) has passed.
  await pruneRateLimits(db, Math.max(config.rateLimits.windowSeconds, config.accounts.loginWindowSeconds), now);
  return report;
}

/**
 * For interviews whose room is live, LiveKit's participant list is the truth: a candidate in the room starts the
 * interview even if its participant_joined webhook was dropped, and a room with the candidate but no interviewer
 * gets the interviewer dispatched again, since self-hosted LiveKit never re-dispatches a job whose worker died.
 */
async function healLiveRooms(deps: AppDeps, liveRooms: Set<string>, now: Date, report: ReconcileReport) {
  const live = await deps.db
    .selectFrom('interviews')
    .selectAll()
    .where('status', 'in', ['scheduled', 'in_progress'])
    .where('roomCreatedAt', 'is not', null)
    .where('candidateIdentity', 'is not', null)
    .execute();
  for (const interview of live) {
    if (!liveRooms.has(interview.roomName)) continue;
    const listedAt = new Date();
    const participants = await deps.livekit.participants(interview.roomName);
    if (!participants) continue;
    const candidateIn = participants.some((p) => p.identity === interview.candidateIdentity);
    if (candidateIn && (interview.status === 'scheduled' || !interview.candidateConnected)) {
      const arrival = await candidateArrived(deps.db, interview.id, { actor: 'reconciler', now: listedAt });
      if (arrival?.accepted) report.joinsHealed++;
    } else if (!candidateIn && interview.candidateConnected) {
      // A dropped participant_left: the seat is free again for a rejoin. Gone by the time the list was taken: that
      // departure accounts for the token like a participant_left would.
      await candidateLeft(deps.db, interview.id, { now: listedAt });
    }
    const lastDispatch = (interview.agentDispatchedAt ?? interview.roomCreatedAt!).getTime();
    if (candidateIn && !participants.some((p) => p.agent) && now.getTime() - lastDispatch > agentJoinGraceMs) {
      if (await dispatchInterviewer(deps, interview, new Date(now.getTime() - agentJoinGraceMs))) {
        deps.log.warn({ interviewId: interview.id }, 'interviewer missing from a live interview; dispatched again');
        report.agentsRedispatched++;
      }
    }
  }
}

/** The reconciler's pass as periodic work on the job runner: every RECONCILE_INTERVAL_MS, one pass at a time. */
export function reconcilePeriodic(deps: AppDeps): PeriodicDefinition {
  return {
    everyMs: deps.config.reconcileIntervalMs,
    // LiveKit calls have their own timeouts; a pass that takes longer than this is stuck.
    timeoutMs: 120_000,
    async run() {
      const report = await reconcileOnce(deps);
      if (report && Object.values(report).some((n) => n > 0)) deps.log.info({ report }, 'reconciled');
    },
  };
}

/** A job runner with the reconciler's pass alone (the API's runner has it among its periodic work). */
export function startReconciler(deps: AppDeps): { stop: () => Promise<void> } {
  const started = startJobRunner({
    databaseUrl: deps.config.database.url,
    log: deps.log,
    name: 'reconciler',
    concurrency: 1,
    tasks: {},
    periodic: { reconcile: reconcilePeriodic(deps) },
  });
  return {
    async stop() {
      await (await started).stop();
    },
  };
}
