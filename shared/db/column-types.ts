// TypeScript types of columns whose type the database does not spell out (what a JSON column holds, a vocabulary
// without a CHECK constraint), for the generated row types: scripts/db-types.ts names them in its overrides.
// Vocabularies the database does check are generated from the CHECK itself; shared/db/schema.ts holds their lists.

export interface Competency {
  key: string;
  name: string;
  description: string;
}

/** What an interview booked in a slot runs with; validated by zod in api/scheduling. */
export interface SlotSettings {
  language?: string;
  /** 'candidate': the booked interview lets the candidate choose its language on the join page; default 'fixed'. */
  languageMode?: 'fixed' | 'candidate';
  maxDurationMinutes?: number;
  instructions?: string;
}

export const interviewTypes = [
  'TECHNICAL',
  'BEHAVIORAL',
  'CODING',
  'SYSTEM_DESIGN',
  'GENERAL',
  'AI_SCREENING',
  'FINAL',
  'CUSTOM',
] as const;
export type InterviewType = (typeof interviewTypes)[number];

export const interviewStatuses = ['scheduled', 'in_progress', 'completed', 'cancelled', 'expired', 'failed'] as const;
export type InterviewStatus = (typeof interviewStatuses)[number];

export const recommendations = ['advance', 'human_review', 'do_not_advance'] as const;
export type Recommendation = (typeof recommendations)[number];

export type EmailLocale = 'en' | 'ar';

export type AuditActorType = 'api_key' | 'user' | 'candidate' | 'system' | 'livekit' | 'cli';
