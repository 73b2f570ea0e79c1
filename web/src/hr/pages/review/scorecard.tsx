// The scorecard as a reviewer reads it: the overall view, then per competency and per question, each score beside
// the anchor it was measured against and the candidate's own words that support it. Insufficient evidence is said
// in words and never drawn as a zero.
import { citedText } from '../../../../../shared/coding/replay.ts';
import type { Schemas } from '../../api.ts';
import { RecommendationBadge } from '../../components/badges.tsx';
import { dateTime } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';

type Scorecard = Schemas['Scorecard'];
type Evidence = Schemas['ScorecardEvidence'];

/** `language` is the interview's: the quote marks are those of the quoted words, not of the workspace's language
 * (an English quote on the Arabic page opened with ” and closed with “). Chromium takes a <q>'s marks from the
 * language around it, not its own lang attribute, hence the <bdi> (which also isolates the quote's direction). */
export function EvidenceList({
  evidence,
  onQuote,
  language,
}: {
  evidence: Evidence[];
  onQuote: (e: Evidence) => void;
  language: string;
}) {
  const { t } = useT();
  if (evidence.length === 0) return null;
  return (
    <div className="hr-evidence">
      <h5>{t('scorecard.evidence')}</h5>
      <ul>
        {evidence.map((e, i) => (
          <li key={i}>
            <button
              type="button"
              className="hr-quote"
              aria-label={t('scorecard.quoteLabel', { quote: e.quote })}
              onClick={() => onQuote(e)}
            >
              <bdi lang={language}>
                <q>{e.quote}</q>
              </bdi>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * The candidate's own code that the scorer cites for a coding question: whole lines of the stored final code
 * (checked like quotes, see api/scoring/integrity.ts). Code reads left to right on an Arabic page too; a click shows
 * the lines in the code replay.
 */
export function CodeEvidenceList({
  lines: cited,
  finalCode,
  onCode,
}: {
  lines: string[];
  /** The question's final code, once read: a quote stored without its indentation is shown with it. */
  finalCode?: string;
  onCode?: (lines: string) => void;
}) {
  const { t } = useT();
  if (cited.length === 0) return null;
  const lines = finalCode === undefined ? cited : cited.map((quote) => citedText(finalCode, quote));
  return (
    <div className="hr-evidence hr-code-evidence">
      <h5>{t('code.evidence')}</h5>
      <ul>
        {lines.map((code, i) => (
          <li key={i}>
            <button
              type="button"
              className="hr-quote hr-code-quote"
              aria-label={t('code.evidenceLabel', { line: code.split('\n')[0]!.trim() })}
              onClick={() => onCode?.(code)}
            >
              <code dir="ltr" lang="zxx">
                {code}
              </code>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Score({ score, insufficient }: { score: number | null; insufficient: boolean }) {
  const { t } = useT();
  if (insufficient || score === null)
    return <span className="hr-score hr-score-insufficient">{t('scorecard.insufficient')}</span>;
  return (
    <span className="hr-score" data-score={score}>
      <span className="hr-score-dots" aria-hidden="true">
        {[1, 2, 3, 4, 5].map((n) => (
          <span key={n} className={n <= score ? 'on' : ''} />
        ))}
      </span>
      {t('scorecard.scoreOutOf', { score: Number.isInteger(score) ? score : score.toFixed(1) })}
    </span>
  );
}

export function ScorecardView({
  scorecard,
  anchors,
  competencyNames,
  onQuote,
  onCode,
  finalCode,
  language,
}: {
  scorecard: Scorecard;
  /** A coding question's cited code was picked: the replay shows those lines. */
  onCode?: (questionId: string, lines: string) => void;
  /** Each coding question's final code by question id, once the code's events are read. */
  finalCode?: ReadonlyMap<string, string>;
  /** The interview's language, which the quotes are in. */
  language: string;
  /** The plan's anchors per question id: what an answer at levels 1 to 5 contains. */
  anchors: Map<string, string[]>;
  competencyNames: Map<string, string>;
  onQuote: (e: Evidence) => void;
}) {
  const { t } = useT();
  const overall = scorecard.result.overall;
  return (
    <div className="hr-scorecard">
      <section className="hr-card hr-overall" aria-labelledby="overall-h">
        <h3 id="overall-h">{t('scorecard.overall')}</h3>
        <dl className="hr-facts">
          <div>
            <dt>{t('scorecard.recommendation')}</dt>
            <dd>
              <RecommendationBadge recommendation={scorecard.recommendation} />
            </dd>
          </div>
          <div>
            <dt>{t('scorecard.overallScore')}</dt>
            <dd>
              <Score score={scorecard.overallScore} insufficient={scorecard.overallScore === null} />
            </dd>
          </div>
        </dl>
        {overall && (
          <>
            <h4>{t('scorecard.summary')}</h4>
            <p dir="auto">{overall.summary}</p>
            <div className="hr-two">
              <div>
                <h4>{t('scorecard.strengths')}</h4>
                {overall.strengths.length ? (
                  <ul>
                    {overall.strengths.map((s, i) => (
                      <li key={i} dir="auto">
                        {s}
                      </li>
                    ))}
                  </ul>
                ) : (
                  <p className="hr-muted">{t('scorecard.nothing')}</p>
                )}
              </div>
              <div>
                <h4>{t('scorecard.concerns')}</h4>
                {overall.concerns.length ? (
                  <ul>
                    {overall.concerns.map((s, i) => (
                      <li key={i} dir="auto">
                        {s}
                      </li>
                    ))}
                  </ul>
                ) : (
                  <p className="hr-muted">{t('scorecard.nothing')}</p>
                )}
              </div>
            </div>
          </>
        )}
      </section>

      {scorecard.result.competencies.length > 0 && (
        <section aria-labelledby="competencies-h">
          <h3 id="competencies-h">{t('scorecard.competencies')}</h3>
          <ul className="hr-competencies">
            {scorecard.result.competencies.map((c) => (
              <li key={c.key} className="hr-card hr-competency">
                <div className="hr-item-head">
                  <h4>{c.name}</h4>
                  <Score score={c.score} insufficient={c.insufficientEvidence} />
                </div>
                {c.rationale && (
                  <p>
                    <span className="hr-label">{t('scorecard.rationale')}: </span>
                    <bdi>{c.rationale}</bdi>
                  </p>
                )}
                <EvidenceList evidence={c.evidence} onQuote={onQuote} language={language} />
              </li>
            ))}
          </ul>
        </section>
      )}

      <section aria-labelledby="questions-h">
        <h3 id="questions-h">{t('scorecard.questions')}</h3>
        <ol className="hr-questions">
          {scorecard.result.questions.map((q) => {
            const levels = anchors.get(q.questionId) ?? [];
            const anchor = q.score !== null && !q.insufficientEvidence ? levels[Math.round(q.score) - 1] : undefined;
            return (
              <li key={q.questionId} className="hr-card hr-question" id={`question-${q.questionId}`}>
                <div className="hr-item-head">
                  <h4>
                    <span className="hr-qnum">{t('scorecard.questionN', { n: q.position + 1 })}</span>
                    <span className={`hr-qstatus hr-qstatus-${q.status}`}>{t(`scorecard.${q.status}`)}</span>
                  </h4>
                  {q.status === 'asked' && <Score score={q.score} insufficient={q.insufficientEvidence} />}
                </div>
                <p className="hr-question-text" dir="auto">
                  {q.text}
                </p>
                <p className="hr-muted hr-small">
                  {q.competencyKey ? (competencyNames.get(q.competencyKey) ?? q.competencyKey) : t('scorecard.general')}
                </p>
                {anchor && (
                  <p className="hr-anchor" dir="auto">
                    {t('scorecard.anchor', { n: Math.round(q.score!), text: anchor })}
                  </p>
                )}
                {q.rationale && (
                  <p>
                    <span className="hr-label">{t('scorecard.rationale')}: </span>
                    <bdi>{q.rationale}</bdi>
                  </p>
                )}
                <EvidenceList evidence={q.evidence} onQuote={onQuote} language={language} />
                <CodeEvidenceList
                  lines={q.codeEvidence ?? []}
                  finalCode={finalCode?.get(q.questionId)}
                  onCode={(lines) => onCode?.(q.questionId, lines)}
                />
                {levels.length > 0 && (
                  <details className="hr-anchors">
                    <summary>{t('scorecard.anchors')}</summary>
                    <ol>
                      {levels.map((text, i) => (
                        <li key={i} dir="auto" className={anchor && i === Math.round(q.score!) - 1 ? 'hr-anchor-hit' : ''}>
                          {text}
                        </li>
                      ))}
                    </ol>
                  </details>
                )}
              </li>
            );
          })}
        </ol>
      </section>
    </div>
  );
}

export function Provenance({ scorecard }: { scorecard: Scorecard }) {
  const i18n = useT();
  const { t } = i18n;
  const { droppedQuotes, droppedStatements, scoresWithdrawn } = scorecard.integrity;
  // The API's trigger is free text (api/scoring/scorecards.ts ScoreTrigger); the ones it writes today have words.
  const triggerWords = (trigger: string) =>
    trigger === 'interview_completed' || trigger === 're_score' || trigger === 'llm_configured'
      ? t(`trigger.${trigger}`)
      : trigger;
  const clean = droppedQuotes === 0 && droppedStatements === 0 && scoresWithdrawn === 0;
  return (
    <section className="hr-card hr-provenance" aria-labelledby="provenance-h">
      <h3 id="provenance-h">{t('scorecard.provenance')}</h3>
      <dl className="hr-facts hr-facts-stack">
        <div>
          <dt>{t('scorecard.model')}</dt>
          <dd>{scorecard.model ?? t('scorecard.noModel')}</dd>
        </div>
        <div>
          <dt>{t('scorecard.promptVersion')}</dt>
          <dd>{scorecard.promptVersion}</dd>
        </div>
        <div>
          <dt>{t('scorecard.planVersion')}</dt>
          <dd>{scorecard.planVersion}</dd>
        </div>
        <div>
          <dt>{t('scorecard.evaluatedAt')}</dt>
          <dd>
            <time dateTime={scorecard.evaluatedAt}>{dateTime(i18n, scorecard.evaluatedAt)}</time>
          </dd>
        </div>
        <div>
          <dt>{t('scorecard.version')}</dt>
          <dd>
            {t('scorecard.versionValue', { n: scorecard.version, trigger: triggerWords(scorecard.trigger) })}
            {scorecard.isLatest ? ` · ${t('scorecard.latest')}` : ''}
          </dd>
        </div>
      </dl>
      <h4>{t('scorecard.integrity')}</h4>
      {clean ? (
        <p>{t('scorecard.integrityClean')}</p>
      ) : (
        <ul>
          {droppedQuotes > 0 && <li>{t('scorecard.droppedQuotes', { n: droppedQuotes })}</li>}
          {droppedStatements > 0 && <li>{t('scorecard.droppedStatements', { n: droppedStatements })}</li>}
          {scoresWithdrawn > 0 && <li>{t('scorecard.scoresWithdrawn', { n: scoresWithdrawn })}</li>}
        </ul>
      )}
    </section>
  );
}
