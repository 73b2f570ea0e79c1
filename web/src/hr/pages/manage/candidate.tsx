// One candidate: who they are, their interviews, and their data rights. Export downloads the archive of everything
// kept about them (GET /v1/candidates/{id}/export); Erase (admins only) asks the admin to type the candidate's name
// before POST /v1/candidates/{id}/erase, then follows the erasure (it runs in the background) until it completes.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Dialog, DialogTrigger, Heading, Input, Label, Modal, ModalOverlay, Text, TextField } from 'react-aria-components';
import { Link, useParams } from 'react-router';
import { api, ApiError, unwrap, type Schemas } from '../../api.ts';
import { may, useCurrentSession } from '../../auth.tsx';
import { StatusBadge } from '../../components/badges.tsx';
import { dateTime } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { PageHeading } from '../../layout.tsx';
import NotFoundPage from '../not-found.tsx';
import '../../data-rights.css';
import '../../manage.css';

type Erasure = Schemas['CandidateErasure'];

const erasureKey = (id: string) => ['candidate', id, 'erasure'];

/** The name as the admin must type it: spaces and case do not count, the letters do. */
const comparable = (name: string) => name.normalize('NFC').replace(/\s+/g, ' ').trim().toLocaleLowerCase();

export default function CandidatePage() {
  const { id = '' } = useParams();
  const i18n = useT();
  const { t } = i18n;
  const session = useCurrentSession();
  const isAdmin = may(session.user.role, 'admin');
  const candidate = useQuery({
    queryKey: ['candidate', id],
    queryFn: () => unwrap(api.GET('/v1/candidates/{id}', { params: { path: { id } } })),
  });
  const interviews = useQuery({
    queryKey: ['interviews', { candidateId: id }],
    queryFn: () => unwrap(api.GET('/v1/interviews', { params: { query: { candidateId: id, limit: 50 } } })),
  });
  const erasure = useQuery({
    queryKey: erasureKey(id),
    queryFn: () => unwrap(api.GET('/v1/candidates/{id}/erasure', { params: { path: { id } } })),
    // The erasure runs in the background: follow it until it completes.
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status === 'pending' || status === 'running' ? 2_000 : false;
    },
  });

  if (candidate.isError) {
    if (candidate.error instanceof ApiError && (candidate.error.status === 404 || candidate.error.status === 400))
      return <NotFoundPage />;
    return (
      <div role="alert" className="hr-error">
        <p>{t('error.unavailable')}</p>
      </div>
    );
  }
  if (!candidate.data) return <p role="status">{t('common.loading')}</p>;
  const c = candidate.data;
  const name = `${c.firstName} ${c.lastName}`;
  const erased = Boolean(c.erasedAt) || erasure.data?.status === 'completed';
  const title = erased ? t('candidate.erasedTitle') : name;

  return (
    <section className="hr-page hr-candidate-page">
      <PageHeading title={title}>{title}</PageHeading>
      <dl className="hr-facts">
        <div>
          <dt>{t('candidate.email')}</dt>
          <dd dir="ltr">{c.email ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('candidate.phone')}</dt>
          <dd dir="ltr">{c.phone}</dd>
        </div>
        <div>
          <dt>{t('candidate.created')}</dt>
          <dd>{dateTime(i18n, c.createdAt)}</dd>
        </div>
      </dl>

      <section className="hr-card" aria-labelledby="candidate-interviews-h">
        <h2 id="candidate-interviews-h">{t('candidate.interviews')}</h2>
        {interviews.data?.items.length ? (
          <ul className="hr-plain-list">
            {interviews.data.items.map((interview) => (
              <li key={interview.id}>
                <Link to={`/hr/interviews/${interview.id}`}>{interview.jobTitle}</Link> <StatusBadge status={interview.status} />{' '}
                <time dateTime={interview.scheduledStart}>{dateTime(i18n, interview.scheduledStart)}</time>
              </li>
            ))}
          </ul>
        ) : (
          <p className="hr-muted">{interviews.isPending ? t('common.loading') : t('candidate.noInterviews')}</p>
        )}
      </section>

      <section className="hr-card" aria-labelledby="candidate-rights-h">
        <h2 id="candidate-rights-h">{t('candidate.rights')}</h2>
        {isAdmin ? (
          <>
            <p className="hr-hint">{t('candidate.rightsHint')}</p>
            <div className="hr-candidate-actions">
              {!erased && (
                // A plain link: the browser downloads the archive with the session cookie, as Content-Disposition asks.
                <a className="hr-button" href={`/v1/candidates/${encodeURIComponent(c.id)}/export`} download data-testid="export">
                  {t('candidate.export')}
                </a>
              )}
              {!erased && (erasure.data?.status ?? 'not_requested') === 'not_requested' && (
                <EraseButton candidateId={c.id} name={name} />
              )}
            </div>
          </>
        ) : (
          <p className="hr-muted">{t('candidate.rightsAdminOnly')}</p>
        )}
        {erasure.data && erasure.data.status !== 'not_requested' && <ErasureStatus erasure={erasure.data} />}
      </section>
    </section>
  );
}

