// A few fixed paths; the API serves index.html for each of them. The link token and the phone never go into a
// path we push: after the join the address bar only ever shows /prepare, /interview or /done. The scheduling
// invitation's token is read once from /schedule?invitation=… and then kept in memory only.
import type { InterviewRef } from './api.ts';

export type Route =
  | { page: 'entry' }
  | { page: 'join'; ref: InterviewRef }
  | { page: 'resume' }
  | { page: 'done' }
  | { page: 'schedule'; token: string | null };

export function parseLocation(location: Location): Route {
  const path = location.pathname.replace(/\/+$/, '');
  const link = new URLSearchParams(location.search).get('link');
  if (path === '/join' && link) return { page: 'join', ref: { kind: 'link', token: link } };
  const code = /^\/join\/([^/]+)$/.exec(path)?.[1];
  if (code) return { page: 'join', ref: { kind: 'code', code: decodeURIComponent(code) } };
  if (path === '/prepare' || path === '/interview') return { page: 'resume' };
  if (path === '/done') return { page: 'done' };
  if (path === '/schedule') return { page: 'schedule', token: new URLSearchParams(location.search).get('invitation') };
  return { page: 'entry' };
}

export function go(path: string, replace = false) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
}

// Only the room code (printed on the invitation, not a secret) survives a reload, in this tab only, so a reload
// mid-interview can bring the candidate back to the same interview's join form.
const resumeKey = 'interview.roomCode';
export const rememberRoomCode = (code: string) => sessionStorage.setItem(resumeKey, code);
export const rememberedRoomCode = () => sessionStorage.getItem(resumeKey);
export const forgetRoomCode = () => sessionStorage.removeItem(resumeKey);

// The scheduling invitation's token leaves the address bar but stays for this tab, so a reload still works.
const invitationKey = 'schedule.invitation';
export const rememberInvitation = (token: string) => sessionStorage.setItem(invitationKey, token);
export const rememberedInvitation = () => sessionStorage.getItem(invitationKey);
