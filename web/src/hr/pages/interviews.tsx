// The interview list: filters and the candidate search live in the address bar (a filtered list is a link one can
// share), keyset pages in memory (the API's cursors); a row opens the review.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useEffect, useMemo, useState } from 'react';
import { Button, Input, Label, SearchField } from 'react-aria-components';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, unwrap, type Schemas } from '../api.ts';
import { DateRangeField, rangeInstants, SelectField, type DayRange } from '../components/controls.tsx';
import { DataTable, features } from '../components/data-table.tsx';
import { DecisionBadge, RecommendationBadge, StatusBadge } from '../components/badges.tsx';
import { dateTime } from '../format.ts';
import { useT } from '../i18n/i18n.tsx';
import { PageHeading } from '../layout.tsx';
import '../data-rights.css';
import { interviewStatuses, interviewTypes } from '../vocabulary.ts';

type Row = Schemas['InterviewListItem'];
const pageSize = 25;

const column = createColumnHelper<typeof features, Row>();

function useFilters() {
  const [params, setParams] = useSearchParams();
  const filters = {
    status: params.get('status') ?? '',
    job: params.get('job') ?? '',
    type: params.get('type') ?? '',
    q: params.get('q') ?? '',
    alternative: params.get('alternative') ?? '',
    range: params.get('from') && params.get('to') ? { start: params.get('from')!, end: params.get('to')! } : null,
  };
  const set = (
    changes: Partial<Record<'status' | 'job' | 'type' | 'q' | 'alternative', string>> & { range?: DayRange | null },
  ) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (key === 'range') continue;
      if (value) next.set(key, value as string);
      else next.delete(key);
    }
    if ('range' in changes) {
      if (changes.range) {
        next.set('from', changes.range.start);
        next.set('to', changes.range.end);
      } else {
        next.delete('from');
        next.delete('to');
      }
    }
    setParams(next, { replace: true });
  };
  return [filters, set] as const;
}

