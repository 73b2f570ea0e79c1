import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { LanguageSwitch, useI18n } from './i18n/i18n.tsx';
import { type InterviewRef, type JoinRequest, type Session } from './lib/api.ts';
import {
  forgetRoomCode,
  go,
  parseLocation,
  rememberedInvitation,
  rememberedRoomCode,
  rememberInvitation,
  rememberRoomCode,
  type Route,
} from './lib/route.ts';
import { CodeEntryPage } from './pages/code-entry.tsx';
import { DonePage, type EndReason } from './pages/done.tsx';
import { JoinPage } from './pages/join.tsx';
import { PreparePage } from './pages/prepare.tsx';

// LiveKit is only needed once the candidate starts talking: its code is a separate chunk, loaded on the way.
const InterviewPage = lazy(() => import('./pages/interview.tsx'));
// Self-scheduling is a page of its own, reached only from an invitation e-mail: it stays out of the join page's load.
const SchedulePage = lazy(() => import('./pages/schedule.tsx'));

type Stage =
  | { page: 'entry' }
  | { page: 'join'; ref: InterviewRef; rejoin: boolean }
  | {
      page: 'prepare' | 'interview';
      ref: InterviewRef;
      session: Session;
      request: JoinRequest;
      deviceId?: string;
      // No microphone, and the company allows typed answers: the interview publishes no audio.
      typedOnly?: boolean;
    }
  | { page: 'done'; reason: EndReason; companyName?: string; contactEmail?: string | null; ref?: InterviewRef }
  | { page: 'schedule'; token: string | null };

function initialStage(route: Route): Stage {
  if (route.page === 'join') return { page: 'join', ref: route.ref, rejoin: false };
  if (route.page === 'schedule') {
    // The invitation's token leaves the address bar (and so the history, bookmarks and screenshots) at once; this
    // tab keeps it, so a reload of /schedule still finds the invitation.
    if (route.token) {
      rememberInvitation(route.token);
      go('/schedule', true);
    }
    return { page: 'schedule', token: route.token ?? rememberedInvitation() };
  }
  if (route.page === 'resume' || route.page === 'done') {
    // Nothing of the session survives a reload; the room code brings the candidate back to the same interview.
    const code = rememberedRoomCode();
    if (code && route.page === 'resume') {
      go(`/join/${code}`, true);
      return { page: 'join', ref: { kind: 'code', code }, rejoin: true };
    }
    // The session (and so the reason) is gone after a reload: say it ended, without claiming how.
    if (route.page === 'done') return { page: 'done', reason: 'ended' };
  }
  go('/join', true);
  return { page: 'entry' };
}

async function microphoneGranted(): Promise<boolean> {
  try {
    const status = await navigator.permissions?.query({ name: 'microphone' as PermissionName });
    return status?.state === 'granted';
  } catch {
    return false;
  }
}

/**
 * The interview page's frame while its code (LiveKit) is still on the way: the candidate is on the interview page
 * at once, connecting, instead of a bare "Loading…".
 */
function InterviewLoading() {
  const { t } = useI18n();
  return (
    <section className="interview" aria-labelledby="interview-title">
      <h1 id="interview-title" className="visually-hidden" tabIndex={-1}>
        {t('interview.title')}
      </h1>
      <div className="interview-top card">
        <div className="agent-state" data-state="connecting" data-testid="agent-state">
          <p role="status">{t('interview.state.connecting')}</p>
        </div>
      </div>
    </section>
  );
}

export function App() {
  const { t } = useI18n();
  const [stage, setStage] = useState<Stage>(() => initialStage(parseLocation(window.location)));

  useEffect(() => {
    const onPop = () => {
      const route = parseLocation(window.location);
      // Back to /schedule without the token: the one in memory still holds.
      setStage((current) =>
        route.page === 'schedule' && !route.token && current.page === 'schedule' ? current : initialStage(route),
      );
    };
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  useEffect(() => {
    document.title = t('app.title');
    // Move focus to the new page's heading so screen readers announce the change of step.
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [stage.page, t]);

  const onJoined = useCallback(
    async (ref: InterviewRef, roomCode: string, session: Session, request: JoinRequest, rejoin: boolean) => {
      rememberRoomCode(roomCode);
      // Back after a reload with the microphone already allowed: the checks were done, straight into the interview.
      if (rejoin && (await microphoneGranted())) {
        go('/interview', true);
        return setStage({ page: 'interview', ref, session, request });
      }
      go('/prepare', true);
      setStage({ page: 'prepare', ref, session, request });
    },
    [],
  );

  const onEnded = useCallback((reason: EndReason, session?: Session, ref?: InterviewRef) => {
    forgetRoomCode();
    go('/done', true);
    setStage({
      page: 'done',
      reason,
      ...(session ? { companyName: session.companyName, contactEmail: session.contactEmail } : {}),
      ...(ref ? { ref } : {}),
    });
  }, []);

  let content;
  switch (stage.page) {
    case 'entry':
      content = (
        <CodeEntryPage
          onCode={(code) => {
            go(`/join/${code}`);
            setStage({ page: 'join', ref: { kind: 'code', code }, rejoin: false });
          }}
        />
      );
      break;
    case 'join':
      content = (
        <JoinPage
          key={JSON.stringify(stage.ref)}
          interviewRef={stage.ref}
          rejoin={stage.rejoin}
          onJoined={(ref, code, session, request) => void onJoined(ref, code, session, request, stage.rejoin)}
        />
      );
      break;
    case 'prepare':
      content = (
        <PreparePage
          serverUrl={stage.session.serverUrl}
          token={stage.session.token}
          typedAnswersAllowed={stage.session.typedAnswersAllowed}
          onReady={(deviceId, typedOnly) => {
            go('/interview', true);
            setStage({ ...stage, page: 'interview', ...(deviceId ? { deviceId } : {}), ...(typedOnly ? { typedOnly } : {}) });
          }}
        />
      );
      break;
    case 'interview':
      content = (
        <Suspense fallback={<InterviewLoading />}>
          <InterviewPage
            interviewRef={stage.ref}
            session={stage.session}
            request={stage.request}
            {...(stage.deviceId ? { deviceId: stage.deviceId } : {})}
            typedOnly={stage.typedOnly ?? false}
            onEnded={(reason) => onEnded(reason, stage.session, stage.ref)}
          />
        </Suspense>
      );
      break;
    case 'done':
      content = (
        <DonePage
          reason={stage.reason}
          {...(stage.companyName ? { companyName: stage.companyName, contactEmail: stage.contactEmail } : {})}
          {...(stage.ref ? { interviewRef: stage.ref } : {})}
        />
      );
      break;
    case 'schedule':
      content = (
        <Suspense fallback={<p role="status">{t('common.loading')}</p>}>
          <SchedulePage token={stage.token} />
        </Suspense>
      );
      break;
  }

  return (
    <>
      <header className="topbar">
        <span className="brand">{t('app.title')}</span>
        <LanguageSwitch />
      </header>
      <main id="main">{content}</main>
    </>
  );
}
