// The review of one interview: who and what, how it went (status history, how it ended), the transcript, the
// scorecard with its evidence linked to the transcript, how the scorecard was made, and the human decision.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { memo, useCallback, useMemo, useState, type ComponentProps } from 'react';
import { Button } from 'react-aria-components';
import { Link, useParams } from 'react-router';
import { ApiError, type Schemas } from '../../api.ts';
import { StatusBadge } from '../../components/badges.tsx';
import { dateTime, languageName, minutesBetween } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import { PageHeading } from '../../layout.tsx';
import NotFoundPage from '../not-found.tsx';
import { AlternativeRequestPanel } from './alternative-request.tsx';
import { CodeReplay, useFinalCode, type CodeTarget, type Moment } from './code-replay.tsx';
import { DecisionPanel, RescoreButton } from './decision.tsx';
import { EndReasonText, isEndReason } from './end-reason.tsx';
import { RecordingSlot, type SeekTarget } from './recording-slot.tsx';
import { reviewQueries } from './queries.ts';
import { Provenance, ScorecardView } from './scorecard.tsx';
import { Transcript, type QuoteTarget } from './transcript.tsx';

// What needs only the interview's id starts at once, beside the interview itself (a 404 is not retried); only the
// candidate and the job wait for the ids the interview names. On a first load straight to a review, hr-app.tsx has
// asked for all of it already (prefetchReview), and these read the answers.
function useReview(id: string, version: number | null) {
  const interview = useQuery(reviewQueries.interview(id, useQueryClient()));
  const detail = interview.data;
  const candidate = useQuery({ ...reviewQueries.candidate(detail?.candidateId ?? ''), enabled: Boolean(detail) });
  const job = useQuery({ ...reviewQueries.job(detail?.jobId ?? ''), enabled: Boolean(detail) });
  const transcript = useQuery(reviewQueries.transcript(id));
  const scorecard = useQuery(reviewQueries.scorecard(id, version));
  const plan = useQuery(reviewQueries.plan(id));
  const decisions = useQuery(reviewQueries.decisions(id));
  return { interview, candidate, job, transcript, scorecard, plan, decisions };
}

function Timeline({ entries }: { entries: Schemas['InterviewTimelineEntry'][] }) {
  const i18n = useT();
  const { t } = i18n;
  return (
    <ol className="hr-timeline">
      {entries.map((entry, i) => (
        <li key={i}>
          <StatusBadge status={entry.to} />
          <time dateTime={entry.at}>{dateTime(i18n, entry.at)}</time>
          {entry.reason && isEndReason(entry.reason) && (
            <span>
              <EndReasonText reason={entry.reason} />
            </span>
          )}
          {entry.note && (
            <span className="hr-muted" dir="auto">
              {entry.note}
            </span>
          )}
        </li>
      ))}
    </ol>
  );
}

const noQuestions: Schemas['PlanQuestion'][] = [];

// Following a quote re-renders the page (the quote is its state): the scorecard and the decision, unchanged by it, are
// not drawn again between the click and the marked turn.
const ScorecardPanel = memo(ScorecardView);
const Decision = memo(DecisionPanel);
const noDecisions: ComponentProps<typeof DecisionPanel>['history'] = [];

