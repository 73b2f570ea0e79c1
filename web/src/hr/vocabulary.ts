// The API's closed vocabularies as lists the pages iterate over, each checked against the generated schema: a value
// added to or removed from the API's enum fails `tsc -p web` here, and so cannot reach a page without its words.
import type { Schemas } from './api.ts';

type Exactly<T extends string, List extends readonly string[]> = [T] extends [List[number]]
  ? [List[number]] extends [T]
    ? List
    : never
  : never;

function list<T extends string>() {
  return <const List extends readonly T[]>(values: Exactly<T, List>) => values;
}

export const interviewStatuses = list<Schemas['InterviewStatus']>()([
  'scheduled',
  'in_progress',
  'completed',
  'cancelled',
  'expired',
  'failed',
]);

export const interviewTypes = list<Schemas['InterviewType']>()([
  'TECHNICAL',
  'BEHAVIORAL',
  'CODING',
  'SYSTEM_DESIGN',
  'GENERAL',
  'AI_SCREENING',
  'FINAL',
  'CUSTOM',
]);

/** The languages an interview can be held in (a company offers some of them, those this server has a voice for). */
export type InterviewLanguage = NonNullable<Schemas['UpdateCompany']['defaultLanguage']>;
export const interviewLanguages = list<InterviewLanguage>()(['en', 'ar']);

export const decisions = list<Schemas['HiringDecision']['decision']>()(['advance', 'hold', 'reject']);

export type Recommendation = NonNullable<Schemas['Scorecard']['recommendation']>;
export type EndReason = Schemas['EndReason'];
