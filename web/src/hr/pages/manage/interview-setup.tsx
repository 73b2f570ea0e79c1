// After creating an interview: the question plan to read and edit (reword, re-time, remove, add, generate again),
// then the candidate's link to copy or the invitation e-mail to send. Editing stops once the interview starts (the
// API answers 409 for a frozen plan). Until then HR can also change the interview's language or who chooses it;
// a new language writes the plan again in it (PATCH /v1/interviews/{id}, 409 once started).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import {
  Button,
  Dialog,
  DialogTrigger,
  Heading,
  Label,
  Modal,
  ModalOverlay,
  Radio,
  RadioGroup,
  Text,
} from 'react-aria-components';
import { Link, useParams } from 'react-router';
import { api, ApiError, unwrap, type Schemas } from '../../api.ts';
import { SelectField } from '../../components/controls.tsx';
import { ProblemMessage } from '../../components/problem-message.tsx';
import { dateTime, languageName } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { PageHeading } from '../../layout.tsx';
import '../../manage.css';
import NotFoundPage from '../not-found.tsx';

type Plan = Schemas['QuestionPlan'];
type Question = Schemas['PlanQuestion'];
type Invitation = Schemas['InterviewInvitation'];
type Interview = Schemas['InterviewDetail'];
type LanguageMode = Interview['languageMode'];

/** The language and who chooses it, changed in a dialog while the interview is scheduled. */
function ChangeLanguage({ interview, offered }: { interview: Interview; offered: string[] }) {
  const i18n = useT();
  const { t } = i18n;
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [mode, setMode] = useState<LanguageMode>(interview.languageMode);
  const [language, setLanguage] = useState(interview.language);
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PATCH('/v1/interviews/{id}', {
          params: { path: { id: interview.id } },
          body: { languageMode: mode, language },
        }),
      ),
    onSuccess: ({ plan, ...changed }) => {
      queryClient.setQueryData<Interview>(['interview', interview.id, 'detail'], (old) => (old ? { ...old, ...changed } : old));
      queryClient.setQueryData(['interview', interview.id, 'plan'], plan);
      setOpen(false);
    },
  });
  const choices = offered.includes(interview.language) ? offered : [interview.language, ...offered];
  return (
    <DialogTrigger
      isOpen={open}
      onOpenChange={(next) => {
        // Each opening starts from the interview as it is now.
        if (next) {
          setMode(interview.languageMode);
          setLanguage(interview.language);
        }
        save.reset();
        setOpen(next);
      }}
    >
      <Button className="hr-link-button">{t('setup.changeLanguage')}</Button>
      <ModalOverlay className="hr-modal-overlay" isDismissable>
        <Modal className="hr-modal">
          <Dialog className="hr-dialog">
            {({ close }) => (
              <form
                className="hr-form"
                onSubmit={(event) => {
                  event.preventDefault();
                  save.mutate();
                }}
              >
                <Heading slot="title">{t('setup.languageTitle')}</Heading>
                <RadioGroup
                  className="hr-radio-group"
                  value={mode}
                  onChange={(next) => setMode(next as LanguageMode)}
                  orientation="horizontal"
                >
                  <Label>{t('interviewNew.languageMode')}</Label>
                  <div className="hr-radios">
                    <Radio value="fixed" className="hr-radio">
                      {t('interviewNew.modeFixed')}
                    </Radio>
                    <Radio value="candidate" className="hr-radio">
                      {t('interviewNew.modeCandidate')}
                    </Radio>
                  </div>
                </RadioGroup>
                <SelectField
                  label={mode === 'candidate' ? t('setup.startLanguage') : t('interviewNew.language')}
                  value={language}
                  onChange={setLanguage}
                  options={choices.map((code) => ({ id: code, label: languageName(i18n, code) }))}
                />
                <Text className="hr-hint">{t('setup.languageHint')}</Text>
                <ProblemMessage error={save.error} />
                <div className="hr-dialog-actions">
                  <Button className="hr-button hr-quiet" onPress={close}>
                    {t('common.cancel')}
                  </Button>
                  <Button type="submit" className="hr-button hr-primary" isDisabled={save.isPending}>
                    {save.isPending ? t('common.saving') : t('setup.saveLanguage')}
                  </Button>
                </div>
              </form>
            )}
          </Dialog>
        </Modal>
      </ModalOverlay>
    </DialogTrigger>
  );
}

