// The LiveKit part of the app, loaded only when the interview starts (see the lazy import in app.tsx).
import {
  RoomAudioRenderer,
  RoomContext,
  useConnectionState,
  useLocalParticipant,
  useMultibandTrackVolume,
  useTrackVolume,
  useTranscriptions,
  useVoiceAssistant,
} from '@livekit/components-react';
import {
  ConnectionState,
  DefaultReconnectPolicy,
  DisconnectReason,
  Room,
  RoomEvent,
  type LocalAudioTrack,
} from 'livekit-client';
import { lazy, Suspense, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { problemStreamTopic, type ProblemMessage } from '../../../shared/coding/coding.schema.ts';
import { useI18n } from '../i18n/i18n.tsx';
import {
  ApiError,
  endSession,
  errorMessage,
  getSessionStatus,
  joinInterview,
  selfRetries,
  selfRetryAfter,
  lostRejoinAfter,
  type InterviewRef,
  type JoinRequest,
  type Session,
  type SessionStatus,
} from '../lib/api.ts';
import { textDirection } from '../lib/text-direction.ts';
import { formatDuration } from './countdown.tsx';
import type { EndReason } from './done.tsx';
import { endReasonOf, endsAt, knownEndReason, questionProgress } from './interview-attributes.ts';
import { RetryCard } from './retry-card.tsx';

// CodeMirror and the sandboxes load only when the interviewer sends a coding problem.
const CodingEditor = lazy(() => import('./coding-editor.tsx'));

/**
 * The coding problem the interviewer sent on its text stream (when a coding question starts, again after a
 * rejoin), and how many times the room reconnected since (the editor then resends its whole code).
 */
function useCodingProblem(room: Room) {
  const [problem, setProblem] = useState<ProblemMessage | null>(null);
  const [reconnects, setReconnects] = useState(0);
  useEffect(() => {
    room.registerTextStreamHandler(problemStreamTopic, async (reader) => {
      try {
        const message = JSON.parse(await reader.readAll()) as ProblemMessage;
        if (message?.questionId && message.problem) setProblem(message);
      } catch {
        // A broken message leaves the page as it was; the interview goes on by voice.
      }
    });
    const onReconnected = () => setReconnects((n) => n + 1);
    room.on(RoomEvent.Reconnected, onReconnected);
    return () => {
      room.unregisterTextStreamHandler(problemStreamTopic);
      room.off(RoomEvent.Reconnected, onReconnected);
    };
  }, [room]);
  return { problem, reconnects };
}

interface Props {
  interviewRef: InterviewRef;
  session: Session;
  request: JoinRequest;
  deviceId?: string;
  /** The candidate has no working microphone and types every answer (the company allows it): no audio is published. */
  typedOnly?: boolean;
  onEnded(reason: EndReason): void;
}

type Phase =
  | { kind: 'connecting' }
  | { kind: 'live' }
  | { kind: 'ending' }
  /** `retryInSeconds`: the page tries again by itself; `lost`: after a connection that was live. */
  | { kind: 'failed'; error: unknown; retryInSeconds?: number; lost: boolean };

/**
 * Why the interview ended, or undefined when it has not (a lost connection the candidate can rejoin). The API is
 * the authority once the interview is final. When it cannot be reached, the agent's own word stands in (it is
 * published after the final status is written, just before the agent deletes the room), and a room deleted under
 * the candidate means the interview is over even if nobody can say why: `ended`, never a guessed "completed".
 */
async function settleEnding(
  token: string,
  roomDeleted: boolean,
  agentSaid: EndReason | undefined,
): Promise<EndReason | undefined> {
  const over = roomDeleted || agentSaid !== undefined;
  // Every ending writes the final status before the room goes, so one answer usually settles it; a second and
  // third cover a network blip.
  for (let attempt = 0; attempt < (over ? 3 : 1); attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 1_000));
    try {
      const ended = endReasonOf(await getSessionStatus(token));
      if (ended || !over) return ended;
    } catch {
      // Unreachable or refused: ask again, then fall back below.
    }
  }
  return over ? (agentSaid ?? 'ended') : undefined;
}

