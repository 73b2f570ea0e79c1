// The shell around every signed-in page: skip link, header (company, language, the user's menu), navigation from
// the route table, and the page. Pages start with <PageHeading>, which titles the tab and takes focus, so a screen
// reader hears where a navigation landed.
import { useEffect, useRef, type ReactNode } from 'react';
import { Button, Menu, MenuItem, MenuTrigger, Popover } from 'react-aria-components';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { may, useCurrentSession, useSignOut, type Access } from './auth.tsx';
import { HrTimeZone, useT } from './i18n/i18n.tsx';
import { currentNav, pages } from './routes.ts';

export function LanguageSwitch() {
  const { lang, setLang, t } = useT();
  const other = lang === 'en' ? 'ar' : 'en';
  return (
    // The visible word is in the other language; the hidden words before it say what the button does, and the
    // accessible name keeps the visible word (WCAG 2.5.3, label in name).
    <button type="button" className="hr-link-button" onClick={() => setLang(other)}>
      <span className="hr-visually-hidden">{t('lang.switchLabel')}: </span>
      <span lang={other}>{t('lang.switch')}</span>
    </button>
  );
}

function UserMenu() {
  const session = useCurrentSession();
  const signOut = useSignOut();
  const navigate = useNavigate();
  const { t } = useT();
  const leave = async (everywhere: boolean) => {
    await signOut(everywhere).catch(() => undefined);
    void navigate('/hr/sign-in', { replace: true });
  };
  return (
    <MenuTrigger>
      <Button className="hr-user-button">
        <span className="hr-user-name">{session.user.name}</span>
        <span className="hr-user-role">{t(`role.${session.user.role}`)}</span>
      </Button>
      <Popover placement="bottom end" className="hr-popover">
        <Menu className="hr-menu" onAction={(key) => void leave(key === 'everywhere')}>
          <MenuItem id="sign-out" className="hr-menu-item">
            {t('shell.signOut')}
          </MenuItem>
          <MenuItem id="everywhere" className="hr-menu-item">
            {t('shell.signOutEverywhere')}
          </MenuItem>
        </Menu>
      </Popover>
    </MenuTrigger>
  );
}

export function Shell() {
  const session = useCurrentSession();
  const { t } = useT();
  const nav = pages.filter((page) => page.nav && may(session.user.role, page.access ?? 'read'));
  const current = currentNav(useLocation().pathname);
  return (
    <div className="hr-shell">
      <a className="hr-skip" href="#hr-main">
        {t('shell.skip')}
      </a>
      <header className="hr-header">
        <div className="hr-brand">
          <span className="hr-brand-name">{t('shell.brand')}</span>
          <span className="hr-company" dir="auto" title={session.company.name}>
            {session.company.name}
          </span>
        </div>
        <nav aria-label={t('shell.nav')} className="hr-nav">
          <ul>
            {nav.map((page) => (
              <li key={page.path}>
                <Link to={`/hr/${page.path}`} aria-current={page.path === current ? 'page' : undefined}>
                  {t(page.nav!)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="hr-header-end">
          <LanguageSwitch />
          <UserMenu />
        </div>
      </header>
      <main id="hr-main" className="hr-main" tabIndex={-1}>
        <HrTimeZone zone={session.company.timezone}>
          <Outlet />
        </HrTimeZone>
      </main>
    </div>
  );
}

/** The page's one h1: names the browser tab and takes focus when the page opens. */
export function PageHeading({ children, title }: { children: ReactNode; title: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  const { t } = useT();
  useEffect(() => {
    document.title = `${title} · ${t('shell.brand')}`;
  }, [title, t]);
  useEffect(() => {
    ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1} className="hr-title">
      {children}
    </h1>
  );
}

export function RequireAccess({ access, children }: { access: Access; children: ReactNode }) {
  const session = useCurrentSession();
  const { t } = useT();
  if (may(session.user.role, access)) return children;
  return (
    <section className="hr-page">
      <PageHeading title={t('forbidden.title')}>{t('forbidden.title')}</PageHeading>
      <p>{t('forbidden.body')}</p>
    </section>
  );
}
