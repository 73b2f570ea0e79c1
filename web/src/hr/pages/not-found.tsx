import { Link } from 'react-router';
import { useT } from '../i18n/i18n.tsx';
import { PageHeading } from '../layout.tsx';
import { homePath } from '../routes.ts';

/** An unknown workspace path, or an id the API does not know in this company (404). */
export default function NotFoundPage({ what }: { what?: 'interview' }) {
  const { t } = useT();
  const title = what === 'interview' ? t('notFound.interview') : t('notFound.title');
  return (
    <section className="hr-page hr-not-found">
      <PageHeading title={title}>{title}</PageHeading>
      <p>{t('notFound.body')}</p>
      <p>
        <Link to={homePath}>{t('notFound.back')}</Link>
      </p>
    </section>
  );
}
