// The sentences the scorer writes itself (no model wrote them), in English. Each other language's catalogue is typed
// against this one, so a missing sentence is a compile error. Read by HR in the review and by webhook consumers.

export interface ScorecardTexts {
  /** No plan question was answered: stored without calling a model. */
  noAnswers: string;
  /** The model evaluated the interview, but no score kept verbatim evidence. */
  noScorableAnswers: string;
  /** A pending scorecard whose reason is unknown. */
  pending: string;
}

export const en: ScorecardTexts = {
  noAnswers: 'The candidate gave no answers that can be evaluated; a person should review the interview.',
  noScorableAnswers: 'The interview holds no answers that can be scored; a person should review it.',
  pending: 'Scoring pending',
};
