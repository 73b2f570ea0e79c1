import type { RoomInfo } from './api.ts';

/**
 * The room information the API wrote into the join page (api/web/static.ts), taken once: the first render needs no
 * request of its own on a slow line.
 */
export function takePreloadedRoomInfo(): RoomInfo | null {
  const element = document.getElementById('room-info');
  if (!element) return null;
  element.remove();
  try {
    const info = JSON.parse(element.textContent ?? '') as RoomInfo;
    return typeof info.companyName === 'string' && info.window ? info : null;
  } catch {
    return null;
  }
}
