import type { Interview, InterviewStatus } from '../../shared/db/schema.ts';
import { transitionInterview } from '../../shared/interview-transitions.ts';
import { recordAudit, type AuditActor } from '../audit/audit-log.ts';
import type { AppDeps } from '../deps.ts';

export interface EndOptions {
  to: Extract<InterviewStatus, 'completed' | 'failed' | 'expired' | 'cancelled'>;
  reason: string;
  actor: string;
  audit?: AuditActor;
}

/**
 * Ends an interview: the final status is written first (with its timeline step), then the room is deleted.
 * If the delete fails the reconciler retries it, because a finished interview's room must not linger.
 * An interview that never saw its candidate connect still passes through in_progress when it is completed,
 * so the timeline stays a valid walk of the state machine.
 */
export async function endInterview(deps: AppDeps, interview: Interview, options: EndOptions): Promise<Interview> {
  const ended = await deps.db.transaction().execute(async (trx) => {
    if (options.to === 'completed' && interview.status === 'scheduled') {
      await transitionInterview(trx, interview.id, 'in_progress', { reason: options.reason, actor: options.actor });
    }
    const row = await transitionInterview(trx, interview.id, options.to, {
      reason: options.reason,
      actor: options.actor,
    });
    if (row && options.audit) {
      await recordAudit(trx, options.audit, {
        companyId: row.companyId,
        action: `interview.${options.to}`,
        targetType: 'interview',
        targetId: row.id,
        details: { reason: options.reason },
      });
    }
    return row;
  });
  const current =
    ended ??
    (await deps.db.selectFrom('interviews').selectAll().where('id', '=', interview.id).executeTakeFirstOrThrow());
  if (current.roomCreatedAt) {
    await deps.livekit.deleteRoom(current.roomName).catch((error: unknown) => {
      deps.log.warn({ err: error, interviewId: current.id }, 'room not deleted; the reconciler will retry');
    });
  }
  return current;
}
