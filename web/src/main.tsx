import { lazy, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { reviewPaths, startEarly } from './hr/early.ts';
import { I18nProvider, langFor } from './i18n/i18n.tsx';
import './styles.css';

// The HR workspace (/hr/…) is its own route tree in its own chunks: the candidate's first load carries none of it.
const HrApp = lazy(() => import('./hr/hr-app.tsx'));
const root = createRoot(document.getElementById('root')!);

if (/^\/hr(\/|$)/.test(window.location.pathname)) {
  // A review is the page reviewers open from a link: its chunk loads beside the workspace's instead of after it
  // (the router, once loaded, would only then ask for it; the same module, so the router finds it loaded), and its
  // data is asked for now too (hr/early.ts).
  const review = /^\/hr\/interviews\/([0-9a-f]{8}-[0-9a-f-]{27})\/?$/i.exec(window.location.pathname);
  if (review) {
    startEarly(reviewPaths(review[1]!));
    void import('./hr/pages/review/review-page.tsx');
  }
  root.render(
    <Suspense fallback={null}>
      <HrApp />
    </Suspense>,
  );
} else {
  // Until the interview's language is known, the browser's language picks the catalogue; a join page the API
  // served with its interview's facts (api/web/static.ts) already says the interview's language.
  const served = document.getElementById('room-info') ? document.documentElement.lang : null;
  root.render(
    <I18nProvider initial={langFor(served ?? navigator.language)}>
      <App />
    </I18nProvider>,
  );
}
