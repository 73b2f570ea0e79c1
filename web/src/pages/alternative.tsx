import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { errorMessage, requestAlternative, type InterviewRef } from '../lib/api.ts';

type State =
  { kind: 'closed' } | { kind: 'open'; error?: unknown } | { kind: 'sending' } | { kind: 'done'; already: boolean };

/**
 * "I'd like another way to be interviewed": the alternative process, offered before joining and on the Done page. A
 * click opens a short form (both fields optional); sending records the request and tells the company, and cancels
 * nothing. Asking twice is answered as already recorded.
 */
export function AlternativeRequest({
  interviewRef,
  companyName,
  title,
}: {
  interviewRef: InterviewRef;
  companyName: string;
  title: 'alt.title' | 'alt.titleDone';
}) {
  const { t } = useI18n();
  const [state, setState] = useState<State>({ kind: 'closed' });
  const [reason, setReason] = useState('');
  const [contact, setContact] = useState('');
  const headingId = useId();
  const resultRef = useRef<HTMLParagraphElement | null>(null);
  const company = companyName;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setState({ kind: 'sending' });
    try {
      const result = await requestAlternative(interviewRef, {
        ...(reason.trim() ? { reason: reason.trim() } : {}),
        ...(contact.trim() ? { contact: contact.trim() } : {}),
      });
      setState({ kind: 'done', already: result.alreadyRecorded });
    } catch (error) {
      setState({ kind: 'open', error });
    }
  }

  // The form goes away with the focused button: focus follows to the answer, so a screen reader reads it.
  const done = state.kind === 'done';
  useEffect(() => {
    if (done) resultRef.current?.focus();
  }, [done]);

  const message = state.kind === 'open' && state.error ? errorMessage(state.error) : null;
  return (
    <section className="card join-alternative" aria-labelledby={headingId} data-testid="alternative">
      <h2 id={headingId}>{t(title)}</h2>
      {state.kind === 'done' ? (
        <p className="field-ok" role="status" tabIndex={-1} ref={resultRef} data-testid="alternative-result">
          {t(state.already ? 'alt.already' : title === 'alt.titleDone' ? 'alt.recordedDone' : 'alt.recorded', { company })}
        </p>
      ) : state.kind === 'closed' ? (
        <>
          <p className="hint">{t('alt.short', { company })}</p>
          <button type="button" aria-expanded={false} onClick={() => setState({ kind: 'open' })}>
            {t('alt.open')}
          </button>
        </>
      ) : (
        <form onSubmit={submit} aria-busy={state.kind === 'sending'} noValidate>
          <p>{t('alt.intro', { company })}</p>
          <div className="field">
            <label htmlFor={`${headingId}-reason`}>{t('alt.reason', { company })}</label>
            <textarea
              id={`${headingId}-reason`}
              rows={3}
              maxLength={500}
              value={reason}
              aria-describedby={`${headingId}-reason-hint`}
              onChange={(event) => setReason(event.target.value)}
            />
            <p id={`${headingId}-reason-hint`} className="hint">
              {t('alt.reasonHint')}
            </p>
          </div>
          <div className="field">
            <label htmlFor={`${headingId}-contact`}>{t('alt.contact')}</label>
            <input
              id={`${headingId}-contact`}
              maxLength={200}
              autoComplete="email"
              value={contact}
              aria-describedby={`${headingId}-contact-hint`}
              onChange={(event) => setContact(event.target.value)}
            />
            <p id={`${headingId}-contact-hint`} className="hint">
              {t('alt.contactHint')}
            </p>
          </div>
          {message ? (
            <p className="form-error" role="alert">
              {t(message.key, message.params)}
            </p>
          ) : null}
          <div className="button-row">
            <button type="submit" className="primary" disabled={state.kind === 'sending'}>
              {state.kind === 'sending' ? t('alt.sending') : t('alt.submit')}
            </button>
            <button type="button" className="link-button alt-cancel" onClick={() => setState({ kind: 'closed' })}>
              {t('alt.cancel')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