export default function InterviewPage({
  interviewRef,
  session: firstSession,
  request,
  deviceId,
  typedOnly = false,
  onEnded,
}: Props) {
  const { t } = useI18n();
  const room = useMemo(
    () =>
      new Room({
        // LiveKit's own reconnect (a resume, then a new connection to the same server) for about 16 s, not its
        // default 45 s: past that the page rejoins through the API, which can send it to another LiveKit node when
        // the one it was on died, and keeps trying for minutes.
        reconnectPolicy: new DefaultReconnectPolicy([0, 300, 1_200, 2_700, 4_800, 7_000]),
        // Mute releases the microphone, so the browser's recording indicator goes off while muted.
        publishDefaults: { stopMicTrackOnMute: true },
        audioCaptureDefaults: {
          ...(deviceId ? { deviceId } : {}),
          echoCancellation: true,
          noiseSuppression: true,
          autoGainControl: true,
        },
      }),
    [deviceId],
  );
  const [session, setSession] = useState(firstSession);
  const [phase, setPhase] = useState<Phase>({ kind: 'connecting' });
  const [micSettled, setMicSettled] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const endedByUs = useRef<{ answer: SessionStatus | undefined } | null>(null);
  const lastAgentAttributes = useRef<Record<string, string>>({});
  // The token is needed after the room has gone (to ask why); it stays in memory like the rest of the session.
  const token = useRef(firstSession.token);
  const startedAt = useRef(Date.now());
  const coding = useCodingProblem(room);

  // A rejoin refused for a moment (the seat still held by a tab that is leaving, or a room LiveKit cannot open yet
  // because the node it was on just died) is asked again by itself a few times before the button is left to the
  // candidate, and a connection lost mid-interview is rejoined by itself for minutes; a connection that works again
  // starts the count afresh.
  const selfRetried = useRef(0);
  const lostAt = useRef<number | undefined>(undefined);
  const cancelSelfRetry = useRef<() => void>(() => {});
  const failed = (error: unknown): Phase => {
    const lost = lostAt.current !== undefined;
    const retryInSeconds = lost
      ? lostRejoinAfter(error, Date.now() - lostAt.current!, selfRetried.current)
      : selfRetried.current < selfRetries
        ? selfRetryAfter(error)
        : undefined;
    return { kind: 'failed', error, retryInSeconds, lost };
  };
  useEffect(() => {
    if (phase.kind === 'live') {
      selfRetried.current = 0;
      lostAt.current = undefined;
    }
    if (phase.kind !== 'failed' || phase.retryInSeconds === undefined) return;
    selfRetried.current += 1;
    // The browser saying it is online again is a better moment than the timer's; whichever comes first, once.
    const again = () => {
      stop();
      setAttempt((n) => n + 1);
    };
    const timer = setTimeout(again, phase.retryInSeconds * 1000);
    const stop = () => {
      clearTimeout(timer);
      window.removeEventListener('online', again);
    };
    window.addEventListener('online', again);
    cancelSelfRetry.current = stop;
    return stop;
  }, [phase]);

  useEffect(() => {
    let cancelled = false;
    const agentSaid = () => knownEndReason(lastAgentAttributes.current['interview.end_reason']);
    const onDisconnected = (reason?: DisconnectReason) => {
      if (cancelled) return;
      // The API's answer to our own end says why it ended, which is not us if the agent got there first.
      if (endedByUs.current) {
        const answer = endedByUs.current.answer;
        return onEnded((answer && endReasonOf(answer)) ?? 'candidate_ended');
      }
      // The agent and the reconciler delete the room when the interview is over; anything else may be a lost
      // connection, unless the API says otherwise.
      const roomDeleted = reason === DisconnectReason.ROOM_DELETED;
      if (roomDeleted) setPhase({ kind: 'ending' });
      void settleEnding(token.current, roomDeleted, agentSaid()).then((ended) => {
        if (cancelled) return;
        if (ended) return onEnded(ended);
        // Removed by the server, or the same participant joined from elsewhere: a decision, not a lost connection,
        // so trying again is left to the candidate.
        const decided = reason === DisconnectReason.PARTICIPANT_REMOVED || reason === DisconnectReason.DUPLICATE_IDENTITY;
        if (!decided) lostAt.current ??= Date.now();
        setPhase(failed(new ApiError(0, 'network')));
      });
    };
    const onAttributes = (
      _changed: Record<string, string>,
      participant: { isAgent?: boolean; attributes: Record<string, string> },
    ) => {
      if (participant.isAgent) lastAgentAttributes.current = { ...participant.attributes };
    };
    room.on(RoomEvent.Disconnected, onDisconnected);
    room.on(RoomEvent.ParticipantAttributesChanged, onAttributes);
    setMicSettled(false);
    (async () => {
      let current = session;
      // A token from the join is short-lived; after a long check or a lost connection, join again for a fresh one
      // (the API gives back the same identity, so the agent keeps talking to the same candidate).
      if (attempt > 0 || Date.parse(current.tokenExpiresAt) - Date.now() < 30_000) {
        current = await joinInterview(interviewRef, request);
        if (cancelled) return;
        token.current = current.token;
        setSession(current);
      }
      await room.connect(current.serverUrl, current.token);
      if (cancelled) return;
      setPhase({ kind: 'live' });
      // Typed only: asking for the microphone again would only bring back the browser's refusal or prompt.
      if (!typedOnly) {
        await room.localParticipant.setMicrophoneEnabled(true, deviceId ? { deviceId } : undefined).catch(() => {
          // Without a microphone the typed answers still work; the mute button shows the state.
        });
      }
      // A mute pressed while the microphone was still being published could be undone by the publish finishing.
      if (!cancelled) setMicSettled(true);
    })().catch(async (error: unknown) => {
      // A join refused because the interview is over (it ended while the candidate was away): say how it ended.
      const ended =
        error instanceof ApiError && error.code === 'not_found'
          ? await settleEnding(token.current, false, agentSaid())
          : undefined;
      if (cancelled) return;
      if (ended) onEnded(ended);
      else setPhase(failed(error));
    });
    return () => {
      cancelled = true;
      room.off(RoomEvent.Disconnected, onDisconnected);
      room.off(RoomEvent.ParticipantAttributesChanged, onAttributes);
      void room.disconnect();
    };
    // `session` is refreshed inside; reconnect only on a new attempt.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [room, attempt]);

  if (phase.kind === 'ending') {
    return (
      <section className="card narrow">
        <h1 tabIndex={-1}>{t('interview.title')}</h1>
        <p role="status">{t('interview.ending')}</p>
      </section>
    );
  }

  if (phase.kind === 'failed') {
    const retry = () => {
      cancelSelfRetry.current();
      setAttempt((n) => n + 1);
    };
    if (phase.lost && phase.retryInSeconds !== undefined) {
      return (
        <RetryCard
          title="interview.title"
          message={{ key: 'interview.rejoining' }}
          pending={{ hint: 'interview.rejoiningHint', button: 'interview.rejoinNow' }}
          onRetry={retry}
        />
      );
    }
    const message = phase.error instanceof ApiError ? errorMessage(phase.error) : { key: 'interview.failed' as const };
    return <RetryCard title="interview.title" message={message} onRetry={retry} />;
  }

  return (
    <RoomContext.Provider value={room}>
      <RoomAudioRenderer />
      <InterviewView
        session={session}
        connecting={phase.kind === 'connecting'}
        micSettled={micSettled}
        noMicrophone={typedOnly}
        startedAt={startedAt.current}
        coding={coding}
        onEnd={async () => {
          endedByUs.current = { answer: undefined };
          endedByUs.current.answer = await endSession(token.current).catch(() => undefined);
          await room.disconnect();
        }}
      />
    </RoomContext.Provider>
  );
}

interface Line {
  id: string;
  who: 'you' | 'interviewer';
  text: string;
  at: number;
  final: boolean;
}

function InterviewView({
  session,
  connecting,
  micSettled,
  noMicrophone,
  startedAt,
  coding,
  onEnd,
}: {
  session: Session;
  connecting: boolean;
  micSettled: boolean;
  noMicrophone: boolean;
  startedAt: number;
  coding: ReturnType<typeof useCodingProblem>;
  onEnd(): Promise<void>;
}) {
  const { t } = useI18n();
  const connection = useConnectionState();
  const { state, audioTrack, agent, agentAttributes } = useVoiceAssistant();
  const transcriptions = useTranscriptions();
  const { localParticipant, isMicrophoneEnabled, microphoneTrack } = useLocalParticipant();
  const [typed, setTyped] = useState<Line[]>([]);
  const [confirming, setConfirming] = useState(false);
  const [ending, setEnding] = useState(false);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  const lines = useMemo(() => {
    const spoken: Line[] = transcriptions
      .filter((s) => s.text.trim())
      .map((s) => ({
        id: s.streamInfo.id,
        who: s.participantInfo.identity === session.identity ? 'you' : 'interviewer',
        text: s.text,
        at: s.streamInfo.timestamp,
        final: s.streamInfo.attributes?.['lk.transcription_final'] === 'true',
      }));
    return [...spoken, ...typed].sort((a, b) => a.at - b.at);
  }, [transcriptions, typed, session.identity]);

  const progress = questionProgress(agentAttributes);
  const question = usePinnedQuestion(progress?.n, lines);
  // The server's deadline (from the join, so a reload keeps counting from where it was), the agent's own when it
  // says, the page's estimate only before the interview has started.
  const deadline = session.deadlineAt
    ? Date.parse(session.deadlineAt)
    : startedAt + session.maxDurationMinutes * 60_000;
  const remainingMs = endsAt(agentAttributes, deadline) - now;
  const typedOnly = session.answers === 'typed' || noMicrophone;
  const reconnecting = connection === ConnectionState.Reconnecting || connection === ConnectionState.SignalReconnecting;
  const agentState =
    connecting || connection === ConnectionState.Connecting
      ? 'connecting'
      : !agent
        ? 'waiting'
        : state === 'disconnected' || state === 'pre-connect-buffering'
          ? 'initializing'
          : state;

  return (
    <section className={coding.problem ? 'interview with-coding' : 'interview'} aria-labelledby="interview-title">
      <h1 id="interview-title" className="visually-hidden" tabIndex={-1}>
        {t('interview.title')}
      </h1>
      {coding.problem ? (
        <Suspense fallback={<p role="status">{t('common.loading')}</p>}>
          <CodingEditor
            message={coding.problem}
            participant={localParticipant}
            storageKey={session.identity}
            reconnects={coding.reconnects}
          />
        </Suspense>
      ) : null}
      <div className="conversation">
        {reconnecting ? (
          <p className="banner" role="alert" data-testid="reconnecting">
            {t('interview.reconnecting')}
          </p>
        ) : null}
        {typedOnly ? (
          <p className="notice typed-only" data-testid="typed-only">
            {t('interview.typedOnly')}
          </p>
        ) : null}
        <div className="interview-top card">
          <div className="agent-state" data-state={agentState} data-testid="agent-state">
            <Visualiser track={audioTrack} active={agentState === 'speaking'} />
            <p role="status">{t(`interview.state.${agentState}` as 'interview.state.idle')}</p>
          </div>
          <div className="meta">
            {progress ? (
              <p data-testid="question-counter">{t('interview.question', { n: progress.n, total: progress.total })}</p>
            ) : null}
            <p data-testid="time-left">{t('interview.remaining', { time: formatDuration(remainingMs) })}</p>
            {!typedOnly && isMicrophoneEnabled && microphoneTrack?.track ? (
              <MicLevel track={microphoneTrack.track as LocalAudioTrack} />
            ) : null}
          </div>
        </div>

        {question ? (
          <section
            className="card current-question"
            aria-labelledby="current-question-title"
            data-testid="current-question"
          >
            <h2 id="current-question-title">
              {t('interview.currentQuestion')}
              {progress ? ` (${t('interview.question', { n: progress.n, total: progress.total })})` : ''}
            </h2>
            {/* The interview's language, whatever the page's (the candidate may have switched it). */}
            <p dir={textDirection(question)} lang={session.language}>
              {question}
            </p>
          </section>
        ) : null}

        <Transcript lines={lines} interviewerSpeaking={agentState === 'speaking'} language={session.language} />

        <TypedAnswer
          typedOnly={typedOnly}
          disabled={connecting || !agent}
          onSend={async (text) => {
            await localParticipant.sendText(text, { topic: 'lk.chat' });
            setTyped((list) => [
              ...list,
              { id: `typed-${Date.now()}`, who: 'you', text, at: Date.now(), final: false },
            ]);
          }}
        />

        <div className="controls card">
          {/* Until the microphone is published there is nothing to mute: say so, not a greyed "Unmute". */}
          {noMicrophone ? null : connecting || !micSettled ? (
            <p role="status" data-testid="mic-starting">
              {t('interview.micStarting')}
            </p>
          ) : (
            <button
              type="button"
              aria-pressed={!isMicrophoneEnabled}
              onClick={() => void localParticipant.setMicrophoneEnabled(!isMicrophoneEnabled)}
            >
              {isMicrophoneEnabled ? t('interview.mute') : t('interview.unmute')}
            </button>
          )}
          {!isMicrophoneEnabled && micSettled && !noMicrophone ? (
            <p className="field-error">{t('interview.muted')}</p>
          ) : null}
          {confirming ? (
            <div role="alertdialog" aria-labelledby="end-confirm" className="confirm">
              <p id="end-confirm">{t('interview.endConfirm')}</p>
              <div className="button-row">
                <button
                  type="button"
                  className="danger"
                  disabled={ending}
                  onClick={() => {
                    setEnding(true);
                    void onEnd();
                  }}
                >
                  {t('interview.endYes')}
                </button>
                <button type="button" autoFocus onClick={() => setConfirming(false)}>
                  {t('interview.endNo')}
                </button>
              </div>
            </div>
          ) : (
            <button type="button" className="danger" onClick={() => setConfirming(true)}>
              {t('interview.end')}
            </button>
          )}
        </div>
      </div>
    </section>
  );
}

// On a touch screen Enter starts a new line (there is no Shift key to hand), and the Send button sends.
const coarsePointer = () => window.matchMedia?.('(pointer: coarse)').matches ?? false;

function TypedAnswer({
  disabled,
  typedOnly,
  onSend,
}: {
  disabled: boolean;
  typedOnly: boolean;
  onSend(text: string): Promise<void>;
}) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [touch] = useState(coarsePointer);
  async function submit(event?: FormEvent) {
    event?.preventDefault();
    const value = text.trim();
    if (!value || sending) return;
    setSending(true);
    try {
      await onSend(value);
      setText('');
    } finally {
      setSending(false);
    }
  }
  return (
    <form className="card typed" onSubmit={submit}>
      <label htmlFor="typed-answer">{typedOnly ? t('interview.typedOnlyLabel') : t('interview.typeLabel')}</label>
      <p id="typed-hint" className="hint">
        {typedOnly ? null : <span>{t('interview.typeHint')} </span>}
        {touch ? null : <span className="fine-pointer-only">{t('interview.typeEnter')}</span>}
      </p>
      <div className="typed-row">
        <textarea
          id="typed-answer"
          rows={2}
          value={text}
          dir="auto"
          aria-describedby="typed-hint"
          onChange={(event) => setText(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey && !touch) {
              event.preventDefault();
              void submit();
            }
          }}
        />
        <button type="submit" className="primary" disabled={disabled || sending || !text.trim()}>
          {t('interview.send')}
        </button>
      </div>
    </form>
  );
}

