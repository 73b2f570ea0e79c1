import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/en.ts';

/** A step that failed but may work again: what went wrong, and a button to try once more. */
export function RetryCard({
  title,
  message,
  onRetry,
}: {
  title: MessageKey;
  message: { key: MessageKey; params?: Record<string, string | number> };
  onRetry: () => void;
}) {
  const { t } = useI18n();
  return (
    <section className="card narrow">
      <h1 tabIndex={-1}>{t(title)}</h1>
      <p role="alert">{t(message.key, message.params)}</p>
      <button type="button" className="primary" onClick={onRetry}>
        {t('common.retry')}
      </button>
    </section>
  );
}
