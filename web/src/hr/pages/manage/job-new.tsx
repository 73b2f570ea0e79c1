// A new job with the competencies its interviews are scored on. A competency's key (the API's lower_snake_case id)
// comes from its name, so HR only types words.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Button } from 'react-aria-components';
import { Link, useNavigate } from 'react-router';
import { api, unwrap } from '../../api.ts';
import { SelectField } from '../../components/controls.tsx';
import { ProblemMessage } from '../../components/problem-message.tsx';
import { useT } from '../../i18n/i18n.tsx';
import { PageHeading } from '../../layout.tsx';
import '../../manage.css';
import { CodingFields, type CodingDraft } from './job-coding.tsx';

interface CompetencyDraft {
  name: string;
  description: string;
}

/** "System design" → system_design; a name with no Latin letters (Arabic) gets a numbered key. */
export function competencyKey(name: string, index: number, taken: Set<string>): string {
  let key = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+|_+$/g, '')
    .slice(0, 60);
  if (!key) key = `competency_${index + 1}`;
  let unique = key;
  for (let n = 2; taken.has(unique); n++) unique = `${key}_${n}`;
  taken.add(unique);
  return unique;
}

export default function JobNewPage() {
  const { t } = useT();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [language, setLanguage] = useState('en');
  const [competencies, setCompetencies] = useState<CompetencyDraft[]>([{ name: '', description: '' }]);
  const [coding, setCoding] = useState<CodingDraft>({ codingLanguage: null, codingVoiceOnly: false });

  const create = useMutation({
    mutationFn: () => {
      const taken = new Set<string>();
      const named = competencies.filter((c) => c.name.trim());
      return unwrap(
        api.POST('/v1/jobs', {
          body: {
            title,
            description,
            language,
            ...coding,
            competencies: named.map((c, i) => ({ key: competencyKey(c.name, i, taken), name: c.name, description: c.description })),
          },
        }),
      );
    },
    onSuccess: (job) => {
      void queryClient.invalidateQueries({ queryKey: ['jobs'] });
      void navigate(`/hr/jobs/${job.id}`);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  const change = (index: number, patch: Partial<CompetencyDraft>) =>
    setCompetencies((list) => list.map((c, i) => (i === index ? { ...c, ...patch } : c)));

  return (
    <section className="hr-page hr-narrow">
      <p className="hr-back">
        <Link to="/hr/jobs">{t('results.back')}</Link>
      </p>
      <PageHeading title={t('jobs.new')}>{t('jobs.new')}</PageHeading>
      <form className="hr-form hr-card" onSubmit={submit}>
        <div className="hr-field">
          <label htmlFor="job-title">{t('jobs.jobTitle')}</label>
          <input id="job-title" className="hr-input" required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
        </div>
        <div className="hr-field">
          <label htmlFor="job-description">{t('jobs.description')}</label>
          <textarea
            id="job-description"
            className="hr-textarea"
            required
            maxLength={20000}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
          <span className="hr-hint">{t('jobs.descriptionHint')}</span>
        </div>
        <SelectField
          label={t('jobs.language')}
          value={language}
          onChange={setLanguage}
          options={[
            { id: 'en', label: t('language.en') },
            { id: 'ar', label: t('language.ar') },
          ]}
        />
        <fieldset className="hr-fieldset">
          <legend>{t('jobs.coding')}</legend>
          <CodingFields value={coding} onChange={setCoding} />
        </fieldset>
        <fieldset className="hr-fieldset">
          <legend>{t('jobs.competencies')}</legend>
          <p className="hr-hint">{t('jobs.competenciesHint')}</p>
          {competencies.map((c, i) => (
            <div className="hr-competency-row" key={i}>
              <div className="hr-field">
                <label htmlFor={`competency-${i}-name`}>{t('jobs.competencyName', { n: i + 1 })}</label>
                <input
                  id={`competency-${i}-name`}
                  className="hr-input"
                  maxLength={120}
                  value={c.name}
                  onChange={(e) => change(i, { name: e.target.value })}
                />
              </div>
              <div className="hr-field hr-grow">
                <label htmlFor={`competency-${i}-description`}>{t('jobs.competencyDescription', { n: i + 1 })}</label>
                <input
                  id={`competency-${i}-description`}
                  className="hr-input"
                  maxLength={2000}
                  value={c.description}
                  onChange={(e) => change(i, { description: e.target.value })}
                />
              </div>
              <Button
                className="hr-button hr-quiet"
                aria-label={t('jobs.removeCompetency', { n: i + 1 })}
                onPress={() => setCompetencies((list) => list.filter((_, j) => j !== i))}
              >
                {t('common.remove')}
              </Button>
            </div>
          ))}
          <Button
            className="hr-button"
            isDisabled={competencies.length >= 30}
            onPress={() => setCompetencies((list) => [...list, { name: '', description: '' }])}
          >
            {t('jobs.addCompetency')}
          </Button>
        </fieldset>
        <ProblemMessage error={create.error} />
        <div className="hr-form-actions">
          <Button type="submit" className="hr-button hr-primary" isDisabled={create.isPending}>
            {create.isPending ? t('common.saving') : t('jobs.create')}
          </Button>
        </div>
      </form>
    </section>
  );
}
