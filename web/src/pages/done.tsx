import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/en.ts';
import type { InterviewRef } from '../lib/api.ts';
import { AlternativeRequest } from './alternative.tsx';
import type { EndReason } from './interview-attributes.ts';

export type { EndReason };

// What happens next depends on how it ended: a review when there are answers to review, a reminder to mention
// technical trouble when the candidate went quiet or dropped, nothing to review when consent was declined.
const next: Record<EndReason, MessageKey> = {
  completed: 'done.next',
  time_limit: 'done.next',
  max_duration: 'done.next',
  candidate_ended: 'done.next',
  candidate_unresponsive: 'done.nextTrouble',
  candidate_left: 'done.nextTrouble',
  consent_declined: 'done.nextAlternative',
  cancelled: 'done.nextContact',
  expired: 'done.nextContact',
  failed: 'done.nextContact',
  ended: 'done.nextContact',
};

/**
 * No scores and no transcript here: the candidate learns that it is over, why, and what happens next, from the
 * company by name (a reload of /done no longer knows it, and says "the company").
 */
export function DonePage({
  reason,
  companyName,
  contactEmail,
  interviewRef,
}: {
  reason: EndReason;
  companyName?: string;
  contactEmail?: string | null;
  /** The interview, while this tab still knows it (not after a reload): the alternative process needs it. */
  interviewRef?: InterviewRef;
}) {
  const { t } = useI18n();
  const company = companyName ?? t('done.theCompany');
  return (
    <>
      <section className="card narrow" data-testid="done" data-reason={reason}>
        <h1 tabIndex={-1}>{t('done.title')}</h1>
        <p>{t(`done.${reason}`)}</p>
        <p>{t(next[reason], { company })}</p>
        {contactEmail ? (
          <p data-testid="contact">
            {t('done.contact', { company })}{' '}
            <a href={`mailto:${contactEmail}`} dir="ltr">
              {contactEmail}
            </a>
          </p>
        ) : null}
      </section>
      {interviewRef ? (
        <div className="narrow">
          <AlternativeRequest interviewRef={interviewRef} companyName={company} title="alt.titleDone" />
        </div>
      ) : null}
    </>
  );
}
