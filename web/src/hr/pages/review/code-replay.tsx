// The candidate's code on the review page: each coding question's code replayed from the stored editor events
// (shared/coding/replay.ts, the same reconstruction the server re-ran), at 1× to 32×, with runs and pastes as marks
// on its timeline, focus changes listed as facts, and the server's test results beside it. The code is always left
// to right, whatever the page's direction.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Button } from 'react-aria-components';
import type { CodeEvent } from '../../../../../shared/coding/coding.schema.ts';
import { replayCode, type CodeFrame } from '../../../../../shared/coding/replay.ts';
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
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

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
}) {
  const { t } = useT();
  const frames: CodeFrame[] = useMemo(
    // The API sent events that passed codeEventSchema; its generated type only widens `changes` to unknown.
    () => replayCode(props.starterCode, props.events as { seq: number; event: CodeEvent }[]),
    [props.starterCode, props.events]);
  const duration = frames.at(-1)?.event.at ?? 0;
  const [position, setPosition] = useState(duration);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState<(typeof speeds)[number]>(1);
  const last = useRef<number | null>(null);

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
          <pre className="hr-code" dir="ltr" lang="zxx" data-testid="code-replay">
            <code>{shown}</code>
          </pre>
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
                  aria-valuetext={`${clock(position)} / ${clock(duration)}`}
                  onChange={(e) => {
                    setPlaying(false);
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
                            ? t('code.paste', { chars: String(m.event.chars), time: clock(m.event.at) })
                            : t('code.run', { time: clock(m.event.at) })
                        }
                        aria-label={
                          m.event.type === 'paste'
                            ? t('code.paste', { chars: String(m.event.chars), time: clock(m.event.at) })
                            : t('code.run', { time: clock(m.event.at) })
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
              <output>
                {clock(position)} / {clock(duration)}
              </output>
            </div>
          )}
          <h4>{t('code.focus')}</h4>
          {focus.length === 0 ? (
            <p className="hr-muted">{t('code.noFocusChanges')}</p>
          ) : (
            <ul className="hr-code-focus">
              {focus.map((f) =>
                f.event.type === 'focus' ? (
                  <li key={f.seq}>
                    {t(f.event.state === 'lost' ? 'code.focusLost' : 'code.focusRegained', { time: clock(f.event.at) })}
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
              {t('code.run', { time: clock(frames.find((f) => f.seq === r.seq)?.event.at ?? 0) })}:{' '}
              {t('code.disagree', { names: r.disagreements.join(', ') })}
            </p>
          ))}
        </div>
      </div>
    </section>
  );
}

export function CodeReplay({ interviewId, questions }: { interviewId: string; questions: Schemas['PlanQuestion'][] }) {
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
        coding.map((q, i) => (
          <QuestionReplay
            key={q.questionId}
            index={i}
            questionId={q.questionId}
            starterCode={q.coding!.starterCode}
            events={events.data.filter((e) => e.questionId === q.questionId)}
            reruns={(reruns.data?.items ?? []).filter((r) => r.questionId === q.questionId)}
            rerunsLoaded={reruns.isSuccess}
          />
        ))
      )}
    </section>
  );
}
