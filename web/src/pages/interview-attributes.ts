/** Why the interview ended, as the Done page words it. */
export type EndReason = 'completed' | 'candidate_ended' | 'time_limit' | 'candidate_unresponsive' | 'consent_declined';

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

const reasons: EndReason[] = [
  'completed',
  'candidate_ended',
  'time_limit',
  'candidate_unresponsive',
  'consent_declined',
];

export function knownEndReason(value: string | undefined): EndReason {
  if (value === 'candidate_requested_stop') return 'candidate_ended';
  return reasons.find((r) => r === value) ?? 'completed';
}

/** When the interview hits its limit: the agent's own clock when it says, else the page's estimate. */
export function endsAt(attributes: Readonly<Record<string, string>> | undefined, estimate: number): number {
  const announced = Date.parse(attributes?.['interview.ends_at'] ?? '');
  return Number.isFinite(announced) ? announced : estimate;
}