export default function ReviewPage() {
  const { id = '' } = useParams();
  const i18n = useT();
  const { t } = i18n;
  const [version, setVersion] = useState<number | null>(null);
  const [quote, setQuote] = useState<QuoteTarget | null>(null);
  // The recording player (when there is one) moves this; the transcript highlights the turn under it.
  const [playheadSeq, setPlayheadSeq] = useState<number | null>(null);
  const [player, setPlayer] = useState<SeekTarget | null>(null);
  // One time axis: a moment picked in the transcript or the recording moves the code replay there.
  const [moment, setMoment] = useState<Moment | null>(null);
  const [codeTarget, setCodeTarget] = useState<CodeTarget | null>(null);
  const atMoment = useCallback((at: number) => setMoment((prev) => ({ at, nonce: (prev?.nonce ?? 0) + 1 })), []);
  const showCodeAt = useCallback((turn: { startedAt: string }) => atMoment(new Date(turn.startedAt).getTime()), [atMoment]);
  const { interview, candidate, job, transcript, scorecard, plan, decisions } = useReview(id, version);

  const anchors = useMemo(
    () => new Map((plan.data?.questions ?? []).map((q) => [q.questionId, q.anchors])),
    [plan.data],
  );
  const codeQuestions = useMemo(
    () => new Set((plan.data?.questions ?? []).filter((q) => q.coding).map((q) => q.questionId)),
    [plan.data],
  );
  const finalCode = useFinalCode(id, plan.data?.questions ?? noQuestions);
  const competencyNames = useMemo(
    () => new Map((job.data?.competencies ?? []).map((c) => [c.key, c.name])),
    [job.data],
  );
  const followQuote = useCallback(
    (e: { turnSeq: number; quote: string }) => {
      setQuote((prev) => ({ turnSeq: e.turnSeq, quote: e.quote, nonce: (prev?.nonce ?? 0) + 1 }));
      if (player?.canSeek(e.turnSeq)) player.seek(e.turnSeq);
    },
    [player],
  );
  const showCode = useCallback(
    (questionId: string, lines: string) => setCodeTarget((prev) => ({ questionId, lines, nonce: (prev?.nonce ?? 0) + 1 })),
    [],
  );

  if (interview.isError) {
    if (interview.error instanceof ApiError && (interview.error.status === 404 || interview.error.status === 400))
      return <NotFoundPage what="interview" />;
    return (
      <div role="alert" className="hr-error">
        <p>{t('error.unavailable')}</p>
        <Button className="hr-button" onPress={() => void interview.refetch()}>
          {t('common.retry')}
        </Button>
      </div>
    );
  }
  if (!interview.data) return <p role="status">{t('review.loading')}</p>;

  const detail = interview.data;
  const name = candidate.data ? `${candidate.data.firstName} ${candidate.data.lastName}` : '…';
  const minutes = minutesBetween(detail.startedAt, detail.endedAt);
  const card = scorecard.data ?? null;
  const currentDecision = decisions.data?.items[0] ?? card?.humanDecision ?? null;
  const startedAt = detail.startedAt ?? transcript.data?.turns[0]?.startedAt ?? detail.scheduledStart;

  return (
    <article className="hr-review">
      <p className="hr-no-print">
        <Link to="/hr/interviews">{t('review.back')}</Link>
      </p>
      <header className="hr-review-header">
        <div className="hr-review-title">
          <PageHeading title={name}>{name}</PageHeading>
          <Link className="hr-no-print" to={`/hr/candidates/${detail.candidateId}`}>
            {t('review.candidatePage')}
          </Link>
          <Button className="hr-button hr-no-print" onPress={() => window.print()}>
            {t('review.print')}
          </Button>
        </div>
        <dl className="hr-facts hr-review-facts">
          <div>
            <dt>{t('review.job')}</dt>
            <dd>{job.data?.title ?? '…'}</dd>
          </div>
          <div>
            <dt>{t('review.type')}</dt>
            <dd>{t(`type.${detail.type}`)}</dd>
          </div>
          <div>
            <dt>{t('review.language')}</dt>
            <dd>{languageName(i18n, detail.language)}</dd>
          </div>
          <div>
            <dt>{t('review.status')}</dt>
            <dd>
              <StatusBadge status={detail.status} />
            </dd>
          </div>
          <div>
            <dt>{t('review.scheduled')}</dt>
            <dd>{dateTime(i18n, detail.scheduledStart)}</dd>
          </div>
          <div>
            <dt>{t('review.duration')}</dt>
            <dd>
              {minutes === null
                ? t('review.notStarted')
                : t('review.durationValue', { n: minutes, max: detail.maxDurationMinutes })}
            </dd>
          </div>
          {detail.endReason && (
            <div className="hr-wide">
              <dt>{t('review.endReason')}</dt>
              <dd>
                <EndReasonText reason={detail.endReason} />
              </dd>
            </div>
          )}
        </dl>
        {detail.timeline.length > 0 && (
          <details className="hr-timeline-box">
            <summary>{t('review.timeline')}</summary>
            <Timeline entries={detail.timeline} />
          </details>
        )}
        <AlternativeRequestPanel interviewId={detail.id} />
        <p id="advisory" className="hr-advisory">
          {t('review.advisory')}
        </p>
      </header>

      <div className="hr-review-grid">
        <div className="hr-review-main">
          <section aria-labelledby="scorecard-h" className="hr-review-section">
            <div className="hr-section-head">
              <h2 id="scorecard-h">{t('scorecard.title')}</h2>
              {card && card.status === 'complete' && (
                <RescoreButton interviewId={detail.id} onDone={() => setVersion(null)} />
              )}
            </div>
            {scorecard.isPending ? (
              <p role="status">{t('common.loading')}</p>
            ) : !card ? (
              <p className="hr-muted">{t('scorecard.none')}</p>
            ) : card.status === 'pending' ? (
              <p className="hr-muted">
                {card.pendingReason ? t('scorecard.pending', { reason: card.pendingReason }) : t('scorecard.pendingNoReason')}
              </p>
            ) : (
              <ScorecardPanel
                scorecard={card}
                anchors={anchors}
                competencyNames={competencyNames}
                language={detail.language}
                onQuote={followQuote}
                finalCode={finalCode}
                onCode={showCode}
              />
            )}
            {card && <Provenance scorecard={card} />}
          </section>
          <CodeReplay
            interviewId={detail.id}
            questions={plan.data?.questions ?? []}
            interviewStart={startedAt}
            moment={moment}
            target={codeTarget}
            onSeekRecording={player ? (at) => player.seekTime(at) : undefined}
          />
          <Decision
            interviewId={detail.id}
            current={currentDecision}
            history={decisions.data?.items ?? noDecisions}
          />
        </div>

        <aside className="hr-review-side" aria-labelledby="transcript-h">
          <RecordingSlot interviewId={detail.id} onPlayhead={setPlayheadSeq} onTime={atMoment} onReady={setPlayer} />
          <h2 id="transcript-h">{t('transcript.title')}</h2>
          <div className="hr-transcript-scroll">
            {transcript.isPending ? (
              <p role="status">{t('common.loading')}</p>
            ) : transcript.isError ? (
              <p role="alert">{t('error.unavailable')}</p>
            ) : (
              <Transcript turns={transcript.data.turns} startedAt={startedAt} quote={quote} currentSeq={playheadSeq}
                player={player}
                codeQuestions={codeQuestions}
                onShowCode={showCodeAt}
              />
            )}
          </div>
        </aside>
      </div>
    </article>
  );
}
