// The candidate's self-scheduling API, authorised by the invitation's token (kept in memory only). Refusals become
// catalogue keys, never the raw problem.
import type { MessageKey } from '../i18n/en.ts';
import { ApiError, call, errorMessage } from './api.ts';

export interface OfferedSlot {
  id: string;
  interviewType: string;
  startsAt: string;
  endsAt: string;
}

export interface SelfServiceBooking {
  id: string;
  status: 'booked' | 'confirmed' | 'cancelled';
  startsAt: string;
  endsAt: string;
  reschedules: number;
  reschedulesLeft: number;
  roomCode: string;
  joinUrl: string;
  link: string;
}

export interface Invitation {
  companyName: string;
  companyTimezone: string;
  language: string;
  jobTitle: string;
  interviewType: string;
  expiresAt: string;
  booking: SelfServiceBooking | null;
  canChange: boolean;
  limits: { minNoticeMinutes: number; maxReschedules: number };
  slots: OfferedSlot[];
  nextCursor: string | null;
}

const base = (token: string) => `/v1/public/scheduling/${encodeURIComponent(token)}`;

export const getInvitation = (token: string, cursor?: string) =>
  call<Invitation>('GET', `${base(token)}${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
export const bookSlot = (token: string, slotId: string, timezone: string) =>
  call<Invitation>('POST', `${base(token)}/book`, { slotId, timezone });
export const rescheduleTo = (token: string, slotId: string, timezone: string) =>
  call<Invitation>('POST', `${base(token)}/reschedule`, { slotId, timezone });
export const cancelBooking = (token: string) => call<Invitation>('POST', `${base(token)}/cancel`, {});

export type ScheduleAction = 'book' | 'reschedule' | 'cancel';

/** An invitation that does not (or no longer) work: forged, expired, revoked. */
export const invitationGone = (error: unknown) =>
  error instanceof ApiError && (error.status === 404 || error.status === 400);

/** What to tell the candidate when a booking, move or cancellation is refused. */
export function refusalMessage(
  error: unknown,
  action: ScheduleAction,
): { key: MessageKey; params?: Record<string, string | number> } {
  if (error instanceof ApiError) {
    if (error.code === 'too_late_to_change')
      return { key: action === 'book' ? 'schedule.error.slotTooSoon' : 'schedule.error.tooLate' };
    if (error.code === 'reschedule_limit') return { key: 'schedule.error.rescheduleLimit' };
    // Full, closed, started or gone since the page loaded: for the candidate, all mean "pick another".
    if (action !== 'cancel' && (error.code === 'conflict' || error.code === 'not_found'))
      return { key: 'schedule.error.slotTaken' };
    if (error.code === 'invalid_state' || error.code === 'conflict') return { key: 'schedule.error.changed' };
  }
  return errorMessage(error);
}
