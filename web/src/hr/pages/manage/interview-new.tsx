// A new interview: who, for which job, what kind, in which language (fixed by HR among the company's languages, or
// chosen by the candidate on the join page), how long, when (in the company's time zone), the interviewer's
// instructions and HR's own questions. It is created without e-mailing the candidate (notify: false): the next page shows the
// question plan to read and edit, and sends the invitation from there.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Button, Label, Radio, RadioGroup, Text } from 'react-aria-components';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../api.ts';
import { useCurrentSession } from '../../auth.tsx';
import { SelectField } from '../../components/controls.tsx';
import { ProblemMessage } from '../../components/problem-message.tsx';
import { DateTimeField, tomorrowAt } from '../../components/time-fields.tsx';
import { languageName } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { PageHeading } from '../../layout.tsx';
import '../../manage.css';
import { interviewTypes } from '../../vocabulary.ts';

interface CustomDraft {
  text: string;
  minutes: number;
}

type LanguageMode = Schemas['Interview']['languageMode'];

export default function InterviewNewPage() {
  const i18n = useT();
  const { t } = i18n;
  const zone = useCurrentSession().company.timezone;
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const [candidateId, setCandidateId] = useState(params.get('candidate') ?? '');
  const [jobId, setJobId] = useState(params.get('job') ?? '');
  const [type, setType] = useState<Schemas['InterviewType']>('TECHNICAL');
  const [languageMode, setLanguageMode] = useState<LanguageMode>('fixed');
  const [language, setLanguage] = useState('');
  const [minutes, setMinutes] = useState(30);
  /** An ISO instant; picked in the company's time zone. */
  const [start, setStart] = useState(() => tomorrowAt(zone, 10));
  const [instructions, setInstructions] = useState('');
  const [custom, setCustom] = useState<CustomDraft[]>([]);

  const jobs = useQuery({
    queryKey: ['jobs', 'all'],
    queryFn: () => unwrap(api.GET('/v1/jobs', { params: { query: { limit: 100 } } })),
  });
  const company = useQuery({ queryKey: ['company'], queryFn: () => unwrap(api.GET('/v1/company')) });
  const enabled = company.data?.enabledLanguages ?? [];
  const names = (codes: string[]) => new Intl.ListFormat(i18n.locale, { type: 'conjunction' }).format(codes.map((c) => languageName(i18n, c)));
  const candidates = useQuery({
    queryKey: ['candidates', 'all'],
    queryFn: () => unwrap(api.GET('/v1/candidates', { params: { query: { limit: 100 } } })),
  });

  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/v1/interviews', {
          body: {
            candidateId,
            jobId,
            type,
            languageMode,
            // In candidate mode the interview is prepared in the job's language until the candidate chooses.
            ...(languageMode === 'fixed' && language ? { language } : {}),
            maxDurationMinutes: minutes,
            scheduledStart: start,
            instructions,
            customQuestions: custom
              .filter((q) => q.text.trim())
              .map((q) => ({ text: q.text, competencyKey: null, timeBudgetSeconds: q.minutes * 60 })),
            notify: false,
          },
        }),
      ),
    onSuccess: (interview) => {
      void queryClient.invalidateQueries({ queryKey: ['interviews'] });
      queryClient.setQueryData(['interview', interview.id, 'plan'], interview.plan);
      void navigate(`/hr/interviews/${interview.id}/setup`);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  const missing = !candidateId || !jobId || !start;

  return (
    <section className="hr-page hr-narrow">
      <PageHeading title={t('interviewNew.title')}>{t('interviewNew.title')}</PageHeading>
      <form className="hr-form hr-card" onSubmit={submit}>
        <div className="hr-two-fields">
          <div className="hr-field-with-link">
            <SelectField
              label={t('interviews.candidate')}
              value={candidateId}
              onChange={setCandidateId}
              options={[
                { id: '', label: t('interviewNew.chooseCandidate') },
                ...(candidates.data?.items ?? []).map((c) => ({ id: c.id, label: `${c.firstName} ${c.lastName}` })),
              ]}
            />
            <Link to="/hr/candidates/new">{t('candidateNew.title')}</Link>
          </div>
          <div className="hr-field-with-link">
            <SelectField
              label={t('interviews.job')}
              value={jobId}
              onChange={setJobId}
              options={[
                { id: '', label: t('interviewNew.chooseJob') },
                ...(jobs.data?.items ?? []).map((job) => ({ id: job.id, label: job.title })),
              ]}
            />
            <Link to="/hr/jobs/new">{t('jobs.new')}</Link>
          </div>
          <SelectField
            label={t('interviews.type')}
            value={type}
            onChange={(value) => setType(value as Schemas['InterviewType'])}
            options={interviewTypes.map((value) => ({ id: value, label: t(`type.${value}`) }))}
          />
          <DateTimeField
            label={t('interviewNew.start')}
            description={t('interviewNew.startHint', { zone })}
            value={start}
            zone={zone}
            onChange={setStart}
          />
          <div className="hr-field">
            <label htmlFor="i-minutes">{t('interviewNew.duration')}</label>
            <input
              id="i-minutes"
              type="number"
              className="hr-input"
              min={5}
              max={240}
              required
              value={minutes}
              onChange={(e) => setMinutes(Number(e.target.value))}
            />
          </div>
        </div>
        <div className="hr-language-choice">
          <RadioGroup
            className="hr-radio-group"
            value={languageMode}
            onChange={(mode) => setLanguageMode(mode as LanguageMode)}
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
            {languageMode === 'candidate' && (
              <Text slot="description" className={enabled.length === 1 ? 'hr-warning' : 'hr-hint'}>
                {enabled.length === 1
                  ? t('interviewNew.onlyOneLanguage', { language: names(enabled) })
                  : t('interviewNew.candidateHint', { languages: names(enabled) })}
              </Text>
            )}
          </RadioGroup>
          {languageMode === 'fixed' && (
            <SelectField
              label={t('interviewNew.language')}
              value={language}
              onChange={setLanguage}
              description={t('interviewNew.fixedHint')}
              options={[
                { id: '', label: t('interviewNew.jobLanguage') },
                ...enabled.map((code) => ({ id: code, label: languageName(i18n, code) })),
              ]}
            />
          )}
        </div>
        <div className="hr-field">
          <label htmlFor="i-instructions">{t('interviewNew.instructions')}</label>
          <textarea
            id="i-instructions"
            className="hr-textarea"
            maxLength={5000}
            value={instructions}
            onChange={(e) => setInstructions(e.target.value)}
          />
          <span className="hr-hint">{t('interviewNew.instructionsHint')}</span>
        </div>
        <fieldset className="hr-fieldset">
          <legend>{t('interviewNew.customQuestions')}</legend>
          <p className="hr-hint">{t('interviewNew.customHint')}</p>
          {custom.map((q, i) => (
            <div className="hr-competency-row" key={i}>
              <div className="hr-field hr-grow">
                <label htmlFor={`q-${i}`}>{t('interviewNew.customN', { n: i + 1 })}</label>
                <input
                  id={`q-${i}`}
                  className="hr-input"
                  value={q.text}
                  maxLength={1000}
                  onChange={(e) => setCustom((list) => list.map((c, j) => (j === i ? { ...c, text: e.target.value } : c)))}
                />
              </div>
              <div className="hr-field hr-minutes">
                <label htmlFor={`q-${i}-min`}>{t('plan.minutes')}</label>
                <input
                  id={`q-${i}-min`}
                  type="number"
                  min={1}
                  max={20}
                  className="hr-input"
                  value={q.minutes}
                  onChange={(e) => setCustom((list) => list.map((c, j) => (j === i ? { ...c, minutes: Number(e.target.value) } : c)))}
                />
              </div>
              <Button
                className="hr-button hr-quiet"
                aria-label={t('interviewNew.removeCustom', { n: i + 1 })}
                onPress={() => setCustom((list) => list.filter((_, j) => j !== i))}
              >
                {t('common.remove')}
              </Button>
            </div>
          ))}
          <Button className="hr-button" isDisabled={custom.length >= 10} onPress={() => setCustom((list) => [...list, { text: '', minutes: 3 }])}>
            {t('interviewNew.addCustom')}
          </Button>
        </fieldset>
        <ProblemMessage error={create.error} />
        <div className="hr-form-actions">
          <span className="hr-hint">{t('interviewNew.nextStep')}</span>
          <Button type="submit" className="hr-button hr-primary" isDisabled={missing || create.isPending}>
            {create.isPending ? t('interviewNew.creating') : t('interviewNew.create')}
          </Button>
        </div>
      </form>
    </section>
  );
}
