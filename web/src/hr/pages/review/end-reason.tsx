import { en } from '../../i18n/en.ts';
import { useT } from '../../i18n/i18n.tsx';
import type { EndReason } from '../../vocabulary.ts';

// Every end reason the API can store has HR-facing words (a new one in the schema fails the build here, since the
// key `endReason.<reason>` must exist in the catalogue); the candidate's Done page words the same reasons for them.
export function EndReasonText({ reason }: { reason: EndReason }) {
  const { t } = useT();
  return <>{t(`endReason.${reason}`)}</>;
}

/** A timeline step's reason is free text in the API (candidate_joined, …); only end reasons have words here. */
export function isEndReason(reason: string): reason is EndReason {
  return `endReason.${reason}` in en;
}
