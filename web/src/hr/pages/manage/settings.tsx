// The admin's settings, in tabs: users and their roles, API keys (a new key is shown once), webhook endpoints with
// their delivery log and replay, and the company's details.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useMemo, useState, type FormEvent } from 'react';
import { Button, Checkbox, CheckboxGroup, FieldError, Label, Tab, TabList, TabPanel, Tabs, Text } from 'react-aria-components';
import { useSearchParams } from 'react-router';
import { api, ApiError, unwrap, type Schemas } from '../../api.ts';
import { useCurrentSession } from '../../auth.tsx';
import { SelectField } from '../../components/controls.tsx';
import { DataTable, features } from '../../components/data-table.tsx';
import { ProblemMessage } from '../../components/problem-message.tsx';
import { TimeZoneField } from '../../components/time-fields.tsx';
import { dateTime, languageName } from '../../format.ts';
import { useT, type HrI18n } from '../../i18n/i18n.tsx';
import { PageHeading } from '../../layout.tsx';
import '../../manage.css';
import { interviewLanguages, type InterviewLanguage } from '../../vocabulary.ts';
import { PrivacyNoticeField } from './privacy-notice-field.tsx';

const roles = ['admin', 'recruiter', 'reviewer'] as const;
type User = Schemas['User'];
type ApiKey = Schemas['ApiKey'];
type Endpoint = Schemas['WebhookEndpoint'];
type Delivery = Schemas['WebhookDelivery'];
const webhookEvents: Schemas['WebhookEventType'][] = [
  'interview.created',
  'interview.started',
  'candidate.joined',
  'interview.completed',
  'interview.failed',
  'interview.expired',
  'interview.cancelled',
  'scorecard.updated',
  'endpoint.disabled',
];