/** The candidate's own microphone, as LiveKit sends it: proof that they are heard. */
function MicLevel({ track }: { track: LocalAudioTrack }) {
  const { t } = useI18n();
  const volume = Math.min(1, useTrackVolume(track) * 2);
  return (
    <div className="mic-level">
      <span id="mic-level-label" className="label">
        {t('interview.micLevel')}
      </span>
      <div
        className="meter"
        role="meter"
        aria-labelledby="mic-level-label"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(volume * 100)}
        data-testid="mic-level"
      >
        <div className="meter-bar" style={{ inlineSize: `${Math.round(volume * 100)}%` }} />
      </div>
    </div>
  );
}

/**
 * The question being asked, in its own card: the interviewer's reply since the candidate last spoke, when the agent
 * moves the counter to it (`interview.question`), kept until the next question, however long the conversation in
 * between. The counter is published as the flow moves, so it may arrive before the question's line has started: then
 * the next line the interviewer says is the one (never the line before the candidate's answer, e.g. the greeting).
 * Meanwhile the card keeps the previous question rather than jumping out of the layout.
 */
function usePinnedQuestion(n: number | undefined, lines: Line[]): string | null {
  const [pinned, setPinned] = useState<{ n: number; id: string | null; before: string | null } | null>(null);
  const lastAnswer = lines.findLastIndex((line) => line.who === 'you');
  const reply = lines.slice(lastAnswer + 1).findLast((line) => line.who === 'interviewer');
  useEffect(() => {
    if (n === undefined) return;
    if (pinned?.n !== n) setPinned({ n, id: reply?.id ?? null, before: pinned?.id ?? pinned?.before ?? null });
    else if (pinned.id === null && reply) setPinned({ ...pinned, id: reply.id });
  }, [n, reply, pinned]);
  const id = pinned?.id ?? pinned?.before;
  return id ? (lines.find((line) => line.id === id)?.text ?? null) : null;
}

