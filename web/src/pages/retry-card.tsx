import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/en.ts';

/**
 * A step that failed but may work again: what went wrong, and a button to try once more. While the page is already
 * trying again by itself (`pending`), the message is a status rather than an alert and the button only hurries it.
 */
export function RetryCard({
  title,
  message,
  onRetry,
  pending,
}: {
  title: MessageKey;
  message: { key: MessageKey; params?: Record<string, string | number> };
  onRetry: () => void;
  pending?: { hint: MessageKey; button: MessageKey };
}) {
  const { t } = useI18n();
  return (
    <section className="card narrow" data-testid={pending ? 'retrying' : undefined}>
      <h1 tabIndex={-1}>{t(title)}</h1>
      <p role={pending ? 'status' : 'alert'}>{t(message.key, message.params)}</p>
      {pending ? <p className="hint retry-hint">{t(pending.hint)}</p> : null}
      <button type="button" className={pending ? undefined : 'primary'} onClick={onRetry}>
        {t(pending?.button ?? 'common.retry')}
      </button>
    </section>
  );
}
