import { useT } from '../i18n/i18n.tsx';

/** A 1–5 score as a number and a bar; no score reads "not scored" in words, never as a zero. */
export function ScoreCell({ score }: { score: number | null }) {
  const { t } = useT();
  if (score === null) return <span className="hr-muted">{t('results.notScored')}</span>;
  const shown = Math.round(score * 10) / 10;
  return (
    <span className="hr-score-cell">
      <span className="hr-score-bar" aria-hidden="true">
        <span style={{ inlineSize: `${(Math.max(0, Math.min(5, score)) / 5) * 100}%` }} />
      </span>
      <span>{t('scorecard.scoreOutOf', { score: shown })}</span>
    </span>
  );
}
