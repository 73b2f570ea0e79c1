// The workspace's pages, in one table: add a page by adding a line here (and its strings to i18n/en.ts and ar.ts).
// Each page is its own lazy chunk, loaded when first visited; the shell (layout.tsx), the guard and the API client
// are shared. Paths are relative to /hr.
import type { ComponentType } from 'react';
import type { Access } from './auth.tsx';
import type { HrMessageKey } from './i18n/en.ts';

export interface HrPage {
  path: string;
  load: () => Promise<{ default: ComponentType }>;
  /** Shown in the navigation, under this label, when set. */
  nav?: HrMessageKey;
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
  { path: 'interviews/new', nav: 'nav.newInterview', access: 'recruit', load: () => import('./pages/manage/interview-new.tsx') },
  { path: 'interviews/:id/setup', access: 'recruit', load: () => import('./pages/manage/interview-setup.tsx') },
  { path: 'scheduling', nav: 'nav.scheduling', access: 'recruit', load: () => import('./pages/manage/scheduling/scheduling-page.tsx') },
  { path: 'audit', nav: 'nav.audit', access: 'recruit', load: () => import('./pages/manage/audit.tsx') },
  { path: 'settings', nav: 'nav.settings', access: 'admin', load: () => import('./pages/manage/settings.tsx') },
];
