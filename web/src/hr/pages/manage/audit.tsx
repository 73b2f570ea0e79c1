// The company's audit log, newest first: who did what to which record, filtered by action, actor type, interview,
// candidate and dates (in the address bar), in keyset pages.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useEffect, useMemo, useState } from 'react';
import { Button } from 'react-aria-components';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../api.ts';
import { DateRangeField, rangeInstants, SelectField } from '../../components/controls.tsx';
import { DataTable, features } from '../../components/data-table.tsx';
import { ProblemMessage } from '../../components/problem-message.tsx';
import { dateTime } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { PageHeading } from '../../layout.tsx';
import '../../manage.css';

type Event = Schemas['AuditEvent'];
const actorTypes: Event['actorType'][] = ['user', 'api_key', 'candidate', 'system', 'livekit', 'cli'];
const column = createColumnHelper<typeof features, Event>();
const textFilters = ['action', 'interviewId', 'candidateId', 'actorId'] as const;

export default function AuditPage() {
  const i18n = useT();
  const { t } = i18n;
  const [params, setParams] = useSearchParams();
  const filters = {
    action: params.get('action') ?? '',
    actorType: params.get('actorType') ?? '',
    interviewId: params.get('interviewId') ?? '',
    candidateId: params.get('candidateId') ?? '',
    actorId: params.get('actorId') ?? '',
    range: params.get('from') && params.get('to') ? { start: params.get('from')!, end: params.get('to')! } : null,
  };
  const [drafts, setDrafts] = useState(() => Object.fromEntries(textFilters.map((k) => [k, filters[k]])) as Record<(typeof textFilters)[number], string>);
  const setParam = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setParams(next, { replace: true });
  };
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const filterKey = params.toString();
  useEffect(() => setCursors([null]), [filterKey]);

  const events = useQuery({
    queryKey: ['audit', filterKey, cursor, i18n.timeZone],
    placeholderData: keepPreviousData,
    queryFn: () => {
      const range = filters.range ? rangeInstants(filters.range, i18n.timeZone) : null;
      return unwrap(
        api.GET('/v1/audit-events', {
          params: {
            query: {
              limit: 50,
              ...(cursor ? { cursor } : {}),
              ...(filters.action ? { action: filters.action } : {}),
              ...(filters.actorType ? { actorType: filters.actorType as Event['actorType'] } : {}),
              ...(filters.actorId ? { actorId: filters.actorId } : {}),
              ...(filters.interviewId ? { interviewId: filters.interviewId } : {}),
              ...(filters.candidateId ? { candidateId: filters.candidateId } : {}),
              ...(range ? { from: range.from, to: range.to } : {}),
            },
          },
        }),
      );
    },
  });

  const columns = useMemo(
    () =>
      column.columns([
        column.accessor('at', { header: () => t('audit.when'), cell: (info) => <time dateTime={info.getValue()}>{dateTime(i18n, info.getValue())}</time> }),
        column.accessor('action', { header: () => t('audit.action'), cell: (info) => <code>{info.getValue()}</code> }),
        column.accessor('actorType', {
          header: () => t('audit.actor'),
          cell: (info) => (
            <span>
              {t(`actor.${info.getValue()}`)}
              {info.row.original.actorId && (
                <span className="hr-hint hr-id" dir="ltr">
                  {' '}
                  {info.row.original.actorId.slice(0, 8)}
                </span>
              )}
            </span>
          ),
        }),
        column.accessor('targetType', {
          header: () => t('audit.target'),
          cell: (info) => {
            const { targetType, targetId } = info.row.original;
            if (!targetType) return <span className="hr-muted">—</span>;
            const short = targetId ? targetId.slice(0, 8) : '';
            return targetType === 'interview' && targetId ? (
              <Link to={`/hr/interviews/${targetId}`}>
                {targetType} <span dir="ltr">{short}</span>
              </Link>
            ) : (
              <span>
                {targetType} <span dir="ltr">{short}</span>
              </span>
            );
          },
        }),
        column.accessor('details', {
          header: () => t('audit.details'),
          cell: (info) => {
            const text = JSON.stringify(info.getValue());
            return text === '{}' ? <span className="hr-muted">—</span> : <code className="hr-details">{text}</code>;
          },
        }),
      ]),
    [t, i18n],
  );

  return (
    <section className="hr-page">
      <PageHeading title={t('audit.title')}>{t('audit.title')}</PageHeading>
      <search className="hr-filters" aria-label={t('audit.filters')}>
        <form
          className="hr-inline-filters"
          onSubmit={(event) => {
            event.preventDefault();
            setParam(drafts);
          }}
        >
          {textFilters.map((key) => (
            <div className="hr-field" key={key}>
              <label htmlFor={`audit-${key}`}>{t(`audit.filter.${key}`)}</label>
              <input
                id={`audit-${key}`}
                className="hr-input"
                dir="ltr"
                value={drafts[key]}
                placeholder={key === 'action' ? 'interview.*' : ''}
                onChange={(e) => setDrafts((d) => ({ ...d, [key]: e.target.value.trim() }))}
              />
            </div>
          ))}
          <Button type="submit" className="hr-button">
            {t('audit.apply')}
          </Button>
        </form>
        <SelectField
          label={t('audit.actor')}
          value={filters.actorType}
          onChange={(actorType) => setParam({ actorType })}
          options={[{ id: '', label: t('audit.anyActor') }, ...actorTypes.map((a) => ({ id: a, label: t(`actor.${a}`) }))]}
        />
        <DateRangeField
          label={t('audit.dates')}
          value={filters.range}
          onChange={(range) => setParam({ from: range?.start ?? '', to: range?.end ?? '' })}
        />
      </search>
      {events.isError ? (
        <ProblemMessage error={events.error} />
      ) : (
        <DataTable
          caption={t('audit.caption')}
          columns={columns}
          rows={events.data?.items}
          busy={events.isFetching}
          rowKey={(e) => e.id}
          empty={t('audit.none')}
        />
      )}
      <nav className="hr-pager" aria-label={t('pager.label')}>
        <Button className="hr-button" isDisabled={cursors.length <= 1} onPress={() => setCursors((seen) => seen.slice(0, -1))}>
          {t('pager.previous')}
        </Button>
        <span aria-live="polite">{t('pager.page', { n: cursors.length })}</span>
        <Button
          className="hr-button"
          isDisabled={!events.data?.nextCursor || events.isPlaceholderData}
          onPress={() => events.data?.nextCursor && setCursors((seen) => [...seen, events.data.nextCursor])}
        >
          {t('pager.next')}
        </Button>
      </nav>
    </section>
  );
}
