// The recording player, above the transcript: a native <audio controls> (keyboard and screen-reader operable, and
// seekable because the API answers byte ranges), a speed selector, the parts when a resumed interview has several,
// and a download link for admins. It reports the turn under the playhead to the review page (the transcript
// highlights it) and hands back a seek handle, so clicking a turn or an evidence quote moves the audio there.
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Schemas } from '../../api.ts';
import { may, useCurrentSession } from '../../auth.tsx';
import { useT } from '../../i18n/i18n.tsx';
import { reviewQueries } from './queries.ts';
import './recording.css';

type Info = Schemas['RecordingInfo'];
type Part = Schemas['RecordingPart'];

/**
 * What the transcript may ask of the player: whether a turn is in the stored audio, and to move there; and what the
 * code replay may ask: to move to a moment (epoch milliseconds on the server's clock), false when no stored part
 * holds it.
 */
export interface SeekTarget {
  canSeek(seq: number): boolean;
  seek(seq: number): void;
  seekTime(atMs: number): boolean;
}

const speeds = [0.75, 1, 1.25, 1.5, 2] as const;

/**
 * A turn's start is a millisecond stamp, but Opus pages make the seek land a little off it; within this much after
 * a start the turn counts as under the playhead.
 */
const seekSlackMs = 250;

/** m:ss, or h:mm:ss for long interviews. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** The turn being said at `ms` into `part`: the last one that had begun (turns can overlap when interrupted). */
function turnAt(info: Info, part: number, ms: number): number | null {
  let found: number | null = null;
  let latest = -1;
  for (const turn of info.turns) {
    if (turn.part !== part || turn.startMs === null) continue;
    if (turn.startMs <= ms + seekSlackMs && turn.startMs >= latest) {
      latest = turn.startMs;
      found = turn.seq;
    }
  }
  return found;
}

export function RecordingSlot({
  interviewId,
  onPlayhead,
  onTime,
  onReady,
}: {
  interviewId: string;
  /** The turn under the playhead, or null before playback reaches the first turn. */
  onPlayhead?: (seq: number | null) => void;
  /** The playhead as a moment of the interview (epoch milliseconds), as it plays or is moved. */
  onTime?: (atMs: number) => void;
  /** The seek handle once there is audio to seek in; null when there is none (or the player goes away). */
  onReady?: (target: SeekTarget | null) => void;
}) {
  const { t } = useT();
  const session = useCurrentSession();
  const info = useQuery(reviewQueries.recording(interviewId));

  return (
    <section className="hr-player hr-no-print" aria-labelledby="recording-h">
      <h2 id="recording-h">{t('recording.title')}</h2>
      {info.isPending ? (
        <p role="status" className="hr-muted">
          {t('recording.loading')}
        </p>
      ) : info.isError ? (
        <p role="alert" className="hr-muted">
          {t('recording.error')}
        </p>
      ) : !info.data.available ? (
        <p className="hr-muted">{t(absentReason(info.data))}</p>
      ) : (
        <Player
          info={info.data}
          canDownload={may(session.user.role, 'admin')}
          onPlayhead={onPlayhead}
          onTime={onTime}
          onReady={onReady}
        />
      )}
    </section>
  );
}

/** Why there is nothing to play, in one line. */
function absentReason(info: Info) {
  if (!info.recorded && info.parts.length === 0) return 'recording.notRecorded' as const;
  if (info.parts.some((p) => p.status === 'recording')) return 'recording.pending' as const;
  if (info.parts.some((p) => p.status === 'deleted')) return 'recording.deleted' as const;
  return 'recording.none' as const;
}

