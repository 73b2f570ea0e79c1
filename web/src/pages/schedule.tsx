import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { MessageKey } from '../i18n/en.ts';
import { langFor, useI18n } from '../i18n/i18n.tsx';
import { errorMessage } from '../lib/api.ts';
import { RetryCard } from './retry-card.tsx';
import {
  browserTimeZone,
  formatDay,
  formatDayTime,
  formatTime,
  groupByDay,
  localeFor,
  sameWallClock,
  zoneLabel,
} from '../lib/schedule-time.ts';
import {
  bookSlot,
  cancelBooking,
  getInvitation,
  invitationGone,
  refusalMessage,
  rescheduleTo,
  type Invitation,
  type OfferedSlot,
  type ScheduleAction,
} from '../lib/scheduling.ts';
import './schedule.css';

// Self-scheduling from an invitation e-mail: pick one of the company's open times (shown in the candidate's own
// timezone), then see, move or cancel the booking. The token only lives in this page's memory.

type Load =
  { kind: 'loading' } | { kind: 'gone' } | { kind: 'error'; error: unknown } | { kind: 'ready'; view: Invitation };

interface Notice {
  key: MessageKey;
  params?: Record<string, string | number> | undefined;
  tone: 'ok' | 'error';
}

const doneNotice: Record<ScheduleAction, MessageKey> = {
  book: 'schedule.bookedNotice',
  reschedule: 'schedule.movedNotice',
  cancel: 'schedule.cancelledNotice',
};

