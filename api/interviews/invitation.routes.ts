// Sending the invitation after the plan was reviewed: the HR workspace creates a scheduled interview with
// notify: false, lets HR read and edit the question plan, then sends the same invitation e-mail POST /v1/interviews
// would have sent. The outcome has the create response's shape (queued / skipped / failed).
import { z } from 'zod';
import { actorFromPrincipal, recordAudit } from '../audit/audit-log.ts';
import { companyScope } from '../auth/principal.ts';
import { findCandidate } from '../candidates/candidates.repository.ts';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../http/problem.ts';
import { defineRoute } from '../http/route.ts';
import { idParams } from '../http/schemas.ts';
import { findJob } from '../jobs/jobs.repository.ts';
import { sendInterviewInvitation } from './invitation-email.ts';
import { findInterview } from './interviews.repository.ts';
import { invitationSchema } from './interviews.schemas.ts';

export function invitationRoutes({ db, config, log, now }: AppDeps) {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/interviews/:id/invitation',
      operationId: 'sendInterviewInvitation',
      summary: "E-mail the candidate the interview's invitation (time, link, room code, AI notice, calendar invite)",
      tags: ['Interviews'],
      auth: 'hr',
      access: 'recruit',
      params: idParams,
      body: z.object({}).strict().optional(),
      responses: {
        200: { description: 'Whether the e-mail was queued, and if not why', schema: z.object({ invitation: invitationSchema }) },
      },
      handler: async ({ params, principal, meta }) => {
        const scope = companyScope(principal);
        const interview = await findInterview(db, scope, params.id);
        if (!interview) throw new AppError('not_found', 'No such interview.');
        // Once the interview has started, ended or been cancelled, an invitation to it would mislead the candidate.
        if (interview.status !== 'scheduled') {
          throw new AppError('conflict', `The interview is ${interview.status}; only a scheduled interview can be announced.`);
        }
        const [candidate, job] = await Promise.all([
          findCandidate(db, scope, interview.candidateId),
          findJob(db, scope, interview.jobId),
        ]);
        if (!candidate || !job) throw new AppError('not_found', 'No such interview.');
        const invitation = await sendInterviewInvitation(
          { db, config, log },
          interview,
          candidate,
          job.title,
          { notify: true, scheduled: true },
          now(),
        );
        if (invitation.status === 'queued') {
          await recordAudit(db, actorFromPrincipal(principal, meta), {
            companyId: interview.companyId,
            action: 'interview.invitation_sent',
            targetType: 'interview',
            targetId: interview.id,
            details: { emailId: invitation.emailId },
          });
        }
        return { status: 200, body: { invitation } };
      },
    }),
  ];
}