function Player({
  info,
  canDownload,
  onPlayhead,
  onTime,
  onReady,
}: {
  info: Info;
  canDownload: boolean;
  onPlayhead?: (seq: number | null) => void;
  onTime?: (atMs: number) => void;
  onReady?: (target: SeekTarget | null) => void;
}) {
  const { t } = useT();
  const audio = useRef<HTMLAudioElement>(null);
  const stored = useMemo(() => info.parts.filter((p): p is Part & { url: string } => p.status === 'stored' && p.url !== null), [info]);
  const [part, setPart] = useState(stored[0]!.part);
  const [speed, setSpeed] = useState(1);
  const [failed, setFailed] = useState(false);
  // Set when one part ends and the next should carry on playing.
  const [carryOn, setCarryOn] = useState(false);
  // A seek into a part that is not loaded yet waits for that part's metadata.
  const pendingSeek = useRef<number | null>(null);
  const current = stored.find((p) => p.part === part) ?? stored[0]!;

  const report = useCallback(() => {
    const el = audio.current;
    if (!el) return;
    onPlayhead?.(turnAt(info, part, el.currentTime * 1000));
    // Only a playing or moved playhead is a moment the reviewer chose (loading the audio is not).
    const started = stored.find((p) => p.part === part)?.startedAt;
    if (started && (!el.paused || el.seeking || el.currentTime > 0)) onTime?.(new Date(started).getTime() + el.currentTime * 1000);
  }, [info, part, onPlayhead, onTime, stored]);

  const target = useMemo<SeekTarget>(() => {
    const places = new Map(info.turns.filter((x) => x.part !== null && x.startMs !== null).map((x) => [x.seq, x]));
    const moveTo = (toPart: number, seconds: number) => {
      const el = audio.current;
      if (!el) return;
      if (toPart === part && el.readyState >= HTMLMediaElement.HAVE_METADATA) el.currentTime = seconds;
      else {
        pendingSeek.current = seconds;
        setPart(toPart);
      }
    };
    return {
      seekTime: (atMs) => {
        const holder = stored.find((p) => {
          const start = new Date(p.startedAt).getTime();
          return atMs >= start && atMs <= start + (p.durationMs ?? 0);
        });
        if (!holder) return false;
        moveTo(holder.part, (atMs - new Date(holder.startedAt).getTime()) / 1000);
        return true;
      },
      canSeek: (seq) => places.has(seq),
      seek: (seq) => {
        const place = places.get(seq);
        if (!place || !audio.current) return;
        moveTo(place.part!, place.startMs! / 1000);
        onPlayhead?.(seq);
      },
    };
  }, [info, part, onPlayhead, stored]);

  useEffect(() => {
    onReady?.(target);
  }, [target, onReady]);
  useEffect(() => () => onReady?.(null), [onReady]);

  useEffect(() => {
    const el = audio.current;
    if (!el) return;
    // A new source resets the rate to the default; both keep the chosen speed across parts.
    el.defaultPlaybackRate = speed;
    el.playbackRate = speed;
  }, [speed, part]);

  const loaded = () => {
    const el = audio.current;
    if (!el) return;
    el.playbackRate = speed;
    if (pendingSeek.current !== null) {
      el.currentTime = pendingSeek.current;
      pendingSeek.current = null;
    }
  };

  // At the end of a part the next one follows, as if it were one recording.
  const ended = () => {
    const next = stored[stored.indexOf(current) + 1];
    if (!next) return;
    pendingSeek.current = 0;
    setCarryOn(true);
    setPart(next.part);
  };

  const several = stored.length > 1;
  const recovered = stored.some((p) => p.recovered);

  return (
    <div className="hr-player-body">
      {failed ? (
        <p role="alert" className="hr-muted">
          {t('recording.error')}
        </p>
      ) : (
        <audio
          ref={audio}
          key={current.part}
          src={current.url}
          controls
          preload="metadata"
          autoPlay={carryOn}
          className="hr-audio"
          aria-label={
            several ? t('recording.audioPart', { n: current.part, count: stored.length }) : t('recording.audio')
          }
          onLoadedMetadata={loaded}
          onTimeUpdate={report}
          onSeeked={report}
          onEnded={ended}
          onError={() => setFailed(true)}
        />
      )}
      <div className="hr-player-row">
        <p className="hr-player-length">
          {t('recording.length', { time: clock(info.totalDurationMs) })}
        </p>
        <label className="hr-player-speed">
          {t('recording.speed')}
          <select value={String(speed)} onChange={(e) => setSpeed(Number(e.target.value))}>
            {speeds.map((s) => (
              <option key={s} value={String(s)}>
                {`${s}×`}
              </option>
            ))}
          </select>
        </label>
        {canDownload && (
          <a className="hr-player-download" href={current.url} download={`interview-${info.interviewId}-part-${current.part}.ogg`}>
            {several ? t('recording.downloadPart', { n: current.part }) : t('recording.download')}
          </a>
        )}
      </div>
      <p className="hr-muted hr-player-stereo">{t('recording.stereo')}</p>
      {several && (
        <div className="hr-player-parts" role="group" aria-label={t('recording.parts')}>
          {stored.map((p) => (
            <button
              key={p.part}
              type="button"
              className="hr-player-part"
              aria-pressed={p.part === current.part}
              onClick={() => {
                pendingSeek.current = null;
                setCarryOn(false);
                setFailed(false);
                setPart(p.part);
              }}
            >
              {t('recording.part', { n: p.part, time: clock(p.durationMs ?? 0) })}
            </button>
          ))}
        </div>
      )}
      {recovered && <p className="hr-muted hr-player-note">{t('recording.recovered')}</p>}
    </div>
  );
}
