/**
 * A company user's role. admin: users, API keys, webhooks, settings (and everything below); recruiter: jobs,
 * candidates, interviews, scheduling (and reading and deciding); reviewer: reads interviews and results, records
 * decisions.
 */
export type Role = 'admin' | 'recruiter' | 'reviewer';

/**
 * What a route needs. Every HR route declares one (a GET defaults to `read`, anything else to `recruit`):
 * read → any role; decide → any role (a decision or a re-score); recruit → recruiter or admin; admin → admin.
 */
export type Access = 'read' | 'decide' | 'recruit' | 'admin';

/**
 * Who is calling an HR endpoint: an API key (machines) or a signed-in user (the workspace). An admin key has no
 * company and sees every company's data. A company's API key acts with the admin role inside its company.
 */
export interface Principal {
  keyId: string | null;
  userId: string | null;
  companyId: string | null;
  isAdmin: boolean;
  role: Role;
}

/** The company a query must be limited to, or null for an admin who may see all. */
export function companyScope(principal: Principal): string | null {
  return principal.isAdmin ? null : principal.companyId;
}

/** The actor label stored beside a change (timeline rows, decisions): the user when signed in, else the key. */
export function actorLabel(principal: Principal): string {
  return principal.userId ? `user:${principal.userId}` : `api_key:${principal.keyId}`;
}

/** Whether a role may call a route that needs `access` (the table in the comment on `Access`). */
export function roleAllows(role: Role, access: Access): boolean {
  if (role === 'admin') return true;
  if (role === 'recruiter') return access !== 'admin';
  return access === 'read' || access === 'decide';
}
