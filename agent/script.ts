import type { InterviewContext } from './interview-context.ts';

// Everything the interviewer says word for word. Fixed text needs no LLM round trip (the greeting is spoken the
// moment the candidate arrives) and says the same thing to every candidate, which matters for the disclosure.

export function interviewTitle(ctx: InterviewContext): string {
  const kind = ctx.type === 'AI_SCREENING' ? 'screening' : ctx.type.toLowerCase().replace('_', ' ');
  return `${kind} interview for the ${ctx.job.title} role at ${ctx.company.name}`;
}

/** The AI disclosure and consent notice. Its wording is versioned by CONSENT_NOTICE_VERSION. */
export function disclosure(ctx: InterviewContext): string {
  return [
    `I am an AI interviewer, not a person.`,
    ctx.recorded
      ? `This conversation is recorded and transcribed: the hiring team can listen to the recording and read the transcript.`
      : `This conversation is transcribed.`,
    `The purpose is to learn about your experience for this role, and a person on the ${ctx.company.name} hiring team reviews the result; the AI does not make the decision.`,
    `If you would prefer an alternative process with a person instead, just say so now or at any time, and we will stop here and let the hiring team know.`,
  ].join(' ');
}

/** The notice's version as stored with the consent: the recorded notice is a wording of its own. */
export function noticeVersion(base: string, ctx: Pick<InterviewContext, 'recorded'>): string {
  return ctx.recorded ? `${base}+recording` : base;
}

export const consentQuestion = 'Do you agree to continue with this AI interview?';

export function greeting(ctx: InterviewContext): string {
  return `Hello ${ctx.candidate.firstName}, welcome to your ${interviewTitle(ctx)}. ${disclosure(ctx)} ${consentQuestion}`;
}

export const consentRepeat = `Could you tell me whether you agree to continue with this AI interview? A yes or a no is enough.`;

export function consentDeclined(ctx: InterviewContext): string {
  return `That is completely fine, thank you for telling me. I will let the ${ctx.company.name} hiring team know, and they will contact you about another way forward. Goodbye.`;
}

export function firstQuestion(text: string): string {
  return `Thank you. You can answer by speaking, or by typing in the chat. ${text}`;
}

export function nextQuestion(text: string): string {
  return `Thank you. ${text}`;
}

export function repeatQuestion(text: string): string {
  return `Of course. ${text}`;
}

export const candidateQuestionsPrompt =
  'Thank you, those are all my questions. Before we finish, do you have any questions about the role?';

export function closing(ctx: InterviewContext): string {
  return `Thank you for your time, ${ctx.candidate.firstName}. The ${ctx.company.name} hiring team will review this interview and get back to you about the next steps. Goodbye.`;
}

export function timeUpClosing(ctx: InterviewContext): string {
  return `We have reached the end of our time, so let us stop here. ${closing(ctx)}`;
}

export function stopRequested(ctx: InterviewContext): string {
  return `Of course, we will stop here. I will let the ${ctx.company.name} hiring team know that you asked for another way forward, and they will contact you. Goodbye.`;
}

export const silencePrompt = 'Are you still there? Take your time; answer whenever you are ready, or type your answer in the chat.';

export function unresponsiveClosing(ctx: InterviewContext): string {
  return `I have not heard from you, so I will end the interview here. The ${ctx.company.name} hiring team will be in touch. Goodbye.`;
}
