// The candidate's code on the review page: each coding question's code replayed from the stored editor events
// (shared/coding/replay.ts, the same reconstruction the server re-ran), at 1× to 32×, with runs and pastes as marks
// on its timeline, focus changes listed as facts, and the server's test results beside it. The code is always left
// to right, whatever the page's direction. One time axis with the transcript and the recording: the editor's clock is
// placed on the server's (shared/coding/replay.ts editorClockStart), times are shown from the interview's start, a
// moment picked in the transcript or the recording moves the replay there, and the replay can move the recording.
// Lines the scorecard cites are marked in the final code.
import { useQuery } from '@tanstack/react-query';
import { Fragment, useEffect, useMemo, useRef, useState } from 'react';
import { Button } from 'react-aria-components';
import type { CodeEvent } from '../../../../../shared/coding/coding.schema.ts';
import { citedLines, editorClockStart, finalCode, replayCode, type CodeFrame } from '../../../../../shared/coding/replay.ts';
import { api, unwrap, type Schemas } from '../../api.ts';
import { useT } from '../../i18n/i18n.tsx';
import './code-replay.css';

const speeds = [1, 2, 4, 8, 16, 32] as const;

async function allCodeEvents(id: string) {
  const items: Schemas['CodeEventPage']['items'] = [];
  for (let afterSeq = -1; ; ) {
    const page = await unwrap(api.GET('/v1/interviews/{id}/code-events', { params: { path: { id }, query: { afterSeq, limit: 1000 } } }));
    items.push(...page.items);
    if (page.nextAfterSeq === null) return items;
    afterSeq = page.nextAfterSeq;
  }
}

