// The human decision: advance, hold or reject with a note; its history; and a re-score. The decision is recorded
// against the scorecard version on screen, and a re-score never changes it.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import {
  Button,
  Dialog,
  DialogTrigger,
  Form,
  Heading,
  Label,
  Modal,
  ModalOverlay,
  Radio,
  RadioGroup,
  Text,
  TextArea,
  TextField,
} from 'react-aria-components';
import { api, ApiError, unwrap, type Schemas } from '../../api.ts';
import { DecisionBadge } from '../../components/badges.tsx';
import { dateTime } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { decisions } from '../../vocabulary.ts';

type Decision = Schemas['HiringDecision'];
type PastDecision = Decision & { decidedByName: string | null };

export function DecisionPanel({
  interviewId,
  current,
  history,
}: {
  interviewId: string;
  current: Decision | null;
  /** Every decision so far, newest first. */
  history: PastDecision[];
}) {
  const i18n = useT();
  const { t } = i18n;
  const queryClient = useQueryClient();
  const [choice, setChoice] = useState<string>('');
  const [note, setNote] = useState('');
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  const record = useMutation({
    mutationFn: (body: Schemas['RecordDecision']) =>
      unwrap(api.POST('/v1/interviews/{id}/decision', { params: { path: { id: interviewId } }, body })),
    onSuccess: async () => {
      setMessage({ kind: 'ok', text: t('decide.saved') });
      setNote('');
      await queryClient.invalidateQueries({ queryKey: ['interview', interviewId] });
      await queryClient.invalidateQueries({ queryKey: ['interviews'] });
    },
    onError: (error) =>
      setMessage({
        kind: 'error',
        text: error instanceof ApiError && error.status === 403 ? t('error.forbidden') : t('error.unavailable'),
      }),
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!choice) {
      setMessage({ kind: 'error', text: t('decide.required') });
      return;
    }
    setMessage(null);
    record.mutate({ decision: choice as Decision['decision'], ...(note.trim() ? { note: note.trim() } : {}) });
  };

  return (
    <section className="hr-card hr-decision" aria-labelledby="decision-h">
      <h2 id="decision-h">{t('decide.title')}</h2>
      {current && (
        <p>
          {t('decide.current', { decision: t(`decision.${current.decision}`), when: dateTime(i18n, current.decidedAt) })}
        </p>
      )}
      <Form className="hr-form hr-no-print" onSubmit={submit}>
        <RadioGroup
          className="hr-radio-group"
          // null, not '': with no radio chosen, the first one must stay in the tab order.
          value={choice || null}
          onChange={setChoice}
          orientation="horizontal"
          aria-describedby="advisory"
        >
          <Label>{t('decide.choice')}</Label>
          <div className="hr-radios">
            {decisions.map((d) => (
              <Radio key={d} value={d} className={`hr-radio hr-radio-${d}`}>
                {t(`decision.${d}`)}
              </Radio>
            ))}
          </div>
        </RadioGroup>
        <TextField className="hr-field" value={note} onChange={setNote} maxLength={5000}>
          <Label>{t('decide.note')}</Label>
          <TextArea className="hr-textarea" />
          <Text slot="description" className="hr-hint">
            {t('decide.noteHint')}
          </Text>
        </TextField>
        <div role="status" className={message?.kind === 'error' ? 'hr-form-error' : 'hr-form-ok'}>
          {message?.text}
        </div>
        <Button type="submit" className="hr-button hr-primary" isDisabled={record.isPending}>
          {record.isPending ? t('decide.saving') : t('decide.submit')}
        </Button>
      </Form>
      <h3>{t('decide.history')}</h3>
      {history.length === 0 ? (
        <p className="hr-muted">{t('decide.historyNone')}</p>
      ) : (
        <ol className="hr-history">
          {history.map((d, i) => (
            <li key={`${d.decidedAt}-${i}`}>
              <DecisionBadge decision={d.decision} />{' '}
              {t('decide.historyEntry', { by: d.decidedByName ?? t('decide.byApiKey'), when: dateTime(i18n, d.decidedAt) })}
              {d.scorecardVersion !== null && (
                <span className="hr-muted"> · {t('decide.onVersion', { n: d.scorecardVersion })}</span>
              )}
              {d.note && (
                <p className="hr-history-note" dir="auto">
                  {d.note}
                </p>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export function RescoreButton({ interviewId, onDone }: { interviewId: string; onDone: (version: number) => void }) {
  const { t } = useT();
  const queryClient = useQueryClient();
  const [outcome, setOutcome] = useState<string | null>(null);
  const rescore = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/v1/interviews/{id}/scorecard/rescore', { params: { path: { id: interviewId } }, body: {} })),
    onSuccess: async (scorecard) => {
      setOutcome(t('scorecard.rescored'));
      await queryClient.invalidateQueries({ queryKey: ['interview', interviewId] });
      onDone(scorecard.version);
    },
    onError: (error) =>
      setOutcome(error instanceof ApiError && error.status === 403 ? t('error.forbidden') : t('scorecard.rescoreFailed')),
  });
  return (
    <div className="hr-rescore hr-no-print">
      <DialogTrigger>
        <Button className="hr-button" isDisabled={rescore.isPending}>
          {rescore.isPending ? t('scorecard.rescoring') : t('scorecard.rescore')}
        </Button>
        <ModalOverlay className="hr-modal-overlay" isDismissable>
          <Modal className="hr-modal">
            <Dialog className="hr-dialog">
              {({ close }) => (
                <>
                  <Heading slot="title">{t('scorecard.rescoreTitle')}</Heading>
                  <p>{t('scorecard.rescoreBody')}</p>
                  <div className="hr-dialog-actions">
                    <Button className="hr-button" onPress={close}>
                      {t('common.cancel')}
                    </Button>
                    <Button
                      className="hr-button hr-primary"
                      autoFocus
                      onPress={() => {
                        close();
                        setOutcome(null);
                        rescore.mutate();
                      }}
                    >
                      {t('scorecard.rescoreConfirm')}
                    </Button>
                  </div>
                </>
              )}
            </Dialog>
          </Modal>
        </ModalOverlay>
      </DialogTrigger>
      <span role="status" className="hr-small">
        {outcome}
      </span>
    </div>
  );
}
