// The company's jobs: each opens its results (candidates ranked). A recruiter or admin also gets "New job".
import { useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useMemo } from 'react';
import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../../api.ts';
import { may, useCurrentSession } from '../../auth.tsx';
import { DataTable, features } from '../../components/data-table.tsx';
import { ProblemMessage } from '../../components/problem-message.tsx';
import { dateTime, languageName } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { PageHeading } from '../../layout.tsx';
import '../../manage.css';

type Job = Schemas['Job'];
const column = createColumnHelper<typeof features, Job>();

export default function JobsPage() {
  const i18n = useT();
  const { t } = i18n;
  const session = useCurrentSession();
  const jobs = useQuery({
    queryKey: ['jobs', 'all'],
    queryFn: () => unwrap(api.GET('/v1/jobs', { params: { query: { limit: 100 } } })),
  });
  const columns = useMemo(
    () =>
      column.columns([
        column.accessor('title', {
          header: () => t('jobs.jobTitle'),
          cell: (info) => <Link to={`/hr/jobs/${info.row.original.id}`}>{info.getValue()}</Link>,
        }),
        column.accessor('competencies', {
          header: () => t('jobs.competencies'),
          cell: (info) => info.getValue().map((c) => c.name).join(', ') || <span className="hr-muted">—</span>,
        }),
        column.accessor('language', { header: () => t('jobs.language'), cell: (info) => languageName(i18n, info.getValue()) }),
        column.accessor('createdAt', {
          header: () => t('jobs.created'),
          cell: (info) => <time dateTime={info.getValue()}>{dateTime(i18n, info.getValue())}</time>,
        }),
      ]),
    [t, i18n],
  );
  return (
    <section className="hr-page">
      <div className="hr-page-head">
        <PageHeading title={t('jobs.title')}>{t('jobs.title')}</PageHeading>
        {may(session.user.role, 'recruit') && (
          <div className="hr-actions">
            <Link className="hr-button" to="/hr/candidates/new">
              {t('candidateNew.title')}
            </Link>
            <Link className="hr-button hr-primary" to="/hr/jobs/new">
              {t('jobs.new')}
            </Link>
          </div>
        )}
      </div>
      {jobs.isError ? (
        <ProblemMessage error={jobs.error} />
      ) : (
        <DataTable
          caption={t('jobs.caption')}
          columns={columns}
          rows={jobs.data?.items}
          busy={jobs.isFetching}
          rowKey={(job) => job.id}
          empty={t('jobs.none')}
        />
      )}
    </section>
  );
}