export default function SchedulePage({ token }: { token: string | null }) {
  const { t, setLang } = useI18n();
  const zone = useMemo(browserTimeZone, []);
  const [load, setLoad] = useState<Load>(token ? { kind: 'loading' } : { kind: 'gone' });
  const [attempt, setAttempt] = useState(0);
  const [picking, setPicking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);
  const languageChosen = useRef(false);
  const noticeRef = useRef<HTMLDivElement | null>(null);

  useEffect(() => {
    if (!token) return;
    let live = true;
    getInvitation(token).then(
      (view) => {
        if (!live) return;
        // The invitation's language (its e-mail's) opens the page once; the candidate's own switch wins after that.
        if (!languageChosen.current) setLang(langFor(view.language));
        languageChosen.current = true;
        setLoad({ kind: 'ready', view });
      },
      (error: unknown) => {
        if (live) setLoad(invitationGone(error) ? { kind: 'gone' } : { kind: 'error', error });
      },
    );
    return () => {
      live = false;
    };
  }, [token, attempt, setLang]);

  // Each new page state announces itself: the heading on load, the outcome after an action.
  useEffect(() => {
    if (notice) noticeRef.current?.focus();
  }, [notice]);
  useEffect(() => {
    if (load.kind !== 'loading') document.querySelector<HTMLElement>('main h1')?.focus();
  }, [load.kind]);

  async function act(action: ScheduleAction, run: (token: string) => Promise<Invitation>) {
    if (!token || busy) return;
    setBusy(true);
    setNotice(null);
    try {
      const view = await run(token);
      setLoad({ kind: 'ready', view });
      setPicking(false);
      setNotice({ key: doneNotice[action], tone: 'ok' });
    } catch (error) {
      const message = refusalMessage(error, action);
      // Whatever was refused, show how things stand now (the slot taken, the booking moved elsewhere, …).
      try {
        const view = await getInvitation(token);
        setLoad({ kind: 'ready', view });
        const takenWhileMoving = message.key === 'schedule.error.slotTaken' && action === 'reschedule';
        setPicking(takenWhileMoving && view.canChange && (view.booking?.reschedulesLeft ?? 0) > 0);
      } catch (reloadError) {
        if (invitationGone(reloadError)) return setLoad({ kind: 'gone' });
      }
      setNotice({ ...message, tone: 'error' });
    } finally {
      setBusy(false);
    }
  }

  async function loadMore() {
    if (!token || load.kind !== 'ready' || !load.view.nextCursor) return;
    setLoadingMore(true);
    try {
      const next = await getInvitation(token, load.view.nextCursor);
      setLoad((current) => {
        if (current.kind !== 'ready') return current;
        const known = new Set(current.view.slots.map((s) => s.id));
        return {
          kind: 'ready',
          view: { ...next, slots: [...current.view.slots, ...next.slots.filter((s) => !known.has(s.id))] },
        };
      });
    } catch (error) {
      if (invitationGone(error)) setLoad({ kind: 'gone' });
      else setNotice({ ...errorMessage(error), tone: 'error' });
    } finally {
      setLoadingMore(false);
    }
  }

  if (load.kind === 'loading') return <p role="status">{t('common.loading')}</p>;
  if (load.kind === 'gone')
    return (
      <section className="card narrow" data-status="invitation-invalid">
        <h1 tabIndex={-1}>{t('schedule.invalid.title')}</h1>
        <p>{t(token ? 'schedule.invalid.body' : 'schedule.missing.body')}</p>
      </section>
    );
  if (load.kind === 'error') {
    return (
      <RetryCard
        title="schedule.loadErrorTitle"
        message={errorMessage(load.error)}
        onRetry={() => setAttempt((n) => n + 1)}
      />
    );
  }

  const view = load.view;
  const booking = view.booking;
  return (
    <div className="schedule">
      <section className="card" aria-labelledby="schedule-title">
        <h1 id="schedule-title" tabIndex={-1}>
          {t(booking ? 'schedule.bookedTitle' : 'schedule.title', { company: view.companyName })}
        </h1>
        <dl className="facts">
          <div>
            <dt>{t('join.role')}</dt>
            <dd>{view.jobTitle}</dd>
          </div>
          <div>
            <dt>{t('join.type')}</dt>
            <dd>{t(`type.${view.interviewType}` as 'type.CUSTOM')}</dd>
          </div>
        </dl>
      </section>
      {notice ? (
        <div
          ref={noticeRef}
          tabIndex={-1}
          className={notice.tone === 'ok' ? 'schedule-notice ok' : 'schedule-notice error'}
          role={notice.tone === 'ok' ? 'status' : 'alert'}
        >
          {t(notice.key, notice.params)}
        </div>
      ) : null}
      {booking ? (
        <BookingCard
          view={view}
          zone={zone}
          busy={busy}
          picking={picking}
          onReschedule={() => {
            setNotice(null);
            setPicking(true);
          }}
          onCancel={() => act('cancel', cancelBooking)}
        />
      ) : null}
      {!booking || picking ? (
        <SlotPicker
          view={view}
          zone={zone}
          mode={booking ? 'reschedule' : 'book'}
          busy={busy}
          loadingMore={loadingMore}
          onMore={loadMore}
          onPick={(slotId) =>
            booking
              ? act('reschedule', (tk) => rescheduleTo(tk, slotId, zone))
              : act('book', (tk) => bookSlot(tk, slotId, zone))
          }
          onKeep={() => setPicking(false)}
        />
      ) : null}
    </div>
  );
}

function ZoneNote({ view, zone }: { view: Invitation; zone: string }) {
  const { t, lang } = useI18n();
  const locale = useMemo(() => localeFor(lang), [lang]);
  return (
    <p className="hint zone-note">
      {t('schedule.yourZone', { zone: zoneLabel(zone, locale) })}{' '}
      {view.companyTimezone !== zone
        ? t('schedule.companyZone', { company: view.companyName, zone: zoneLabel(view.companyTimezone, locale) })
        : null}
    </p>
  );
}

interface BookingProps {
  view: Invitation;
  zone: string;
  busy: boolean;
  picking: boolean;
  onReschedule(): void;
  onCancel(): void;
}

