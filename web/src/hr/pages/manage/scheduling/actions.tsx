// Moving and cancelling a booked interview, from the calendar or from a conflict. A conflict's move and cancel go
// through the conflict's own resolution (POST /v1/scheduling/conflicts/{id}/resolve), which moves or cancels the
// booking and closes the conflict in one audited step; from the calendar they are the booking's own endpoints.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Dialog, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { api, unwrap, type Schemas } from '../../../api.ts';
import { SelectField } from '../../../components/controls.tsx';
import { ProblemMessage } from '../../../components/problem-message.tsx';
import { useT } from '../../../i18n/i18n.tsx';
import { slotMoment } from './week.ts';

export type AgendaBooking = Schemas['SchedulingAgenda']['bookings'][number];

export interface BookingAction {
  kind: 'move' | 'cancel';
  booking: AgendaBooking;
  /** Set when the action resolves this conflict. */
  conflictId?: string;
}

/** How far ahead a move looks for free slots: the API's default slot horizon. */
const moveHorizonDays = 56;

export function BookingActionDialog({
  action,
  zone,
  onClose,
  onDone,
}: {
  action: BookingAction | null;
  zone: string;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  return (
    <ModalOverlay
      className="hr-modal-overlay"
      isDismissable
      isOpen={action !== null}
      onOpenChange={(open) => !open && onClose()}
    >
      <Modal className="hr-modal hr-modal-wide">
        <Dialog className="hr-dialog">
          {action?.kind === 'move' && <MoveForm action={action} zone={zone} onClose={onClose} onDone={onDone} />}
          {action?.kind === 'cancel' && <CancelForm action={action} onClose={onClose} onDone={onDone} />}
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}

function useScheduleChanged() {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: ['scheduling'] });
    void queryClient.invalidateQueries({ queryKey: ['interviews'] });
  };
}

function MoveForm({
  action,
  zone,
  onClose,
  onDone,
}: {
  action: BookingAction;
  zone: string;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const i18n = useT();
  const { t } = i18n;
  const changed = useScheduleChanged();
  const { booking } = action;
  const [slotId, setSlotId] = useState('');
  // Fixed when the dialog opens, so the query key (and the list) does not change under the reader.
  const [range] = useState(() => {
    const from = new Date();
    return { from: from.toISOString(), to: new Date(from.getTime() + moveHorizonDays * 86_400_000).toISOString() };
  });
  const free = useQuery({
    queryKey: ['scheduling', 'free', booking.interviewType, range.from],
    queryFn: () =>
      unwrap(
        api.GET('/v1/scheduling/slots', {
          params: {
            query: {
              ...range,
              interviewType: booking.interviewType,
              onlyAvailable: 'true',
              tz: zone,
              limit: 200,
            },
          },
        }),
      ),
  });
  const options = (free.data?.items ?? []).filter((slot) => slot.id !== booking.slotId);
  const move = useMutation({
    mutationFn: (): Promise<unknown> =>
      action.conflictId
        ? unwrap(
            api.POST('/v1/scheduling/conflicts/{id}/resolve', {
              params: { path: { id: action.conflictId } },
              body: { action: 'rebook', slotId },
            }),
          )
        : unwrap(
            api.POST('/v1/scheduling/bookings/{id}/reschedule', {
              params: { path: { id: booking.id } },
              body: { slotId },
            }),
          ),
    onSuccess: () => {
      changed();
      onDone(t('sched.move.done', { candidate: booking.candidateName }));
    },
  });
  return (
    <form
      className="hr-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (slotId) move.mutate();
      }}
    >
      <Heading slot="title">{t('sched.booking.moveN', { candidate: booking.candidateName })}</Heading>
      <p>{t('sched.move.body')}</p>
      {free.isError ? (
        <ProblemMessage error={free.error} />
      ) : free.isPending ? (
        <p role="status">{t('common.loading')}</p>
      ) : options.length === 0 ? (
        <p role="status">{t('sched.move.none')}</p>
      ) : (
        <SelectField
          label={t('sched.move.slot')}
          value={slotId}
          onChange={setSlotId}
          options={[
            { id: '', label: t('sched.move.choose') },
            ...options.map((slot) => ({
              id: slot.id,
              label: t('sched.move.slotOption', {
                when: slotMoment(i18n.locale, zone, slot.startsAt),
                free: slot.available,
              }),
            })),
          ]}
        />
      )}
      <ProblemMessage error={move.error} />
      <div className="hr-dialog-actions">
        <Button className="hr-button hr-quiet" onPress={onClose}>
          {t('sched.keep')}
        </Button>
        <Button type="submit" className="hr-button hr-primary" isDisabled={!slotId || move.isPending}>
          {move.isPending ? t('common.saving') : t('sched.move.confirm')}
        </Button>
      </div>
    </form>
  );
}

function CancelForm({
  action,
  onClose,
  onDone,
}: {
  action: BookingAction;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const { t } = useT();
  const changed = useScheduleChanged();
  const { booking } = action;
  const [reason, setReason] = useState(() => t('sched.cancel.reasonDefault'));
  const cancel = useMutation({
    mutationFn: (): Promise<unknown> =>
      action.conflictId
        ? unwrap(
            api.POST('/v1/scheduling/conflicts/{id}/resolve', {
              params: { path: { id: action.conflictId } },
              body: { action: 'cancel', note: reason.trim() },
            }),
          )
        : unwrap(
            api.POST('/v1/scheduling/bookings/{id}/cancel', {
              params: { path: { id: booking.id } },
              body: { reason: reason.trim() },
            }),
          ),
    onSuccess: () => {
      changed();
      onDone(t('sched.cancel.done', { candidate: booking.candidateName }));
    },
  });
  return (
    <form
      className="hr-form"
      onSubmit={(event) => {
        event.preventDefault();
        cancel.mutate();
      }}
    >
      <Heading slot="title">{t('sched.booking.cancelN', { candidate: booking.candidateName })}</Heading>
      <p>{t('sched.cancel.body')}</p>
      <div className="hr-field">
        <label htmlFor="cancel-reason">{t('sched.cancel.reason')}</label>
        <input
          id="cancel-reason"
          className="hr-input"
          required
          maxLength={500}
          value={reason}
          onChange={(event) => setReason(event.target.value)}
        />
      </div>
      <ProblemMessage error={cancel.error} />
      <div className="hr-dialog-actions">
        <Button className="hr-button hr-quiet" onPress={onClose}>
          {t('sched.keep')}
        </Button>
        <Button type="submit" className="hr-button hr-primary" isDisabled={!reason.trim() || cancel.isPending}>
          {cancel.isPending ? t('common.saving') : t('sched.cancel.confirm')}
        </Button>
      </div>
    </form>
  );
}
