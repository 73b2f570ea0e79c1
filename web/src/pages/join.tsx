import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { langFor, useI18n } from '../i18n/i18n.tsx';
import {
  ApiError,
  errorMessage,
  getRoomInfo,
  joinInterview,
  selfRetries,
  selfRetryAfter,
  type InterviewRef,
  type JoinRequest,
  type RoomInfo,
  type Session,
} from '../lib/api.ts';
import { takePreloadedRoomInfo } from '../lib/preload.ts';
import { countryOptions, digitCount, phoneIsValid } from '../lib/phone.ts';
import { AlternativeRequest } from './alternative.tsx';
import { Countdown } from './countdown.tsx';
import { RetryCard } from './retry-card.tsx';
import { StatusPage, type PlainStatus } from './status-page.tsx';

type Load =
  | { kind: 'loading' }
  | { kind: 'info'; info: RoomInfo }
  | { kind: 'plain'; status: PlainStatus; info?: RoomInfo }
  | { kind: 'error'; error: unknown };

function plainStatus(info: RoomInfo): PlainStatus | null {
  if (info.joinState === 'closed') return 'expired';
  if (info.joinState !== 'ended') return null;
  if (info.status === 'cancelled') return 'cancelled';
  if (info.status === 'expired') return 'expired';
  return 'ended';
}

interface Props {
  interviewRef: InterviewRef;
  rejoin: boolean;
  onJoined(ref: InterviewRef, roomCode: string, session: Session, request: JoinRequest): void;
}

function loaded(info: RoomInfo): Load {
  const status = plainStatus(info);
  return status ? { kind: 'plain', status, info } : { kind: 'info', info };
}

// The room information the API put in the page is for the address it was served at: the first join page only.
let preloaded: RoomInfo | null | undefined;

export function JoinPage({ interviewRef, rejoin, onJoined }: Props) {
  const { t, setLang } = useI18n();
  const [initial] = useState(() => {
    if (preloaded === undefined) preloaded = takePreloadedRoomInfo();
    const info = preloaded;
    preloaded = null;
    return info;
  });
  const [load, setLoad] = useState<Load>(() => (initial ? loaded(initial) : { kind: 'loading' }));
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (initial && attempt === 0) return;
    let live = true;
    getRoomInfo(interviewRef).then(
      (info) => {
        if (!live) return;
        setLoad(loaded(info));
      },
      (error: unknown) => {
        if (!live) return;
        // A link past its expiry is refused like an unknown one; both get the same plain page.
        if (error instanceof ApiError && (error.status === 404 || error.status === 400))
          setLoad({ kind: 'plain', status: 'unknown' });
        else setLoad({ kind: 'error', error });
      },
    );
    return () => {
      live = false;
    };
  }, [interviewRef, attempt, initial]);

  const language = load.kind === 'info' || load.kind === 'plain' ? load.info?.language : undefined;
  useEffect(() => {
    if (language) setLang(langFor(language));
  }, [language, setLang]);

  if (load.kind === 'loading') return <p role="status">{t('common.loading')}</p>;
  if (load.kind === 'plain')
    return (
      <StatusPage
        status={load.status}
        {...(load.info ? { companyName: load.info.companyName, contactEmail: load.info.contactEmail } : {})}
      />
    );
  if (load.kind === 'error') {
    return <RetryCard title="code.title" message={errorMessage(load.error)} onRetry={() => setAttempt((n) => n + 1)} />;
  }
  const info = load.info;
  // The action comes first (a phone shows the form without scrolling); the notice follows, open on the first view
  // of this tab, a <details> whose summary keyboard and screen-reader users reach like any control.
  return (
    <div className="join-layout">
      <section className="card join-head" aria-labelledby="join-title">
        <h1 id="join-title" tabIndex={-1}>
          {t('join.title', { company: info.companyName })}
        </h1>
        <dl className="facts">
          <div>
            <dt>{t('join.role')}</dt>
            <dd>{info.jobTitle}</dd>
          </div>
          <div>
            <dt>{t('join.type')}</dt>
            <dd>{t(`type.${info.type}` as 'type.CUSTOM')}</dd>
          </div>
          <div>
            <dt>{t('join.duration')}</dt>
            <dd>{t('join.durationValue', { minutes: info.maxDurationMinutes })}</dd>
          </div>
          <div>
            <dt>{t('join.code')}</dt>
            <dd>
              <span dir="ltr">{info.roomCode}</span>
            </dd>
          </div>
        </dl>
      </section>
      <JoinForm
        info={info}
        interviewRef={interviewRef}
        rejoin={rejoin}
        onOpened={() => setAttempt((n) => n + 1)}
        onJoined={(session, request) => onJoined(interviewRef, info.roomCode, session, request)}
      />
      <Notice info={info} />
      <AlternativeRequest interviewRef={interviewRef} companyName={info.companyName} title="alt.title" />
    </div>
  );
}

