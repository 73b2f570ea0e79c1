import { useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { normalizeCode } from '../lib/api.ts';

/** For candidates who have the code but not the link: typed by hand, so case, spaces and dashes are forgiven. */
export function CodeEntryPage({ onCode }: { onCode(code: string): void }) {
  const { t } = useI18n();
  const [value, setValue] = useState('');
  const [invalid, setInvalid] = useState(false);
  return (
    <section className="card narrow">
      <h1 tabIndex={-1}>{t('code.title')}</h1>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const code = normalizeCode(value);
          if (code) onCode(code);
          else setInvalid(true);
        }}
      >
        <label htmlFor="room-code">{t('code.label')}</label>
        <input
          id="room-code"
          value={value}
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          dir="ltr"
          aria-describedby={invalid ? 'room-code-error' : 'room-code-hint'}
          aria-invalid={invalid || undefined}
          onChange={(event) => {
            setValue(event.target.value);
            setInvalid(false);
          }}
        />
        {invalid ? (
          <p id="room-code-error" className="field-error">
            {t('code.invalid')}
          </p>
        ) : (
          <p id="room-code-hint" className="hint">
            {t('code.hint')}
          </p>
        )}
        <button type="submit" className="primary">
          {t('code.submit')}
        </button>
      </form>
    </section>
  );
}