function QuestionForm({
  initial,
  onSubmit,
  submitLabel,
  pending,
  error,
  idPrefix,
}: {
  initial: { text: string; minutes: number };
  onSubmit: (value: { text: string; minutes: number }) => void;
  submitLabel: string;
  pending: boolean;
  error: unknown;
  idPrefix: string;
}) {
  const { t } = useT();
  const [text, setText] = useState(initial.text);
  const [minutes, setMinutes] = useState(initial.minutes);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit({ text, minutes });
  };
  return (
    <form className="hr-form" onSubmit={submit}>
      <div className="hr-field">
        <label htmlFor={`${idPrefix}-text`}>{t('plan.questionText')}</label>
        <textarea id={`${idPrefix}-text`} className="hr-textarea" required maxLength={1000} value={text} onChange={(e) => setText(e.target.value)} />
      </div>
      <div className="hr-field hr-minutes">
        <label htmlFor={`${idPrefix}-minutes`}>{t('plan.minutes')}</label>
        <input
          id={`${idPrefix}-minutes`}
          type="number"
          min={1}
          max={20}
          className="hr-input"
          value={minutes}
          onChange={(e) => setMinutes(Number(e.target.value))}
        />
      </div>
      <ProblemMessage error={error} />
      <div className="hr-dialog-actions">
        <Button type="submit" className="hr-button hr-primary" isDisabled={pending}>
          {pending ? t('common.saving') : submitLabel}
        </Button>
      </div>
    </form>
  );
}

function EditQuestion({ interviewId, question, n, frozen }: { interviewId: string; question: Question; n: number; frozen: boolean }) {
  const { t } = useT();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const update = useMutation({
    mutationFn: (value: { text: string; minutes: number }) =>
      unwrap(
        api.PATCH('/v1/interviews/{id}/plan/questions/{questionId}', {
          params: { path: { id: interviewId, questionId: question.questionId } },
          body: { text: value.text, timeBudgetSeconds: value.minutes * 60 },
        }),
      ),
    onSuccess: (plan) => {
      queryClient.setQueryData(['interview', interviewId, 'plan'], plan);
      setOpen(false);
    },
  });
  return (
    <DialogTrigger isOpen={open} onOpenChange={(next) => (update.reset(), setOpen(next))}>
      <Button className="hr-button" isDisabled={frozen} aria-label={t('plan.editN', { n })}>
        {t('plan.edit')}
      </Button>
      <ModalOverlay className="hr-modal-overlay" isDismissable>
        <Modal className="hr-modal hr-modal-wide">
          <Dialog className="hr-dialog">
            {({ close }) => (
              <>
                <Heading slot="title">{t('plan.editN', { n })}</Heading>
                <QuestionForm
                  idPrefix={`edit-${question.questionId}`}
                  initial={{ text: question.text, minutes: Math.max(1, Math.round(question.timeBudgetSeconds / 60)) }}
                  onSubmit={(value) => update.mutate(value)}
                  submitLabel={t('plan.saveQuestion')}
                  pending={update.isPending}
                  error={update.error}
                />
                <Button className="hr-button hr-quiet" onPress={close}>
                  {t('common.cancel')}
                </Button>
              </>
            )}
          </Dialog>
        </Modal>
      </ModalOverlay>
    </DialogTrigger>
  );
}

