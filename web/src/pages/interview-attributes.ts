import type { EndReason as SharedEndReason } from '../../../shared/end-reasons.ts';
/**
 * Why the interview ended, as the Done page words it: one per end reason the product stores (agent, API, reconciler),
 * the other final statuses, and `ended` when nobody could say why.
 */
export type EndReason =
  | 'completed'
  | 'time_limit'
  | 'max_duration'
  | 'candidate_unresponsive'
  | 'consent_declined'
  | 'candidate_ended'
  | 'candidate_left'
  | 'cancelled'
  | 'expired'
  | 'failed'
  | 'ended';

// What the agent tells the page through its participant attributes, beyond the SDK's own `lk.agent.state`:
//   interview.question   "3/7"  the plan question being asked and how many there are
//   interview.end_reason  set just before the agent deletes the room (completed, time_limit, …)
//   interview.ends_at     ISO time the interview reaches its maximum duration

export function questionProgress(
  attributes: Readonly<Record<string, string>> | undefined,
): { n: number; total: number } | null {
  const match = /^(\d+)\/(\d+)$/.exec(attributes?.['interview.question'] ?? '');
  if (!match) return null;
  const n = Number(match[1]);
  const total = Number(match[2]);
  return n >= 1 && total >= n ? { n, total } : null;
}

// The end reasons of a completed interview (the product's one vocabulary, shared/end-reasons.ts) that this page
// words as they are: the agent's own, the candidate's end through the API and the reconciler's time limit.
const worded: Extract<SharedEndReason, EndReason>[] = [
  'completed',
  'time_limit',
  'max_duration',
  'candidate_unresponsive',
  'consent_declined',
  'candidate_ended',
  'candidate_left',
];
const completedReasons = new Map<string, EndReason>(worded.map((reason) => [reason, reason]));

/** The agent's `interview.end_reason`; undefined when it said nothing this page knows how to word. */
export function knownEndReason(value: string | undefined): EndReason | undefined {
  return value === undefined ? undefined : completedReasons.get(value);
}

/**
 * The API's word on the interview (GET /v1/public/session): undefined while it is still open. A completed one
 * with a reason this page does not know is `ended`, never claimed as completed.
 */
export function endReasonOf(session: { status: string; endReason: string | null }): EndReason | undefined {
  switch (session.status) {
    case 'completed':
      return completedReasons.get(session.endReason ?? '') ?? 'ended';
    case 'cancelled':
    case 'expired':
    case 'failed':
      return session.status;
    default:
      return undefined;
  }
}

/** When the interview hits its limit: the agent's own clock when it says, else the page's estimate. */
export function endsAt(attributes: Readonly<Record<string, string>> | undefined, estimate: number): number {
  const announced = Date.parse(attributes?.['interview.ends_at'] ?? '');
  return Number.isFinite(announced) ? announced : estimate;
}
