import { baseLanguage } from '../../../shared/speech-languages.ts';
import { ar } from './ar.ts';
import { en, type ScorecardTexts } from './en.ts';

export type { ScorecardTexts } from './en.ts';

const catalogues: Record<string, ScorecardTexts> = { en, ar };

/** The scorer's sentences in the interview's language (`ar-AE` → Arabic); English for a language with none. */
export function scorecardTexts(language: string | null | undefined): ScorecardTexts {
  return catalogues[baseLanguage(language ?? 'en')] ?? en;
}
