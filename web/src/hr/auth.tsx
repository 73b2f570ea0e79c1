// The signed-in user, from the session cookie (the accounts API, /v1/auth/…): one TanStack Query entry (['session']) that the guard, the shell and
// the sign-in page share. The cookie is HttpOnly; the page only ever holds the CSRF token that goes with it.
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { createContext, useContext, type ReactNode } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router';
import { api, ApiError, setCsrfToken, unwrap, whenUnauthorized, type Schemas } from './api.ts';
import { useT } from './i18n/i18n.tsx';

export type HrSession = Schemas['Session'];
export type Role = HrSession['user']['role'];
/** What an action needs, as the API's routes declare it (api/auth/principal.ts). */
export type Access = 'read' | 'decide' | 'recruit' | 'admin';

export const sessionKey = ['session'] as const;

/** The UI hides what the role may not do; the API refuses it anyway (403 forbidden). */
export function may(role: Role, access: Access): boolean {
  if (access === 'read' || access === 'decide') return true;
  if (access === 'recruit') return role === 'admin' || role === 'recruiter';
  return role === 'admin';
}

/** The session, or null when nobody is signed in (401). */
async function fetchSession(): Promise<HrSession | null> {
  try {
    const session = await unwrap(api.GET('/v1/auth/session'));
    setCsrfToken(session.csrfToken);
    return session;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw error;
  }
}

export const sessionQuery = { queryKey: sessionKey, queryFn: fetchSession, staleTime: 5 * 60_000, retry: 1 };

export function useSession() {
  return useQuery(sessionQuery);
}

function adopt(queryClient: QueryClient, session: HrSession) {
  setCsrfToken(session.csrfToken);
  queryClient.setQueryData(sessionKey, session);
}

/** Sign-in and accepting an invitation both answer with a session (and set the cookie). */
export async function signIn(queryClient: QueryClient, email: string, password: string): Promise<HrSession> {
  const session = await unwrap(api.POST('/v1/auth/login', { body: { email, password } }));
  adopt(queryClient, session);
  return session;
}

export async function acceptInvitation(
  queryClient: QueryClient,
  token: string,
  name: string,
  password: string,
): Promise<HrSession> {
  const session = await unwrap(api.POST('/v1/auth/invitations/accept', { body: { token, name, password } }));
  adopt(queryClient, session);
  return session;
}

export async function requestPasswordReset(email: string): Promise<void> {
  await unwrap(api.POST('/v1/auth/password-reset', { body: { email } }));
}

export async function completePasswordReset(token: string, password: string): Promise<void> {
  await unwrap(api.POST('/v1/auth/password-reset/complete', { body: { token, password } }));
}

export async function signOut(queryClient: QueryClient, everywhere = false): Promise<void> {
  try {
    await unwrap(api.POST(everywhere ? '/v1/auth/logout-everywhere' : '/v1/auth/logout'));
  } catch (error) {
    // A session that had already gone is signed out all the same.
    if (!(error instanceof ApiError && error.status === 401)) throw error;
  }
  setCsrfToken(null);
  // Nothing of one user's data may stay in memory for the next one at this desk.
  queryClient.clear();
  queryClient.setQueryData(sessionKey, null);
}

/** Any other call answering 401 means the session ended elsewhere: back to sign-in, keeping the place. */
export function watchSession(queryClient: QueryClient) {
  whenUnauthorized(() => {
    setCsrfToken(null);
    // The refusals go too (a review opened signed out asked for its data at once): after signing in, the page
    // asks again instead of showing the 401 it cached.
    queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionKey[0] });
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
