import { ParticipantInfo_Kind } from '@livekit/protocol';
import { WebhookReceiver, type WebhookEvent } from 'livekit-server-sdk';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database, Interview } from '../../shared/db/schema.ts';
import { candidateArrived, candidateLeft, interviewerLeft, roomClosed } from '../../shared/interview-lifecycle.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { AppDeps } from '../deps.ts';
import { readRawBody } from '../http/body.ts';
import { AppError } from '../http/problem.ts';
import { defineRoute } from '../http/route.ts';
import { dispatchInterviewer } from './interview-lifecycle.ts';

const ackSchema = z.object({ received: z.boolean(), duplicate: z.boolean() }).meta({ id: 'WebhookAck' });

/** An interview whose room needs an interviewer dispatched, and the dispatch that counts as dead (if any). */
type Dispatch = { interview: Interview; staleBefore?: Date };

/**
 * Applies one verified LiveKit event to the interview it concerns, through the lifecycle module. Every change is
 * idempotent and guarded there, because LiveKit may deliver late, out of order, or not at all (the reconciler
 * covers that). Returns the interview when its room needs an interviewer dispatched (after the commit).
 */
async function applyEvent(trx: Kysely<Database>, event: WebhookEvent): Promise<Dispatch | undefined> {
  const roomName = event.room?.name;
  if (!roomName) return undefined;
  const interview = await trx.selectFrom('interviews').selectAll().where('roomName', '=', roomName).executeTakeFirst();
  if (!interview) return undefined;
  const identity = event.participant?.identity;
  const isCandidate = identity !== undefined && identity === interview.candidateIdentity;
  // LiveKit's createdAt is in whole seconds; without it (never seen in practice), receipt time stands in.
  const eventTime = event.createdAt ? new Date(Number(event.createdAt) * 1000) : new Date();
  const livekitActor = { type: 'livekit' as const, id: event.id, ip: null, userAgent: null };
  const audit = (action: string) =>
    recordAudit(trx, livekitActor, { companyId: interview.companyId, action, targetType: 'interview', targetId: interview.id });

  switch (event.event) {
    case 'participant_joined': {
      if (!isCandidate) return undefined;
      const arrival = await candidateArrived(trx, interview.id, { actor: 'livekit', eventTime });
      if (!arrival?.accepted) return undefined;
      await audit('candidate.connected');
      return arrival.needsInterviewer ? { interview: arrival.interview } : undefined;
    }
    case 'participant_left':
      // The interviewer gone from an interview in progress: its job died (self-hosted LiveKit never dispatches
      // again), so another is dispatched at once, and resumes where the transcript stops.
      if (event.participant?.kind === ParticipantInfo_Kind.AGENT) {
        return (await interviewerLeft(trx, interview.id, { eventTime })) ? { interview, staleBefore: eventTime } : undefined;
      }
      if (!isCandidate) return undefined;
      if (await candidateLeft(trx, interview.id, { eventTime })) await audit('candidate.disconnected');
      return undefined;
    case 'room_finished':
      await roomClosed(trx, interview.id, { actor: 'livekit' });
      return undefined;
    default:
      return undefined;
  }
}

export function livekitWebhookRoutes(deps: AppDeps) {
  const receiver = new WebhookReceiver(deps.config.livekit.apiKey, deps.config.livekit.apiSecret);
  return [
    defineRoute({
      method: 'post',
      path: '/v1/livekit/webhook',
      operationId: 'livekitWebhook',
      summary: 'Receives LiveKit server webhooks (signed with the LiveKit API key)',
      tags: ['LiveKit'],
      auth: 'raw',
      responses: { 200: { description: 'Accepted (or a duplicate, ignored)', schema: ackSchema } },
      handler: async ({ ctx }) => {
        const body = await readRawBody(ctx);
        let event: WebhookEvent;
        try {
          // The signature covers a hash of the exact body, so it is checked before anything is parsed.
          event = await receiver.receive(body, ctx.get('authorization') || undefined);
        } catch {
          throw new AppError('unauthorized', 'The webhook signature is not valid.');
        }
        if (!event.id) throw new AppError('validation_failed', 'The webhook has no event id.');
        const eventId = event.id;
        // Recording the id and applying the event commit together: a crash in between cannot mark it seen unapplied.
        const { fresh, needsInterviewer } = await deps.db.transaction().execute(async (trx) => {
          const inserted = await trx
            .insertInto('livekitWebhookEvents')
            .values({ id: eventId, event: event.event, roomName: event.room?.name ?? null })
            .onConflict((oc) => oc.column('id').doNothing())
            .returning('id')
            .executeTakeFirst();
          return { fresh: inserted !== undefined, needsInterviewer: inserted ? await applyEvent(trx, event) : undefined };
        });
        // The candidate arrived in a room whose interviewer had left (they took longer than the arrival timeout), or
        // the interviewer died mid-interview.
        if (needsInterviewer) {
          const { interview, staleBefore } = needsInterviewer;
          const dispatched = await dispatchInterviewer(deps, interview, staleBefore).catch((error: unknown) => {
            deps.log.warn({ err: error, interviewId: interview.id }, 'interviewer not dispatched; the reconciler will');
            return false;
          });
          if (dispatched && staleBefore) deps.log.warn({ interviewId: interview.id }, 'interviewer left mid-interview; dispatched again');
        }
        return { status: 200, body: { received: true, duplicate: !fresh } };
      },
    }),
  ];
}