const clock = (ms: number) => {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/** A moment of the interview (epoch milliseconds) picked elsewhere on the page; the nonce repeats a pick. */
export interface Moment {
  at: number;
  nonce: number;
}

/** Lines of a question's final code the scorecard cites, picked by the reviewer. */
export interface CodeTarget {
  questionId: string;
  lines: string;
  nonce: number;
}

function ResultList({ results }: { results: Schemas['CodingTestResult'][] }) {
  const { t } = useT();
  return (
    <ul className="hr-code-results">
      {results.map((r) => (
        <li key={r.name} data-passed={r.passed}>
          <span dir="ltr">{r.name}</span>: {r.passed ? t('code.passed') : r.timedOut ? t('code.timedOut') : t('code.failed')}
        </li>
      ))}
    </ul>
  );
}

function QuestionReplay(props: {
  index: number;
  questionId: string;
  starterCode: string;
  events: { seq: number; event: Schemas['CodeEvent'] }[];
  reruns: Schemas['CodeReruns']['items'];
  rerunsLoaded: boolean;
  /** The editor's zero on the server's clock, and the interview's start: for the shared time axis. */
  editorStart: number | null;
  interviewStart: number | null;
  moment: Moment | null;
  target: CodeTarget | null;
  /** Moves the recording to a moment; false when no recording holds it. Absent without a recording. */
  onSeekRecording?: (atMs: number) => boolean;
}) {
  const { t } = useT();
  const { editorStart, interviewStart, moment, target, onSeekRecording } = props;
  const frames: CodeFrame[] = useMemo(
    // The API sent events that passed codeEventSchema; its generated type only widens `changes` to unknown.
    () => replayCode(props.starterCode, props.events as { seq: number; event: CodeEvent }[]),
    [props.starterCode, props.events]);
  const duration = frames.at(-1)?.event.at ?? 0;
  const [position, setPosition] = useState(duration);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState<(typeof speeds)[number]>(1);
  const [cited, setCited] = useState<string | null>(null);
  const [notInRecording, setNotInRecording] = useState(false);
  const last = useRef<number | null>(null);
  const codeBox = useRef<HTMLPreElement>(null);
  // Times on the page read from the interview's start, as the transcript's do.
  const shift = editorStart !== null && interviewStart !== null ? editorStart - interviewStart : 0;
  const tick = (ms: number) => clock(ms + shift);

  // A moment picked in the transcript or the recording: the code as it was then (the starter code before the
  // coding began, the final code after it).
  useEffect(() => {
    if (!moment || editorStart === null) return;
    setPlaying(false);
    setCited(null);
    setPosition(Math.min(duration, Math.max(0, moment.at - editorStart)));
  }, [moment, editorStart, duration]);

  // Cited lines: the final code, the lines marked and brought into view.
  useEffect(() => {
    if (!target || target.questionId !== props.questionId) return;
    setPlaying(false);
    setPosition(duration);
    setCited(target.lines);
    const box = codeBox.current;
    if (!box) return;
    const reduce = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    box.scrollIntoView({ block: 'center', behavior: reduce ? 'auto' : 'smooth' });
    box.focus({ preventScroll: true });
  }, [target, props.questionId, duration]);

  // Inside its own scroll box, the first cited line is brought into sight.
  useEffect(() => {
    const box = codeBox.current;
    const line = box?.querySelector<HTMLElement>('.hr-code-line-cited');
    if (cited && box && line) box.scrollTop = line.offsetTop - 24;
  }, [cited]);

  // Playback follows the page's clock (performance.now through requestAnimationFrame), so a test can drive it.
  useEffect(() => {
    if (!playing) return;
    let handle = 0;
    last.current = performance.now();
    const step = (now: number) => {
      const elapsed = now - (last.current ?? now);
      last.current = now;
      let done = false;
      setPosition((p) => {
        const next = Math.min(duration, p + elapsed * speed);
        done = next >= duration;
        return next;
      });
      if (done) setPlaying(false);
      else handle = requestAnimationFrame(step);
    };
    handle = requestAnimationFrame(step);
    return () => cancelAnimationFrame(handle);
  }, [playing, speed, duration]);

  let shown = props.starterCode;
  for (const f of frames) {
    if (f.event.at > position) break;
    shown = f.code;
  }
  const atEnd = position >= duration;
  const span = cited && atEnd ? citedLines(shown, cited) : null;
  const marks = frames.filter((f) => f.event.type === 'run' || f.event.type === 'paste');
  const focus = frames.filter((f) => f.event.type === 'focus');
  const final = props.reruns.find((r) => r.kind === 'final');
  const disagreeing = props.reruns.filter((r) => r.disagreements.length > 0);
  const at = (ms: number) => (duration === 0 ? 0 : (ms / duration) * 100);

  return (
    <section className="hr-code-question" aria-labelledby={`code-${props.questionId}`} data-question={props.questionId}>
      <h3 id={`code-${props.questionId}`}>{t('code.question', { n: String(props.index + 1) })}</h3>
      <div className="hr-code-layout">
        <div className="hr-code-main">
          <pre
            ref={codeBox}
            className="hr-code"
            dir="ltr"
            lang="zxx"
            data-testid="code-replay"
            tabIndex={-1}
            aria-describedby={span ? `cited-${props.questionId}` : undefined}
          >
            <code>
              {span
                ? shown.split('\n').map((line, i) => (
                    <Fragment key={i}>
                      {i > 0 ? '\n' : null}
                      {i >= span.start && i < span.end ? <mark className="hr-code-line-cited">{line}</mark> : line}
                    </Fragment>
                  ))
                : shown}
            </code>
          </pre>
          {span ? (
            <p id={`cited-${props.questionId}`} className="hr-muted">
              {t('code.cited')}
            </p>
          ) : null}
          {frames.length === 0 ? (
            <p className="hr-muted">{t('code.nothing')}</p>
          ) : (
            <div className="hr-code-controls" dir="ltr">
              <Button
                onPress={() => {
                  if (!playing && position >= duration) setPosition(0);
                  setPlaying(!playing);
                }}
              >
                {playing ? t('code.pause') : t('code.play')}
              </Button>
              <label>
                {t('code.speed')}{' '}
                <select value={speed} onChange={(e) => setSpeed(Number(e.target.value) as (typeof speeds)[number])}>
                  {speeds.map((s) => (
                    <option key={s} value={s}>
                      {s}×
                    </option>
                  ))}
                </select>
              </label>
              <div className="hr-code-track">
                <input
                  type="range"
                  min={0}
                  max={duration}
                  step={1}
                  value={Math.round(position)}
                  aria-label={t('code.position')}
                  aria-valuetext={`${tick(position)} / ${tick(duration)}`}
                  onChange={(e) => {
                    setPlaying(false);
                    setCited(null);
                    setPosition(Number(e.target.value));
                  }}
                />
                <ol className="hr-code-marks" aria-label={t('code.marks')}>
                  {marks.map((m) => (
                    <li key={m.seq} style={{ left: `${at(m.event.at)}%` }} data-kind={m.event.type}>
                      <button
                        type="button"
                        title={
                          m.event.type === 'paste'
                            ? t('code.paste', { chars: String(m.event.chars), time: tick(m.event.at) })
                            : t('code.run', { time: tick(m.event.at) })
                        }
                        aria-label={
                          m.event.type === 'paste'
                            ? t('code.paste', { chars: String(m.event.chars), time: tick(m.event.at) })
                            : t('code.run', { time: tick(m.event.at) })
                        }
                        onClick={() => {
                          setPlaying(false);
                          setPosition(m.event.at);
                        }}
                      />
                    </li>
                  ))}
                </ol>
              </div>
              <output title={t('code.clock', { time: tick(position) })}>
                {tick(position)} / {tick(duration)}
              </output>
              {onSeekRecording && editorStart !== null ? (
                <Button
                  onPress={() => {
                    setPlaying(false);
                    setNotInRecording(!onSeekRecording(editorStart + position));
                  }}
                >
                  {t('code.seekRecording')}
                </Button>
              ) : null}
            </div>
          )}
          {notInRecording ? (
            <p role="status" className="hr-muted">
              {t('code.notInRecording')}
            </p>
          ) : null}
          <h4>{t('code.focus')}</h4>
          {focus.length === 0 ? (
            <p className="hr-muted">{t('code.noFocusChanges')}</p>
          ) : (
            <ul className="hr-code-focus">
              {focus.map((f) =>
                f.event.type === 'focus' ? (
                  <li key={f.seq}>
                    {t(f.event.state === 'lost' ? 'code.focusLost' : 'code.focusRegained', { time: tick(f.event.at) })}
                  </li>
                ) : null,
              )}
            </ul>
          )}
          <p className="hr-muted">{t('code.focusNote')}</p>
        </div>
        <div className="hr-code-side">
          <h4>{t('code.server')}</h4>
          {!props.rerunsLoaded || !final ? (
            <p className="hr-muted">{t('code.pending')}</p>
          ) : final.results === null ? (
            <p className="hr-muted">{final.seq < 0 ? t('code.nothing') : t('code.notRun')}</p>
          ) : (
            <>
              <p>{t('code.serverFinal')}</p>
              <ResultList results={final.results} />
            </>
          )}
          {disagreeing.map((r) => (
            <p key={r.seq} role="note" className="hr-code-disagree">
              {t('code.run', { time: tick(frames.find((f) => f.seq === r.seq)?.event.at ?? 0) })}:{' '}
              {t('code.disagree', { names: r.disagreements.join(', ') })}
            </p>
          ))}
        </div>
      </div>
    </section>
  );
}

/** Each coding question's final code by question id, from the events the replay reads (one request serves both). */
export function useFinalCode(interviewId: string, questions: Schemas['PlanQuestion'][]): ReadonlyMap<string, string> | undefined {
  const coding = questions.filter((q) => q.coding);
  const events = useQuery({ queryKey: ['interview', interviewId, 'code-events'], queryFn: () => allCodeEvents(interviewId), enabled: coding.length > 0 });
  return useMemo(() => {
    if (!events.data) return undefined;
    return new Map(
      coding.map((q) => [
        q.questionId,
        finalCode(
          q.coding!.starterCode,
          events.data.filter((e) => e.questionId === q.questionId) as { seq: number; event: CodeEvent }[],
        ),
      ]),
    );
  }, [events.data, questions]); // eslint-disable-line react-hooks/exhaustive-deps
}

export function CodeReplay({
  interviewId,
  questions,
  interviewStart,
  moment = null,
  target = null,
  onSeekRecording,
}: {
  interviewId: string;
  questions: Schemas['PlanQuestion'][];
  /** The interview's start (ISO), the zero of the transcript's times. */
  interviewStart?: string | null;
  moment?: Moment | null;
  target?: CodeTarget | null;
  onSeekRecording?: (atMs: number) => boolean;
}) {
  const { t } = useT();
  const coding = questions.filter((q) => q.coding);
  const events = useQuery({ queryKey: ['interview', interviewId, 'code-events'], queryFn: () => allCodeEvents(interviewId), enabled: coding.length > 0 });
  const reruns = useQuery({
    queryKey: ['interview', interviewId, 'code-reruns'],
    queryFn: () => unwrap(api.GET('/v1/interviews/{id}/code-reruns', { params: { path: { id: interviewId } } })),
    enabled: coding.length > 0,
  });
  if (coding.length === 0) return null;
  return (
    <section aria-labelledby="code-h" className="hr-review-section hr-code-replay">
      <h2 id="code-h">{t('code.title')}</h2>
      {events.isPending ? (
        <p role="status">{t('common.loading')}</p>
      ) : events.isError ? (
        <p role="alert">{t('error.unavailable')}</p>
      ) : (
        coding.map((q) => {
          const own = events.data.filter((e) => e.questionId === q.questionId);
          return (
            <QuestionReplay
              key={q.questionId}
              // Numbered as the plan, the transcript and the scorecard number it, not among coding questions.
              index={q.position}
              questionId={q.questionId}
              starterCode={q.coding!.starterCode}
              events={own}
              reruns={(reruns.data?.items ?? []).filter((r) => r.questionId === q.questionId)}
              rerunsLoaded={reruns.isSuccess}
              editorStart={editorClockStart(own)}
              interviewStart={interviewStart ? new Date(interviewStart).getTime() : null}
              moment={moment}
              target={target}
              onSeekRecording={onSeekRecording}
            />
          );
        })
      )}
    </section>
  );
}
