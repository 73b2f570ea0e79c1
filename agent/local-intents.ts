import type { Stage } from './interview-flow.ts';

// Local mode has no LLM, so the candidate's reply is read with a few keyword rules. They only steer the flow
// (agree or not, repeat, stop); they never judge an answer.

export type LocalIntent = 'agree' | 'decline' | 'repeat' | 'stop' | 'question' | 'answer' | 'unclear';

const has = (text: string, pattern: RegExp) => pattern.test(text.toLowerCase());

export function classifyLocally(stage: Stage, text: string): LocalIntent {
  if (has(text, /\b(alternative process|stop the interview|speak to a (person|human)|human interviewer)\b/)) return 'stop';
  if (has(text, /\b(repeat|say that again|pardon|come again)\b/)) return 'repeat';
  if (stage === 'consent') {
    if (has(text, /\b(no|not|don't|do not|decline|refuse|disagree)\b/)) return 'decline';
    if (has(text, /\b(yes|yeah|agree|okay|ok|sure|ready|let's start)\b/)) return 'agree';
    return 'unclear';
  }
  if (stage === 'candidate_questions' && text.includes('?')) return 'question';
  return 'answer';
}
