// The public candidate API. Errors come back as problem+json; callers turn `code` into catalogue words.
import type { MessageKey } from '../i18n/en.ts';

export type InterviewRef = { kind: 'code'; code: string } | { kind: 'link'; token: string };

export interface RoomInfo {
  companyName: string;
  jobTitle: string;
  type: string;
  maxDurationMinutes: number;
  instructions: string;
  language: string;
  /** The languages the candidate may pick before their first join; null when the interview's language is fixed. */
  languageChoices: string[] | null;
  status: string;
  roomCode: string;
  defaultPhoneRegion: string;
  window: { opensAt: string; closesAt: string };
  startsAt: string;
  contactEmail: string | null;
  joinState: 'not_open_yet' | 'open' | 'closed' | 'ended';
  /** The audio is recorded: the disclosure says so. */
  recorded: boolean;
  /** The company's privacy notice (https), linked from the disclosure; null when it has none. */
  privacyNoticeUrl: string | null;
}

export interface JoinRequest {
  phone: string;
  phoneRegion?: string;
  // Left out on a rejoin: the API shows HR's name for the candidate.
  firstName?: string;
  lastName?: string;
  /** One of the room's languageChoices; only the first join's counts. */
  language?: string;
}

export interface Session {
  token: string;
  tokenExpiresAt: string;
  serverUrl: string;
  roomName: string;
  identity: string;
  displayName: string;
  companyName: string;
  jobTitle: string;
  type: string;
  language: string;
  instructions: string;
  maxDurationMinutes: number;
  /** When the interview reaches its maximum length (the server's clock); null until it has started. */
  deadlineAt: string | null;
  /** 'typed' when the interviewer cannot hear (local mode, no speech recognition). */
  answers: 'voice' | 'typed';
  contactEmail: string | null;
  /** The company lets a candidate without a working microphone type every answer instead. */
  typedAnswersAllowed: boolean;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly retryAfterSeconds: number | undefined;
  readonly opensAt: string | undefined;
  constructor(status: number, code: string, extra: { retryAfterSeconds?: number; opensAt?: string } = {}) {
    super(code);
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = extra.retryAfterSeconds;
    this.opensAt = extra.opensAt;
  }
}

const known = new Set([
  'not_found',
  'not_open_yet',
  'already_connected',
  'rate_limited',
  'validation_failed',
  'upstream_unavailable',
  'network',
]);

/** The catalogue key and parameters that explain an error to a candidate; never the raw response. */
export function errorMessage(error: unknown): { key: MessageKey; params?: Record<string, string | number> } {
  if (!(error instanceof ApiError) || !known.has(error.code)) return { key: 'error.generic' };
  return { key: `error.${error.code}` as MessageKey, params: { seconds: error.retryAfterSeconds ?? 5 } };
}

/**
 * Seconds after which the page asks again by itself, for a refusal that passes without the candidate doing anything:
 * the seat still held by a tab that is leaving, or the room not openable for a moment (a LiveKit node that just died
 * is still being noticed). Undefined for every other error.
 */
export function selfRetryAfter(error: unknown): number | undefined {
  if (!(error instanceof ApiError)) return undefined;
  if (error.code !== 'already_connected' && error.code !== 'upstream_unavailable') return undefined;
  return Math.min(error.retryAfterSeconds ?? 3, 10);
}

/** How many times a page asks again by itself before it leaves the retry to the candidate. */
export const selfRetries = 4;

/** How long after a lost connection the interview page keeps rejoining by itself. */
export const lostRejoinForMs = 5 * 60_000;

/**
 * Seconds after which the interview page rejoins by itself, once LiveKit's own reconnect has given up on a lost
 * connection (about 16 s); undefined when it stops and leaves the button to the candidate. Whether the interview is
 * still there is the API's to say (a rejoin after it ended is refused, and the page shows how it ended), so the page
 * keeps asking while only the network is in doubt: soon at first, then every 15 s (each join that reaches the API
 * counts towards the phone's limit), and at once when the browser says it is online again.
 */
export function lostRejoinAfter(error: unknown, lostForMs: number, tries: number): number | undefined {
  if (lostForMs > lostRejoinForMs) return undefined;
  // LiveKit's connection errors are not the API's: the network or the server's node, both worth another try.
  if (!(error instanceof ApiError)) return Math.min(2 ** tries, 15);
  if (error.code === 'network') return Math.min(2 ** tries, 15);
  return selfRetryAfter(error);
}

export async function call<T>(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  timeoutMs?: number,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : null,
      cache: 'no-store',
      ...(timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
    });
  } catch {
    throw new ApiError(0, 'network');
  }
  const data = (await response.json().catch(() => null)) as {
    code?: unknown;
    retryAfterSeconds?: number;
    opensAt?: string;
  } | null;
  if (!response.ok) {
    const retryHeader = Number(response.headers.get('retry-after'));
    throw new ApiError(response.status, typeof data?.code === 'string' ? data.code : 'generic', {
      retryAfterSeconds:
        data?.retryAfterSeconds ?? (Number.isFinite(retryHeader) && retryHeader > 0 ? retryHeader : undefined),
      opensAt: data?.opensAt,
    });
  }
  return data as T;
}

const base = (ref: InterviewRef) =>
  ref.kind === 'code'
    ? `/v1/public/rooms/${encodeURIComponent(ref.code)}`
    : `/v1/public/links/${encodeURIComponent(ref.token)}`;

export const getRoomInfo = (ref: InterviewRef) => call<RoomInfo>('GET', base(ref));
export const joinInterview = (ref: InterviewRef, request: JoinRequest) =>
  call<Session>('POST', `${base(ref)}/join`, request);
/** The alternative process: recorded once per interview; a second request says it already was. */
export const requestAlternative = (ref: InterviewRef, body: { reason?: string; contact?: string }) =>
  call<{ requestedAt: string; alreadyRecorded: boolean }>('POST', `${base(ref)}/alternative`, body);
export interface SessionStatus {
  status: string;
  endReason: string | null;
}
// The token goes in this header only, never in a URL: it stays in memory and out of access logs.
export const endSession = (token: string) =>
  call<SessionStatus>('POST', '/v1/public/session/end', undefined, { authorization: `Bearer ${token}` });
/** How the interview stands, for the Done page's words; short timeout, since the candidate is waiting on it. */
export const getSessionStatus = (token: string) =>
  call<SessionStatus>('GET', '/v1/public/session', undefined, { authorization: `Bearer ${token}` }, 4_000);

/** Room codes are typed by hand: any case, spaces and dashes tolerated; 8 letters or digits. */
export function normalizeCode(input: string): string | null {
  const compact = input.replace(/[\s-]/g, '').toUpperCase();
  return /^[A-Z0-9]{8}$/.test(compact) ? `${compact.slice(0, 4)}-${compact.slice(4)}` : null;
}
