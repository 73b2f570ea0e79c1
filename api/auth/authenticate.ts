import type { Context } from 'koa';
import type { AppDeps } from '../deps.ts';
import { bearerAuthenticator } from './api-keys.ts';
import type { Principal } from './principal.ts';
import { principalOf, requireSession, sessionCookieName } from './sessions.ts';

/**
 * Who calls an HR endpoint: an API key when the request carries an Authorization header (machines; no CSRF token,
 * since a browser never adds that header across sites by itself), else the workspace session its cookie names, which
 * must bring the session's CSRF token on every change. Both end in the same Principal, so tenancy is the same.
 */
export function hrAuthenticator(deps: Pick<AppDeps, 'db' | 'config' | 'now'>) {
  const bearer = bearerAuthenticator(deps.db);
  return async function authenticate(ctx: Context): Promise<Principal> {
    if (ctx.get('authorization') || !ctx.cookies.get(sessionCookieName)) return bearer(ctx);
    const principal = principalOf(await requireSession(deps.db, deps.config.accounts, ctx, deps.now()));
    ctx.state.principal = principal;
    return principal;
  };
}