function UsersTab() {
  const i18n = useT();
  const { t } = i18n;
  const me = useCurrentSession().user;
  const queryClient = useQueryClient();
  const users = useQuery({ queryKey: ['users'], queryFn: () => unwrap(api.GET('/v1/users')) });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['users'] });
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<(typeof roles)[number]>('recruiter');
  const invite = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/users/invitations', { body: { email, role, ...(name ? { name } : {}) } })),
    onSuccess: () => {
      setEmail('');
      setName('');
      refresh();
    },
  });
  const update = useMutation({
    mutationFn: ({ id, body }: { id: string; body: Schemas['UpdateUser'] }) =>
      unwrap(api.PATCH('/v1/users/{id}', { params: { path: { id } }, body })),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/users/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const column = createColumnHelper<typeof features, User>();
  const columns = useMemo(
    () =>
      column.columns([
        column.accessor('name', { header: () => t('settings.name') }),
        column.accessor('email', { header: () => t('settings.email') }),
        column.accessor('role', {
          header: () => t('settings.role'),
          cell: (info) =>
            info.row.original.id === me.id ? (
              t(`role.${info.getValue()}`)
            ) : (
              <SelectField
                className="hr-compact"
                label={t('settings.roleOf', { name: info.row.original.name || info.row.original.email })}
                value={info.getValue()}
                onChange={(value) => update.mutate({ id: info.row.original.id, body: { role: value as User['role'] } })}
                options={roles.map((r) => ({ id: r, label: t(`role.${r}`) }))}
              />
            ),
        }),
        column.accessor('status', { header: () => t('settings.status'), cell: (info) => t(`userStatus.${info.getValue()}`) }),
        column.display({
          id: 'actions',
          header: () => t('settings.actions'),
          cell: (info) => {
            const user = info.row.original;
            if (user.id === me.id) return <span className="hr-muted">{t('settings.you')}</span>;
            const label = user.name || user.email;
            return (
              <div className="hr-inline">
                {user.status !== 'invited' && (
                  <Button
                    className="hr-button"
                    aria-label={t(user.status === 'disabled' ? 'settings.enableUser' : 'settings.disableUser', { name: label })}
                    onPress={() => update.mutate({ id: user.id, body: { disabled: user.status !== 'disabled' } })}
                  >
                    {t(user.status === 'disabled' ? 'settings.enable' : 'settings.disable')}
                  </Button>
                )}
                <Button className="hr-button hr-quiet" aria-label={t('settings.removeUser', { name: label })} onPress={() => remove.mutate(user.id)}>
                  {t('common.remove')}
                </Button>
              </div>
            );
          },
        }),
      ]),
    [t, me.id], // eslint-disable-line react-hooks/exhaustive-deps
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    invite.mutate();
  };
  return (
    <div className="hr-settings-tab">
      <form className="hr-card hr-inline-form" onSubmit={submit} aria-labelledby="invite-title">
        <h2 id="invite-title">{t('settings.inviteTitle')}</h2>
        <div className="hr-field">
          <label htmlFor="invite-email">{t('settings.email')}</label>
          <input id="invite-email" type="email" className="hr-input" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </div>
        <div className="hr-field">
          <label htmlFor="invite-name">{t('settings.nameOptional')}</label>
          <input id="invite-name" className="hr-input" value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <SelectField
          label={t('settings.role')}
          value={role}
          onChange={(value) => setRole(value as (typeof roles)[number])}
          options={roles.map((r) => ({ id: r, label: t(`role.${r}`) }))}
        />
        <Button type="submit" className="hr-button hr-primary" isDisabled={invite.isPending}>
          {t('settings.invite')}
        </Button>
        <div role="status" className="hr-form-ok hr-wide">
          {invite.isSuccess ? t('settings.invited', { email: invite.data.email }) : ''}
        </div>
        <div className="hr-wide">
          <ProblemMessage error={invite.error} />
        </div>
      </form>
      <ProblemMessage error={update.error ?? remove.error ?? users.error} />
      <DataTable
        caption={t('settings.usersCaption')}
        columns={columns}
        rows={users.data?.items}
        busy={users.isFetching}
        rowKey={(user) => user.id}
        empty={t('settings.noUsers')}
      />
    </div>
  );
}

function ApiKeysTab() {
  const i18n = useT();
  const { t } = i18n;
  const queryClient = useQueryClient();
  const keys = useQuery({ queryKey: ['api-keys'], queryFn: () => unwrap(api.GET('/v1/api-keys')) });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['api-keys'] });
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/api-keys', { body: { name } })),
    onSuccess: () => {
      setName('');
      refresh();
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/api-keys/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const column = createColumnHelper<typeof features, ApiKey>();
  const columns = useMemo(
    () =>
      column.columns([
        column.accessor('name', { header: () => t('settings.name') }),
        column.accessor('prefix', { header: () => t('settings.keyPrefix'), cell: (info) => <code dir="ltr">{info.getValue()}…</code> }),
        column.accessor('createdAt', { header: () => t('jobs.created'), cell: (info) => dateTime(i18n, info.getValue()) }),
        column.accessor('lastUsedAt', {
          header: () => t('settings.lastUsed'),
          cell: (info) => (info.getValue() ? dateTime(i18n, info.getValue()) : <span className="hr-muted">{t('settings.never')}</span>),
        }),
        column.display({
          id: 'actions',
          header: () => t('settings.actions'),
          cell: (info) =>
            info.row.original.revokedAt ? (
              t('settings.revoked')
            ) : (
              <Button
                className="hr-button"
                aria-label={t('settings.revokeKey', { name: info.row.original.name })}
                onPress={() => revoke.mutate(info.row.original.id)}
              >
                {t('settings.revoke')}
              </Button>
            ),
        }),
      ]),
    [t, i18n], // eslint-disable-line react-hooks/exhaustive-deps
  );
  return (
    <div className="hr-settings-tab">
      <form
        className="hr-card hr-inline-form"
        aria-labelledby="key-title"
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate();
        }}
      >
        <h2 id="key-title">{t('settings.newKey')}</h2>
        <div className="hr-field">
          <label htmlFor="key-name">{t('settings.keyName')}</label>
          <input id="key-name" className="hr-input" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <Button type="submit" className="hr-button hr-primary" isDisabled={create.isPending}>
          {t('settings.createKey')}
        </Button>
        <div className="hr-wide">
          <ProblemMessage error={create.error} />
        </div>
      </form>
      {create.data && (
        <div className="hr-secret" role="status">
          <p>{t('settings.keyOnce')}</p>
          <label htmlFor="new-key">{t('settings.newKeyValue', { name: create.data.name })}</label>
          <input id="new-key" className="hr-input" dir="ltr" readOnly value={create.data.key} onFocus={(e) => e.target.select()} />
        </div>
      )}
      <ProblemMessage error={revoke.error ?? keys.error} />
      <DataTable
        caption={t('settings.keysCaption')}
        columns={columns}
        rows={keys.data?.items}
        busy={keys.isFetching}
        rowKey={(key) => key.id}
        empty={t('settings.noKeys')}
      />
    </div>
  );
}

