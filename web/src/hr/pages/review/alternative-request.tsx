// The candidate's request for another way to be interviewed (the alternative process), on the review: what they
// wrote, when, and whether someone has handled it. Nothing was cancelled by the request; HR arranges the alternative
// (cancel, reschedule, a person) with the workspace's usual tools and then marks it handled here.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button } from 'react-aria-components';
import { api, unwrap } from '../../api.ts';
import { may, useCurrentSession } from '../../auth.tsx';
import { dateTime } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import '../../data-rights.css';

export function AlternativeRequestPanel({ interviewId }: { interviewId: string }) {
  const i18n = useT();
  const { t } = i18n;
  const session = useCurrentSession();
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: ['interview', interviewId, 'alternative'],
    queryFn: () => unwrap(api.GET('/v1/interviews/{id}/alternative-request', { params: { path: { id: interviewId } } })),
  });
  const handled = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/v1/interviews/{id}/alternative-request/handled', { params: { path: { id: interviewId } } })),
    onSuccess: async (request) => {
      queryClient.setQueryData(['interview', interviewId, 'alternative'], { request });
      await queryClient.invalidateQueries({ queryKey: ['interviews'] });
    },
  });
  const request = query.data?.request;
  if (!request) return null;
  return (
    <section
      className="hr-alternative"
      aria-labelledby="alternative-h"
      data-testid="alternative-request"
      data-state={request.handledAt ? 'handled' : 'open'}
    >
      <h2 id="alternative-h">{t('alternative.title')}</h2>
      <p>{t('alternative.requested', { when: dateTime(i18n, request.requestedAt) })}</p>
      <dl className="hr-facts">
        <div>
          <dt>{t('alternative.reason')}</dt>
          <dd dir="auto">{request.reason ?? t('alternative.none')}</dd>
        </div>
        <div>
          <dt>{t('alternative.contact')}</dt>
          <dd dir="auto">{request.contact ?? t('alternative.none')}</dd>
        </div>
      </dl>
      {request.handledAt ? (
        <p className="hr-alternative-handled">
          {t('alternative.handledBy', {
            who: request.handledByName ?? t('alternative.apiKey'),
            when: dateTime(i18n, request.handledAt),
          })}
        </p>
      ) : (
        <>
          <p className="hr-muted">{t('alternative.nothingCancelled')}</p>
          {may(session.user.role, 'recruit') && (
            <Button className="hr-button hr-no-print" isPending={handled.isPending} onPress={() => handled.mutate()}>
              {t('alternative.markHandled')}
            </Button>
          )}
          {handled.isError && (
            <p role="alert" className="hr-form-error">
              {t('error.unavailable')}
            </p>
          )}
        </>
      )}
    </section>
  );
}
