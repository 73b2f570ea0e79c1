import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Button, Form, Input, Label, TextField } from 'react-aria-components';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../api.ts';
import { acceptInvitation } from '../auth.tsx';
import { NewPasswordField } from '../components/new-password-field.tsx';
import { useT } from '../i18n/i18n.tsx';
import { homePath } from '../routes.ts';
import { PublicPage } from './public-layout.tsx';

export default function AcceptInvitationPage() {
  const { t } = useT();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const token = params.get('token');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (!token) return;
    setBusy(true);
    setError(null);
    try {
      await acceptInvitation(queryClient, token, String(form.get('name')), String(form.get('password')));
      void navigate(homePath, { replace: true });
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 503;
      setError(status === 400 || status === 422 ? t('reset.weak') : status < 500 ? t('invite.invalidLink') : t('error.unavailable'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <PublicPage title={t('invite.title')}>
      {!token ? (
        <p role="alert">{t('invite.invalidLink')}</p>
      ) : (
        <Form className="hr-form" onSubmit={submit}>
          <TextField name="name" autoComplete="name" isRequired className="hr-field">
            <Label>{t('invite.name')}</Label>
            <Input className="hr-input" />
          </TextField>
          <NewPasswordField />
          <div role="alert" className="hr-form-error">
            {error}
          </div>
          <Button type="submit" className="hr-button hr-primary" isDisabled={busy}>
            {t('invite.submit')}
          </Button>
        </Form>
      )}
    </PublicPage>
  );
}
