import type { EndReason as SharedEndReason } from '../shared/end-reasons.ts';
import type { PlanQuestion } from '../shared/plans/plan.schema.ts';
import type { InterviewContext } from './interview-context.ts';
import * as script from './script.ts';

// The interview's stages as a small state machine, free of the SDK so its rules are plain to test:
// consent → questions (each with at most two follow-ups) → the candidate's questions → closing.
// Every decision returns a Step: what to say, and whether the interview ends after saying it.

export type Stage = 'consent' | 'questions' | 'candidate_questions' | 'ended';

/** The end reasons the interviewer itself decides (a part of the product's one vocabulary). */
export type EndReason = Extract<
  SharedEndReason,
  'completed' | 'consent_declined' | 'candidate_ended' | 'candidate_unresponsive' | 'candidate_left' | 'time_limit'
>;

export interface Step {
  say: string;
  end?: EndReason;
}

export const maxFollowUps = 2;

/** A stored turn, as much of it as resuming needs (see `resume`). */
export interface StoredTurn {
  speaker: 'interviewer' | 'candidate';
  text: string;
  stage: string;
  questionId: string | null;
}

export interface FlowOptions {
  /** Clock, in ms; injectable for tests. */
  now?: () => number;
  wrapUpAt: number;
}

export function createInterviewFlow(ctx: InterviewContext, options: FlowOptions) {
  const now = options.now ?? Date.now;
  const questions = ctx.plan.questions;
  const maxDurationMs = ctx.maxDurationMinutes * 60_000;
  // All mutable state in one object, so a decision can be previewed and committed later (see `preview`).
  const s: { stage: Stage; index: number; followUps: number; consent: boolean | undefined } = {
    stage: 'consent',
    index: 0,
    followUps: 0,
    consent: undefined,
  };
  let startedAt: number | undefined;

  /** True once the wrap-up point has passed: no new question may start. */
  const pastWrapUp = () => startedAt !== undefined && now() - startedAt >= options.wrapUpAt * maxDurationMs;

  const toCandidateQuestions = (): Step => {
    s.stage = 'candidate_questions';
    return { say: script.candidateQuestionsPrompt(ctx) };
  };
  const end = (say: string, reason: EndReason): Step => {
    s.stage = 'ended';
    return { say, end: reason };
  };

  return {
    get stage(): Stage {
      return s.stage;
    },
    get consent(): boolean | undefined {
      return s.consent;
    },
    get followUps(): number {
      return s.followUps;
    },
    /** The question being asked, for linking turns to the plan. */
    get currentQuestion(): PlanQuestion | undefined {
      return s.stage === 'questions' ? questions[s.index] : undefined;
    },
    /**
     * Works out a decision without applying it: the state is put back, and `commit` applies it later. The reply
     * an LLM turn produces may be thrown away (a preemptive generation the candidate's next words invalidate),
     * so the interview only moves on once the reply has actually been spoken.
     */
    preview(decide: () => Step): { step: Step; commit: () => void } {
      const before = { ...s };
      try {
        const step = decide();
        const after = { ...s };
        return { step, commit: () => Object.assign(s, after) };
      } finally {
        Object.assign(s, before);
      }
    },
    /** Whether the greeting has been given (the clock runs). */
    get started(): boolean {
      return startedAt !== undefined;
    },
    /**
     * Sets the clock to the interview's own: it started when the candidate was first in the room (the lifecycle's
     * deadline minus the maximum duration), the same clock the reconciler enforces.
     */
    clockStartsAt(ms: number): void {
      startedAt = ms;
    },
    /** The greeting; starts the clock if the interview's own was not given. */
    start(): Step {
      startedAt ??= now();
      return { say: script.greeting(ctx) };
    },
    elapsedMs(): number {
      return startedAt === undefined ? 0 : now() - startedAt;
    },
    msUntilWrapUp(): number {
      return Math.max(0, options.wrapUpAt * maxDurationMs - this.elapsedMs());
    },
    msUntilTimeUp(): number {
      return Math.max(0, maxDurationMs - this.elapsedMs());
    },

    recordConsent(agreed: boolean): Step {
      if (s.stage !== 'consent') throw new FlowError('consent was already recorded');
      s.consent = agreed;
      if (!agreed) return end(script.consentDeclined(ctx), 'consent_declined');
      if (questions.length === 0) return toCandidateQuestions();
      s.stage = 'questions';
      s.index = 0;
      s.followUps = 0;
      return { say: script.firstQuestion(ctx, questions[0]!.text) };
    },

    /** The candidate has answered (or passed on) the current question. */
    nextQuestion(): Step {
      if (s.stage !== 'questions') throw new FlowError('there is no question to move on from');
      // Wrapping up skips the remaining questions rather than overrunning the interview.
      if (s.index + 1 >= questions.length || pastWrapUp()) return toCandidateQuestions();
      s.index++;
      s.followUps = 0;
      return { say: script.nextQuestion(ctx, questions[s.index]!.text) };
    },

    /** A short follow-up on the current answer; past the limit it moves on instead. */
    followUp(question: string): Step {
      if (s.stage !== 'questions') throw new FlowError('follow-ups belong to a question');
      if (s.followUps >= maxFollowUps || pastWrapUp()) return this.nextQuestion();
      s.followUps++;
      return { say: question };
    },

    /** "Repeat": before consent, the notice in full (the greeting says only its essentials); else the question. */
    repeat(): Step {
      if (s.stage === 'consent') return { say: script.fullNotice(ctx) };
      if (s.stage === 'questions') return { say: script.repeatQuestion(ctx, questions[s.index]!.text) };
      if (s.stage === 'candidate_questions') {
        return { say: script.repeatQuestion(ctx, script.candidateQuestionsPrompt(ctx)) };
      }
      throw new FlowError('the interview has ended');
    },

    /**
     * A new job taking over an interview whose interviewer died (its process killed): the flow is set to where the
     * stored transcript and consent left it, and the step is what to say first (a short apology, then the same
     * question, or the next one when the candidate's answer was stored but never replied to). Undefined when
     * nothing was said yet: the interview starts with the full greeting, since the disclosure must be heard whole.
     */
    resume(turns: readonly StoredTurn[], consent: boolean | undefined): Step | undefined {
      if (turns.length === 0 && consent === undefined) return undefined;
      const sorry = script.lostConnection(ctx);
      const then = (step: Step): Step => ({ ...step, say: `${sorry} ${step.say}` });
      if (consent === false) return then(end(script.consentDeclined(ctx), 'consent_declined'));
      if (consent === undefined) {
        s.stage = 'consent';
        // Greeted (or part-way): only the question is asked again; the full notice is on their screen.
        return turns.some((t) => t.speaker === 'interviewer') ? then({ say: script.consentQuestion(ctx) }) : undefined;
      }
      s.consent = true;
      const said = turns.filter((t) => t.speaker === 'interviewer' && t.stage !== 'consent');
      const last = said.at(-1);
      if (!last || (last.stage === 'questions' && !questions.some((q) => q.questionId === last.questionId))) {
        if (questions.length === 0) return then(toCandidateQuestions());
        s.stage = 'questions';
        return then({ say: questions[0]!.text });
      }
      // The closing was said, the end never written: say nothing more and end.
      if (last.stage === 'ended') return end('', 'completed');
      if (last.stage === 'candidate_questions') return then(toCandidateQuestions());
      s.stage = 'questions';
      s.index = questions.findIndex((q) => q.questionId === last.questionId);
      const asked = said.filter((t) => t.stage === 'questions' && t.questionId === last.questionId);
      s.followUps = Math.min(maxFollowUps, asked.length - 1);
      // The candidate's answer was stored but the reply to it died with the job: the interview moves on.
      const latest = turns.at(-1)!;
      if (latest.speaker === 'candidate' && latest.questionId === last.questionId) return then(this.nextQuestion());
      // The question is asked again (a follow-up as it was said).
      return then({ say: asked.length > 1 ? last.text : questions[s.index]!.text });
    },

    /** The candidate is back after a disconnection: what they missed, from where the interview stands. */
    rejoined(): Step {
      if (s.stage === 'ended') throw new FlowError('the interview has ended');
      const resume = s.stage === 'consent' ? script.greeting(ctx) : this.repeat().say;
      return { say: `${script.welcomeBack(ctx)} ${resume}` };
    },

    /** The candidate has no (more) questions: close. */
    finish(): Step {
      if (s.stage === 'ended') throw new FlowError('the interview has ended');
      return end(script.closing(ctx), 'completed');
    },

    stopRequested(): Step {
      return end(script.stopRequested(ctx), 'candidate_ended');
    },
    timeUp(): Step {
      return end(script.timeUpClosing(ctx), 'time_limit');
    },
    unresponsive(): Step {
      return end(script.unresponsiveClosing(ctx), 'candidate_unresponsive');
    },
    left(): Step {
      s.stage = 'ended';
      return { say: '', end: 'candidate_left' };
    },
  };
}

export type InterviewFlow = ReturnType<typeof createInterviewFlow>;

/** A stage rule was broken (a tool called out of turn); the message goes back to the LLM as a tool error. */
export class FlowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlowError';
  }
}
