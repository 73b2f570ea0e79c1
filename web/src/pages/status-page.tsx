import { useI18n } from '../i18n/i18n.tsx';

export type PlainStatus = 'unknown' | 'expired' | 'cancelled' | 'ended';

/**
 * Dead ends say plainly what happened and whom to ask; no form, nothing to retry. Another room code helps only
 * when this one was not found; an expired or cancelled interview needs the company, so the page says how to reach
 * it (its reply-to address when it has one, else the invitation e-mail).
 */
export function StatusPage({
  status,
  companyName,
  contactEmail,
}: {
  status: PlainStatus;
  companyName?: string;
  contactEmail?: string | null;
}) {
  const { t } = useI18n();
  return (
    <section className="card narrow" data-status={status}>
      <h1 tabIndex={-1}>{t(`status.${status}.title`)}</h1>
      {companyName ? <p className="company">{companyName}</p> : null}
      <p>{t(`status.${status}.body`)}</p>
      {status === 'unknown' || !companyName ? (
        <p>
          <a href="/join">{t('status.enterCode')}</a>
        </p>
      ) : contactEmail ? (
        <p data-testid="contact">
          {t('status.contactEmail', { company: companyName })}{' '}
          <a href={`mailto:${contactEmail}`} dir="ltr">
            {contactEmail}
          </a>
        </p>
      ) : (
        <p data-testid="contact">{t('status.contactReply', { company: companyName })}</p>
      )}
    </section>
  );
}