function Deliveries({ endpoint }: { endpoint: Endpoint }) {
  const i18n = useT();
  const { t } = i18n;
  const queryClient = useQueryClient();
  const deliveries = useQuery({
    queryKey: ['webhook', endpoint.id, 'deliveries'],
    queryFn: () =>
      unwrap(api.GET('/v1/webhook-endpoints/{id}/deliveries', { params: { path: { id: endpoint.id }, query: { limit: 50 } } })),
  });
  const replay = useMutation({
    mutationFn: (deliveryId: string) =>
      unwrap(
        api.POST('/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/replay', {
          params: { path: { id: endpoint.id, deliveryId } },
        }),
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['webhook', endpoint.id] }),
  });
  const test = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/webhook-endpoints/{id}/test', { params: { path: { id: endpoint.id } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['webhook', endpoint.id] }),
  });
  const column = createColumnHelper<typeof features, Delivery>();
  const columns = useMemo(
    () =>
      column.columns([
        column.accessor('eventType', { header: () => t('settings.event'), cell: (info) => <code>{info.getValue()}</code> }),
        column.accessor('status', { header: () => t('settings.status'), cell: (info) => t(`delivery.${info.getValue()}`) }),
        column.accessor('attempts', { header: () => t('settings.attempts') }),
        column.accessor('lastStatusCode', {
          header: () => t('settings.lastResponse'),
          cell: (info) => info.getValue() ?? info.row.original.lastError ?? '—',
        }),
        column.accessor('createdAt', { header: () => t('settings.when'), cell: (info) => dateTime(i18n, info.getValue()) }),
        column.display({
          id: 'replay',
          header: () => t('settings.actions'),
          cell: (info) => (
            <Button
              className="hr-button"
              isDisabled={info.row.original.status === 'pending'}
              aria-label={t('settings.replayDelivery', { event: info.row.original.eventType, when: dateTime(i18n, info.row.original.createdAt) })}
              onPress={() => replay.mutate(info.row.original.id)}
            >
              {t('settings.replay')}
            </Button>
          ),
        }),
      ]),
    [t, i18n], // eslint-disable-line react-hooks/exhaustive-deps
  );
  return (
    <div className="hr-deliveries">
      <div className="hr-section-head">
        <h3>{t('settings.deliveries')}</h3>
        <Button className="hr-button" onPress={() => test.mutate()} isDisabled={test.isPending}>
          {t('settings.sendTest')}
        </Button>
      </div>
      <ProblemMessage error={replay.error ?? test.error ?? deliveries.error} />
      <div role="status" className="hr-form-ok">
        {replay.isSuccess ? t('settings.replayed') : test.isSuccess ? t('settings.testQueued') : ''}
      </div>
      <DataTable
        caption={t('settings.deliveriesCaption', { url: endpoint.url })}
        columns={columns}
        rows={deliveries.data?.items}
        busy={deliveries.isFetching}
        rowKey={(d) => d.id}
        empty={t('settings.noDeliveries')}
      />
    </div>
  );
}

