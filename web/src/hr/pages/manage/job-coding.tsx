// A job's coding settings: the editor's language and whether a phone may take a coding interview's voice part
// alone (the job's codingVoiceOnly, off by default). The same fields on the new-job form and on the job's page.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Button, Checkbox } from 'react-aria-components';
import { api, unwrap, type Schemas } from '../../api.ts';
import { SelectField } from '../../components/controls.tsx';
import { ProblemMessage } from '../../components/problem-message.tsx';
import { useT } from '../../i18n/i18n.tsx';
import { codingLanguageNames as languageNames } from '../../../../../shared/coding/language-names.ts';

type CodingLanguage = Schemas['CodingLanguage'];
export interface CodingDraft {
  codingLanguage: CodingLanguage | null;
  codingVoiceOnly: boolean;
}


export function CodingFields({ value, onChange }: { value: CodingDraft; onChange: (next: CodingDraft) => void }) {
  const { t } = useT();
  return (
    <>
      <SelectField
        label={t('jobs.codingLanguage')}
        value={value.codingLanguage ?? ''}
        onChange={(id) => onChange({ ...value, codingLanguage: id in languageNames ? (id as CodingLanguage) : null })}
        options={[
          { id: '', label: t('jobs.codingNone') },
          ...Object.entries(languageNames).map(([id, label]) => ({ id, label })),
        ]}
        description={t('jobs.codingLanguageHint')}
      />
      <Checkbox
        className="hr-checkbox"
        isSelected={value.codingVoiceOnly}
        onChange={(codingVoiceOnly) => onChange({ ...value, codingVoiceOnly })}
      >
        <span className="hr-checkbox-box" aria-hidden="true" />
        <span>
          {t('jobs.codingVoiceOnly')}
          <span className="hr-hint hr-block">{t('jobs.codingVoiceOnlyHint')}</span>
        </span>
      </Checkbox>
    </>
  );
}

/** The job page's form: changes the coding settings of a job that exists (PATCH /v1/jobs/{id}). */
export function JobCodingForm({ job }: { job: Schemas['Job'] }) {
  const { t } = useT();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<CodingDraft>({ codingLanguage: job.codingLanguage, codingVoiceOnly: job.codingVoiceOnly });
  // A job read again (another tab saved it) replaces the draft it started from.
  useEffect(
    () => setDraft({ codingLanguage: job.codingLanguage, codingVoiceOnly: job.codingVoiceOnly }),
    [job.codingLanguage, job.codingVoiceOnly],
  );
  const save = useMutation({
    mutationFn: () => unwrap(api.PATCH('/v1/jobs/{id}', { params: { path: { id: job.id } }, body: draft })),
    onSuccess: (saved) => queryClient.setQueryData(['job', job.id], saved),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form className="hr-form hr-card hr-job-coding" aria-labelledby="job-coding-title" onSubmit={submit}>
      <h2 id="job-coding-title">{t('jobs.coding')}</h2>
      <CodingFields
        value={draft}
        onChange={(next) => {
          save.reset();
          setDraft(next);
        }}
      />
      <ProblemMessage error={save.error} />
      <div role="status" className="hr-form-ok">
        {save.isSuccess ? t('jobs.savedCoding') : ''}
      </div>
      <div className="hr-form-actions">
        <Button type="submit" className="hr-button hr-primary" isDisabled={save.isPending}>
          {save.isPending ? t('common.saving') : t('jobs.saveCoding')}
        </Button>
      </div>
    </form>
  );
}
