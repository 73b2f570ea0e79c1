export interface WindowSettings {
  windowBeforeMinutes: number;
  windowAfterMinutes: number;
}

export interface JoinWindow {
  opensAt: Date;
  closesAt: Date;
}

/** Candidates may join from a little before the scheduled start until a while after the scheduled end. */
export function joinWindow(schedule: { scheduledStart: Date; scheduledEnd: Date }, settings: WindowSettings): JoinWindow {
  // Whole seconds, so the window matches the link's nbf/exp claims exactly.
  const floorSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);
  return {
    opensAt: floorSeconds(schedule.scheduledStart.getTime() - settings.windowBeforeMinutes * 60_000),
    closesAt: floorSeconds(schedule.scheduledEnd.getTime() + settings.windowAfterMinutes * 60_000),
  };
}

export type WindowState = 'not_open_yet' | 'open' | 'closed';

export function windowState(window: JoinWindow, now: Date = new Date()): WindowState {
  if (now < window.opensAt) return 'not_open_yet';
  if (now > window.closesAt) return 'closed';
  return 'open';
}

/**
 * The same window as SQL expressions, for the join's one statement (api/public/join-statement.ts): `start` and `end`
 * name the schedule's columns, `before` and `after` the minutes' parameters. date_trunc floors to the second, as
 * joinWindow does.
 */
export function joinWindowSql(start: string, end: string, before: string, after: string) {
  return {
    opensAt: `date_trunc('second', ${start} - ${before} * interval '1 minute')`,
    closesAt: `date_trunc('second', ${end} + ${after} * interval '1 minute')`,
  };
}
