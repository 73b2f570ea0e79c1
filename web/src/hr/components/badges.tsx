import type { Schemas } from '../api.ts';
import { useT } from '../i18n/i18n.tsx';
import type { Recommendation } from '../vocabulary.ts';

// Words first, colour second: every badge reads the same without colour.

export function StatusBadge({ status }: { status: Schemas['InterviewStatus'] }) {
  const { t } = useT();
  return <span className={`hr-badge hr-status-${status}`}>{t(`status.${status}`)}</span>;
}

export function RecommendationBadge({ recommendation }: { recommendation: Recommendation | null }) {
  const { t } = useT();
  if (!recommendation) return <span className="hr-muted">{t('recommendation.none')}</span>;
  return <span className={`hr-badge hr-rec-${recommendation}`}>{t(`recommendation.${recommendation}`)}</span>;
}

export function DecisionBadge({ decision }: { decision: Schemas['HiringDecision']['decision'] | null }) {
  const { t } = useT();
  if (!decision) return <span className="hr-muted">{t('decision.none')}</span>;
  return <span className={`hr-badge hr-decision-${decision}`}>{t(`decision.${decision}`)}</span>;
}