function PlanSection({ interviewId }: { interviewId: string }) {
  const { t } = useT();
  const queryClient = useQueryClient();
  const key = ['interview', interviewId, 'plan'];
  const plan = useQuery({
    queryKey: key,
    queryFn: () => unwrap(api.GET('/v1/interviews/{id}/plan', { params: { path: { id: interviewId } } })),
  });
  const adopt = (next: Plan) => queryClient.setQueryData(key, next);
  const remove = useMutation({
    mutationFn: (questionId: string) =>
      unwrap(api.DELETE('/v1/interviews/{id}/plan/questions/{questionId}', { params: { path: { id: interviewId, questionId } } })),
    onSuccess: adopt,
  });
  const regenerate = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/interviews/{id}/plan/regenerate', { params: { path: { id: interviewId } }, body: {} })),
    onSuccess: adopt,
  });
  const [adding, setAdding] = useState(false);
  const add = useMutation({
    mutationFn: (value: { text: string; minutes: number }) =>
      unwrap(
        api.POST('/v1/interviews/{id}/plan/questions', {
          params: { path: { id: interviewId } },
          body: { text: value.text, competencyKey: null, timeBudgetSeconds: value.minutes * 60 },
        }),
      ),
    onSuccess: (next) => {
      adopt(next);
      setAdding(false);
    },
  });

  if (plan.isPending) return <p role="status">{t('common.loading')}</p>;
  if (plan.isError) return <ProblemMessage error={plan.error} />;
  const { questions, frozen, totalSeconds, fitsDuration } = plan.data;
  return (
    <section className="hr-card hr-plan" aria-labelledby="plan-title">
      <div className="hr-section-head">
        <h2 id="plan-title">{t('plan.title')}</h2>
        <Button className="hr-button" isDisabled={frozen || regenerate.isPending} onPress={() => regenerate.mutate()}>
          {regenerate.isPending ? t('plan.regenerating') : t('plan.regenerate')}
        </Button>
      </div>
      <p className={fitsDuration ? 'hr-hint' : 'hr-warning'}>
        {t(fitsDuration ? 'plan.total' : 'plan.tooLong', { n: questions.length, minutes: Math.round(totalSeconds / 60) })}
      </p>
      {frozen && <p className="hr-warning">{t('plan.frozen')}</p>}
      <ProblemMessage error={remove.error ?? regenerate.error} />
      <ol className="hr-plan-list">
        {questions.map((q, i) => (
          <li key={q.questionId} className="hr-plan-item">
            <div className="hr-plan-row">
            <div className="hr-plan-text">
              <p>{q.text}</p>
              <p className="hr-hint">
                {t('plan.meta', { minutes: Math.max(1, Math.round(q.timeBudgetSeconds / 60)) })}
                {' · '}
                {t(`plan.kind.${q.kind}`)}
                {q.competencyKey ? ` · ${q.competencyKey}` : ''}
              </p>
            </div>
            <div className="hr-plan-actions">
              <EditQuestion interviewId={interviewId} question={q} n={i + 1} frozen={frozen} />
              <Button
                className="hr-button hr-quiet"
                isDisabled={frozen || questions.length === 1 || remove.isPending}
                aria-label={t('plan.removeN', { n: i + 1 })}
                onPress={() => remove.mutate(q.questionId)}
              >
                {t('common.remove')}
              </Button>
            </div>
            </div>
          </li>
        ))}
      </ol>
      {adding ? (
        <div className="hr-plan-add">
          <h3>{t('plan.add')}</h3>
          <QuestionForm
            idPrefix="add"
            initial={{ text: '', minutes: 3 }}
            onSubmit={(value) => add.mutate(value)}
            submitLabel={t('plan.add')}
            pending={add.isPending}
            error={add.error}
          />
          <Button className="hr-button hr-quiet" onPress={() => setAdding(false)}>
            {t('common.cancel')}
          </Button>
        </div>
      ) : (
        <Button className="hr-button" isDisabled={frozen || questions.length >= 20} onPress={() => setAdding(true)}>
          {t('plan.add')}
        </Button>
      )}
    </section>
  );
}

function InvitationOutcome({ invitation }: { invitation: Invitation }) {
  const { t } = useT();
  if (invitation.status === 'queued')
    return <p className="hr-form-ok">{t('invitation.queued', { to: invitation.to })}</p>;
  if (invitation.status === 'skipped')
    return <p className="hr-warning">{t(`invitation.skipped.${invitation.reason}`)}</p>;
  return <p className="hr-problem">{t('invitation.failed')}</p>;
}

