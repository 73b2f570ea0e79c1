import { useState, type FormEvent } from 'react';
import { Button, Form } from 'react-aria-components';
import { Link, useSearchParams } from 'react-router';
import { ApiError } from '../api.ts';
import { completePasswordReset } from '../auth.tsx';
import { NewPasswordField } from '../components/new-password-field.tsx';
import { useT } from '../i18n/i18n.tsx';
import { PublicPage } from './public-layout.tsx';

export default function ResetPasswordPage() {
  const { t } = useT();
  const [params] = useSearchParams();
  const token = params.get('token');
  const [state, setState] = useState<'form' | 'busy' | 'done'>('form');
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get('password'));
    if (!token) return;
    setState('busy');
    setError(null);
    try {
      await completePasswordReset(token, password);
      setState('done');
    } catch (err) {
      setState('form');
      const status = err instanceof ApiError ? err.status : 503;
      setError(status === 400 || status === 422 ? t('reset.weak') : status < 500 ? t('reset.invalidLink') : t('error.unavailable'));
    }
  };

  return (
    <PublicPage title={t('reset.title')}>
      {!token ? (
        <p role="alert">{t('reset.invalidLink')}</p>
      ) : state === 'done' ? (
        <p role="status">{t('reset.done')}</p>
      ) : (
        <Form className="hr-form" onSubmit={submit}>
          <NewPasswordField />
          <div role="alert" className="hr-form-error">
            {error}
          </div>
          <Button type="submit" className="hr-button hr-primary" isDisabled={state === 'busy'}>
            {t('reset.submit')}
          </Button>
        </Form>
      )}
      <p>
        <Link to="/hr/sign-in">{t('forgot.back')}</Link>
      </p>
    </PublicPage>
  );
}