function BookingCard({ view, zone, busy, picking, onReschedule, onCancel }: BookingProps) {
  const { t, lang } = useI18n();
  const locale = useMemo(() => localeFor(lang), [lang]);
  const [confirming, setConfirming] = useState(false);
  const booking = view.booking!;
  const when = t('schedule.when', {
    day: formatDay(booking.startsAt, zone, locale),
    time: formatTime(booking.startsAt, zone, locale),
  });
  const changeUntil = new Date(Date.parse(booking.startsAt) - view.limits.minNoticeMinutes * 60_000).toISOString();
  return (
    <section className="card" aria-labelledby="booking-title" data-testid="booking">
      <h2 id="booking-title">{t('schedule.yourBooking')}</h2>
      <dl className="facts booking-facts">
        <div>
          <dt>{t('schedule.date')}</dt>
          <dd>{formatDay(booking.startsAt, zone, locale)}</dd>
        </div>
        <div>
          <dt>{t('schedule.time')}</dt>
          <dd>
            {t('schedule.timeValue', {
              start: formatTime(booking.startsAt, zone, locale),
              end: formatTime(booking.endsAt, zone, locale),
            })}
            <span className="zone">{zoneLabel(zone, locale, new Date(booking.startsAt))}</span>
          </dd>
        </div>
        {sameWallClock(zone, view.companyTimezone, booking.startsAt) ? null : (
          <div>
            <dt>{t('schedule.companyTime', { company: view.companyName })}</dt>
            <dd>
              {formatDayTime(booking.startsAt, view.companyTimezone, locale)}
              <span className="zone">{zoneLabel(view.companyTimezone, locale, new Date(booking.startsAt))}</span>
            </dd>
          </div>
        )}
        <div>
          <dt>{t('schedule.code')}</dt>
          <dd>
            <span dir="ltr">{booking.roomCode}</span>
          </dd>
        </div>
        <div className="wide">
          <dt>{t('schedule.joinLink')}</dt>
          <dd>
            <a href={booking.joinUrl} dir="ltr">
              {booking.joinUrl}
            </a>
          </dd>
        </div>
      </dl>
      <p>{t('schedule.joinHint', { company: view.companyName })}</p>
      {!view.canChange ? (
        <p className="notice">{t('schedule.tooLateToChange', { time: formatDayTime(changeUntil, zone, locale) })}</p>
      ) : picking ? null : (
        <div className="schedule-changes">
          <p className="hint">
            {t('schedule.changeUntil', { time: formatDayTime(changeUntil, zone, locale) })}{' '}
            {booking.reschedulesLeft > 0
              ? t('schedule.reschedulesLeft', { count: booking.reschedulesLeft })
              : t('schedule.noReschedulesLeft')}
          </p>
          {confirming ? (
            <div role="alertdialog" aria-labelledby="cancel-confirm" className="confirm">
              <p id="cancel-confirm">{t('schedule.cancelConfirm', { when })}</p>
              <div className="button-row">
                <button type="button" className="danger" disabled={busy} onClick={onCancel}>
                  {busy ? t('schedule.cancelling') : t('schedule.cancelYes')}
                </button>
                <button type="button" autoFocus disabled={busy} onClick={() => setConfirming(false)}>
                  {t('schedule.cancelNo')}
                </button>
              </div>
            </div>
          ) : (
            <div className="button-row">
              {booking.reschedulesLeft > 0 ? (
                <button type="button" onClick={onReschedule}>
                  {t('schedule.reschedule')}
                </button>
              ) : null}
              <button type="button" className="danger" onClick={() => setConfirming(true)}>
                {t('schedule.cancel')}
              </button>
            </div>
          )}
        </div>
      )}
    </section>
  );
}

interface PickerProps {
  view: Invitation;
  zone: string;
  mode: 'book' | 'reschedule';
  busy: boolean;
  loadingMore: boolean;
  onMore(): void;
  onPick(slotId: string): void;
  onKeep(): void;
}

