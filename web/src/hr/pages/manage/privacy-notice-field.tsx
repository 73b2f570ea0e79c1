// Settings → Company: the company's privacy notice, the link the candidate's disclosure on the join page shows. The
// API takes https addresses only; its refusal is worded at the field.
import { ApiError } from '../../api.ts';
import { useT } from '../../i18n/i18n.tsx';

export function PrivacyNoticeField({ value, onChange, error }: { value: string; onChange(value: string): void; error: unknown }) {
  const { t } = useT();
  const refused =
    error instanceof ApiError &&
    error.code === 'validation_failed' &&
    (error.problem?.errors ?? []).some((field) => field.path === 'body.privacyNoticeUrl');
  return (
    <div className="hr-field">
      <label htmlFor="company-privacy">{t('settings.privacyNotice')}</label>
      <input
        id="company-privacy"
        className="hr-input"
        type="url"
        dir="ltr"
        inputMode="url"
        placeholder="https://"
        value={value}
        aria-invalid={refused || undefined}
        aria-describedby="company-privacy-hint company-privacy-error"
        onChange={(e) => onChange(e.target.value)}
      />
      <span id="company-privacy-hint" className="hr-hint">
        {t('settings.privacyNoticeHint')}
      </span>
      <span id="company-privacy-error" className="hr-field-error">
        {refused ? t('settings.privacyNoticeInvalid') : ''}
      </span>
    </div>
  );
}