export default function InterviewsPage() {
  const i18n = useT();
  const { t } = i18n;
  const navigate = useNavigate();
  const [filters, setFilters] = useFilters();
  const [search, setSearch] = useState(filters.q);
  // Keyset pages: the cursors that led to each page seen so far; the last one is the page shown.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const filterKey = JSON.stringify(filters);
  useEffect(() => setCursors([null]), [filterKey]);

  // The search waits for a pause in typing, so each keystroke is not a request.
  useEffect(() => {
    if (search.trim() === filters.q) return;
    const timer = setTimeout(() => setFilters({ q: search.trim() }), 300);
    return () => clearTimeout(timer);
  }, [search]); // eslint-disable-line react-hooks/exhaustive-deps

  const jobs = useQuery({
    queryKey: ['jobs', 'all'],
    queryFn: () => unwrap(api.GET('/v1/jobs', { params: { query: { limit: 100 } } })),
    staleTime: 5 * 60_000,
  });

  const list = useQuery({
    queryKey: ['interviews', filters, cursor, i18n.timeZone],
    placeholderData: keepPreviousData,
    queryFn: () => {
      const range = filters.range ? rangeInstants(filters.range, i18n.timeZone) : null;
      return unwrap(
        api.GET('/v1/interviews', {
          params: {
            query: {
              limit: pageSize,
              ...(cursor ? { cursor } : {}),
              ...(filters.status ? { status: filters.status } : {}),
              ...(filters.job ? { jobId: filters.job } : {}),
              ...(filters.type ? { type: filters.type as Schemas['InterviewType'] } : {}),
              ...(filters.q ? { q: filters.q } : {}),
              ...(filters.alternative ? { alternative: filters.alternative as 'open' | 'handled' | 'any' } : {}),
              ...(range ? { scheduledFrom: range.from, scheduledTo: range.to } : {}),
            },
          },
        }),
      );
    },
  });

  const columns = useMemo(
    () =>
      column.columns([
        column.accessor('candidateName', {
          header: () => t('interviews.candidate'),
          // The link makes every row reachable by keyboard; a click anywhere on the row does the same.
          cell: (info) => (
            <>
              <Link to={`/hr/interviews/${info.row.original.id}`}>{info.getValue()}</Link>
              {info.row.original.alternativeRequest && (
                <>
                  {' '}
                  <span className={`hr-badge hr-alt-${info.row.original.alternativeRequest}`}>
                    {t(`alternative.badge.${info.row.original.alternativeRequest}`)}
                  </span>
                </>
              )}
            </>
          ),
        }),
        column.accessor('jobTitle', { header: () => t('interviews.job') }),
        column.accessor('type', { header: () => t('interviews.type'), cell: (info) => t(`type.${info.getValue()}`) }),
        column.accessor('status', {
          header: () => t('interviews.status'),
          cell: (info) => <StatusBadge status={info.getValue()} />,
        }),
        column.accessor('scheduledStart', {
          header: () => t('interviews.scheduled'),
          cell: (info) => <time dateTime={info.getValue()}>{dateTime(i18n, info.getValue())}</time>,
        }),
        column.accessor('recommendation', {
          header: () => t('interviews.recommendation'),
          cell: (info) => <RecommendationBadge recommendation={info.getValue()} />,
        }),
        column.accessor('decision', {
          header: () => t('interviews.decision'),
          cell: (info) => <DecisionBadge decision={info.getValue()?.decision ?? null} />,
        }),
      ]),
    [t, i18n],
  );

  const jobOptions = [
    { id: '', label: t('filter.anyJob') },
    ...(jobs.data?.items ?? []).map((job) => ({ id: job.id, label: job.title })),
  ];
  const hasFilters = Boolean(
    filters.status || filters.job || filters.type || filters.q || filters.range || filters.alternative,
  );

  return (
    <section className="hr-page">
      <PageHeading title={t('interviews.title')}>{t('interviews.title')}</PageHeading>
      <search className="hr-filters" aria-label={t('filter.label')}>
        <SearchField className="hr-search" value={search} onChange={setSearch}>
          <Label>{t('filter.search')}</Label>
          <Input className="hr-input" placeholder={t('filter.searchPlaceholder')} />
        </SearchField>
        <SelectField
          label={t('interviews.status')}
          value={filters.status}
          onChange={(status) => setFilters({ status })}
          options={[
            { id: '', label: t('filter.anyStatus') },
            ...interviewStatuses.map((s) => ({ id: s, label: t(`status.${s}`) })),
          ]}
        />
        <SelectField label={t('interviews.job')} value={filters.job} onChange={(job) => setFilters({ job })} options={jobOptions} />
        <SelectField
          label={t('interviews.type')}
          value={filters.type}
          onChange={(type) => setFilters({ type })}
          options={[
            { id: '', label: t('filter.anyType') },
            ...interviewTypes.map((type) => ({ id: type, label: t(`type.${type}`) })),
          ]}
        />
        <SelectField
          label={t('alternative.filter')}
          value={filters.alternative}
          onChange={(alternative) => setFilters({ alternative })}
          options={[
            { id: '', label: t('alternative.filterAll') },
            { id: 'open', label: t('alternative.filterOpen') },
            { id: 'handled', label: t('alternative.filterHandled') },
            { id: 'any', label: t('alternative.filterAny') },
          ]}
        />
        <DateRangeField label={t('filter.dates')} value={filters.range} onChange={(range) => setFilters({ range })} />
        {hasFilters && (
          <Button
            className="hr-button hr-quiet"
            onPress={() => {
              setSearch('');
              setFilters({ status: '', job: '', type: '', q: '', alternative: '', range: null });
            }}
          >
            {t('filter.clear')}
          </Button>
        )}
      </search>

      {list.isError ? (
        <div role="alert" className="hr-error">
          <p>{t('error.unavailable')}</p>
          <Button className="hr-button" onPress={() => void list.refetch()}>
            {t('common.retry')}
          </Button>
        </div>
      ) : (
        <>
          <DataTable
            caption={t('interviews.caption')}
            columns={columns}
            rows={list.data?.items}
            busy={list.isFetching}
            rowKey={(row) => row.id}
            empty={hasFilters ? t('interviews.noneMatching') : t('interviews.none')}
            onRowClick={(row) => void navigate(`/hr/interviews/${row.id}`)}
          />
          {list.isPending && <p role="status">{t('common.loading')}</p>}
        </>
      )}

      <nav className="hr-pager" aria-label={t('pager.label')}>
        <Button
          className="hr-button"
          isDisabled={cursors.length <= 1}
          onPress={() => setCursors((seen) => seen.slice(0, -1))}
        >
          {t('pager.previous')}
        </Button>
        <span aria-live="polite">{t('pager.page', { n: cursors.length })}</span>
        <Button
          className="hr-button"
          isDisabled={!list.data?.nextCursor || list.isPlaceholderData}
          onPress={() => list.data?.nextCursor && setCursors((seen) => [...seen, list.data.nextCursor])}
        >
          {t('pager.next')}
        </Button>
      </nav>
    </section>
  );
}
