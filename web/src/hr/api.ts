// The workspace's one way to the API: openapi-fetch typed by api-schema.ts (generated from the API's own OpenAPI
// document by `npm run web:api-types`), so a renamed field or a removed endpoint fails `tsc -p web`. The session
// rides on the HttpOnly `hr_session` cookie; every unsafe request carries the session's CSRF token.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './api-schema.ts';
import { takeEarly } from './early.ts';

export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];

let csrfToken: string | null = null;
let onUnauthorized: () => void = () => {};

/** Set from the session (sign-in, or the session check at load); cleared on sign-out. */
export function setCsrfToken(token: string | null) {
  csrfToken = token;
}

/** The auth module's reaction to a 401 on any call: the session ended elsewhere (expiry, sign-out everywhere). */
export function whenUnauthorized(handler: () => void) {
  onUnauthorized = handler;
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

const session: Middleware = {
  onRequest({ request }) {
    if (!safeMethods.has(request.method) && csrfToken) request.headers.set('X-CSRF-Token', csrfToken);
    return request;
  },
  onResponse({ response, request }) {
    // A 401 on the session check itself only means "not signed in"; anywhere else the session has gone.
    if (response.status === 401 && !new URL(request.url).pathname.startsWith('/v1/auth/')) onUnauthorized();
    return response;
  },
};

export const api = createClient<paths>({
  baseUrl: window.location.origin,
  credentials: 'same-origin',
  // A GET the entry already sent for the first page (early.ts) is answered by that request.
  fetch: (request) => takeEarly(request) ?? fetch(request),
});
api.use(session);

/** A refusal from the API in its own terms: the problem code picks the words on screen, never the raw body. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Problem | null;
  constructor(status: number, problem: Problem | null) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.code = problem?.code ?? (status >= 500 ? 'service_unavailable' : 'unknown');
    this.problem = problem;
  }
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'code' in value && 'status' in value;
}

/**
 * The body of a success, or an ApiError: what TanStack Query's queryFn and mutationFn want. A network failure
 * (the API down, offline) becomes a 503-like error, so pages word it as "try again" rather than crash.
 */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result;
  try {
    result = await call;
  } catch {
    throw new ApiError(503, null);
  }
  if (result.response.ok) return result.data as T;
  throw new ApiError(result.response.status, isProblem(result.error) ? result.error : null);
}
