// The pipeline at a glance for a date range: invited → joined → completed → decided as bars (a funnel reads faster
// than its numbers), the completion and no-show rates, the average length, then the same per job in a table.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../api.ts';
import { DateRangeField, rangeInstants, SelectField, type DayRange } from '../../components/controls.tsx';
import { DataTable, features } from '../../components/data-table.tsx';
import { ProblemMessage } from '../../components/problem-message.tsx';
import { useT } from '../../i18n/i18n.tsx';
import { PageHeading } from '../../layout.tsx';
import '../../manage.css';

type Overview = Schemas['Overview'];
type JobRow = Overview['jobs'][number];
type Counts = Overview['totals'];
const column = createColumnHelper<typeof features, JobRow>();
const stages = ['invited', 'joined', 'completed', 'decided'] as const;

function isoDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The last 30 days and the next 14: what was done lately and what is already booked. */
function defaultRange(): DayRange {
  const now = Date.now();
  return { start: isoDay(new Date(now - 30 * 86_400_000)), end: isoDay(new Date(now + 14 * 86_400_000)) };
}

function usePercent() {
  const { locale } = useT();
  const format = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  return (ratio: number | null) => (ratio === null ? '—' : format.format(ratio));
}

/** One bar per stage, its length a share of the invited; the numbers are written beside them as well. */
function Funnel({ counts }: { counts: Counts }) {
  const { t } = useT();
  const percent = usePercent();
  const top = Math.max(counts.invited, 1);
  return (
    <figure className="hr-funnel hr-card" aria-labelledby="funnel-title">
      <figcaption id="funnel-title">{t('overview.funnel')}</figcaption>
      <ol>
        {stages.map((stage) => (
          <li key={stage} className="hr-funnel-row">
            <span className="hr-funnel-label">{t(`overview.${stage}`)}</span>
            <span className="hr-funnel-track" aria-hidden="true">
              <span className={`hr-funnel-bar hr-funnel-${stage}${counts[stage] === 0 ? ' hr-funnel-none' : ''}`} style={{ inlineSize: `${(counts[stage] / top) * 100}%` }} />
            </span>
            <span className="hr-funnel-value">
              {counts[stage]}
              {stage !== 'invited' && counts.invited > 0 && (
                <span className="hr-hint"> ({percent(counts[stage] / counts.invited)})</span>
              )}
            </span>
          </li>
        ))}
      </ol>
    </figure>
  );
}

export default function OverviewPage() {
  const i18n = useT();
  const { t } = i18n;
  const percent = usePercent();
  const [params, setParams] = useSearchParams();
  const range = params.get('from') && params.get('to') ? { start: params.get('from')!, end: params.get('to')! } : defaultRange();
  const jobId = params.get('job') ?? '';
  const set = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setParams(next, { replace: true });
  };
  const jobs = useQuery({
    queryKey: ['jobs', 'all'],
    queryFn: () => unwrap(api.GET('/v1/jobs', { params: { query: { limit: 100 } } })),
  });
  const overview = useQuery({
    queryKey: ['overview', range.start, range.end, jobId, i18n.timeZone],
    placeholderData: keepPreviousData,
    queryFn: () => {
      const { from, to } = rangeInstants(range, i18n.timeZone);
      return unwrap(api.GET('/v1/overview', { params: { query: { from, to, ...(jobId ? { jobId } : {}) } } }));
    },
  });
  const minutes = (value: number | null) => (value === null ? '—' : t('setup.minutes', { n: Math.round(value) }));
  const columns = useMemo(
    () =>
      column.columns([
        column.accessor('jobTitle', { header: () => t('interviews.job') }),
        ...stages.map((stage) => column.accessor(stage, { header: () => t(`overview.${stage}`) })),
        column.accessor('completionRate', { header: () => t('overview.completionRate'), cell: (info) => percent(info.getValue()) }),
        column.accessor('noShowRate', { header: () => t('overview.noShowRate'), cell: (info) => percent(info.getValue()) }),
        column.accessor('averageDurationMinutes', { header: () => t('overview.averageDuration'), cell: (info) => minutes(info.getValue()) }),
        column.accessor('upcoming', { header: () => t('overview.upcoming') }),
      ]),
    [t, i18n], // eslint-disable-line react-hooks/exhaustive-deps
  );
  const data = overview.data;
  return (
    <section className="hr-page">
      <PageHeading title={t('overview.title')}>{t('overview.title')}</PageHeading>
      <search className="hr-filters" aria-label={t('overview.filters')}>
        <DateRangeField
          label={t('overview.range')}
          value={range}
          onChange={(next) => set({ from: next?.start ?? '', to: next?.end ?? '' })}
        />
        <SelectField
          label={t('interviews.job')}
          value={jobId}
          onChange={(job) => set({ job })}
          options={[{ id: '', label: t('filter.anyJob') }, ...(jobs.data?.items ?? []).map((j) => ({ id: j.id, label: j.title }))]}
        />
      </search>
      <ProblemMessage error={overview.error} />
      {data && (
        <>
          <div className="hr-overview-grid">
            <Funnel counts={data.totals} />
            <dl className="hr-tiles">
              <div className="hr-tile">
                <dt>{t('overview.completionRate')}</dt>
                <dd>{percent(data.totals.completionRate)}</dd>
              </div>
              <div className="hr-tile">
                <dt>{t('overview.noShowRate')}</dt>
                <dd>{percent(data.totals.noShowRate)}</dd>
              </div>
              <div className="hr-tile">
                <dt>{t('overview.averageDuration')}</dt>
                <dd>{minutes(data.totals.averageDurationMinutes)}</dd>
              </div>
              <div className="hr-tile">
                <dt>{t('overview.upcoming')}</dt>
                <dd>{data.totals.upcoming}</dd>
              </div>
              <div className="hr-tile hr-tile-wide">
                <dt>{t('overview.decisions')}</dt>
                <dd className="hr-tile-small">
                  {t('overview.decisionCounts', { advance: data.decisions.advance, hold: data.decisions.hold, reject: data.decisions.reject })}
                </dd>
              </div>
            </dl>
          </div>
          <h2 className="hr-subtitle">{t('overview.byJob')}</h2>
          <DataTable
            caption={t('overview.byJobCaption')}
            columns={columns}
            rows={data.jobs}
            busy={overview.isFetching}
            rowKey={(row) => row.jobId}
            empty={t('overview.none')}
          />
        </>
      )}
    </section>
  );
}
