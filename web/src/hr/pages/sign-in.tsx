import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Button, Form, Input, Label, TextField } from 'react-aria-components';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../api.ts';
import { signIn, useSession } from '../auth.tsx';
import { useT } from '../i18n/i18n.tsx';
import { homePath } from '../routes.ts';
import { PublicPage } from './public-layout.tsx';

/** Only a path inside the workspace: `next` comes from the address bar and must not send anyone off-site. */
export function safeNext(next: string | null): string {
  return next && /^\/hr(\/|$)/.test(next) && !next.startsWith('//') ? next : homePath;
}

export default function SignInPage() {
  const { t } = useT();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const session = useSession();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const next = safeNext(params.get('next'));

  if (session.data) return <Navigate to={next} replace />;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await signIn(queryClient, String(form.get('email')), String(form.get('password')));
      void navigate(next, { replace: true });
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 503;
      setError(status === 401 ? t('signIn.invalid') : status === 429 ? t('signIn.rateLimited') : t('error.unavailable'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <PublicPage title={t('signIn.title')}>
      <Form className="hr-form" onSubmit={submit}>
        <TextField name="email" type="email" autoComplete="username" isRequired className="hr-field">
          <Label>{t('signIn.email')}</Label>
          {/* An address reads left to right in either language. */}
          <Input className="hr-input" dir="ltr" />
        </TextField>
        <TextField name="password" type="password" autoComplete="current-password" isRequired className="hr-field">
          <Label>{t('signIn.password')}</Label>
          <Input className="hr-input" />
        </TextField>
        <div role="alert" className="hr-form-error">
          {error}
        </div>
        <Button type="submit" className="hr-button hr-primary" isDisabled={busy}>
          {busy ? t('signIn.submitting') : t('signIn.submit')}
        </Button>
        <p>
          <Link to="/hr/forgot-password">{t('signIn.forgot')}</Link>
        </p>
      </Form>
    </PublicPage>
  );
}
