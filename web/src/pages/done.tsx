import { useI18n } from '../i18n/i18n.tsx';
import type { EndReason } from './interview-attributes.ts';

export type { EndReason };

/** No scores and no transcript here: the candidate learns that it is over and what happens next. */
export function DonePage({ reason }: { reason: EndReason }) {
  const { t } = useI18n();
  return (
    <section className="card narrow" data-testid="done" data-reason={reason}>
      <h1 tabIndex={-1}>{t('done.title')}</h1>
      <p>{t(`done.${reason}`)}</p>
      <p>{t('done.next')}</p>
    </section>
  );
}
