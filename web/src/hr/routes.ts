// The workspace's pages, in one table: add a page by adding a line here (and its strings to i18n/en.ts and ar.ts).
// Each page is its own lazy chunk, loaded when first visited; the shell (layout.tsx), the guard and the API client
// are shared. Paths are relative to /hr.
import type { ComponentType } from 'react';
import { matchRoutes } from 'react-router';
import type { Access } from './auth.tsx';
import type { HrMessageKey } from './i18n/en.ts';

export interface HrPage {
  path: string;
  load: () => Promise<{ default: ComponentType }>;
  /** Shown in the navigation, under this label, when set. */
  nav?: HrMessageKey;
  /**
   * The navigation entry (its path) marked current on this page, for a page that has none of its own and does not
   * sit under its entry's path. Default: see currentNav.
   */
  section?: string;
  /** What the page needs (api/auth/principal.ts); a role without it gets neither the link nor the page. Default read. */
  access?: Access;
}

/** Where /hr and a fresh sign-in land. */
export const homePath = '/hr/interviews';

/** Signed-out pages: no shell, no session. */
export const publicPages: HrPage[] = [
  { path: 'sign-in', load: () => import('./pages/sign-in.tsx') },
  { path: 'forgot-password', load: () => import('./pages/forgot-password.tsx') },
  { path: 'reset-password', load: () => import('./pages/reset-password.tsx') },
  { path: 'accept-invitation', load: () => import('./pages/accept-invitation.tsx') },
];

/** Signed-in pages, inside the shell. */
export const pages: HrPage[] = [
  { path: 'interviews', nav: 'nav.interviews', load: () => import('./pages/interviews.tsx') },
  { path: 'interviews/:id', load: () => import('./pages/review/review-page.tsx') },
  { path: 'overview', nav: 'nav.overview', load: () => import('./pages/manage/overview.tsx') },
  { path: 'jobs', nav: 'nav.jobs', load: () => import('./pages/manage/jobs.tsx') },
  { path: 'jobs/new', access: 'recruit', load: () => import('./pages/manage/job-new.tsx') },
  { path: 'jobs/:id', load: () => import('./pages/manage/job-results.tsx') },
  { path: 'candidates/new', access: 'recruit', load: () => import('./pages/manage/candidate-new.tsx') },
  { path: 'candidates/:id', section: 'interviews', load: () => import('./pages/manage/candidate.tsx') },
  { path: 'interviews/new', nav: 'nav.newInterview', access: 'recruit', load: () => import('./pages/manage/interview-new.tsx') },
  { path: 'interviews/:id/setup', access: 'recruit', load: () => import('./pages/manage/interview-setup.tsx') },
  { path: 'scheduling', nav: 'nav.scheduling', access: 'recruit', load: () => import('./pages/manage/scheduling/scheduling-page.tsx') },
  { path: 'audit', nav: 'nav.audit', access: 'recruit', load: () => import('./pages/manage/audit.tsx') },
  { path: 'settings', nav: 'nav.settings', access: 'admin', load: () => import('./pages/manage/settings.tsx') },
];

/**
 * The one rule for which navigation entry is current at `pathname` (/hr/…): the page's own entry when it has one (New
 * interview on /hr/interviews/new, not Interviews as well); else its `section`; else the entry whose path is the
 * longest whole-segment prefix of the page's (Interviews on /hr/interviews/:id and …/setup, Jobs on /hr/jobs/new).
 * Pages are matched as the router matches them, so interviews/new wins over interviews/:id.
 */
export function currentNav(pathname: string): string | undefined {
  const page = matchRoutes(
    pages.map((p) => ({ path: `/hr/${p.path}`, page: p })),
    pathname,
  )?.at(-1)?.route.page;
  if (!page) return undefined;
  if (page.nav) return page.path;
  if (page.section) return page.section;
  const under = pages.filter((p) => p.nav && page.path.startsWith(`${p.path}/`));
  return under.sort((a, b) => b.path.length - a.path.length)[0]?.path;
}
