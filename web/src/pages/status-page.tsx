import { useI18n } from '../i18n/i18n.tsx';

export type PlainStatus = 'unknown' | 'expired' | 'cancelled' | 'ended';

/** Dead ends say plainly what happened and whom to ask; no form, nothing to retry. */
export function StatusPage({ status, companyName }: { status: PlainStatus; companyName?: string }) {
  const { t } = useI18n();
  return (
    <section className="card narrow" data-status={status}>
      <h1 tabIndex={-1}>{t(`status.${status}.title`)}</h1>
      {companyName ? <p className="company">{companyName}</p> : null}
      <p>{t(`status.${status}.body`)}</p>
      <p>
        <a href="/join">{t('status.enterCode')}</a>
      </p>
    </section>
  );
}
