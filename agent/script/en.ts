import type { InterviewType } from '../../shared/db/schema.ts';

// The interviewer's English sentences. Every sentence it says word for word lives in a catalogue like this one, one
// per language (ar.ts is typed against this file, so a missing sentence fails the type check, not an interview).
// Fixed text needs no LLM round trip (the greeting is spoken the moment the candidate arrives) and says the same
// thing to every candidate, which matters for the disclosure.

/** What the sentences are built from. */
export interface ScriptFacts {
  firstName: string;
  company: string;
  type: InterviewType;
  jobTitle: string;
  /** The audio is recorded (the notice says so). */
  recorded: boolean;
  /** Local mode: nothing recognises speech, answers are typed. */
  typedAnswers: boolean;
}

const kinds: Record<InterviewType, string> = {
  TECHNICAL: 'technical',
  BEHAVIORAL: 'behavioral',
  CODING: 'coding',
  SYSTEM_DESIGN: 'system design',
  GENERAL: 'general',
  AI_SCREENING: 'screening',
  FINAL: 'final',
  CUSTOM: 'custom',
};

export const en = {
  /**
   * The version of this language's notice (`disclosure`), stored with every consent. Change it whenever the
   * notice's wording changes; the legal content must stay the same in every language.
   */
  noticeVersion: '2026-11-30.1',
  /** The language's name, as the LLM instructions name it. */
  languageName: 'English',

  interviewTitle: (f: ScriptFacts) => `${kinds[f.type]} interview for the ${f.jobTitle} role at ${f.company}`,

  /** The AI disclosure and consent notice in full: stored with the consent, shown on the page, said on "repeat". */
  disclosure: (f: ScriptFacts) =>
    [
      `I am an AI interviewer, not a person.`,
      f.recorded
        ? `This conversation is recorded and transcribed: the hiring team can listen to the recording and read the transcript.`
        : `This conversation is transcribed.`,
      `The purpose is to learn about your experience for this role, and a person on the ${f.company} hiring team reviews the result; the AI does not make the decision.`,
      `If you would prefer an alternative process with a person instead, just say so now or at any time, and we will stop here and let the hiring team know.`,
    ].join(' '),

  /**
   * The greeting as spoken: the notice's essentials, short to hear (the page shows it all, and "repeat" says it
   * in full). With typed answers it says so before asking, since a spoken "yes" would not be heard.
   */
  greeting: (f: ScriptFacts) =>
    [
      `Hello ${f.firstName}, I am the AI interviewer for ${f.company}.`,
      f.recorded ? `This call is recorded and transcribed,` : `This call is transcribed,`,
      `and a person makes the decision.`,
      `Say repeat to hear the full notice.`,
      f.typedAnswers ? `I cannot hear speech today: please type your answers in the chat.` : '',
      `Do you agree to continue?`,
    ]
      .filter(Boolean)
      .join(' '),

  consentQuestion: 'Do you agree to continue with this AI interview?',
  /** An answer to the consent question that is neither yes nor no. */
  consentUnclear: 'Could you tell me whether you agree to continue with this AI interview? A yes or a no is enough.',

  consentDeclined: (f: ScriptFacts) =>
    `That is completely fine, thank you for telling me. I will let the ${f.company} hiring team know, and they will contact you about another way forward. Goodbye.`,

  nextQuestion: (text: string) => `Thank you. ${text}`,
  repeatQuestion: (text: string) => `Of course. ${text}`,
  candidateQuestionsPrompt:
    'Thank you, those are all my questions. Before we finish, do you have any questions about the role?',

  closing: (f: ScriptFacts) =>
    `Thank you for your time, ${f.firstName}. The ${f.company} hiring team will review this interview and get back to you about the next steps. Goodbye.`,
  timeUp: 'We have reached the end of our time, so let us stop here.',
  stopRequested: (f: ScriptFacts) =>
    `Of course, we will stop here. I will let the ${f.company} hiring team know that you asked for another way forward, and they will contact you. Goodbye.`,

  silencePrompt: 'Are you still there? Take your time; answer whenever you are ready.',
  /** Typed answers: nobody can tell silence from speech here, so no "are you still there?". */
  silencePromptTyped: 'Take your time. When you are ready, type your answer in the chat.',
  unresponsiveClosing: (f: ScriptFacts) =>
    `I have not heard from you, so I will end the interview here. The ${f.company} hiring team will be in touch. Goodbye.`,

  welcomeBack: 'Welcome back.',
  /** A new interviewer taking over after the first one's process died: said before picking up where it stopped. */
  lostConnection: 'Sorry, I lost the connection for a moment.',
  /** Local mode has no LLM to answer from the job description. */
  cannotAnswerHere: 'I cannot answer questions in this mode; the hiring team will answer them. Do you have anything else to add?',
};

export type Script = typeof en;
