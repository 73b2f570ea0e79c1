import { WebhookReceiver, type WebhookEvent } from 'livekit-server-sdk';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../shared/db/schema.ts';
import { candidateJoinedEvent, recordEvent } from '../../shared/events/outbox.ts';
import { transitionInterview } from '../../shared/interview-transitions.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { AppDeps } from '../deps.ts';
import { readRawBody } from '../http/body.ts';
import { AppError } from '../http/problem.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';

const ackSchema = z.object({ received: z.boolean(), duplicate: z.boolean() }).meta({ id: 'WebhookAck' });

/**
 * Applies one verified LiveKit event to the interview it concerns. Every change here is idempotent and guarded by
 * the state machine, because LiveKit may deliver late, out of order, or not at all (the reconciler covers that).
 */
async function applyEvent(trx: Kysely<Database>, event: WebhookEvent): Promise<void> {
  const roomName = event.room?.name;
  if (!roomName) return;
  const interview = await trx.selectFrom('interviews').selectAll().where('roomName', '=', roomName).executeTakeFirst();
  if (!interview) return;
  const identity = event.participant?.identity;
  const isCandidate = identity !== undefined && identity === interview.candidateIdentity;
  // LiveKit's createdAt is in whole seconds; without it (never seen in practice), receipt time stands in.
  const eventTime = event.createdAt ? new Date(Number(event.createdAt) * 1000) : new Date();
  const livekitActor = { type: 'livekit' as const, id: event.id, ip: null, userAgent: null };

  switch (event.event) {
    case 'participant_joined':
      if (!isCandidate) return;
      await trx
        .updateTable('interviews')
        .set({
          candidateConnected: true,
          candidateJoinedEventAt: sql<Date>`greatest(candidate_joined_event_at, ${eventTime})`,
          updatedAt: new Date(),
        })
        .where('id', '=', interview.id)
        .execute();
      await transitionInterview(trx, interview.id, 'in_progress', { reason: 'candidate_joined', actor: 'livekit' });
      await recordEvent(trx, candidateJoinedEvent(interview, new Date()));
      await recordAudit(trx, livekitActor, {
        companyId: interview.companyId,
        action: 'candidate.connected',
        targetType: 'interview',
        targetId: interview.id,
      });
      return;
    case 'participant_left': {
      if (!isCandidate) return;
      // LiveKit may deliver late and out of order, and stamps events in whole seconds. A departure stamped before
      // the last arrival is stale and changes nothing; one in the same second cannot be ordered, so it frees the seat
      // without vouching for it (the next join then asks LiveKit). Only a departure known to follow the last
      // arrival lets the next join be admitted from the database alone.
      const joinedAt = interview.candidateJoinedEventAt;
      if (joinedAt && eventTime < joinedAt) return;
      const ordered = !joinedAt || eventTime > joinedAt;
      await trx
        .updateTable('interviews')
        .set({
          candidateConnected: false,
          joinLeaseUntil: null,
          ...(ordered ? { candidateLeftAt: new Date() } : {}),
          updatedAt: new Date(),
        })
        .where('id', '=', interview.id)
        .execute();
      await recordAudit(trx, livekitActor, {
        companyId: interview.companyId,
        action: 'candidate.disconnected',
        targetType: 'interview',
        targetId: interview.id,
      });
      return;
    }
    case 'room_finished':
      await trx
        .updateTable('interviews')
        .set({ candidateConnected: false, roomCreatedAt: null, joinLeaseUntil: null, updatedAt: new Date() })
        .where('id', '=', interview.id)
        .execute();
      // The interviewer ends interviews itself before closing the room; a room that closes on an interview
      // still in progress was not concluded, and HR must see that rather than a false "completed".
      await transitionInterview(trx, interview.id, 'failed', {
        reason: 'room_closed',
        actor: 'livekit',
        onlyFrom: ['in_progress'],
      });
      return;
    default:
      return;
  }
}

export function livekitWebhookRoutes(deps: AppDeps): RouteDef[] {
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
        const fresh = await deps.db.transaction().execute(async (trx) => {
          const inserted = await trx
            .insertInto('livekitWebhookEvents')
            .values({ id: eventId, event: event.event, roomName: event.room?.name ?? null })
            .onConflict((oc) => oc.column('id').doNothing())
            .returning('id')
            .executeTakeFirst();
          if (inserted) await applyEvent(trx, event);
          return inserted !== undefined;
        });
        return { status: 200, body: { received: true, duplicate: !fresh } };
      },
    }),
  ];
}
