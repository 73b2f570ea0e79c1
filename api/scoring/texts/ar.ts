import type { ScorecardTexts } from './en.ts';

// The scorer's own sentences in Modern Standard Arabic, in the plain register of an HR report; same keys as en.ts.

export const ar: ScorecardTexts = {
  noAnswers: 'لم يقدّم المرشح إجابات يمكن تقييمها؛ ينبغي أن يراجع شخصٌ المقابلة.',
  noScorableAnswers: 'لا تتضمن المقابلة إجابات يمكن منحها درجات؛ ينبغي أن يراجعها شخص.',
  pending: 'التقييم قيد الانتظار',
};
