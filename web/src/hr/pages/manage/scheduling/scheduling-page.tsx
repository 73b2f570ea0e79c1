// Scheduling: the week's calendar (slots, who is booked in them, the conflicts to resolve) and the availability
// windows the slots come from. One call brings the week (GET /v1/scheduling/agenda): the API says which slots and
// bookings each open conflict concerns, so the page marks what the API reports and computes no conflicts itself.
// Days and times are the company's scheduling time zone's, named on the page; the week's columns run in the
// reading direction (Monday at the right in Arabic).
import { today } from '@internationalized/date';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo, useState } from 'react';
import { Button } from 'react-aria-components';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../../api.ts';
import { StatusBadge } from '../../../components/badges.tsx';
import { ProblemMessage } from '../../../components/problem-message.tsx';
import { dateTime } from '../../../format.ts';
import { useT } from '../../../i18n/i18n.tsx';
import { PageHeading } from '../../../layout.tsx';
import '../../../manage.css';
import { BookingActionDialog, type AgendaBooking, type BookingAction } from './actions.tsx';
import { ConfigDialog, ConfigTable, DeleteConfigDialog, windowName, type Config } from './configs.tsx';
import './scheduling.css';
import { clock, dayDate, dayName, parseWeek, thisMonday, weekDays, weekRange } from './week.ts';

type Agenda = Schemas['SchedulingAgenda'];
type AgendaSlot = Agenda['slots'][number];
type Conflict = Schemas['SchedulingConflict'];

export default function SchedulingPage() {
  const { t } = useT();
  const [params, setParams] = useSearchParams();
  const [message, setMessage] = useState('');
  const [editing, setEditing] = useState<Config | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Config | null>(null);
  const [action, setAction] = useState<BookingAction | null>(null);

  const settings = useQuery({
    queryKey: ['scheduling', 'settings'],
    queryFn: () => unwrap(api.GET('/v1/scheduling/settings', { params: { query: {} } })),
  });
  const zone = settings.data?.timezone;
  const configs = useQuery({
    queryKey: ['scheduling', 'configs'],
    queryFn: () => unwrap(api.GET('/v1/scheduling/configs', { params: { query: { limit: 100 } } })),
  });

  const done = useCallback((text: string) => {
    setEditing(null);
    setDeleting(null);
    setAction(null);
    setMessage(text);
  }, []);
  const onEdit = useCallback((config: Config) => (setMessage(''), setEditing(config)), []);
  const onDelete = useCallback((config: Config) => (setMessage(''), setDeleting(config)), []);

  return (
    <section className="hr-page hr-scheduling">
      <div className="hr-page-head">
        <PageHeading title={t('sched.title')}>{t('sched.title')}</PageHeading>
        <Button className="hr-button hr-primary" isDisabled={!zone} onPress={() => (setMessage(''), setEditing('new'))}>
          {t('sched.configs.new')}
        </Button>
      </div>
      {zone && <p className="hr-hint">{t('sched.zone', { zone })}</p>}
      <p role="status" className="hr-form-ok">
        {message}
      </p>
      {settings.isError && <ProblemMessage error={settings.error} />}
      {zone && (
        <WeekCalendar
          zone={zone}
          week={parseWeek(params.get('week')) ?? thisMonday(zone)}
          onWeek={(monday) => {
            const next = new URLSearchParams(params);
            if (monday) next.set('week', monday);
            else next.delete('week');
            setParams(next, { replace: true });
          }}
          configs={configs.data?.items ?? []}
          onAction={(next) => (setMessage(''), setAction(next))}
          onEditConfig={onEdit}
          onDone={done}
        />
      )}
      <section className="hr-sched-configs" aria-labelledby="sched-configs">
        <h2 id="sched-configs">{t('sched.configs.title')}</h2>
        <p className="hr-hint">{t('sched.configs.intro')}</p>
        {configs.isError ? (
          <ProblemMessage error={configs.error} />
        ) : (
          <ConfigTable configs={configs.data?.items} busy={configs.isFetching} onEdit={onEdit} onDelete={onDelete} />
        )}
      </section>
      {zone && (
        <>
          <ConfigDialog
            editing={editing}
            defaults={{ timezone: zone, today: today(zone).toString() }}
            onClose={() => setEditing(null)}
            onSaved={done}
          />
          <BookingActionDialog action={action} zone={zone} onClose={() => setAction(null)} onDone={done} />
        </>
      )}
      <DeleteConfigDialog config={deleting} onClose={() => setDeleting(null)} onDeleted={done} />
    </section>
  );
}

