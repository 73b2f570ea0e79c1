import { z } from 'zod';

// Why an interview ended: one closed vocabulary for the API, the agent, the OpenAPI document, webhooks and the
// candidate's web app (which imports this file; keep it free of Node). Each reason fixes the status it ends in, so
// a caller names only the reason and can never pair it with the wrong status.

export const endReasonStatus = {
  /** The interviewer asked every planned question and closed. */
  completed: 'completed',
  /** The interviewer closed at the time limit (the clock starts when the candidate is first in the room). */
  time_limit: 'completed',
  /** The reconciler ended an interview still open at its deadline (the interviewer did not close it). */
  max_duration: 'completed',
  consent_declined: 'completed',
  /** The candidate ended it: from the page, or by asking the interviewer to stop. */
  candidate_ended: 'completed',
  candidate_unresponsive: 'completed',
  /** The candidate dropped and did not come back within the rejoin grace. */
  candidate_left: 'completed',
  cancelled_by_hr: 'cancelled',
  cancelled_by_candidate: 'cancelled',
  /** The candidate took a join token but never arrived before the window closed. */
  no_show: 'expired',
  /** The window closed without the candidate ever trying to join. */
  window_closed: 'expired',
  /** The room went away with the interview still in progress. */
  room_closed: 'failed',
  /** The interviewer's session failed for good (a provider error it could not recover from). */
  agent_error: 'failed',
  /** The interviewer stopped (its worker shut down) before the interview ended. */
  interviewer_stopped: 'failed',
} as const;

export type EndReason = keyof typeof endReasonStatus;
export type EndStatus = (typeof endReasonStatus)[EndReason];

export const endReasons = Object.keys(endReasonStatus) as [EndReason, ...EndReason[]];
export const endReasonSchema = z.enum(endReasons).meta({ id: 'EndReason', description: 'Why the interview ended' });
