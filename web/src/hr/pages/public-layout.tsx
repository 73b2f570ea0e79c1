import { useEffect, useRef, type ReactNode } from 'react';
import { useT } from '../i18n/i18n.tsx';
import { LanguageSwitch } from '../layout.tsx';

/** The signed-out pages' frame: brand, language, one card. */
export function PublicPage({ title, children }: { title: string; children: ReactNode }) {
  const { t } = useT();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · ${t('shell.brand')}`;
  }, [title, t]);
  useEffect(() => heading.current?.focus({ preventScroll: true }), []);
  return (
    <div className="hr-public">
      <header className="hr-public-header">
        <span className="hr-brand-name">{t('shell.brand')}</span>
        <LanguageSwitch />
      </header>
      <main className="hr-public-main">
        <section className="hr-card hr-public-card">
          <h1 ref={heading} tabIndex={-1} className="hr-title">
            {title}
          </h1>
          {children}
        </section>
      </main>
    </div>
  );
}
