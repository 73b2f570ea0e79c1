// The HR workspace (/hr/…): its own route tree, loaded lazily by main.tsx only on /hr paths, so none of it (router,
// TanStack Query and Table, react-aria-components, its catalogues) reaches the candidate's first load.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, Navigate, RouterProvider, type RouteObject } from 'react-router';
import { RouterProvider as AriaRouterProvider } from 'react-aria-components';
import { useNavigate, useHref, Outlet } from 'react-router';
import { ApiError } from './api.ts';
import { RequireSession, sessionQuery, watchSession } from './auth.tsx';
import { HrI18nProvider } from './i18n/i18n.tsx';
import { RequireAccess, Shell } from './layout.tsx';
import NotFoundPage from './pages/not-found.tsx';
import { prefetchReview } from './pages/review/queries.ts';
import { homePath, pages, publicPages, type HrPage } from './routes.ts';
import './hr.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A refusal (403, 404) will not change on a retry; a network or server failure might.
      retry: (count, error) => count < 2 && !(error instanceof ApiError && error.status < 500),
      staleTime: 30_000,
    },
  },
});
watchSession(queryClient);

function lazyRoute(page: HrPage, guarded: boolean): RouteObject {
  return {
    path: page.path,
    lazy: async () => {
      const { default: Page } = await page.load();
      return {
        Component: guarded && page.access ? () => <RequireAccess access={page.access!}><Page /></RequireAccess> : Page,
      };
    },
  };
}

/** react-aria-components' links (menus, breadcrumbs) navigate through the router, not with a full page load. */
function AriaRouting() {
  const navigate = useNavigate();
  return (
    <AriaRouterProvider navigate={(to) => void navigate(to)} useHref={useHref}>
      <Outlet />
    </AriaRouterProvider>
  );
}

const router = createBrowserRouter([
  {
    path: '/hr',
    Component: AriaRouting,
    children: [
      { index: true, element: <Navigate to={homePath} replace /> },
      ...publicPages.map((page) => lazyRoute(page, false)),
      {
        Component: () => (
          <RequireSession>
            <Shell />
          </RequireSession>
        ),
        children: [...pages.map((page) => lazyRoute(page, true)), { path: '*', Component: NotFoundPage }],
      },
    ],
  },
]);

// The first page's data does not wait for the router to load the page's chunk, nor the page's requests for the
// session check: a guarded page starts the session check now, and a review asks for its interview, transcript,
// scorecard and the rest beside it (the cookie goes with each; a 401 sends the visitor to sign in all the same).
const landing = router.state.matches.at(-1);
if (landing && pages.some((page) => page.path === landing.route.path)) {
  void queryClient.prefetchQuery(sessionQuery);
  if (landing.route.path === 'interviews/:id' && landing.params.id) prefetchReview(queryClient, landing.params.id);
}

export default function HrApp() {
  return (
    <QueryClientProvider client={queryClient}>
      <HrI18nProvider>
        <RouterProvider router={router} />
      </HrI18nProvider>
    </QueryClientProvider>
  );
}