const noticeSeenKey = 'join.noticeSeen';

function Notice({ info }: { info: RoomInfo }) {
  const { t } = useI18n();
  const [open] = useState(() => sessionStorage.getItem(noticeSeenKey) === null);
  useEffect(() => sessionStorage.setItem(noticeSeenKey, '1'), []);
  return (
    <section className="card join-notice" aria-labelledby="disclosure-title">
      <details open={open} data-testid="notice">
        <summary>
          <h2 id="disclosure-title">{t('join.disclosureTitle')}</h2>
        </summary>
        <ul>
          <li>{t('join.disclosure1')}</li>
          <li>{t(info.recorded ? 'join.disclosure2Recorded' : 'join.disclosure2')}</li>
          <li>{t('join.disclosure3', { company: info.companyName })}</li>
          <li>{t('join.disclosure4', { company: info.companyName })}</li>
        </ul>
        {info.privacyNoticeUrl ? (
          <p data-testid="privacy-notice">
            <a href={info.privacyNoticeUrl} target="_blank" rel="noopener noreferrer">
              {t('join.privacyNotice', { company: info.companyName })}
            </a>
          </p>
        ) : null}
        {info.instructions ? (
          <>
            <h3>{t('join.instructions')}</h3>
            <p className="instructions">{info.instructions}</p>
          </>
        ) : null}
      </details>
    </section>
  );
}

interface FormProps {
  info: RoomInfo;
  interviewRef: InterviewRef;
  rejoin: boolean;
  onOpened(): void;
  onJoined(session: Session, request: JoinRequest): void;
}

// Each language named in itself, so a candidate finds theirs whatever the page's language.
const languageNames: Record<string, string> = { en: 'English', ar: 'العربية' };