// The bands follow the interviewer's voice only while it speaks; between turns the analyser can hold stale
// values, which drew full bars under "Listening".
function Visualiser({ track, active }: { track: ReturnType<typeof useVoiceAssistant>['audioTrack']; active: boolean }) {
  const bands = useMultibandTrackVolume(track, { bands: 7, loPass: 100, hiPass: 200 });
  return (
    <div className="visualiser" aria-hidden="true">
      {Array.from({ length: 7 }, (_, i) => (
        <span key={i} style={{ blockSize: `${Math.round(8 + (active ? (bands[i] ?? 0) : 0) * 56)}px` }} />
      ))}
    </div>
  );
}

/**
 * The visible transcript grows word by word, which a screen reader would read out in fragments; a hidden live
 * region announces each line once, when it is final. The visible list keeps the newest line in view.
 */
function Transcript({
  lines,
  interviewerSpeaking,
  language,
}: {
  lines: Line[];
  interviewerSpeaking: boolean;
  /** The interview's language: what the lines are spoken in, whatever the page's own language. */
  language: string;
}) {
  const { t } = useI18n();
  const listRef = useRef<HTMLOListElement | null>(null);
  const last = lines.at(-1);
  useEffect(() => {
    const list = listRef.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [lines.length, last?.text]);
  // The interviewer's streamed reply does not always carry the final flag: a reply is complete once a newer line
  // follows it or the interviewer has stopped speaking.
  const complete = (line: Line, i: number) =>
    line.final || i < lines.length - 1 || (line.who === 'interviewer' && !interviewerSpeaking);
  const announced = lines.filter(complete).slice(-3);
  return (
    <div className="card transcript-card">
      <h2 id="transcript-title">{t('interview.transcript')}</h2>
      {lines.length === 0 ? <p className="hint">{t('interview.transcriptEmpty')}</p> : null}
      <ol
        ref={listRef}
        className="transcript"
        aria-labelledby="transcript-title"
        tabIndex={lines.length ? 0 : -1}
        data-testid="transcript"
      >
        {lines.map((line) => (
          <li key={line.id} className={line.who} data-who={line.who}>
            <span className="who">{line.who === 'you' ? t('interview.you') : t('interview.interviewer')}</span>
            {/* Each line takes its own direction: the interviewer may speak English on an Arabic page. */}
            <span className="text" dir={textDirection(line.text)} lang={language}>
              {line.text}
            </span>
          </li>
        ))}
      </ol>
      <div className="visually-hidden" aria-live="polite" aria-relevant="additions" data-testid="transcript-announcer">
        {announced.map((line) => (
          <p key={line.id}>
            {line.who === 'you' ? t('interview.you') : t('interview.interviewer')}: {line.text}
          </p>
        ))}
      </div>
    </div>
  );
}
