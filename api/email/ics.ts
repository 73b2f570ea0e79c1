import { createEvent, type DateTime as IcsDateTime } from 'ics';

// The calendar invite. The UID is stable per interview, so a reschedule (same UID, higher SEQUENCE, METHOD:REQUEST)
// updates the event already in the candidate's calendar and a cancellation (METHOD:CANCEL) removes it.

export interface InviteInput {
  interviewId: string;
  sequence: number;
  method: 'REQUEST' | 'CANCEL';
  startsAt: Date;
  endsAt: Date;
  title: string;
  description: string;
  url: string;
  organizer: { name: string; email: string };
  attendee: { name: string; email: string };
}

export function inviteUid(interviewId: string): string {
  return `${interviewId}@ai-interviewer`;
}

function utcParts(d: Date): IcsDateTime {
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()];
}

export function buildInvite(input: InviteInput): string {
  const { error, value } = createEvent({
    uid: inviteUid(input.interviewId),
    sequence: input.sequence,
    method: input.method,
    status: input.method === 'CANCEL' ? 'CANCELLED' : 'CONFIRMED',
    start: utcParts(input.startsAt),
    startInputType: 'utc',
    startOutputType: 'utc',
    end: utcParts(input.endsAt),
    endInputType: 'utc',
    endOutputType: 'utc',
    title: input.title,
    description: input.description,
    url: input.url,
    organizer: input.organizer,
    attendees: [{ ...input.attendee, rsvp: false, role: 'REQ-PARTICIPANT', partstat: 'ACCEPTED' }],
    productId: 'ai-interviewer/scheduling',
  });
  if (error || !value) throw error ?? new Error('could not build the calendar invite');
  return value;
}

/** The address part of "Name <addr@host>" (or the whole string when it is a bare address). */
export function addressOf(from: string): { name: string; email: string } {
  const m = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(from);
  return m ? { name: m[1]!.replace(/^"|"$/g, ''), email: m[2]! } : { name: from, email: from };
}
