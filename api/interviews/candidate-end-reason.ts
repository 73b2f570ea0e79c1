import { z } from 'zod';
import type { InterviewStatus } from '../../shared/db/schema.ts';
import type { EndReason } from '../../shared/end-reasons.ts';

// What a candidate is told about why their interview ended. The stored end reason is HR's: internal codes, and on
// older rows HR's own words (a cancel note meant for colleagues). Candidates only ever get one of these closed
// reasons, mapped from the stored one, and worded by their page or their e-mail; HR keeps its reason in the HR API.

export const candidateEndReasons = [
  'completed',
  'time_limit',
  'max_duration',
  'consent_declined',
  'candidate_ended',
  'candidate_unresponsive',
  'candidate_left',
  'cancelled_by_company',
  'cancelled_by_candidate',
  'expired',
  'failed',
  /** Completed for a reason with no words for candidates. */
  'ended',
] as const;

export type CandidateEndReason = (typeof candidateEndReasons)[number];
export type CandidateCancelReason = Extract<CandidateEndReason, `cancelled_${string}`>;

export const candidateEndReasonSchema = z.enum(candidateEndReasons).meta({
  id: 'CandidateEndReason',
  description:
    "Why the interview ended, as the candidate is told; null while it is open. Never the company's own reason.",
});

/**
 * Every stored end reason as the candidate is told it. A Record over the one vocabulary (shared/end-reasons.ts), so
 * a reason added there cannot reach a candidate unworded: the compiler asks for its entry here.
 */
const toCandidate: Record<EndReason, CandidateEndReason> = {
  completed: 'completed',
  time_limit: 'time_limit',
  max_duration: 'max_duration',
  consent_declined: 'consent_declined',
  candidate_ended: 'candidate_ended',
  candidate_unresponsive: 'candidate_unresponsive',
  candidate_left: 'candidate_left',
  cancelled_by_hr: 'cancelled_by_company',
  cancelled_by_candidate: 'cancelled_by_candidate',
  no_show: 'expired',
  window_closed: 'expired',
  room_closed: 'failed',
  agent_error: 'failed',
  interviewer_stopped: 'failed',
};

/** Who cancelled, as the candidate may know it: the candidate themselves, or else the company. */
export function candidateCancelReason(endReason: EndReason | null): CandidateCancelReason {
  return endReason === 'cancelled_by_candidate' ? 'cancelled_by_candidate' : 'cancelled_by_company';
}

/** The candidate's reason for an interview's end; null while it is still open. */
export function candidateEndReason(interview: {
  status: InterviewStatus;
  endReason: EndReason | null;
}): CandidateEndReason | null {
  if (interview.status === 'scheduled' || interview.status === 'in_progress') return null;
  return interview.endReason ? toCandidate[interview.endReason] : 'ended';
}