function WebhooksTab() {
  const { t } = useT();
  const queryClient = useQueryClient();
  const endpoints = useQuery({ queryKey: ['webhooks'], queryFn: () => unwrap(api.GET('/v1/webhook-endpoints', { params: { query: { limit: 100 } } })) });
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<Set<Schemas['WebhookEventType']>>(new Set(['interview.completed', 'scorecard.updated']));
  const [open, setOpen] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/webhook-endpoints', { body: { url, description, eventTypes: [...events] } })),
    onSuccess: () => {
      setUrl('');
      setDescription('');
      void queryClient.invalidateQueries({ queryKey: ['webhooks'] });
    },
  });
  const toggle = (event: Schemas['WebhookEventType']) =>
    setEvents((set) => {
      const next = new Set(set);
      if (next.has(event)) next.delete(event);
      else next.add(event);
      return next;
    });
  return (
    <div className="hr-settings-tab">
      <form
        className="hr-card hr-form"
        aria-labelledby="hook-title"
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate();
        }}
      >
        <h2 id="hook-title">{t('settings.newEndpoint')}</h2>
        <div className="hr-field">
          <label htmlFor="hook-url">{t('settings.endpointUrl')}</label>
          <input id="hook-url" type="url" dir="ltr" className="hr-input" required value={url} onChange={(e) => setUrl(e.target.value)} />
        </div>
        <div className="hr-field">
          <label htmlFor="hook-description">{t('settings.endpointDescription')}</label>
          <input id="hook-description" className="hr-input" value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        <fieldset className="hr-fieldset hr-checks">
          <legend>{t('settings.events')}</legend>
          {webhookEvents.map((event) => (
            <label key={event} className="hr-check">
              <input type="checkbox" checked={events.has(event)} onChange={() => toggle(event)} />
              <code>{event}</code>
            </label>
          ))}
        </fieldset>
        <ProblemMessage error={create.error} />
        <div className="hr-form-actions">
          <Button type="submit" className="hr-button hr-primary" isDisabled={create.isPending || events.size === 0}>
            {t('settings.addEndpoint')}
          </Button>
        </div>
      </form>
      {create.data && (
        <div className="hr-secret" role="status">
          <p>{t('settings.secretOnce')}</p>
          <label htmlFor="new-secret">{t('settings.signingSecret')}</label>
          <input id="new-secret" className="hr-input" dir="ltr" readOnly value={create.data.secret} onFocus={(e) => e.target.select()} />
        </div>
      )}
      <ProblemMessage error={endpoints.error} />
      <ul className="hr-endpoints">
        {(endpoints.data?.items ?? []).map((endpoint) => (
          <li key={endpoint.id} className="hr-card">
            <div className="hr-section-head">
              <div>
                <p className="hr-endpoint-url" dir="ltr">
                  {endpoint.url}
                </p>
                <p className="hr-hint">
                  {t(`endpoint.${endpoint.status}`)}
                  {endpoint.description ? ` · ${endpoint.description}` : ''} · {endpoint.eventTypes.join(', ')}
                </p>
              </div>
              <Button
                className="hr-button"
                aria-expanded={open === endpoint.id}
                onPress={() => setOpen(open === endpoint.id ? null : endpoint.id)}
              >
                {open === endpoint.id ? t('settings.hideLog') : t('settings.showLog')}
              </Button>
            </div>
            {open === endpoint.id && <Deliveries endpoint={endpoint} />}
          </li>
        ))}
      </ul>
      {endpoints.data && endpoints.data.items.length === 0 && <p className="hr-empty">{t('settings.noEndpoints')}</p>}
    </div>
  );
}

interface CompanyDraft {
  name: string;
  region: string;
  timezone: string;
  defaultLanguage: InterviewLanguage;
  enabledLanguages: InterviewLanguage[];
  allowTypedInterviews: boolean;
  privacyNoticeUrl: string;
}

const isLanguage = (value: string): value is InterviewLanguage => (interviewLanguages as readonly string[]).includes(value);

function draftOf(company: Schemas['Company'] | undefined): CompanyDraft {
  return {
    name: company?.name ?? '',
    region: company?.defaultPhoneRegion ?? '',
    timezone: company?.timezone ?? 'UTC',
    defaultLanguage: company && isLanguage(company.defaultLanguage) ? company.defaultLanguage : 'en',
    enabledLanguages: (company?.enabledLanguages ?? ['en']).filter(isLanguage),
    allowTypedInterviews: company?.allowTypedInterviews ?? false,
    privacyNoticeUrl: company?.privacyNoticeUrl ?? '',
  };
}

