import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ar } from './ar.ts';
import { en, type HrMessageKey, type HrMessages } from './en.ts';

// The workspace's own catalogues, apart from the candidate app's: they travel in the workspace's lazy chunk, so the
// candidate's first load never carries HR strings.

export type Lang = 'en' | 'ar';
const catalogues: Record<Lang, HrMessages> = { en, ar };
const storageKey = 'hr.lang';

export type Translate = (key: HrMessageKey, params?: Record<string, string | number>) => string;

export interface HrI18n {
  lang: Lang;
  dir: 'ltr' | 'rtl';
  /** The locale for Intl formatting: Arabic text with Latin digits, which HR staff compare across tools. */
  locale: string;
  /**
   * The IANA zone dates are shown in: the company's inside the signed-in shell (<HrTimeZone>), so everyone in a
   * company reads an interview at the same hour; undefined (the browser's) on the signed-out pages.
   */
  timeZone: string | undefined;
  t: Translate;
  setLang(lang: Lang): void;
}

const I18nContext = createContext<HrI18n | null>(null);

function initialLang(): Lang {
  const stored = localStorage.getItem(storageKey);
  if (stored === 'en' || stored === 'ar') return stored;
  return navigator.language.toLowerCase().startsWith('ar') ? 'ar' : 'en';
}

export function HrI18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.documentElement.dir = lang === 'ar' ? 'rtl' : 'ltr';
  }, [lang]);
  const value = useMemo<HrI18n>(() => {
    const messages = catalogues[lang];
    return {
      lang,
      dir: lang === 'ar' ? 'rtl' : 'ltr',
      locale: lang === 'ar' ? 'ar-u-nu-latn' : 'en-GB',
      timeZone: undefined,
      setLang: (next) => {
        localStorage.setItem(storageKey, next);
        setLangState(next);
      },
      // A name, a date or the model's English inside an Arabic sentence (or Arabic inside an English one) is
      // isolated (U+2068 … U+2069), so its direction cannot reorder the words around it.
      t: (key, params) =>
        messages[key].replace(/\{(\w+)\}/g, (_, name: string) => {
          const value = params?.[name];
          if (value === undefined) return `{${name}}`;
          return typeof value === 'string' ? `\u2068${value}\u2069` : String(value);
        }),
    };
  }, [lang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/** Dates below in `zone` (the company's time zone, from the session). */
export function HrTimeZone({ zone, children }: { zone: string; children: ReactNode }) {
  const outer = useT();
  const value = useMemo<HrI18n>(() => ({ ...outer, timeZone: zone }), [outer, zone]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useT(): HrI18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useT outside HrI18nProvider');
  return value;
}
