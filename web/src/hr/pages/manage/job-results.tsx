// One job's candidates ranked (best score first by default), each competency's score side by side, the
// recommendation and the human decision; the interview list's filters (status, type, dates, name) plus the
// recommendation and the order, in the address bar.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useEffect, useMemo, useState } from 'react';
import { Input, Label, SearchField } from 'react-aria-components';
import { Link, useParams, useSearchParams } from 'react-router';
import { api, ApiError, unwrap, type Schemas } from '../../api.ts';
import { may, useCurrentSession } from '../../auth.tsx';
import { DecisionBadge, RecommendationBadge, StatusBadge } from '../../components/badges.tsx';
import { DateRangeField, rangeInstants, SelectField } from '../../components/controls.tsx';
import { DataTable, features } from '../../components/data-table.tsx';
import { ProblemMessage } from '../../components/problem-message.tsx';
import { ScoreCell } from '../../components/score-cell.tsx';
import { dateTime } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { PageHeading } from '../../layout.tsx';
import '../../manage.css';
import { interviewStatuses, interviewTypes } from '../../vocabulary.ts';
import NotFoundPage from '../not-found.tsx';
import { JobCodingForm } from './job-coding.tsx';

type Result = Schemas['JobInterviewResult'];
type Sort = 'score' | 'completedAt' | 'scheduledStart';
const recommendations = ['advance', 'human_review', 'do_not_advance'] as const;
const column = createColumnHelper<typeof features, Result>();