/**
 * The API's refusal of a language, worded at the field it concerns: a language this server has no interviewer voice
 * for (body.enabledLanguages.N / body.defaultLanguage) or a default that is not offered.
 */
function languageProblems(error: unknown, sent: CompanyDraft | undefined, i18n: HrI18n): string[] {
  if (!(error instanceof ApiError) || error.code !== 'validation_failed' || !sent) return [];
  return (error.problem?.errors ?? []).flatMap((field) => {
    const offered = /^body\.enabledLanguages\.(\d+)$/.exec(field.path);
    const language = offered ? sent.enabledLanguages[Number(offered[1])] : field.path === 'body.defaultLanguage' ? sent.defaultLanguage : undefined;
    if (language && field.message.startsWith('no interviewer voice')) {
      return [i18n.t('settings.noVoice', { language: languageName(i18n, language) })];
    }
    if (field.path === 'body.enabledLanguages' || field.path === 'body.defaultLanguage') return [i18n.t('settings.defaultNotOffered')];
    return [];
  });
}

function CompanyTab() {
  const i18n = useT();
  const { t } = i18n;
  const queryClient = useQueryClient();
  const company = useQuery({ queryKey: ['company'], queryFn: () => unwrap(api.GET('/v1/company')) });
  // What the admin typed stays on screen until it is saved: a refusal leaves every field as it was.
  const [draft, setDraft] = useState<CompanyDraft | null>(null);
  const value = draft ?? draftOf(company.data);
  const save = useMutation({
    mutationFn: (sent: CompanyDraft) =>
      unwrap(
        api.PATCH('/v1/company', {
          body: {
            name: sent.name,
            defaultPhoneRegion: sent.region.toUpperCase(),
            timezone: sent.timezone,
            defaultLanguage: sent.defaultLanguage,
            enabledLanguages: sent.enabledLanguages,
            allowTypedInterviews: sent.allowTypedInterviews,
            privacyNoticeUrl: sent.privacyNoticeUrl.trim() || null,
          },
        }),
      ),
    onSuccess: (saved) => {
      queryClient.setQueryData(['company'], saved);
      // The session carries the company's name and time zone, which the shell and every date read.
      void queryClient.invalidateQueries({ queryKey: ['session'] });
      setDraft(null);
    },
  });
  const change = (next: Partial<CompanyDraft>) => {
    // A "Saved" or a refusal is about the values sent, not the ones being typed now.
    if (save.isSuccess) save.reset();
    setDraft({ ...value, ...next });
  };
  const languageErrors = languageProblems(save.error, save.variables, i18n);
  const offered = interviewLanguages.filter((language) => value.enabledLanguages.includes(language));
  // The form starts from the saved settings: typed into before they arrived, it kept the blanks it was drawn with
  // (an empty region, which the browser then refuses to send, and defaults that would overwrite saved values).
  if (!company.data) {
    return (
      <div className="hr-settings-tab">
        {company.isError ? <ProblemMessage error={company.error} /> : <p role="status">{t('common.loading')}</p>}
      </div>
    );
  }
  return (
    <div className="hr-settings-tab">
      <form
        className="hr-card hr-form hr-narrow"
        aria-labelledby="company-title"
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate(value);
        }}
      >
        <h2 id="company-title">{t('settings.company')}</h2>
        <div className="hr-field">
          <label htmlFor="company-name">{t('settings.companyName')}</label>
          <input id="company-name" className="hr-input" required value={value.name} onChange={(e) => change({ name: e.target.value })} />
        </div>
        <div className="hr-field">
          <label htmlFor="company-region">{t('settings.region')}</label>
          <input
            id="company-region"
            className="hr-input hr-short"
            dir="ltr"
            required
            pattern="[A-Za-z]{2}"
            maxLength={2}
            value={value.region}
            aria-describedby="company-region-hint"
            onChange={(e) => change({ region: e.target.value })}
          />
          <span id="company-region-hint" className="hr-hint">
            {t('settings.regionHint')}
          </span>
        </div>
        <TimeZoneField
          label={t('settings.timezone')}
          description={t('settings.timezoneHint')}
          value={value.timezone}
          onChange={(timezone) => change({ timezone })}
        />
        <CheckboxGroup
          className="hr-checkbox-group"
          // The refusal is shown, not enforced: native validation would keep the form from being sent again.
          validationBehavior="aria"
          value={value.enabledLanguages}
          isInvalid={languageErrors.length > 0}
          onChange={(next) => {
            const enabledLanguages = interviewLanguages.filter((language) => next.includes(language));
            // Un-offering the default moves the default to a language still offered, as the API requires.
            const defaultLanguage = enabledLanguages.includes(value.defaultLanguage) ? value.defaultLanguage : enabledLanguages[0] ?? value.defaultLanguage;
            change({ enabledLanguages, defaultLanguage });
          }}
        >
          <Label>{t('settings.languages')}</Label>
          <div className="hr-checkboxes">
            {interviewLanguages.map((language) => (
              // Said again on each box: react-aria-components' Checkbox takes its own validationBehavior (native by
              // default) over its group's, and natively a refused group marks every box invalid, so the browser
              // silently kept the corrected form from being sent (no request, no message).
              <Checkbox key={language} value={language} className="hr-checkbox" validationBehavior="aria">
                <span className="hr-checkbox-box" aria-hidden="true" />
                {t(`language.${language}`)}
              </Checkbox>
            ))}
          </div>
          <Text slot="description" className="hr-hint">
            {t('settings.languagesHint')}
          </Text>
          <FieldError className="hr-field-error">{languageErrors.join(' ')}</FieldError>
        </CheckboxGroup>
        <SelectField
          label={t('settings.defaultLanguage')}
          value={value.defaultLanguage}
          onChange={(language) => isLanguage(language) && change({ defaultLanguage: language })}
          options={(offered.length > 0 ? offered : [value.defaultLanguage]).map((language) => ({ id: language, label: t(`language.${language}`) }))}
          description={t('settings.defaultLanguageHint')}
        />
        <Checkbox className="hr-checkbox" isSelected={value.allowTypedInterviews} onChange={(allowTypedInterviews) => change({ allowTypedInterviews })}>
          <span className="hr-checkbox-box" aria-hidden="true" />
          <span>
            {t('settings.typed')}
            <span className="hr-hint hr-block">{t('settings.typedHint')}</span>
          </span>
        </Checkbox>
        <PrivacyNoticeField value={value.privacyNoticeUrl} onChange={(privacyNoticeUrl) => change({ privacyNoticeUrl })} error={save.error} />
        <p className="hr-hint">{t('settings.companyMore')}</p>
        <ProblemMessage error={save.error ?? company.error} />
        <div role="status" className="hr-form-ok">
          {save.isSuccess ? t('settings.savedCompany') : ''}
        </div>
        <div className="hr-form-actions">
          <Button type="submit" className="hr-button hr-primary" isDisabled={save.isPending || !company.data}>
            {save.isPending ? t('common.saving') : t('settings.save')}
          </Button>
        </div>
      </form>
    </div>
  );
}

const tabs = ['users', 'keys', 'webhooks', 'company'] as const;

export default function SettingsPage() {
  const { t } = useT();
  const [params, setParams] = useSearchParams();
  const tab = tabs.find((name) => name === params.get('tab')) ?? 'users';
  return (
    <section className="hr-page">
      <PageHeading title={t('settings.title')}>{t('settings.title')}</PageHeading>
      <Tabs selectedKey={tab} onSelectionChange={(key) => setParams({ tab: String(key) }, { replace: true })}>
        <TabList className="hr-tabs" aria-label={t('settings.title')}>
          <Tab id="users" className="hr-tab">{t('settings.users')}</Tab>
          <Tab id="keys" className="hr-tab">{t('settings.keys')}</Tab>
          <Tab id="webhooks" className="hr-tab">{t('settings.webhooks')}</Tab>
          <Tab id="company" className="hr-tab">{t('settings.company')}</Tab>
        </TabList>
        <TabPanel id="users"><UsersTab /></TabPanel>
        <TabPanel id="keys"><ApiKeysTab /></TabPanel>
        <TabPanel id="webhooks"><WebhooksTab /></TabPanel>
        <TabPanel id="company"><CompanyTab /></TabPanel>
      </Tabs>
    </section>
  );
}
