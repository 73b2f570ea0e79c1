// The transcript, turn by turn. A turn can be highlighted two ways: a quote the reviewer picked from the scorecard
// (its words marked), and — once the recording player lands — the turn under the player's current time.
import { forwardRef, memo, useEffect, useRef } from 'react';
import type { Schemas } from '../../api.ts';
import { offset, time } from '../../format.ts';
import { useT } from '../../i18n/i18n.tsx';
import type { SeekTarget } from './recording-slot.tsx';

type Turn = Schemas['TranscriptTurn'];

export interface QuoteTarget {
  turnSeq: number;
  quote: string;
  /** Bumped on every click, so clicking the same quote twice scrolls there again. */
  nonce: number;
}

const normalise = (text: string) => text.toLowerCase().replace(/[\s\u200f\u200e]+/g, ' ');

/**
 * Where the quote sits in the turn's text, ignoring case and runs of spaces; null when the model's quote does not
 * appear as such (the whole turn is marked then).
 */
export function findQuote(text: string, quote: string): { start: number; end: number } | null {
  const needle = normalise(quote.trim().replace(/^["“”'‘’«»]+|["“”'‘’«»]+$/g, ''));
  if (!needle) return null;
  // Map positions of the normalised text back to the original.
  const map: number[] = [];
  let flat = '';
  let lastSpace = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const space = /[\s\u200f\u200e]/.test(ch);
    if (space && lastSpace) continue;
    flat += space ? ' ' : ch.toLowerCase();
    map.push(i);
    lastSpace = space;
  }
  const at = flat.indexOf(needle);
  if (at < 0) return null;
  return { start: map[at]!, end: map[at + needle.length - 1]! + 1 };
}

// Memoised: following a quote or the playhead changes one or two turns' props, and only those turns render again
// (all 300 of a long interview did, a tenth of a second on a busy machine, between the click and the mark).
export const TranscriptTurnView = memo(function TranscriptTurnView({
  turn,
  startedAt,
  questionNumber,
  quote,
  isCurrent = false,
  player,
  onShowCode,
}: {
  turn: Turn;
  /** The interview's first moment, for the m:ss offsets. */
  startedAt: string;
  /** The plan question's number (from 1) when this turn asks it (first interviewer turn of that question). */
  questionNumber: number | null;
  /** The quote to mark in this turn, if the reviewer asked for one here. */
  quote: QuoteTarget | null;
  /** The recording's current time is inside this turn (set by the recording player, when there is one). */
  isCurrent?: boolean;
  /** The recording, when this turn is in the stored audio: clicking the turn seeks there. */
  player: SeekTarget | null;
  /** A turn of a coding question: shows the candidate's code as it was when the turn began. */
  onShowCode?: (turn: Turn) => void;
}) {
  const i18n = useT();
  const onSeek = player ? () => player.seek(turn.seq) : undefined;
  const { t } = i18n;
  const ref = useRef<HTMLLIElement>(null);
  const span = quote ? findQuote(turn.text, quote.quote) : null;

  useEffect(() => {
    if (!quote || !ref.current) return;
    // A jump, not a smooth scroll: turns out of sight are held at an estimated height until drawn (hr.css,
    // content-visibility), and a smooth scroll drew every turn it passed, each taking its own height on the way and
    // moving the quoted one far from where the scroll was headed (thousands of pixels over a long interview).
    ref.current.scrollIntoView({ block: 'center' });
    // Focus follows, so a keyboard or screen-reader user lands on the quoted turn, not just sees it.
    ref.current.focus({ preventScroll: true });
  }, [quote]);

  // Following along: the turn under the playhead is kept in sight inside the transcript's own scroll box only,
  // so playback never moves the page under the reviewer.
  useEffect(() => {
    const el = ref.current;
    const box = el?.closest('.hr-transcript-scroll');
    if (!isCurrent || !el || !box) return;
    const at = el.getBoundingClientRect();
    const view = box.getBoundingClientRect();
    if (at.top < view.top || at.bottom > view.bottom) box.scrollTop += at.top - view.top - 16;
  }, [isCurrent]);

  const classes = ['hr-turn', `hr-turn-${turn.speaker}`];
  if (quote) classes.push('hr-turn-quoted');
  if (quote && !span) classes.push('hr-turn-quoted-whole');
  if (isCurrent) classes.push('hr-turn-current');
  if (onSeek) classes.push('hr-turn-seekable');
  const at = offset(startedAt, turn.startedAt);

  return (
    <li
      ref={ref}
      id={`turn-${turn.seq}`}
      tabIndex={-1}
      className={classes.join(' ')}
      data-seq={turn.seq}
      aria-current={isCurrent ? 'time' : undefined}
      // A click anywhere on the turn seeks (the play button is the keyboard's way); selecting words does not.
      onClick={
        onSeek &&
        ((event) => {
          if ((event.target as Element).closest('button, a') || window.getSelection()?.toString()) return;
          onSeek();
        })
      }
    >
      {questionNumber !== null && (
        <p className="hr-turn-question">{t('transcript.question', { n: questionNumber })}</p>
      )}
      <div className="hr-turn-meta">
        <span className="hr-turn-speaker">
          {turn.speaker === 'interviewer' ? t('transcript.interviewer') : t('transcript.candidate')}
        </span>
        <time dateTime={turn.startedAt} title={t('transcript.at', { time: time(i18n, turn.startedAt) })}>
          {at}
        </time>
        {onSeek && (
          <button type="button" className="hr-turn-play hr-no-print" aria-label={t('recording.playFrom', { time: at })} onClick={onSeek}>
            ▶
          </button>
        )}
        {onShowCode && (
          <button
            type="button"
            className="hr-turn-play hr-turn-code hr-no-print"
            aria-label={t('code.showAt', { time: at })}
            title={t('code.showAt', { time: at })}
            onClick={() => onShowCode(turn)}
          >
            {'</>'}
          </button>
        )}
        {turn.input === 'text' && <span className="hr-turn-tag">{t('transcript.typed')}</span>}
        {turn.interrupted && <span className="hr-turn-tag">{t('transcript.interrupted')}</span>}
      </div>
      <p className="hr-turn-text" dir="auto">
        {span ? (
          <>
            {turn.text.slice(0, span.start)}
            <mark className="hr-quote-mark">{turn.text.slice(span.start, span.end)}</mark>
            {turn.text.slice(span.end)}
          </>
        ) : (
          turn.text
        )}
      </p>
    </li>
  );
});

export const Transcript = forwardRef<
  HTMLOListElement,
  {
    turns: Turn[];
    startedAt: string;
    quote: QuoteTarget | null;
    currentSeq?: number | null;
    player?: SeekTarget | null;
    /** Coding questions' ids, and what to do when the reviewer asks for the code at one of their turns. */
    codeQuestions?: ReadonlySet<string>;
    onShowCode?: (turn: Turn) => void;
  }
>(function Transcript({ turns, startedAt, quote, currentSeq = null, player = null, codeQuestions, onShowCode }, ref) {
  const { t } = useT();
  if (turns.length === 0) return <p className="hr-muted">{t('transcript.none')}</p>;
  // A plan question is marked on the first interviewer turn that asks it.
  const asked = new Set<string>();
  return (
    <ol ref={ref} className="hr-transcript">
      {turns.map((turn) => {
        let questionNumber: number | null = null;
        if (turn.speaker === 'interviewer' && turn.questionId && !asked.has(turn.questionId)) {
          asked.add(turn.questionId);
          questionNumber = turn.questionPosition === null ? null : turn.questionPosition + 1;
        }
        return (
          <TranscriptTurnView
            key={turn.seq}
            turn={turn}
            startedAt={startedAt}
            questionNumber={questionNumber}
            quote={quote?.turnSeq === turn.seq ? quote : null}
            isCurrent={currentSeq === turn.seq}
            player={player?.canSeek(turn.seq) ? player : null}
            onShowCode={turn.questionId && codeQuestions?.has(turn.questionId) ? onShowCode : undefined}
          />
        );
      })}
    </ol>
  );
});
