import { baseLanguage } from '../shared/speech-languages.ts';
import type { InterviewContext } from './interview-context.ts';
import { ar } from './script/ar.ts';
import { en, type Script, type ScriptFacts } from './script/en.ts';

// Everything the interviewer says word for word, in the interview's language: the sentences live in one catalogue
// per language (script/en.ts, script/ar.ts); these functions pick the interview's and fill in its facts.

export const catalogues: Record<string, Script> = { en, ar };

/** The interview's catalogue. The API only creates interviews in languages that have one (SPEECH_LANGUAGES). */
export function catalogue(ctx: Pick<InterviewContext, 'language'>): Script {
  const found = catalogues[baseLanguage(ctx.language)];
  if (!found) throw new Error(`no interviewer catalogue for the language "${ctx.language}"`);
  return found;
}

function facts(ctx: InterviewContext): ScriptFacts {
  return {
    firstName: ctx.candidate.firstName,
    company: ctx.company.name,
    type: ctx.type,
    jobTitle: ctx.job.title,
    recorded: ctx.recorded ?? false,
    typedAnswers: ctx.typedAnswers ?? false,
  };
}

export const interviewTitle = (ctx: InterviewContext) => catalogue(ctx).interviewTitle(facts(ctx));

/** The AI disclosure and consent notice in full, as stored with the consent; versioned by `noticeVersion`. */
export const disclosure = (ctx: InterviewContext) => catalogue(ctx).disclosure(facts(ctx));

/**
 * The notice's version as stored with the consent: the language's catalogue version, with the language (the
 * consent's language is stored on its own too); the recorded notice is a wording of its own.
 */
export function noticeVersion(ctx: Pick<InterviewContext, 'recorded' | 'language'>): string {
  const base = `${baseLanguage(ctx.language)}/${catalogue(ctx).noticeVersion}`;
  return ctx.recorded ? `${base}+recording` : base;
}

/** The spoken greeting: short, with the notice's essentials and the consent question. */
export const greeting = (ctx: InterviewContext) => catalogue(ctx).greeting(facts(ctx));

/** "Repeat" before consent: the notice in full, then the question. */
export const fullNotice = (ctx: InterviewContext) => `${disclosure(ctx)} ${catalogue(ctx).consentQuestion}`;

export const consentUnclear = (ctx: InterviewContext) => catalogue(ctx).consentUnclear;
export const consentDeclined = (ctx: InterviewContext) => catalogue(ctx).consentDeclined(facts(ctx));

/** The first question after consent: how to answer is on the page, so nothing is said before the question. */
export const firstQuestion = (ctx: InterviewContext, text: string) => catalogue(ctx).nextQuestion(text);
export const nextQuestion = (ctx: InterviewContext, text: string) => catalogue(ctx).nextQuestion(text);
export const repeatQuestion = (ctx: InterviewContext, text: string) => catalogue(ctx).repeatQuestion(text);
export const candidateQuestionsPrompt = (ctx: InterviewContext) => catalogue(ctx).candidateQuestionsPrompt;

export const closing = (ctx: InterviewContext) => catalogue(ctx).closing(facts(ctx));
export const timeUpClosing = (ctx: InterviewContext) => `${catalogue(ctx).timeUp} ${closing(ctx)}`;
export const stopRequested = (ctx: InterviewContext) => catalogue(ctx).stopRequested(facts(ctx));

/** With typed answers (local mode) the prompt never asks "are you still there?" over an answer it cannot hear. */
export const silencePrompt = (ctx: InterviewContext) =>
  ctx.typedAnswers ? catalogue(ctx).silencePromptTyped : catalogue(ctx).silencePrompt;
export const unresponsiveClosing = (ctx: InterviewContext) => catalogue(ctx).unresponsiveClosing(facts(ctx));

export const welcomeBack = (ctx: InterviewContext) => catalogue(ctx).welcomeBack;
export const lostConnection = (ctx: InterviewContext) => catalogue(ctx).lostConnection;
export const consentQuestion = (ctx: InterviewContext) => catalogue(ctx).consentQuestion;
export const cannotAnswerHere = (ctx: InterviewContext) => catalogue(ctx).cannotAnswerHere;