function SendSection({ interviewId, scheduled }: { interviewId: string; scheduled: boolean }) {
  const i18n = useT();
  const { t } = i18n;
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const link = useQuery({
    queryKey: ['interview', interviewId, 'link'],
    queryFn: () => unwrap(api.GET('/v1/interviews/{id}/link', { params: { path: { id: interviewId } } })),
  });
  const send = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/interviews/{id}/invitation', { params: { path: { id: interviewId } }, body: {} })),
  });
  const copy = async () => {
    if (!link.data) return;
    try {
      await navigator.clipboard.writeText(link.data.url);
      setCopied('yes');
    } catch {
      // No clipboard permission (or an insecure origin): the link stays selectable in its field.
      setCopied('no');
    }
  };
  return (
    <section className="hr-card hr-send" aria-labelledby="send-title">
      <h2 id="send-title">{t('invitation.title')}</h2>
      <div className="hr-field">
        <label htmlFor="link-url">{t('invitation.link')}</label>
        <div className="hr-inline">
          <input id="link-url" className="hr-input hr-grow" dir="ltr" readOnly value={link.data?.url ?? ''} onFocus={(e) => e.target.select()} />
          <Button className="hr-button" isDisabled={!link.data} onPress={() => void copy()}>
            {t('invitation.copy')}
          </Button>
        </div>
        <span role="status" className="hr-hint">
          {copied === 'yes' ? t('invitation.copied') : copied === 'no' ? t('invitation.copyFailed') : ''}
        </span>
        {link.data && (
          <span className="hr-hint">
            {t('invitation.linkValidity', { from: dateTime(i18n, link.data.validFrom), to: dateTime(i18n, link.data.expiresAt) })}
          </span>
        )}
        <ProblemMessage error={link.error} />
      </div>
      <div className="hr-send-email">
        <p>{t('invitation.emailIntro')}</p>
        <Button className="hr-button hr-primary" isDisabled={!scheduled || send.isPending} onPress={() => send.mutate()}>
          {send.isPending ? t('invitation.sending') : t('invitation.send')}
        </Button>
        <div role="status">{send.data && <InvitationOutcome invitation={send.data.invitation} />}</div>
        <ProblemMessage error={send.error} />
      </div>
    </section>
  );
}

export default function InterviewSetupPage() {
  const i18n = useT();
  const { t } = i18n;
  const { id = '' } = useParams();
  const interview = useQuery({
    queryKey: ['interview', id, 'detail'],
    queryFn: () => unwrap(api.GET('/v1/interviews/{id}', { params: { path: { id } } })),
  });
  const candidate = useQuery({
    queryKey: ['candidate', interview.data?.candidateId],
    enabled: Boolean(interview.data),
    queryFn: () => unwrap(api.GET('/v1/candidates/{id}', { params: { path: { id: interview.data!.candidateId } } })),
  });
  const job = useQuery({
    queryKey: ['job', interview.data?.jobId],
    enabled: Boolean(interview.data),
    queryFn: () => unwrap(api.GET('/v1/jobs/{id}', { params: { path: { id: interview.data!.jobId } } })),
  });
  const company = useQuery({ queryKey: ['company'], queryFn: () => unwrap(api.GET('/v1/company')) });
  if (interview.error instanceof ApiError && interview.error.status === 404) return <NotFoundPage what="interview" />;
  const name = candidate.data ? `${candidate.data.firstName} ${candidate.data.lastName}` : '';
  const title = name ? t('setup.title', { name }) : t('common.loading');
  const data = interview.data;
  return (
    <section className="hr-page">
      <p className="hr-back">
        <Link to={`/hr/interviews/${id}`}>{t('setup.toReview')}</Link>
      </p>
      <PageHeading title={title}>{title}</PageHeading>
      {data && (
        <dl className="hr-facts">
          <div>
            <dt>{t('review.job')}</dt>
            <dd>{job.data?.title ?? ''}</dd>
          </div>
          <div>
            <dt>{t('review.type')}</dt>
            <dd>{t(`type.${data.type}`)}</dd>
          </div>
          <div>
            <dt>{t('review.language')}</dt>
            <dd>
              {data.languageMode === 'fixed'
                ? languageName(i18n, data.language)
                : // The first join sets the language; from the candidate's arrival it is the one they chose.
                  data.startedAt
                  ? t('setup.candidateChose', { language: languageName(i18n, data.language) })
                  : t('setup.candidateChooses', {
                      languages: new Intl.ListFormat(i18n.locale, { type: 'conjunction' }).format(
                        (company.data?.enabledLanguages ?? []).map((code) => languageName(i18n, code)),
                      ),
                    })}
              {data.status === 'scheduled' && (
                <>
                  {' '}
                  <ChangeLanguage interview={data} offered={company.data?.enabledLanguages ?? []} />
                </>
              )}
            </dd>
          </div>
          <div>
            <dt>{t('review.scheduled')}</dt>
            <dd>{dateTime(i18n, data.scheduledStart)}</dd>
          </div>
          <div>
            <dt>{t('interviewNew.duration')}</dt>
            <dd>{t('setup.minutes', { n: data.maxDurationMinutes })}</dd>
          </div>
        </dl>
      )}
      {interview.isError && !(interview.error instanceof ApiError && interview.error.status === 404) && (
        <ProblemMessage error={interview.error} />
      )}
      <div className="hr-setup-grid">
        <PlanSection interviewId={id} />
        {data && <SendSection interviewId={id} scheduled={data.status === 'scheduled'} />}
      </div>
    </section>
  );
}
