import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database, Interview } from '../db/schema.ts';
import { eventCatalog, maxPayloadBytes, type EventData, type EventType } from './catalog.ts';

/**
 * Advisory locks (two-int form, this namespace) between the outbox's writers and the webhook drain
 * (api/webhooks/delivery.ts): the drain holds `pollingLock` while it polls, and takes `lookoutLock` exclusively when
 * it stops, to wait for the writers that saw it polling.
 */
export const drainLockSpace = 7_314_002;
export const pollingLock = 1;
export const lookoutLock = 2;
/** The NOTIFY channel the outbox signals on commit, which the delivery runners LISTEN on. */
export const deliveryChannel = 'webhook_deliveries';

export interface RecordedEvent {
  id: string;
  deliveries: number;
}

/**
 * Writes an event to the outbox and a pending delivery for every enabled endpoint of the company subscribed to
 * its type. Call it with the transaction that makes the change: the event exists exactly when the change does.
 * `onlyEndpointId` targets one endpoint whatever it subscribes to (test sends).
 */
export async function recordEvent<T extends EventType>(
  trx: Kysely<Database>,
  input: { companyId: string; type: T; payload: EventData<T>; onlyEndpointId?: string },
): Promise<RecordedEvent> {
  const entry = eventCatalog[input.type];
  const data = entry.data.parse(input.payload);
  const json = JSON.stringify(data);
  // A programming error, not bad user input: payloads are built by our code from bounded fields.
  if (Buffer.byteLength(json) > maxPayloadBytes)
    throw new Error(`${input.type} payload exceeds ${maxPayloadBytes} bytes`);
  // One statement writes the event and its deliveries, so the caller's transaction pays a single round trip: a
  // database function (record_webhook_event, migrations/2026-12-02T0610_webhook_outbox_notify.ts), because Postgres
  // keeps the plans of a function's statements, where the same statements sent as text are planned in every
  // transaction (most of a writer's backend CPU). This module owns the rule; the function applies it, with the lock
  // keys and the channel passed from here.
  // No job per delivery (that cut the write rate to a quarter): a NOTIFY, sent at commit and merged with the others of
  // the transaction, tells the delivery runner (api/webhooks/delivery.ts) to drain, which it does within
  // milliseconds; its periodic look finds them anyway should the notification be lost. An event no endpoint takes
  // notifies nothing.
  // A NOTIFY is not free: Postgres serialises the commits of notifying transactions (a global lock held through
  // the commit's flush), about 15% of a burst's write time. So it is skipped while a drain is polling, which says so
  // by holding (or asking for) `pollingLock`. Before looking at it the writer takes `lookoutLock` shared, held to its
  // commit: a drain that stops polling waits for those before its next look, so it sees every event written
  // meanwhile. Both are tries (a writer never waits), made in that order.
  // The id is made here, because the deliveries need it even when no endpoint subscribes.
  const id = randomUUID();
  const result = await sql<{ deliveries: number }>`
    select record_webhook_event(${id}::uuid, ${input.companyId}::uuid, ${input.type}::text, ${entry.version}::int,
                                ${json}::jsonb, ${input.onlyEndpointId ?? null}::uuid, ${drainLockSpace}::int,
                                ${lookoutLock}::int, ${pollingLock}::int, ${deliveryChannel}::text) as deliveries`.execute(
    trx,
  );
  return { id, deliveries: result.rows[0]?.deliveries ?? 0 };
}

// Payload builders shared by the places that record interview events, so every event describes an interview alike.

function links(interview: Interview) {
  return { interview: `/v1/interviews/${interview.id}` };
}

function ref(interview: Interview) {
  return { interviewId: interview.id, jobId: interview.jobId, candidateId: interview.candidateId };
}

export function interviewCreatedEvent(interview: Interview) {
  return {
    companyId: interview.companyId,
    type: 'interview.created' as const,
    payload: {
      ...ref(interview),
      interviewType: interview.type,
      status: 'scheduled' as const,
      scheduledStart: interview.scheduledStart.toISOString(),
      scheduledEnd: interview.scheduledEnd.toISOString(),
      links: links(interview),
    },
  };
}

export function candidateJoinedEvent(interview: Interview, joinedAt: Date) {
  return {
    companyId: interview.companyId,
    type: 'candidate.joined' as const,
    payload: { ...ref(interview), joinedAt: joinedAt.toISOString(), links: links(interview) },
  };
}

/** The event a transition into `interview.status` announces, or undefined when none does (completed: issue 4). */
export async function recordTransitionEvent(trx: Kysely<Database>, interview: Interview): Promise<void> {
  const base = { ...ref(interview), links: links(interview) };
  const endedAt = (interview.endedAt ?? interview.updatedAt).toISOString();
  switch (interview.status) {
    case 'in_progress':
      await recordEvent(trx, {
        companyId: interview.companyId,
        type: 'interview.started',
        payload: {
          ...base,
          status: 'in_progress',
          startedAt: (interview.startedAt ?? interview.updatedAt).toISOString(),
        },
      });
      return;
    case 'failed':
    case 'expired':
    case 'cancelled':
      await recordEvent(trx, {
        companyId: interview.companyId,
        type: `interview.${interview.status}`,
        payload: { ...base, status: interview.status, reason: interview.endReason?.slice(0, 200) ?? null, endedAt },
      });
      return;
    default:
      return;
  }
}
