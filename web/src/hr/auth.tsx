// The signed-in user, from the session cookie: one TanStack Query entry (['session']) that the guard, the shell and
// the sign-in page share. The cookie is HttpOnly; the page only ever holds the CSRF token that goes with it.
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { createContext, useContext, type ReactNode } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router';
import { ApiError, setCsrfToken, whenUnauthorized } from './api.ts';
import { useT } from './i18n/i18n.tsx';

export type Role = 'admin' | 'recruiter' | 'reviewer';
/** What an action needs, as the API's routes declare it (api/auth/principal.ts). */
export type Access = 'read' | 'decide' | 'recruit' | 'admin';

export interface HrSession {
  user: { id: string; email: string; name: string; role: Role };
  company: { id: string; name: string };
  csrfToken: string;
}

export const sessionKey = ['session'] as const;

/** The UI hides what the role may not do; the API refuses it anyway (403 forbidden). */
export function may(role: Role, access: Access): boolean {
  if (access === 'read' || access === 'decide') return true;
  if (access === 'recruit') return role === 'admin' || role === 'recruiter';
  return role === 'admin';
}

// The auth endpoints are called through plain fetch with the same CSRF rule as the typed client.
async function authCall(method: 'GET' | 'POST', path: string, body?: unknown, csrf?: string | null): Promise<Response> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  try {
    return await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError(503, null);
  }
}

async function failure(response: Response): Promise<ApiError> {
  const problem = await response.json().catch(() => null);
  return new ApiError(response.status, problem && typeof problem.code === 'string' ? problem : null);
}

/** The session, or null when nobody is signed in (401). */
async function fetchSession(): Promise<HrSession | null> {
  const response = await authCall('GET', '/v1/auth/session');
  if (response.status === 401) {
    setCsrfToken(null);
    return null;
  }
  if (!response.ok) throw await failure(response);
  const session = (await response.json()) as HrSession;
  setCsrfToken(session.csrfToken);
  return session;
}

export function useSession() {
  return useQuery({ queryKey: sessionKey, queryFn: fetchSession, staleTime: 5 * 60_000, retry: 1 });
}

function adopt(queryClient: QueryClient, session: HrSession) {
  setCsrfToken(session.csrfToken);
  queryClient.setQueryData(sessionKey, session);
}

/** Sign-in and accepting an invitation both answer with a session (and set the cookie). */
export async function signIn(queryClient: QueryClient, email: string, password: string): Promise<HrSession> {
  const response = await authCall('POST', '/v1/auth/login', { email, password });
  if (!response.ok) throw await failure(response);
  const session = (await response.json()) as HrSession;
  adopt(queryClient, session);
  return session;
}

export async function acceptInvitation(
  queryClient: QueryClient,
  token: string,
  name: string,
  password: string,
): Promise<HrSession> {
  const response = await authCall('POST', '/v1/auth/invitations/accept', { token, name, password });
  if (!response.ok) throw await failure(response);
  const session = (await response.json()) as HrSession;
  adopt(queryClient, session);
  return session;
}

export async function requestPasswordReset(email: string): Promise<void> {
  const response = await authCall('POST', '/v1/auth/password-reset', { email });
  if (!response.ok) throw await failure(response);
}

export async function completePasswordReset(token: string, password: string): Promise<void> {
  const response = await authCall('POST', '/v1/auth/password-reset/complete', { token, password });
  if (!response.ok) throw await failure(response);
}

export async function signOut(queryClient: QueryClient, everywhere = false): Promise<void> {
  const csrf = queryClient.getQueryData<HrSession | null>(sessionKey)?.csrfToken ?? null;
  const response = await authCall('POST', everywhere ? '/v1/auth/logout-everywhere' : '/v1/auth/logout', undefined, csrf);
  // A session that had already gone is signed out all the same.
  if (!response.ok && response.status !== 401) throw await failure(response);
  setCsrfToken(null);
  // Nothing of one user's data may stay in memory for the next one at this desk.
  queryClient.clear();
  queryClient.setQueryData(sessionKey, null);
}

/** Any other call answering 401 means the session ended elsewhere: back to sign-in, keeping the place. */
export function watchSession(queryClient: QueryClient) {
  whenUnauthorized(() => {
    setCsrfToken(null);
    queryClient.setQueryData(sessionKey, null);
  });
}

const SessionContext = createContext<HrSession | null>(null);

/** The signed-in user, inside the guarded routes. */
export function useCurrentSession(): HrSession {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useCurrentSession outside RequireSession');
  return session;
}

export function Loading() {
  const { t } = useT();
  return (
    <p role="status" className="hr-loading">
      {t('common.loading')}
    </p>
  );
}

/** The route guard: the pages under it render only for a signed-in user. */
export function RequireSession({ children }: { children?: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  const { t } = useT();
  if (session.isPending) return <Loading />;
  if (session.isError)
    return (
      <main className="hr-centered">
        <p role="alert">{t('error.unavailable')}</p>
        <button type="button" className="hr-button" onClick={() => session.refetch()}>
          {t('common.retry')}
        </button>
      </main>
    );
  if (!session.data) {
    const next = location.pathname + location.search;
    return <Navigate to={`/hr/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  return <SessionContext.Provider value={session.data}>{children ?? <Outlet />}</SessionContext.Provider>;
}

export function useSignOut() {
  const queryClient = useQueryClient();
  return (everywhere = false) => signOut(queryClient, everywhere);
}
