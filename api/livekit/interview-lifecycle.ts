import type { Interview } from '../../shared/db/schema.ts';
import type { EndReason } from '../../shared/end-reasons.ts';
import {
  claimInterviewerDispatch,
  endInterview,
  releaseInterviewerDispatch,
  type EndOptions,
} from '../../shared/interview-lifecycle.ts';
import type { AppDeps } from '../deps.ts';

// The API's side of the interview lifecycle (shared/interview-lifecycle.ts owns the state): what follows a change
// in LiveKit, which only the API talks to.

/**
 * Ends an interview for `reason`, then deletes its room. If the delete fails the reconciler retries it, because a
 * finished interview's room must not linger. Returns the interview as it now is.
 */
export async function closeInterview(
  deps: AppDeps,
  interview: Interview,
  reason: EndReason,
  options: EndOptions,
): Promise<{ interview: Interview; ended: boolean }> {
  const result = await endInterview(deps.db, interview.id, reason, { now: deps.now(), ...options });
  const current = result.interview ?? interview;
  if (current.roomCreatedAt) {
    await deps.livekit.deleteRoom(current.roomName).catch((error: unknown) => {
      deps.log.warn({ err: error, interviewId: current.id }, 'room not deleted; the reconciler will retry');
    });
  }
  return { interview: current, ended: result.ended };
}

/**
 * Dispatches the interviewer to a room that has none (it left after the candidate did not arrive in time, or its
 * job died). Returns false when another caller holds the dispatch.
 */
export async function dispatchInterviewer(
  deps: AppDeps,
  interview: Pick<Interview, 'id' | 'roomName'>,
  staleBefore?: Date,
): Promise<boolean> {
  if (!(await claimInterviewerDispatch(deps.db, interview.id, { now: deps.now(), ...(staleBefore ? { staleBefore } : {}) }))) {
    return false;
  }
  try {
    await deps.livekit.dispatchAgent(interview.roomName, { interviewId: interview.id });
  } catch (error) {
    // Given back, so the next join, arrival or reconcile pass tries again.
    await releaseInterviewerDispatch(deps.db, interview.id);
    throw error;
  }
  return true;
}
