// A new candidate, with the résumé's text: a PDF or Word file is turned into text by the API
// (POST /v1/candidates/resume-text), shown here to be corrected, and saved with the candidate. The plan's
// résumé questions read that text, so what HR saves is what the interviewer knows.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { Button } from 'react-aria-components';
import { Link, useNavigate } from 'react-router';
import { api, unwrap, type Schemas } from '../../api.ts';
import { ProblemMessage } from '../../components/problem-message.tsx';
import { useT } from '../../i18n/i18n.tsx';
import { PageHeading } from '../../layout.tsx';
import '../../manage.css';

const pdfType = 'application/pdf';
const docxType = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
/** The API's limit (api/candidates/resume-text.ts): checked here first so a big file is refused before it is sent. */
const maxBytes = 5 * 1024 * 1024;

/** The file's type from its name when the system did not say (some do not know .docx). */
function typeOf(file: File): string | null {
  if (file.type === pdfType || /\.pdf$/i.test(file.name)) return pdfType;
  if (file.type === docxType || /\.docx$/i.test(file.name)) return docxType;
  return null;
}

type LocalProblem = 'type' | 'size' | null;

export default function CandidateNewPage() {
  const { t } = useT();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const fileInput = useRef<HTMLInputElement>(null);
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const [resumeText, setResumeText] = useState('');
  const [extracted, setExtracted] = useState<(Schemas['ResumeText'] & { file: string }) | null>(null);
  const [localProblem, setLocalProblem] = useState<LocalProblem>(null);

  const extract = useMutation({
    mutationFn: ({ file, type }: { file: File; type: string }) =>
      unwrap(
        api.POST('/v1/candidates/resume-text', {
          // The file itself is the body, with its type: no multipart, nothing to parse on the way.
          body: file as never,
          bodySerializer: (body: unknown) => body as BodyInit,
          headers: { 'Content-Type': type },
        }),
      ),
    onSuccess: (result, { file }) => {
      setExtracted({ ...result, file: file.name });
      setResumeText(result.text);
    },
  });

  const pick = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    extract.reset();
    setLocalProblem(null);
    if (!file) return;
    const type = typeOf(file);
    if (!type) return setLocalProblem('type');
    if (file.size > maxBytes) return setLocalProblem('size');
    extract.mutate({ file, type });
  };

  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/v1/candidates', {
          body: { firstName, lastName, phone, email: email || null, resumeText: resumeText.trim() || null },
        }),
      ),
    onSuccess: (candidate) => {
      void queryClient.invalidateQueries({ queryKey: ['candidates'] });
      void navigate(`/hr/interviews/new?candidate=${candidate.id}`, { state: { createdCandidate: candidate.id } });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };

  return (
    <section className="hr-page hr-narrow">
      <p className="hr-back">
        <Link to="/hr/jobs">{t('results.back')}</Link>
      </p>
      <PageHeading title={t('candidateNew.title')}>{t('candidateNew.title')}</PageHeading>
      <form className="hr-form hr-card" onSubmit={submit}>
        <div className="hr-two-fields">
          <div className="hr-field">
            <label htmlFor="c-first">{t('candidateNew.firstName')}</label>
            <input id="c-first" className="hr-input" required maxLength={100} value={firstName} onChange={(e) => setFirstName(e.target.value)} autoComplete="off" />
          </div>
          <div className="hr-field">
            <label htmlFor="c-last">{t('candidateNew.lastName')}</label>
            <input id="c-last" className="hr-input" required maxLength={100} value={lastName} onChange={(e) => setLastName(e.target.value)} autoComplete="off" />
          </div>
          <div className="hr-field">
            <label htmlFor="c-email">{t('candidateNew.email')}</label>
            <input id="c-email" type="email" className="hr-input" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" />
            <span className="hr-hint">{t('candidateNew.emailHint')}</span>
          </div>
          <div className="hr-field">
            <label htmlFor="c-phone">{t('candidateNew.phone')}</label>
            <input id="c-phone" type="tel" dir="ltr" className="hr-input" required value={phone} onChange={(e) => setPhone(e.target.value)} autoComplete="off" />
            <span className="hr-hint">{t('candidateNew.phoneHint')}</span>
          </div>
        </div>

        <fieldset className="hr-fieldset">
          <legend>{t('candidateNew.resume')}</legend>
          <div className="hr-field">
            <label htmlFor="c-resume-file">{t('candidateNew.resumeFile')}</label>
            <input
              id="c-resume-file"
              ref={fileInput}
              type="file"
              accept=".pdf,.docx,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document"
              aria-describedby="c-resume-hint"
              onChange={pick}
            />
            <span id="c-resume-hint" className="hr-hint">
              {t('candidateNew.resumeHint')}
            </span>
          </div>
          {localProblem && (
            <p role="alert" className="hr-problem">
              {localProblem === 'type' ? t('problem.unsupported_media_type') : t('problem.payload_too_large')}
            </p>
          )}
          <ProblemMessage error={extract.error} />
          {extract.isPending && <p role="status">{t('candidateNew.reading')}</p>}
          {extracted && !extract.isPending && (
            <p role="status" className="hr-form-ok">
              {t('candidateNew.read', { file: extracted.file, n: extracted.characters })}
              {extracted.truncated ? ` ${t('candidateNew.truncated')}` : ''}
            </p>
          )}
          <div className="hr-field">
            <label htmlFor="c-resume-text">{t('candidateNew.resumeText')}</label>
            <textarea
              id="c-resume-text"
              className="hr-textarea hr-resume-text"
              value={resumeText}
              onChange={(e) => setResumeText(e.target.value)}
              aria-describedby="c-resume-text-hint"
            />
            <span id="c-resume-text-hint" className="hr-hint">
              {t('candidateNew.resumeTextHint')}
            </span>
          </div>
        </fieldset>
        <ProblemMessage error={save.error} />
        <div className="hr-form-actions">
          <Button type="submit" className="hr-button hr-primary" isDisabled={save.isPending || extract.isPending}>
            {save.isPending ? t('common.saving') : t('candidateNew.save')}
          </Button>
        </div>
      </form>
    </section>
  );
}