function ErasureStatus({ erasure }: { erasure: Erasure }) {
  const i18n = useT();
  const { t } = i18n;
  return (
    <p className="hr-erasure-status" role="status" data-testid="erasure-status" data-status={erasure.status}>
      {erasure.status === 'completed'
        ? t('candidate.erasureCompleted', { when: erasure.completedAt ? dateTime(i18n, erasure.completedAt) : '' })
        : t(`candidate.erasure.${erasure.status as 'pending' | 'running'}`, {
            done: erasure.stepsDone.length,
            total: erasure.steps.length,
          })}
    </p>
  );
}

function EraseButton({ candidateId, name }: { candidateId: string; name: string }) {
  const { t } = useT();
  const queryClient = useQueryClient();
  const [typed, setTyped] = useState('');
  const matches = comparable(typed) === comparable(name);
  const erase = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/candidates/{id}/erase', { params: { path: { id: candidateId } } })),
    onSuccess: async (erasure) => {
      queryClient.setQueryData(erasureKey(candidateId), erasure);
      await queryClient.invalidateQueries({ queryKey: ['candidate', candidateId] });
      await queryClient.invalidateQueries({ queryKey: ['interviews'] });
    },
  });
  return (
    <DialogTrigger onOpenChange={(open) => !open && setTyped('')}>
      <Button className="hr-button hr-danger">{t('candidate.erase')}</Button>
      <ModalOverlay className="hr-modal-overlay" isDismissable>
        <Modal className="hr-modal">
          <Dialog className="hr-dialog" role="alertdialog">
            {({ close }) => (
              <form
                onSubmit={(event) => {
                  event.preventDefault();
                  if (!matches) return;
                  erase.mutate(undefined, { onSuccess: close });
                }}
              >
                <Heading slot="title">{t('candidate.eraseTitle', { name })}</Heading>
                <p>{t('candidate.eraseBody')}</p>
                <TextField className="hr-field" value={typed} onChange={setTyped} autoFocus isInvalid={typed.length > 0 && !matches}>
                  <Label>{t('candidate.eraseConfirm', { name })}</Label>
                  <Input className="hr-input" autoComplete="off" />
                  <Text slot="description" className="hr-hint">
                    {t('candidate.eraseConfirmHint')}
                  </Text>
                </TextField>
                {erase.isError && (
                  <p role="alert" className="hr-form-error">
                    {erase.error instanceof ApiError && erase.error.status === 403 ? t('error.forbidden') : t('error.unavailable')}
                  </p>
                )}
                <div className="hr-dialog-actions">
                  <Button className="hr-button" onPress={close}>
                    {t('common.cancel')}
                  </Button>
                  <Button type="submit" className="hr-button hr-danger-solid" isDisabled={!matches || erase.isPending}>
                    {erase.isPending ? t('candidate.erasing') : t('candidate.eraseSubmit')}
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
