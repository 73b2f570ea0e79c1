import type { InterviewStatus } from './db/schema.ts';

/**
 * The interview lifecycle. scheduled → in_progress → completed is the happy path; cancelled, expired and failed
 * are exits. Terminal states have no way out, so a late webhook can never resurrect a finished interview.
 */
export const allowedTransitions: Record<InterviewStatus, readonly InterviewStatus[]> = {
  scheduled: ['in_progress', 'cancelled', 'expired', 'failed'],
  in_progress: ['completed', 'cancelled', 'failed'],
  completed: [],
  cancelled: [],
  expired: [],
  failed: [],
};

export const terminalStatuses: readonly InterviewStatus[] = ['completed', 'cancelled', 'expired', 'failed'];

export function canTransition(from: InterviewStatus, to: InterviewStatus): boolean {
  return allowedTransitions[from].includes(to);
}

/** The states an interview may be in for a move to `to` to be legal. */
export function statesLeadingTo(to: InterviewStatus): InterviewStatus[] {
  return (Object.keys(allowedTransitions) as InterviewStatus[]).filter((from) => canTransition(from, to));
}