export default function JobResultsPage() {
  const i18n = useT();
  const { t } = i18n;
  const session = useCurrentSession();
  const { id = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? '';
  const recommendation = params.get('recommendation') ?? '';
  const sort = (params.get('sort') as Sort | null) ?? 'score';
  const type = params.get('type') ?? '';
  const q = params.get('q') ?? '';
  const range = params.get('from') && params.get('to') ? { start: params.get('from')!, end: params.get('to')! } : null;
  const set = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setParams(next, { replace: true });
  };
  // The name search waits for a pause in typing, as on the interview list.
  const [search, setSearch] = useState(q);
  useEffect(() => {
    if (search.trim() === q) return;
    const timer = setTimeout(() => set({ q: search.trim() }), 300);
    return () => clearTimeout(timer);
  }, [search]); // eslint-disable-line react-hooks/exhaustive-deps

  const job = useQuery({
    queryKey: ['job', id],
    queryFn: () => unwrap(api.GET('/v1/jobs/{id}', { params: { path: { id } } })),
  });
  const results = useQuery({
    queryKey: ['job', id, 'results', params.toString(), i18n.timeZone],
    placeholderData: keepPreviousData,
    queryFn: () => {
      const instants = range ? rangeInstants(range, i18n.timeZone) : null;
      return unwrap(
        api.GET('/v1/jobs/{id}/results', {
          params: {
            path: { id },
            query: {
              sort,
              order: sort === 'score' ? 'desc' : 'asc',
              ...(status ? { status } : {}),
              ...(type ? { type: type as Schemas['InterviewType'] } : {}),
              ...(q ? { q } : {}),
              ...(instants ? { scheduledFrom: instants.from, scheduledTo: instants.to } : {}),
              ...(recommendation ? { recommendation: recommendation as (typeof recommendations)[number] } : {}),
            },
          },
        }),
      );
    },
  });

  const competencies = results.data?.competencies ?? job.data?.competencies;
  const columns = useMemo(
    () =>
      column.columns([
        column.accessor('rank', { header: () => t('results.rank') }),
        column.accessor('candidateName', {
          header: () => t('interviews.candidate'),
          cell: (info) => <Link to={`/hr/interviews/${info.row.original.interviewId}`}>{info.getValue()}</Link>,
        }),
        column.accessor('status', { header: () => t('interviews.status'), cell: (info) => <StatusBadge status={info.getValue()} /> }),
        column.accessor('overallScore', {
          header: () => t('results.overall'),
          cell: (info) => <ScoreCell score={info.getValue()} />,
        }),
        // One column per competency of the job, in the job's order: the same competency lines up down the page.
        ...(competencies ?? []).map((c) =>
          column.display({
            id: `c-${c.key}`,
            header: () => c.name,
            cell: (info) => (
              <ScoreCell score={info.row.original.competencies.find((s) => s.key === c.key)?.score ?? null} />
            ),
          }),
        ),
        column.accessor('recommendation', {
          header: () => t('interviews.recommendation'),
          cell: (info) => <RecommendationBadge recommendation={info.getValue()} />,
        }),
        column.accessor('decision', {
          header: () => t('interviews.decision'),
          cell: (info) => <DecisionBadge decision={info.getValue()} />,
        }),
        column.accessor('scheduledStart', {
          header: () => t('interviews.scheduled'),
          cell: (info) => <time dateTime={info.getValue()}>{dateTime(i18n, info.getValue())}</time>,
        }),
      ]),
    [t, i18n, competencies],
  );

  if (job.error instanceof ApiError && job.error.status === 404) return <NotFoundPage />;
  const title = job.data ? t('results.title', { job: job.data.title }) : t('common.loading');
  return (
    <section className="hr-page">
      <p className="hr-back">
        <Link to="/hr/jobs">{t('results.back')}</Link>
      </p>
      <div className="hr-page-head">
        <PageHeading title={title}>{title}</PageHeading>
        {may(session.user.role, 'recruit') && job.data && (
          <Link className="hr-button hr-primary" to={`/hr/interviews/new?job=${job.data.id}`}>
            {t('interviewNew.title')}
          </Link>
        )}
      </div>
      <search className="hr-filters" aria-label={t('results.filters')}>
        <SearchField className="hr-search" value={search} onChange={setSearch}>
          <Label>{t('filter.search')}</Label>
          <Input className="hr-input" placeholder={t('filter.searchPlaceholder')} />
        </SearchField>
        <SelectField
          label={t('interviews.status')}
          value={status}
          onChange={(value) => set({ status: value })}
          options={[{ id: '', label: t('filter.anyStatus') }, ...interviewStatuses.map((s) => ({ id: s, label: t(`status.${s}`) }))]}
        />
        <SelectField
          label={t('interviews.recommendation')}
          value={recommendation}
          onChange={(value) => set({ recommendation: value })}
          options={[
            { id: '', label: t('results.anyRecommendation') },
            ...recommendations.map((r) => ({ id: r, label: t(`recommendation.${r}`) })),
          ]}
        />
        <SelectField
          label={t('results.sort')}
          value={sort}
          onChange={(value) => set({ sort: value === 'score' ? '' : value })}
          options={[
            { id: 'score', label: t('results.sortScore') },
            { id: 'scheduledStart', label: t('results.sortScheduled') },
            { id: 'completedAt', label: t('results.sortCompleted') },
          ]}
        />
        <SelectField
          label={t('interviews.type')}
          value={type}
          onChange={(value) => set({ type: value })}
          options={[{ id: '', label: t('filter.anyType') }, ...interviewTypes.map((v) => ({ id: v, label: t(`type.${v}`) }))]}
        />
        <DateRangeField
          label={t('filter.dates')}
          value={range}
          onChange={(next) => set({ from: next?.start ?? '', to: next?.end ?? '' })}
        />
      </search>
      {results.isError ? (
        <ProblemMessage error={results.error} />
      ) : (
        <DataTable
          caption={t('results.caption')}
          columns={columns}
          rows={results.data?.items}
          busy={results.isFetching}
          rowKey={(row) => row.interviewId}
          empty={status || recommendation || type || q || range ? t('interviews.noneMatching') : t('results.none')}
        />
      )}
      {may(session.user.role, 'recruit') && job.data && <JobCodingForm job={job.data} />}
    </section>
  );
}
