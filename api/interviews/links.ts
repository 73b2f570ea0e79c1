import type { Interview } from '../../shared/db/schema.ts';
import { formatRoomCode } from '../../shared/room-code.ts';
import type { ApiConfig } from '../config.ts';
import { joinWindow, windowState } from './join-window.ts';
import { signLink } from './signed-link.ts';

/** The signed link for an interview's current version; its validity is exactly the join window. */
export function signedLinkFor(interview: Interview, config: ApiConfig, now: Date) {
  const window = joinWindow(interview, config.links);
  const token = signLink(config.links.secret, {
    interviewId: interview.id,
    version: interview.linkVersion,
    notBefore: window.opensAt,
    expiresAt: window.closesAt,
  });
  return {
    url: `${config.publicBaseUrl}/join?link=${encodeURIComponent(token)}`,
    token,
    version: interview.linkVersion,
    validFrom: window.opensAt,
    expiresAt: window.closesAt,
    currentlyValid: windowState(window, now) === 'open',
  };
}

export function joinUrlFor(interview: Interview, config: ApiConfig): string {
  return `${config.publicBaseUrl}/join/${formatRoomCode(interview.roomCode)}`;
}

export function interviewToApi<T extends Interview>(interview: T, config: ApiConfig) {
  return { ...interview, joinUrl: joinUrlFor(interview, config) };
}
