import { useCallback, useEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { levelMeter, playTestTone } from '../lib/audio-level.ts';

type Mic = 'unasked' | 'asking' | 'granted' | 'denied' | 'none';
type Conn = 'checking' | 'ok' | 'failed';

function supportProblems(): ('prepare.supportSecure' | 'prepare.supportWebrtc' | 'prepare.supportMedia')[] {
  const problems: ('prepare.supportSecure' | 'prepare.supportWebrtc' | 'prepare.supportMedia')[] = [];
  if (!window.isSecureContext) problems.push('prepare.supportSecure');
  if (typeof RTCPeerConnection !== 'function') problems.push('prepare.supportWebrtc');
  if (!navigator.mediaDevices?.getUserMedia) problems.push('prepare.supportMedia');
  return problems;
}

/**
 * Asks the LiveKit server to validate this session's token for its room, the way livekit-client does after a
 * failed connect: it proves the server is reachable from this network and will admit us, without joining (joining
 * would start the greeting).
 */
async function serverAdmits(serverUrl: string, token: string): Promise<boolean> {
  const url = new URL(serverUrl.replace(/^ws/, 'http'));
  url.pathname = `${url.pathname.replace(/\/$/, '')}/rtc/validate`;
  url.searchParams.set('access_token', token);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 8000);
  try {
    const response = await fetch(url, { cache: 'no-store', signal: controller.signal });
    return response.ok;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

const speechThreshold = 0.08;
const speechNeededMs = 400;

export function PreparePage({
  serverUrl,
  token,
  typedAnswersAllowed,
  onReady,
}: {
  serverUrl: string;
  token: string;
  /** The company lets a candidate without a working microphone type every answer. */
  typedAnswersAllowed: boolean;
  /** typedOnly: the candidate has no microphone and types; the interview must not try to open one. */
  onReady(deviceId: string | undefined, typedOnly?: boolean): void;
}) {
  const { t } = useI18n();
  const [problems] = useState(supportProblems);
  const [mic, setMic] = useState<Mic>('unasked');
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  const [deviceId, setDeviceId] = useState<string | undefined>(undefined);
  const [heard, setHeard] = useState(false);
  const [speaker, setSpeaker] = useState<'idle' | 'playing' | 'played' | 'confirmed'>('idle');
  const [conn, setConn] = useState<Conn>('checking');
  const [connAttempt, setConnAttempt] = useState(0);
  const streamRef = useRef<MediaStream | null>(null);
  const barRef = useRef<HTMLDivElement | null>(null);

  const openMic = useCallback(async (id?: string) => {
    setMic('asking');
    streamRef.current?.getTracks().forEach((track) => track.stop());
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: id ? { deviceId: { exact: id } } : true });
      streamRef.current = stream;
      const all = await navigator.mediaDevices.enumerateDevices();
      setDevices(all.filter((d) => d.kind === 'audioinput' && d.deviceId));
      setDeviceId(stream.getAudioTracks()[0]?.getSettings().deviceId ?? id);
      setMic('granted');
    } catch (error) {
      const name = (error as DOMException)?.name;
      setMic(name === 'NotFoundError' || name === 'OverconstrainedError' ? 'none' : 'denied');
    }
  }, []);

  // Ask at once when permission was already given; otherwise wait for the button, so the prompt is expected.
  useEffect(() => {
    if (problems.length) return;
    navigator.permissions
      ?.query({ name: 'microphone' as PermissionName })
      .then((status) => {
        if (status.state === 'granted') void openMic();
        if (status.state === 'denied') setMic('denied');
      })
      .catch(() => {});
  }, [openMic, problems.length]);

  useEffect(() => () => streamRef.current?.getTracks().forEach((track) => track.stop()), []);

  // The interview page's chunk (LiveKit, the largest) downloads while the candidate checks the microphone, so Start
  // opens the interview at once even on a slow line; the lazy import in app.tsx then finds it already loaded.
  useEffect(() => {
    void import('./interview.tsx').catch(() => {});
  }, []);

  // The level bar is drawn straight into the DOM each frame; React only hears about the "heard you" moment.
  useEffect(() => {
    const stream = streamRef.current;
    if (mic !== 'granted' || !stream) return;
    const meter = levelMeter(stream);
    let frame = 0;
    let last = performance.now();
    let loudMs = 0;
    let peak = 0;
    const tick = (now: number) => {
      const level = meter.read();
      peak = Math.max(peak, level);
      if (level > speechThreshold) loudMs += now - last;
      last = now;
      if (loudMs >= speechNeededMs) setHeard(true);
      const bar = barRef.current;
      if (bar) {
        bar.style.inlineSize = `${Math.round(level * 100)}%`;
        bar.parentElement?.setAttribute('aria-valuenow', String(Math.round(level * 100)));
        bar.parentElement?.setAttribute('data-peak', String(Math.round(peak * 100)));
      }
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => {
      cancelAnimationFrame(frame);
      meter.close();
    };
  }, [mic, deviceId]);

  useEffect(() => {
    let live = true;
    setConn('checking');
    serverAdmits(serverUrl, token).then((ok) => live && setConn(ok ? 'ok' : 'failed'));
    return () => {
      live = false;
    };
  }, [serverUrl, token, connAttempt]);

  if (problems.length) {
    return (
      <section className="card narrow">
        <h1 tabIndex={-1}>{t('prepare.title')}</h1>
        <h2>{t('prepare.support')}</h2>
        {problems.map((key) => (
          <p key={key} className="field-error" role="alert">
            {t(key)}
          </p>
        ))}
      </section>
    );
  }

  const ready = mic === 'granted' && conn === 'ok';
  const typedOffer = typedAnswersAllowed && (mic === 'denied' || mic === 'none');
  return (
    <section className="card prepare">
      <h1 tabIndex={-1}>{t('prepare.title')}</h1>
      <p className="field-ok">{t('prepare.supportOk')}</p>

      <h2>{t('prepare.micTitle')}</h2>
      {mic === 'unasked' || mic === 'asking' ? (
        <>
          <p>{t('prepare.micExplain')}</p>
          <button type="button" className="primary" disabled={mic === 'asking'} onClick={() => void openMic()}>
            {mic === 'asking' ? t('prepare.micAsking') : t('prepare.micAsk')}
          </button>
        </>
      ) : null}
      {mic === 'denied' || mic === 'none' ? (
        <div role="alert" className="problem" data-testid="mic-problem">
          <p className="field-error">{mic === 'denied' ? t('prepare.micDenied') : t('prepare.micNone')}</p>
          {mic === 'denied' ? <p>{t('prepare.micDeniedHelp')}</p> : null}
          {typedAnswersAllowed ? null : <p data-testid="mic-needed">{t('prepare.micNeeded')}</p>}
          <button type="button" onClick={() => void openMic()}>
            {t('common.retry')}
          </button>
        </div>
      ) : null}
      {mic === 'granted' ? (
        <>
          <label htmlFor="mic-device">{t('prepare.device')}</label>
          <select
            id="mic-device"
            value={deviceId ?? ''}
            onChange={(event) => {
              setHeard(false);
              void openMic(event.target.value);
            }}
          >
            {devices.map((d, i) => (
              <option key={d.deviceId} value={d.deviceId}>
                {d.label || `${t('prepare.micTitle')} ${i + 1}`}
              </option>
            ))}
          </select>
          <p id="level-label" className="label">
            {t('prepare.level')}
          </p>
          <div
            className="meter"
            role="meter"
            aria-labelledby="level-label"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={0}
            data-testid="level-meter"
          >
            <div className="meter-bar" ref={barRef} />
          </div>
          <h3>{t('prepare.sayTitle')}</h3>
          <p role="status" className={heard ? 'field-ok' : undefined} data-testid="say-check">
            {heard ? t('prepare.sayOk') : t('prepare.sayPrompt')}
          </p>
        </>
      ) : null}

      <h2>{t('prepare.speakerTitle')}</h2>
      <div className="button-row">
        <button
          type="button"
          disabled={speaker === 'playing'}
          onClick={() => {
            setSpeaker('playing');
            void playTestTone().finally(() => setSpeaker((s) => (s === 'playing' ? 'played' : s)));
          }}
        >
          {speaker === 'playing' ? t('prepare.speakerPlaying') : t('prepare.speakerPlay')}
        </button>
        {speaker === 'played' ? (
          <button type="button" onClick={() => setSpeaker('confirmed')}>
            {t('prepare.speakerHeard')}
          </button>
        ) : null}
      </div>
      {speaker === 'confirmed' ? <p className="field-ok">{t('prepare.speakerOk')}</p> : null}

      <h2>{t('prepare.connTitle')}</h2>
      <p
        role="status"
        className={conn === 'ok' ? 'field-ok' : conn === 'failed' ? 'field-error' : undefined}
        data-testid="conn-check"
      >
        {conn === 'checking' ? t('prepare.connChecking') : conn === 'ok' ? t('prepare.connOk') : t('prepare.connFail')}
      </p>
      {conn === 'failed' ? (
        <button type="button" onClick={() => setConnAttempt((n) => n + 1)}>
          {t('common.retry')}
        </button>
      ) : null}

      <div className="start">
        <p className="hint">{t(typedOffer ? 'prepare.typedOffer' : 'prepare.startHint')}</p>
        {typedOffer ? (
          // Next to Start, in its sticky bar: on a phone the way on stays in view while the help above scrolls.
          <button
            type="button"
            className="primary typed-start"
            data-testid="typed-start"
            // The room must admit us, as for Start.
            disabled={conn !== 'ok'}
            onClick={() => onReady(undefined, true)}
          >
            {t('prepare.typedStart')}
          </button>
        ) : null}
        <button
          type="button"
          className="primary"
          disabled={!ready}
          onClick={() => {
            // The interview opens the microphone itself, with the same device.
            streamRef.current?.getTracks().forEach((track) => track.stop());
            onReady(deviceId);
          }}
        >
          {t('prepare.start')}
        </button>
      </div>
    </section>
  );
}