function JoinForm({ info, interviewRef, rejoin, onOpened, onJoined }: FormProps) {
  const { t, lang, setLang } = useI18n();
  const choices = info.languageChoices ?? [];
  // The page's language when it is offered (the candidate may have switched it), else the interview's.
  const [chosenLanguage, setChosenLanguage] = useState(choices.includes(lang) ? lang : info.language);
  const countries = useMemo(() => countryOptions(lang), [lang]);
  const [region, setRegion] = useState(info.defaultPhoneRegion);
  const [phone, setPhone] = useState('');
  const [phoneTouched, setPhoneTouched] = useState(false);
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [opensAt, setOpensAt] = useState<string | null>(info.joinState === 'not_open_yet' ? info.window.opensAt : null);
  // The phone the API found no interview for: the error stays with the phone field until the number changes.
  const [rejectedPhone, setRejectedPhone] = useState<string | null>(null);
  const autoRetries = useRef(0);
  const formRef = useRef<HTMLFormElement | null>(null);

  const phoneRejected = rejectedPhone !== null && rejectedPhone === `${region} ${phone}`;
  const phoneValid = phoneIsValid(phone, region) && !phoneRejected;
  // A rejoin needs only the phone: the API matches on it and keeps the name HR has.
  const askNames = !rejoin;
  // Judge the number once it could be complete, or once the candidate leaves the field; not at the first digit.
  const showPhoneState = phoneTouched || submitted || digitCount(phone) >= 7;
  const open = opensAt === null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    if (!phoneValid || (askNames && (!firstName.trim() || !lastName.trim())) || !open) return;
    setBusy(true);
    setError(null);
    const request: JoinRequest = {
      phone,
      phoneRegion: region,
      ...(askNames ? { firstName: firstName.trim(), lastName: lastName.trim() } : {}),
      ...(choices.length > 0 ? { language: chosenLanguage } : {}),
    };
    try {
      onJoined(await joinInterview(interviewRef, request), request);
    } catch (caught) {
      setBusy(false);
      if (caught instanceof ApiError && caught.code === 'not_open_yet' && caught.opensAt)
        return setOpensAt(caught.opensAt);
      if (caught instanceof ApiError && caught.code === 'not_found') {
        setRejectedPhone(`${region} ${phone}`);
        document.getElementById('phone')?.focus();
        return;
      }
      setError(caught);
      // After a reload the old tab takes a moment to leave the room, and a room LiveKit cannot open now may open in a
      // few seconds: try again by ourselves a few times.
      const retryAfter = selfRetryAfter(caught);
      if (retryAfter !== undefined && autoRetries.current < selfRetries) {
        autoRetries.current += 1;
        setTimeout(() => formRef.current?.requestSubmit(), retryAfter * 1000);
      }
    }
  }

  const message = error ? errorMessage(error) : null;
  return (
    <section className="card" aria-labelledby="form-title">
      <h2 id="form-title">{t('join.formTitle')}</h2>
      {rejoin ? <p className="notice">{t('join.rejoin')}</p> : null}
      {opensAt ? (
        <Countdown
          until={opensAt}
          startsAt={info.startsAt}
          onReached={() => {
            setOpensAt(null);
            onOpened();
          }}
        />
      ) : null}
      <form ref={formRef} noValidate onSubmit={submit} aria-busy={busy}>
        {choices.length > 0 ? (
          <div className="field">
            <label htmlFor="interview-language">{t('join.language')}</label>
            <select
              id="interview-language"
              value={chosenLanguage}
              aria-describedby="interview-language-hint"
              onChange={(event) => {
                setChosenLanguage(event.target.value);
                // The page follows: the candidate reads the notice in the language they will be interviewed in.
                setLang(langFor(event.target.value));
              }}
            >
              {choices.map((code) => (
                <option key={code} value={code} lang={code}>
                  {languageNames[code] ?? code}
                </option>
              ))}
            </select>
            <p id="interview-language-hint" className="hint">
              {t('join.languageHint')}
            </p>
          </div>
        ) : null}
        <div className="phone-row">
          <div className="field country">
            <label htmlFor="country">{t('join.country')}</label>
            <select
              id="country"
              value={region}
              onChange={(event) => {
                setRegion(event.target.value);
                setError(null);
              }}
              autoComplete="tel-country-code"
            >
              {countries.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="phone">{t('join.phone')}</label>
            <input
              id="phone"
              type="tel"
              inputMode="tel"
              autoComplete="tel"
              dir="ltr"
              value={phone}
              aria-invalid={(showPhoneState || phoneRejected) && !phoneValid ? true : undefined}
              aria-describedby="phone-hint phone-state"
              onChange={(event) => {
                setPhone(event.target.value);
                setError(null);
              }}
              onBlur={() => setPhoneTouched(phone.length > 0)}
            />
            <p id="phone-hint" className="hint">
              {t('join.phoneHint', { company: info.companyName })}
            </p>
            <p id="phone-state" className={phoneValid ? 'field-ok' : 'field-error'} aria-live="polite">
              {phoneRejected
                ? t('join.phoneNotFound', { company: info.companyName })
                : showPhoneState
                  ? phoneValid
                    ? t('join.phoneValid')
                    : t('join.phoneInvalid')
                  : ''}
            </p>
          </div>
        </div>
        {askNames ? (
          <div className="name-row">
            <NameField
              id="first-name"
              label={t('join.firstName')}
              autoComplete="given-name"
              value={firstName}
              onChange={setFirstName}
              showError={submitted}
            />
            <NameField
              id="last-name"
              label={t('join.lastName')}
              autoComplete="family-name"
              value={lastName}
              onChange={setLastName}
              showError={submitted}
            />
          </div>
        ) : null}
        {message ? (
          <p className="form-error" role="alert">
            {t(message.key, message.params)}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={busy || !open}>
          {busy ? t('join.submitting') : t('join.submit')}
        </button>
      </form>
    </section>
  );
}

function NameField(props: {
  id: string;
  label: string;
  autoComplete: string;
  value: string;
  onChange(value: string): void;
  showError: boolean;
}) {
  const { t } = useI18n();
  const missing = props.showError && !props.value.trim();
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        autoComplete={props.autoComplete}
        value={props.value}
        aria-invalid={missing || undefined}
        aria-describedby={missing ? `${props.id}-error` : undefined}
        onChange={(event) => props.onChange(event.target.value)}
      />
      {missing ? (
        <p id={`${props.id}-error`} className="field-error">
          {t('join.required')}
        </p>
      ) : null}
    </div>
  );
}
