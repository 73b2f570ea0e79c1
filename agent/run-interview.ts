import { voice, type JobContext, type VAD } from '@livekit/agents';
import { ConnectionState, ParticipantKind, RoomEvent, type RemoteParticipant } from '@livekit/rtc-node';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  candidateView,
  codeAckTopic,
  codeStreamTopic,
  problemStreamTopic,
  type CodeAck,
  type ProblemMessage,
} from '../shared/coding/coding.schema.ts';
import type { Database } from '../shared/db/schema.ts';
import { createCodeSession } from './code-session.ts';
import { candidateArrived, endInterview, interviewerLeftNoShow } from '../shared/interview-lifecycle.ts';
import type { AgentConfig } from './config.ts';
import { loadInterviewContext } from './interview-context.ts';
import { createInterviewFlow, type EndReason } from './interview-flow.ts';
import { InterviewerAgent } from './interviewer.ts';
import { createTranscriptWriter, loadStoredProgress, recordConsent, summarizeTurnMetrics } from './persistence.ts';
import { createInterviewSession, createInterviewTts } from './pipeline.ts';
import { prepareRecording } from './recording.ts';
import { presynthesize } from './speech/presynthesis.ts';
import * as script from './script.ts';

// One interview, from dispatch to a deleted room. Every final turn is written as it happens; the end is written
// (status and reason) before the room goes, so a crash after that point loses nothing.

const dispatchMetadata = z.object({ interviewId: z.uuid() });

export interface InterviewDeps {
  config: AgentConfig;
  db: Kysely<Database>;
  vad: VAD;
  log: Logger;
}

