import { useState, type FormEvent } from 'react';
import { Button, Form, Input, Label, TextField } from 'react-aria-components';
import { Link } from 'react-router';
import { ApiError } from '../api.ts';
import { requestPasswordReset } from '../auth.tsx';
import { useT } from '../i18n/i18n.tsx';
import { PublicPage } from './public-layout.tsx';

export default function ForgotPasswordPage() {
  const { t } = useT();
  const [state, setState] = useState<'form' | 'busy' | 'sent'>('form');
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get('email'));
    setState('busy');
    setError(null);
    try {
      await requestPasswordReset(email);
      setState('sent');
    } catch (err) {
      setState('form');
      setError(err instanceof ApiError && err.status === 429 ? t('signIn.rateLimited') : t('error.unavailable'));
    }
  };

  return (
    <PublicPage title={t('forgot.title')}>
      {state === 'sent' ? (
        // The same words whether or not the address has an account: the page must not tell who works here.
        <p role="status">{t('forgot.sent')}</p>
      ) : (
        <Form className="hr-form" onSubmit={submit}>
          <p>{t('forgot.intro')}</p>
          <TextField name="email" type="email" autoComplete="username" isRequired className="hr-field">
            <Label>{t('signIn.email')}</Label>
            <Input className="hr-input" dir="ltr" />
          </TextField>
          <div role="alert" className="hr-form-error">
            {error}
          </div>
          <Button type="submit" className="hr-button hr-primary" isDisabled={state === 'busy'}>
            {t('forgot.submit')}
          </Button>
        </Form>
      )}
      <p>
        <Link to="/hr/sign-in">{t('forgot.back')}</Link>
      </p>
    </PublicPage>
  );
}