function SlotPicker({ view, zone, mode, busy, loadingMore, onMore, onPick, onKeep }: PickerProps) {
  const { t, lang } = useI18n();
  const locale = useMemo(() => localeFor(lang), [lang]);
  const [selected, setSelected] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  const current = view.booking;
  // The booking's own time is not a time to move to.
  const slots = view.slots.filter((s) => !current || s.startsAt !== current.startsAt || s.endsAt !== current.endsAt);
  const days = groupByDay(slots, zone);
  const chosen: OfferedSlot | undefined = slots.find((s) => s.id === selected);
  const headingRef = useRef<HTMLHeadingElement | null>(null);

  useEffect(() => {
    if (mode === 'reschedule') headingRef.current?.focus();
  }, [mode]);
  // A slot that disappeared (taken by someone else) is no longer selected.
  useEffect(() => {
    if (selected && !chosen) setSelected(null);
  }, [selected, chosen]);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!chosen) return setMissing(true);
    onPick(chosen.id);
  }

  // A narrow tile may wrap between the two times, never inside one ("02:00 م").
  const keep = (text: string) => text.replace(/\s/g, '\u00a0');
  const range = (slot: OfferedSlot) =>
    t('schedule.timeValue', {
      start: keep(formatTime(slot.startsAt, zone, locale)),
      end: keep(formatTime(slot.endsAt, zone, locale)),
    });

  return (
    <section className="card" aria-labelledby="pick-title">
      <h2 id="pick-title" ref={headingRef} tabIndex={-1}>
        {t(mode === 'book' ? 'schedule.pickTitle' : 'schedule.pickAgainTitle')}
      </h2>
      <ZoneNote view={view} zone={zone} />
      {slots.length === 0 ? (
        <>
          <p className="notice" data-testid="no-slots">
            {t('schedule.noSlots')}
          </p>
          {mode === 'reschedule' ? (
            <button type="button" onClick={onKeep}>
              {t('schedule.keepCurrent')}
            </button>
          ) : null}
        </>
      ) : (
        <form noValidate onSubmit={submit} aria-busy={busy}>
          {days.map((day) => (
            <fieldset key={day.key} className="slot-day">
              <legend>{formatDay(day.slots[0]!.startsAt, zone, locale)}</legend>
              <div className="slot-grid">
                {day.slots.map((slot) => (
                  <label key={slot.id} className="slot">
                    <input
                      type="radio"
                      name="slot"
                      value={slot.id}
                      checked={selected === slot.id}
                      onChange={() => {
                        setSelected(slot.id);
                        setMissing(false);
                      }}
                    />
                    <span>{range(slot)}</span>
                  </label>
                ))}
              </div>
            </fieldset>
          ))}
          {view.nextCursor ? (
            <button type="button" className="more" disabled={loadingMore} onClick={onMore}>
              {loadingMore ? t('common.loading') : t('schedule.more')}
            </button>
          ) : null}
          <div className="schedule-confirm">
            <p aria-live="polite" className="selected">
              {chosen
                ? t('schedule.selected', {
                    when: t('schedule.when', { day: formatDay(chosen.startsAt, zone, locale), time: range(chosen) }),
                  })
                : ''}
              {chosen && !sameWallClock(zone, view.companyTimezone, chosen.startsAt) ? (
                <span className="zone">
                  {t('schedule.thatIs', {
                    time: formatDayTime(chosen.startsAt, view.companyTimezone, locale),
                    zone: zoneLabel(view.companyTimezone, locale, new Date(chosen.startsAt)),
                  })}
                </span>
              ) : null}
            </p>
            {missing ? (
              <p className="field-error" role="alert">
                {t('schedule.pickFirst')}
              </p>
            ) : null}
            <div className="button-row">
              <button type="submit" className="primary" disabled={busy}>
                {mode === 'book'
                  ? t(busy ? 'schedule.booking' : 'schedule.book')
                  : t(busy ? 'schedule.moving' : 'schedule.moveTo')}
              </button>
              {mode === 'reschedule' ? (
                <button type="button" disabled={busy} onClick={onKeep}>
                  {t('schedule.keepCurrent')}
                </button>
              ) : null}
            </div>
          </div>
        </form>
      )}
    </section>
  );
}
