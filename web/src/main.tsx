import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { I18nProvider, langFor } from './i18n/i18n.tsx';
import './styles.css';

// Until the interview's language is known, the browser's language picks the catalogue.
createRoot(document.getElementById('root')!).render(
  <I18nProvider initial={langFor(navigator.language)}>
    <App />
  </I18nProvider>,
);
