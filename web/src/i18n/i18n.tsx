import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ar } from './ar.ts';
import { en, type MessageKey, type Messages } from './en.ts';

export type Lang = 'en' | 'ar';
const catalogues: Record<Lang, Messages> = { en, ar };

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

interface I18n {
  lang: Lang;
  dir: 'ltr' | 'rtl';
  t: Translate;
  setLang(lang: Lang): void;
}

const I18nContext = createContext<I18n | null>(null);

/** The interview's language picks the catalogue; anything we have no catalogue for falls back to English. */
export function langFor(tag: string | undefined | null): Lang {
  return tag?.toLowerCase().startsWith('ar') ? 'ar' : 'en';
}

export function I18nProvider({ initial, children }: { initial: Lang; children: ReactNode }) {
  const [lang, setLang] = useState<Lang>(initial);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.documentElement.dir = lang === 'ar' ? 'rtl' : 'ltr';
  }, [lang]);
  const value = useMemo<I18n>(() => {
    const messages = catalogues[lang];
    return {
      lang,
      dir: lang === 'ar' ? 'rtl' : 'ltr',
      setLang,
      t: (key, params) =>
        messages[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params?.[name] ?? `{${name}}`)),
    };
  }, [lang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  const other: Lang = lang === 'en' ? 'ar' : 'en';
  return (
    <button
      type="button"
      className="link-button"
      lang={other}
      aria-label={t('lang.switchLabel')}
      onClick={() => setLang(other)}
    >
      {t('lang.switch')}
    </button>
  );
}