function WeekCalendar({
  zone,
  week,
  onWeek,
  configs,
  onAction,
  onEditConfig,
  onDone,
}: {
  zone: string;
  week: ReturnType<typeof thisMonday>;
  /** A Monday as YYYY-MM-DD, or null for this week. */
  onWeek: (monday: string | null) => void;
  configs: Config[];
  onAction: (action: BookingAction) => void;
  onEditConfig: (config: Config) => void;
  onDone: (message: string) => void;
}) {
  const i18n = useT();
  const { t, locale } = i18n;
  const days = weekDays(week);
  const from = days[0]!.toString();
  const to = days[6]!.toString();
  const current = thisMonday(zone);
  const agenda = useQuery({
    queryKey: ['scheduling', 'agenda', from],
    placeholderData: keepPreviousData,
    queryFn: () => unwrap(api.GET('/v1/scheduling/agenda', { params: { query: { from, to } } })),
  });
  const data = agenda.data && agenda.data.from === from ? agenda.data : undefined;

  const byDay = useMemo(() => {
    const map = new Map<string, AgendaSlot[]>();
    for (const slot of data?.slots ?? []) {
      const day = slot.localStart.slice(0, 10);
      map.set(day, [...(map.get(day) ?? []), slot]);
    }
    return map;
  }, [data]);
  const bookingsBySlot = useMemo(() => {
    const map = new Map<string, AgendaBooking[]>();
    for (const booking of data?.bookings ?? []) map.set(booking.slotId, [...(map.get(booking.slotId) ?? []), booking]);
    return map;
  }, [data]);
  const conflictsById = useMemo(() => new Map((data?.conflicts ?? []).map((c) => [c.id, c])), [data]);

  const live = (data?.slots ?? []).filter((s) => s.status !== 'orphaned');
  const summary = {
    slots: live.length,
    booked: (data?.bookings ?? []).length,
    free: live.reduce((sum, s) => sum + s.available, 0),
  };
  const todayDate = today(zone).toString();

  return (
    <section className="hr-week-section" aria-labelledby="sched-week" aria-busy={agenda.isFetching}>
      <div className="hr-week-bar">
        <h2 id="sched-week">
          <span className="hr-visually-hidden">{t('sched.week.region')}: </span>
          {weekRange(locale, week)}
        </h2>
        <div className="hr-inline" role="group" aria-label={t('sched.week.nav')}>
          <Button className="hr-button" onPress={() => onWeek(week.subtract({ weeks: 1 }).toString())}>
            {t('sched.week.previous')}
          </Button>
          <Button className="hr-button" isDisabled={week.compare(current) === 0} onPress={() => onWeek(null)}>
            {t('sched.week.today')}
          </Button>
          <Button className="hr-button" onPress={() => onWeek(week.add({ weeks: 1 }).toString())}>
            {t('sched.week.next')}
          </Button>
        </div>
      </div>
      {agenda.isError && <ProblemMessage error={agenda.error} />}
      {data && (
        <p className="hr-week-summary">
          {t('sched.week.summary', summary)}
          {data.truncated && <strong> {t('sched.week.truncated')}</strong>}
        </p>
      )}
      {data && (
        <Conflicts
          conflicts={data.conflicts}
          bookings={data.bookings}
          configs={configs}
          onAction={onAction}
          onEditConfig={onEditConfig}
          onDone={onDone}
        />
      )}
      {/* Days with slots get more room than empty ones, so a week of a few busy days stays readable at 1024 px. */}
      <ol
        className="hr-week"
        style={{
          gridTemplateColumns: days
            .map((day) => (byDay.has(day.toString()) ? 'minmax(0, 1.7fr)' : 'minmax(0, 1fr)'))
            .join(' '),
        }}
      >
        {days.map((day) => {
          const key = day.toString();
          const slots = byDay.get(key) ?? [];
          const isToday = key === todayDate;
          return (
            <li
              key={key}
              className={`hr-day${isToday ? ' hr-day-today' : ''}`}
              aria-labelledby={`day-${key}`}
              aria-current={isToday ? 'date' : undefined}
            >
              <h3 id={`day-${key}`} className="hr-day-head">
                <span className="hr-day-name">{dayName(locale, day)}</span>{' '}
                <span className="hr-day-date">{dayDate(locale, day)}</span>
                {isToday && <span className="hr-day-tag"> · {t('sched.day.today')}</span>}
              </h3>
              {slots.length === 0 ? (
                <p className="hr-muted hr-day-none">{data ? t('sched.day.none') : t('common.loading')}</p>
              ) : (
                <ul className="hr-day-slots">
                  {slots.map((slot) => (
                    <SlotCard
                      key={slot.id}
                      slot={slot}
                      bookings={bookingsBySlot.get(slot.id) ?? []}
                      conflicts={slot.conflictIds.flatMap((id) => conflictsById.get(id) ?? [])}
                      onAction={onAction}
                    />
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

function SlotCard({
  slot,
  bookings,
  conflicts,
  onAction,
}: {
  slot: AgendaSlot;
  bookings: AgendaBooking[];
  conflicts: Conflict[];
  onAction: (action: BookingAction) => void;
}) {
  const { t } = useT();
  // A slot that has started takes no booking, whatever seats it had left.
  const past = Date.parse(slot.startsAt) <= Date.now();
  const state =
    slot.status === 'blocked'
      ? t('sched.slot.blocked')
      : slot.status === 'orphaned'
        ? t('sched.slot.orphaned')
        : past && slot.booked === 0
          ? t('sched.slot.past')
          : slot.available === 0
            ? t('sched.slot.full')
            : t('sched.slot.free', { free: slot.available, capacity: slot.capacity });
  const classes = [
    'hr-slot',
    `hr-slot-${slot.status}`,
    slot.booked > 0 ? 'hr-slot-booked' : '',
    past ? 'hr-slot-past' : '',
    conflicts.length ? 'hr-slot-conflict' : '',
  ].join(' ');
  return (
    <li className={classes}>
      <div className="hr-slot-line">
        <bdi dir="ltr" className="hr-slot-time hr-nowrap">
          {clock(slot.localStart)}–{clock(slot.localEnd)}
        </bdi>
        <span className="hr-slot-type">{t(`type.${slot.interviewType}`)}</span>
      </div>
      <div className="hr-slot-state">{state}</div>
      {conflicts.length > 0 && (
        <p className="hr-slot-flag">
          <span className="hr-badge hr-conflict-badge">{t('sched.slot.conflict')}</span>{' '}
          {[...new Set(conflicts.map((c) => t(`sched.conflict.short.${c.kind}`)))].join(', ')}
        </p>
      )}
      {bookings.length > 0 && (
        <ul className="hr-slot-bookings">
          {bookings.map((booking) => (
            <li key={booking.id} className={`hr-booking${booking.conflictIds.length ? ' hr-booking-conflict' : ''}`}>
              <Link to={`/hr/interviews/${booking.interviewId}`} className="hr-booking-name">
                <bdi>{booking.candidateName}</bdi>
              </Link>
              <span className="hr-booking-job">
                <bdi>{booking.jobTitle}</bdi>
              </span>
              <span className="hr-booking-meta">
                <StatusBadge status={booking.interviewStatus} />
                <span className="hr-hint">{t(`sched.booking.bookedBy.${booking.source}`)}</span>
              </span>
              {booking.interviewStatus === 'scheduled' && Date.parse(booking.startsAt) > Date.now() && (
                <span className="hr-booking-actions">
                  <Button
                    className="hr-button hr-small-button"
                    aria-label={t('sched.booking.moveN', { candidate: booking.candidateName })}
                    onPress={() => onAction({ kind: 'move', booking })}
                  >
                    {t('sched.booking.move')}
                  </Button>
                  <Button
                    className="hr-button hr-quiet hr-small-button"
                    aria-label={t('sched.booking.cancelN', { candidate: booking.candidateName })}
                    onPress={() => onAction({ kind: 'cancel', booking })}
                  >
                    {t('sched.booking.cancel')}
                  </Button>
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

function Conflicts({
  conflicts,
  bookings,
  configs,
  onAction,
  onEditConfig,
  onDone,
}: {
  conflicts: Conflict[];
  bookings: AgendaBooking[];
  configs: Config[];
  onAction: (action: BookingAction) => void;
  onEditConfig: (config: Config) => void;
  onDone: (message: string) => void;
}) {
  const i18n = useT();
  const { t } = i18n;
  const queryClient = useQueryClient();
  const dismiss = useMutation({
    mutationFn: (id: string) =>
      unwrap(
        api.POST('/v1/scheduling/conflicts/{id}/resolve', { params: { path: { id } }, body: { action: 'dismiss' } }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['scheduling'] });
      onDone(t('sched.conflict.resolved'));
    },
  });
  const bookingOf = new Map(bookings.map((b) => [b.id, b]));
  const configOf = new Map(configs.map((c) => [c.id, c]));
  return (
    <section
      className={`hr-conflicts${conflicts.length ? ' hr-conflicts-open' : ''}`}
      aria-labelledby="sched-conflicts"
    >
      <h3 id="sched-conflicts">{t('sched.conflicts.title')}</h3>
      {conflicts.length === 0 ? (
        <p className="hr-muted">{t('sched.conflicts.none')}</p>
      ) : (
        <ul>
          {conflicts.map((conflict) => {
            const booking = conflict.bookingId ? bookingOf.get(conflict.bookingId) : undefined;
            const overlapConfigs = Array.isArray(conflict.details.configIds)
              ? (conflict.details.configIds as unknown[]).flatMap((id) => configOf.get(String(id)) ?? [])
              : [];
            const text =
              conflict.kind === 'overlapping_slots'
                ? t('sched.conflict.overlapping_slots', { n: Number(conflict.details.overlaps ?? 1) })
                : t(`sched.conflict.${conflict.kind}`, { candidate: booking?.candidateName ?? '—' });
            return (
              <li key={conflict.id} className="hr-conflict">
                <p>
                  <span className="hr-badge hr-conflict-badge">{t(`sched.conflict.short.${conflict.kind}`)}</span>{' '}
                  {text}{' '}
                  <span className="hr-hint">
                    {t('sched.conflict.when', { when: dateTime(i18n, conflict.createdAt) })}
                  </span>
                </p>
                <div className="hr-inline">
                  {booking && booking.interviewStatus === 'scheduled' && (
                    <>
                      <Button
                        className="hr-button hr-small-button"
                        onPress={() => onAction({ kind: 'move', booking, conflictId: conflict.id })}
                      >
                        {t('sched.conflict.rebook')}
                      </Button>
                      <Button
                        className="hr-button hr-small-button"
                        onPress={() => onAction({ kind: 'cancel', booking, conflictId: conflict.id })}
                      >
                        {t('sched.conflict.cancel')}
                      </Button>
                    </>
                  )}
                  {overlapConfigs.map((config) => (
                    <Button key={config.id} className="hr-button hr-small-button" onPress={() => onEditConfig(config)}>
                      {t('sched.conflict.editWindow', { window: windowName(i18n, config) })}
                    </Button>
                  ))}
                  <Button
                    className="hr-button hr-quiet hr-small-button"
                    isDisabled={dismiss.isPending}
                    onPress={() => dismiss.mutate(conflict.id)}
                  >
                    {t('sched.conflict.dismiss')}
                  </Button>
                </div>
                {dismiss.variables === conflict.id && <ProblemMessage error={dismiss.error} />}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