export async function runInterview(job: JobContext, deps: InterviewDeps): Promise<void> {
  const { config, db } = deps;
  const parsed = dispatchMetadata.safeParse(safeJson(job.job.metadata));
  if (!parsed.success) {
    deps.log.error({ room: job.job.room?.name }, 'dispatch without a valid interviewId; leaving');
    job.shutdown('invalid dispatch metadata');
    return;
  }
  const { interviewId } = parsed.data;
  const log = deps.log.child({ interviewId });
  const started = Date.now();
  const loaded = await loadInterviewContext(db, interviewId);
  // Without speech recognition (local mode) answers are typed, and the interviewer says so in its own words.
  const context = loaded && { ...loaded, typedAnswers: config.providers === null };
  log.debug({ ms: Date.now() - started }, 'interview loaded');
  if (!context || (context.status !== 'scheduled' && context.status !== 'in_progress')) {
    log.warn({ status: context?.status }, 'interview is not open; leaving');
    job.shutdown('interview not open');
    return;
  }
  const flow = createInterviewFlow(context, { wrapUpAt: config.conversation.wrapUpAt });
  // An interview already in progress lost its interviewer (its job process died; the API dispatched this one): it
  // goes on where the stored transcript and consent left it, with no second greeting or consent.
  const progress = context.status === 'in_progress' ? await loadStoredProgress(db, interviewId) : undefined;
  const resumeStep = progress && flow.resume(progress.turns, progress.consent);
  if (resumeStep) log.warn({ turns: progress.turns.length, stage: flow.stage }, 'resuming after the last interviewer stopped');
  // The greeting is fixed text: its synthesis starts now, while the room connection is still being set up.
  const voiceOut = createInterviewTts(config, context.language);
  const greeting = voiceOut && !resumeStep
    ? presynthesize(voiceOut, script.greeting(context), (error) =>
        log.warn({ err: error }, 'greeting not synthesised ahead'),
      )
    : undefined;
  void greeting?.firstFrame.then(() => log.debug({ ms: Date.now() - started }, 'greeting audio ready'));

  const session = createInterviewSession(config, {
    language: context.language,
    vad: deps.vad,
    tts: voiceOut,
    expectsLongAnswer: () => flow.stage === 'questions',
  });
  const writer = createTranscriptWriter(db, interviewId);
  const code = await createCodeSession(db, interviewId, context.plan.questions, log);
  const recording = await prepareRecording(job, { db, settings: config.recordings, log }, interviewId);
  job.addShutdownCallback(() => recording.finish());
  // Everything this interview schedules stops with its job: in a job host (agent/hosts) the process outlives the job,
  // and a stopped interviewer's silence watch or clock would otherwise end an interview that a new interviewer has
  // resumed since (its LiveKit node died, say).
  const timers = new Set<NodeJS.Timeout>();
  let over = false;
  const stopAll = () => {
    over = true;
    for (const t of timers) clearTimeout(t);
    timers.clear();
  };
  job.addShutdownCallback(async () => stopAll());
  const later = (ms: number, fn: () => void): NodeJS.Timeout | undefined => {
    if (over) return undefined;
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
    return t;
  };
  const cancel = (t: NodeJS.Timeout | undefined) => {
    if (t) {
      clearTimeout(t);
      timers.delete(t);
    }
  };

  // What the candidate's page shows beyond the SDK's own agent state: the question counter, when the interview
  // reaches its limit, and why it ended (web/src/pages/interview-attributes.ts reads them).
  // One update at a time: LiveKit's native library sends each on a task of its own, so two in flight could reach the
  // server in either order (the SDK's own agent state had that bug: test/agent/sdk-patches.test.ts).
  const published: Record<string, string> = {};
  let publishing: Promise<void> = Promise.resolve();
  const publish = (attributes: Record<string, string>): Promise<void> => {
    if (Object.entries(attributes).every(([k, v]) => published[k] === v)) return publishing;
    Object.assign(published, attributes);
    publishing = publishing.then(() =>
      job.room.localParticipant
        ?.setAttributes(attributes)
        .catch((error: unknown) => log.warn({ err: error }, 'attributes not published')),
    );
    return publishing;
  };

  // A coding question's problem reaches the candidate's page as the question starts: the candidate's view of it
  // only (no hidden tests, no reference solution). Sent again when they come back after a drop.
  let problemSent: string | undefined;
  const sendProblem = (again = false) => {
    const question = flow.stage === 'questions' ? flow.currentQuestion : undefined;
    if (!question?.coding || !candidateIdentity || (!again && problemSent === question.questionId)) return;
    problemSent = question.questionId;
    const message: ProblemMessage = {
      questionId: question.questionId,
      problem: candidateView(question.coding),
      voiceOnlyAllowed: context.job.codingVoiceOnly === true,
    };
    void job.room.localParticipant
      ?.sendText(JSON.stringify(message), { topic: problemStreamTopic, destinationIdentities: [candidateIdentity] })
      .catch((error: unknown) => log.warn({ err: error }, 'coding problem not sent'));
  };

  // The question counter and the deadline, as the flow stands. Published as soon as the flow moves (a question's
  // counter must show while it is being asked, not after) and again when each interviewer turn is stored.
  const publishProgress = () => {
    sendProblem();
    const asked = flow.currentQuestion;
    const position = asked ? context.plan.questions.findIndex((q) => q.questionId === asked.questionId) + 1 : 0;
    void publish({
      // Rounded to the second so the same deadline is not published again on every turn.
      ...(flow.started
        ? { 'interview.ends_at': new Date(Math.round((Date.now() + flow.msUntilTimeUp()) / 1000) * 1000).toISOString() }
        : {}),
      ...(position > 0 ? { 'interview.question': `${position}/${context.plan.questions.length}` } : {}),
    });
  };

  let ending: Promise<void> | undefined;
  let candidateIdentity: string | undefined;
  let userSpeech: { startedAt?: Date; endedAt?: Date } = {};

  const end = (reason: EndReason): Promise<void> => {
    // A job already stopped (its session closed) has no say in how the interview ends any more.
    if (over && !ending) {
      log.warn({ reason }, 'the interviewer has stopped; not ending the interview');
      return Promise.resolve();
    }
    ending ??= (async () => {
      stopAll();
      await Promise.all([writer.flush(), code.flush()]);
      await endInterview(db, interviewId, reason, { actor: 'agent' });
      await publish({ 'interview.end_reason': reason });
      const latency = await summarizeTurnMetrics(db, interviewId).catch(() => undefined);
      log.info({ reason, latency }, 'interview ended');
      await session.close().catch((error: unknown) => log.warn({ err: error }, 'session close failed'));
      await job
        .deleteRoom()
        .catch((error: unknown) => log.warn({ err: error }, 'room not deleted; the reconciler will'));
      await recording.finish();
      job.shutdown(reason);
    })();
    return ending;
  };

  // Silence watch: after the interviewer finishes speaking, wait for the candidate; prompt, then give up.
  let silencePrompts = 0;
  let silenceTimer: NodeJS.Timeout | undefined;
  const armSilence = (atLeastMs = 0) => {
    cancel(silenceTimer);
    // Before the greeting the candidate is not there yet: nothing to wait for.
    if (!flow.started || flow.stage === 'ended' || ending) return;
    silenceTimer = later(Math.max(config.conversation.silencePromptSeconds * 1000, atLeastMs), () => {
      if (flow.stage === 'ended' || ending) return;
      silencePrompts++;
      if (silencePrompts > config.conversation.silenceMaxPrompts) agent.perform(flow.unresponsive());
      else agent.perform({ say: script.silencePrompt(context) });
    });
  };

  // The SDK puts the end-of-turn and transcription delays on the candidate's message and the rest on the reply;
  // one metrics row per reply joins them.
  let userMetrics: { endOfTurnDelay?: number | undefined; transcriptionDelay?: number | undefined } = {};
  job.room.on(RoomEvent.LocalTrackSubscribed, () =>
    log.debug({ ms: Date.now() - started }, 'candidate subscribed to the voice'),
  );
  let candidateCame: (present: boolean) => void = () => {};
  const candidatePresent = new Promise<boolean>((resolve) => (candidateCame = resolve));
  const agent = new InterviewerAgent({
    context,
    flow,
    candidatePresent,
    ...(greeting ? { greetingAudio: () => greeting.stream() } : {}),
    ...(resumeStep ? { resume: { step: resumeStep, turns: progress!.turns } } : {}),
    generative: config.providers !== null,
    currentCode: (questionId) => code.tracker.current(questionId),
    hooks: {
      consent: (given, statement) =>
        recordConsent(db, {
          interviewId,
          given,
          noticeVersion: script.noticeVersion(context),
          noticeLanguage: context.language,
          noticeText: script.disclosure(context),
          candidateStatement: statement,
        }),
      end: (reason) => void end(reason),
      // The session closing before the interview's own end: the worker stopping (outside production it does not
      // drain), or the room gone. An interview the candidate had started ends with that reason.
      stopped: async () => {
        if (ending || !candidateIdentity) return;
        // The connection to LiveKit lost (its node died: LiveKit does not move rooms) is no end of the interview:
        // the candidate's rejoin opens the room again on a live node and a new interviewer resumes it. A room that
        // closed or was deleted is ended by the API (room_finished, the reconciler); a worker stopping, here.
        if (!job.room.isConnected) {
          log.warn('lost the connection to LiveKit; the interview waits for the candidate to rejoin');
          return;
        }
        stopAll();
        await Promise.all([writer.flush(), code.flush()]).catch(() => {});
        const { ended } = await endInterview(db, interviewId, 'interviewer_stopped', { actor: 'agent' });
        if (ended) log.warn('the interviewer stopped before the interview ended');
      },
      flowChanged: publishProgress,
      interviewerTurn: (item) => {
        const text = item.textContent ?? '';
        if (!text) return;
        publishProgress();
        const m = item.metrics ?? {};
        const replyTo = m.e2eLatency !== undefined ? userMetrics : {};
        if (m.e2eLatency !== undefined) userMetrics = {};
        const startedAt = m.startedSpeakingAt ? new Date(m.startedSpeakingAt * 1000) : new Date(item.createdAt);
        const endedAt = m.stoppedSpeakingAt ? new Date(m.stoppedSpeakingAt * 1000) : new Date();
        void writer
          .append(
            {
              speaker: 'interviewer',
              text,
              input: 'voice',
              startedAt,
              endedAt,
              interrupted: item.interrupted,
              questionId: flow.currentQuestion?.questionId ?? null,
              stage: flow.stage,
            },
            {
              e2eLatency: m.e2eLatency,
              endOfTurnDelay: replyTo.endOfTurnDelay,
              transcriptionDelay: replyTo.transcriptionDelay,
              llmTtft: m.llmNodeTtft,
              ttsTtfb: m.ttsNodeTtfb,
            },
          )
          .catch((error: unknown) => log.error({ err: error }, 'interviewer turn not stored'));
      },
      candidateTurn: (text, input) => {
        silencePrompts = 0;
        cancel(silenceTimer);
        const now = new Date();
        const timing = input === 'voice' ? userSpeech : {};
        userSpeech = {};
        void writer
          .append({
            speaker: 'candidate',
            text,
            input,
            startedAt: timing.startedAt ?? now,
            endedAt: timing.endedAt ?? now,
            interrupted: false,
            questionId: flow.currentQuestion?.questionId ?? null,
            stage: flow.stage,
          })
          .catch((error: unknown) => log.error({ err: error }, 'candidate turn not stored'));
      },
    },
  });

  session.on(voice.AgentSessionEventTypes.ConversationItemAdded, ({ item }) => {
    if (item.type === 'message' && item.role === 'user') {
      userMetrics = {
        endOfTurnDelay: item.metrics?.endOfTurnDelay,
        transcriptionDelay: item.metrics?.transcriptionDelay,
      };
    }
  });
  session.on(voice.AgentSessionEventTypes.UserStateChanged, ({ newState }) => {
    if (newState === 'speaking') {
      userSpeech.startedAt ??= new Date();
      cancel(silenceTimer);
    } else if (newState === 'listening') {
      userSpeech.endedAt = new Date();
      // Speech that never became a turn (noise, nothing transcribed) must not switch the silence watch off.
      // An answer whose end is still being decided (up to the long endpointing delay) is not a silence.
      if (session.agentState === 'listening') armSilence(config.turns.endpointingMaxDelayMs + 1000);
    }
  });
  session.on(voice.AgentSessionEventTypes.AgentStateChanged, ({ newState }) => {
    if (newState === 'listening' && flow.stage !== 'ended') armSilence();
    else if (newState === 'speaking' || newState === 'thinking') cancel(silenceTimer);
  });
  session.on(voice.AgentSessionEventTypes.Error, ({ error }) => log.warn({ err: error }, 'session error'));
  session.on(voice.AgentSessionEventTypes.Close, ({ reason, error }) => {
    stopAll();
    if (!ending) {
      // Closed by something other than the interview's own end: the room went away or a provider failed for good.
      log.warn({ reason, err: error }, 'session closed before the interview ended');
      if (error) {
        void endInterview(db, interviewId, 'agent_error', { actor: 'agent' }).catch(() => {});
      }
    }
    job.shutdown(String(reason));
  });

  // The candidate's editor: its events arrive in batches on their own text stream, from the candidate alone (their
  // identity, or before it is known any participant who is not an agent).
  job.room.registerTextStreamHandler(codeStreamTopic, (reader, info) => {
    const expected = candidateIdentity ?? context.candidateIdentity;
    const sender = job.room.remoteParticipants.get(info.identity);
    if (expected ? info.identity !== expected : sender?.kind !== ParticipantKind.STANDARD) {
      log.warn({ from: info.identity }, 'code batch from someone other than the candidate; ignored');
      return;
    }
    void reader
      .readAll()
      .then((text) => code.receive(text))
      .then(async (done) => {
        if (!done) return;
        const ack: CodeAck = done;
        await job.room.localParticipant?.sendText(JSON.stringify(ack), {
          topic: codeAckTopic,
          destinationIdentities: [info.identity],
        });
      })
      .catch((error: unknown) => log.warn({ err: error }, 'code batch not read or not answered'));
  });

  // Rejoin grace: a disconnected candidate may come back with the same identity (the API hands it back).
  let leftTimer: NodeJS.Timeout | undefined;
  job.room.on(RoomEvent.ParticipantDisconnected, (p: RemoteParticipant) => {
    if (p.identity !== candidateIdentity || ending) return;
    log.info('candidate disconnected; waiting for a rejoin');
    cancel(silenceTimer);
    const gone = () => {
      if (ending || job.room.remoteParticipants.has(p.identity)) return;
      // Our own connection down (its LiveKit node died: the SDK reports every participant gone at once, then tries
      // to reconnect for up to half a minute): nothing says the candidate left, and they may be rejoining through
      // another node already. Looked at again shortly; if the connection is lost for good, this job ends instead.
      if (job.room.connectionState !== ConnectionState.CONN_CONNECTED) {
        log.info('the rejoin grace is over while the connection to LiveKit is down; waiting for it');
        leftTimer = later(5000, gone);
        return;
      }
      agent.perform(flow.left());
    };
    leftTimer = later(config.conversation.rejoinGraceSeconds * 1000, gone);
  });
  job.room.on(RoomEvent.ParticipantConnected, (p: RemoteParticipant) => {
    if (p.identity !== candidateIdentity) return;
    log.info('candidate rejoined');
    cancel(leftTimer);
    leftTimer = undefined;
    // Whatever was said while they were away is lost to them: stop it (the greeting may still be playing to an
    // empty room, and it cannot be interrupted otherwise), then pick up where the interview stands.
    if (flow.stage !== 'ended' && !ending) {
      session.interrupt({ force: true });
      agent.perform(flow.rejoined());
      sendProblem(true);
    }
  });

  // The session connects to the room itself (job.connect), while it builds the pipeline: the two overlap. It starts
  // before the candidate is in the room (STT connected); the greeting waits for them (see the agent's onEnter).
  const starting = session.start({
    agent,
    room: job.room,
    record: recording.record,
    inputOptions: {
      ...(context.candidateIdentity ? { participantIdentity: context.candidateIdentity } : {}),
      // The rejoin grace period decides when a departure ends the interview, not the SDK.
      closeOnDisconnect: false,
      textEnabled: true,
      textInputCallback: (_session, ev) => agent.handleTypedInput(ev.text),
      // Silero and the STT take 16 kHz: asked of LiveKit's audio stream (resampled in its native code), the SDK's
      // two resamplers from its 24 kHz default (one before the VAD, one before the STT) have nothing to do.
      audioSampleRate: 16000,
      // 20 ms frames from the native stream instead of WebRTC's 10: every frame costs an FFI event, a copy and a
      // trip through the SDK's web streams, and Silero and the STT buffer to 32 and 50 ms anyway
      // (`npm run bench:voice -- concurrency`: ~7 % less CPU per interview-minute). The option is ours: see
      // patches/@livekit+agents+1.9.0.patch.
      audioFrameSizeMs: 20,
    },
    // The SDK's remote session would answer the candidate's requests on `lk.agent.session`: the agent's instructions
    // (the hiring team's notes about this interview among them) and the whole chat history, and text run as their
    // input past our typed-answer path, so never stored as a turn. Nothing of ours reads the events it streams there
    // either (every state change and transcript a byte stream). Off: an option of our patch.
    outputOptions: { remoteSessionEnabled: false },
  });
  await starting;
  log.debug({ ms: Date.now() - started }, 'session started');
  // The candidate may take a token and never come (microphone refused, tab closed): after the arrival timeout,
  // counted from the last token issued, the interviewer leaves and frees its place; the interview stays scheduled
  // and the next join (or their late arrival) dispatches an interviewer again.
  const arrivalTimeoutMs = config.conversation.arrivalTimeoutSeconds * 1000;
  const watchArrival = (ms: number) => {
    arrivalTimer = later(ms, () => {
      void (async () => {
        if (candidateIdentity || ending || over) return;
        const seat = await db
          .selectFrom('interviews')
          .select('seatClaimedAt')
          .where('id', '=', interviewId)
          .executeTakeFirst();
        const waited = Date.now() - (seat?.seatClaimedAt?.getTime() ?? started);
        if (waited < arrivalTimeoutMs) return watchArrival(arrivalTimeoutMs - waited);
        if (context.status === 'in_progress') {
          // This interviewer replaced one whose job died, and the candidate, who had been here, left before it
          // arrived: past the same wait they have left the interview, as after a drop not rejoined in time.
          log.info({ waitedMs: waited }, 'the candidate did not come back to the resumed interview; ending it');
          candidateCame(false);
          await end('candidate_left');
          return;
        }
        if (!(await interviewerLeftNoShow(db, interviewId))) return;
        log.info({ waitedMs: waited }, 'the candidate did not arrive; leaving the room for the next join');
        // The greeting waits for the candidate; released, it says nothing and the session closes with the job.
        candidateCame(false);
        job.shutdown('no_show');
      })().catch((error: unknown) => log.warn({ err: error }, 'arrival watch failed'));
    });
  };
  let arrivalTimer: NodeJS.Timeout | undefined;
  watchArrival(arrivalTimeoutMs);

  // The entry returns here, not when the candidate arrives: a job asked to shut down (the worker stopping) then
  // closes at once instead of waiting out the SDK's entry timeout for a candidate who may never come.
  void job
    .waitForParticipant(context.candidateIdentity ?? undefined)
    .then(async (participant) => {
      cancel(arrivalTimer);
      if (over) return;
      candidateIdentity = participant.identity;
      // The interview starts (and its clock with it) when the candidate is first in the room; the webhook may have
      // said so already. The interviewer keeps the interview's own clock, which the reconciler enforces too.
      const arrival = await candidateArrived(db, interviewId, { actor: 'agent' });
      if (!arrival?.interview.deadlineAt || !['in_progress'].includes(arrival.interview.status)) {
        log.warn({ status: arrival?.interview.status }, 'the interview is over; leaving');
        await session.close().catch(() => {});
        job.shutdown('interview not open');
        return;
      }
      flow.clockStartsAt(arrival.interview.deadlineAt.getTime() - context.maxDurationMinutes * 60_000);
      await recording.start(session);
      candidateCame(true);
      log.debug({ ms: Date.now() - started }, 'candidate present');

      // Timekeeping: past the wrap-up point no new question starts (the flow checks); at the limit, stop.
      later(flow.msUntilTimeUp(), () => {
        if (flow.stage !== 'ended' && !ending) {
          session.interrupt({ force: true });
          agent.perform(flow.timeUp());
        }
      });
    })
    .catch((error: unknown) => log.debug({ err: error }, 'stopped waiting for the candidate'));
}

function safeJson(text: string | undefined): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
