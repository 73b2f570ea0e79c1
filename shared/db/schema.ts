import type { Insertable, Selectable, Updateable } from 'kysely';
import type { InterviewStatus, InterviewType } from './column-types.ts';
import type * as generated from './schema.generated.ts';
import type { CodeEvent, CodingLanguage } from '../coding/coding.schema.ts';

// The database's row types are generated from the migrated schema (shared/db/schema.generated.ts, `npm run db:types`),
// once per table. Column names are camelCase here and snake_case in SQL (Kysely's CamelCasePlugin translates).
// This module names them for the app and keeps the vocabularies' lists, checked against the database's own.

export type Database = generated.DB;

export {
  interviewStatuses,
  interviewTypes,
  recommendations,
  type AuditActorType,
  type Competency,
  type EmailLocale,
  type InterviewStatus,
  type InterviewType,
  type Recommendation,
  type SlotSettings,
} from './column-types.ts';

// The generated tables under the names the code has always used.
export type CompaniesTable = generated.Companies;
export type ApiKeysTable = generated.ApiKeys;
export type JobsTable = generated.Jobs;
export type CandidatesTable = generated.Candidates;
export type InterviewsTable = generated.Interviews;
export type InterviewStatusEventsTable = generated.InterviewStatusEvents;
export type AuditLogTable = generated.AuditLog;
export type LivekitWebhookEventsTable = generated.LivekitWebhookEvents;
export type RateLimitsTable = generated.RateLimits;
export type ScorecardsTable = generated.Scorecards;
export type HiringDecisionsTable = generated.HiringDecisions;
export type WebhookEndpointsTable = generated.WebhookEndpoints;
export type WebhookEventsTable = generated.WebhookEvents;
export type WebhookDeliveriesTable = generated.WebhookDeliveries;
export type WebhookAttemptsTable = generated.WebhookAttempts;
export type InterviewPlanQuestionsTable = generated.InterviewPlanQuestions;
export type TranscriptTurnsTable = generated.TranscriptTurns;
export type InterviewConsentsTable = generated.InterviewConsents;
export type TurnMetricsTable = generated.TurnMetrics;
export type SchedulingSettingsTable = generated.SchedulingSettings;
export type AvailabilityConfigsTable = generated.AvailabilityConfigs;
export type SlotsTable = generated.Slots;
export type ScheduleBlocksTable = generated.ScheduleBlocks;
export type BookingsTable = generated.Bookings;
export type SchedulingConflictsTable = generated.SchedulingConflicts;
export type SchedulingInvitationsTable = generated.SchedulingInvitations;
export type EmailMessagesTable = generated.EmailMessages;
export type CodeEventsTable = generated.CodeEvents;

export type Company = Selectable<CompaniesTable>;
export type Job = Selectable<JobsTable>;
export type NewJob = Insertable<JobsTable>;
export type JobUpdate = Updateable<JobsTable>;
export type Candidate = Selectable<CandidatesTable>;
export type Interview = Selectable<InterviewsTable>;
export type InterviewStatusEvent = Selectable<InterviewStatusEventsTable>;
export type WebhookEndpoint = Selectable<WebhookEndpointsTable>;
export type WebhookEvent = Selectable<WebhookEventsTable>;
export type WebhookDelivery = Selectable<WebhookDeliveriesTable>;
export type WebhookAttempt = Selectable<WebhookAttemptsTable>;
export type TranscriptTurn = Selectable<TranscriptTurnsTable>;
export type AvailabilityConfig = Selectable<AvailabilityConfigsTable>;
export type Slot = Selectable<SlotsTable>;
export type ScheduleBlock = Selectable<ScheduleBlocksTable>;
export type Booking = Selectable<BookingsTable>;
export type SchedulingConflict = Selectable<SchedulingConflictsTable>;
export type EmailMessage = Selectable<EmailMessagesTable>;

// Vocabularies the database checks: the lists the API validates with (zod enums), each the same set as the CHECK
// constraint the generated type comes from (a compile error below when a migration changes one and not the other).
export const hiringDecisions = ['advance', 'hold', 'reject'] as const;
export type HiringDecision = (typeof hiringDecisions)[number];
export const webhookEndpointStatuses = ['enabled', 'disabled'] as const;
export type WebhookEndpointStatus = (typeof webhookEndpointStatuses)[number];
export const webhookDeliveryStatuses = ['pending', 'succeeded', 'exhausted'] as const;
export type WebhookDeliveryStatus = (typeof webhookDeliveryStatuses)[number];
export const slotStatuses = ['open', 'blocked', 'orphaned'] as const;
export type SlotStatus = (typeof slotStatuses)[number];
export const bookingStatuses = ['booked', 'confirmed', 'cancelled'] as const;
export type BookingStatus = (typeof bookingStatuses)[number];
export const conflictKinds = [
  'overlapping_slots',
  'booking_on_blocked_slot',
  'booking_on_removed_slot',
  'interview_failed_to_start',
] as const;
export type ConflictKind = (typeof conflictKinds)[number];
export const emailStatuses = ['pending', 'sent', 'local', 'failed', 'cancelled'] as const;
export type EmailStatus = (typeof emailStatuses)[number];
export type PlanQuestionKind = Selectable<InterviewPlanQuestionsTable>['kind'];
export type TranscriptSpeaker = Selectable<TranscriptTurnsTable>['speaker'];

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const vocabulariesMatchTheDatabase: [
  Same<InterviewType, Selectable<InterviewsTable>['type']>,
  Same<InterviewStatus, Selectable<InterviewsTable>['status']>,
  Same<HiringDecision, Selectable<HiringDecisionsTable>['decision']>,
  Same<WebhookEndpointStatus, Selectable<WebhookEndpointsTable>['status']>,
  Same<WebhookDeliveryStatus, Selectable<WebhookDeliveriesTable>['status']>,
  Same<SlotStatus, Selectable<SlotsTable>['status']>,
  Same<BookingStatus, Selectable<BookingsTable>['status']>,
  Same<ConflictKind, Selectable<SchedulingConflictsTable>['kind']>,
  Same<EmailStatus, Selectable<EmailMessagesTable>['status']>,
  Same<CodingLanguage | null, Selectable<JobsTable>['codingLanguage']>,
  Same<CodeEvent['type'], Selectable<CodeEventsTable>['type']>,
] = [true, true, true, true, true, true, true, true, true, true, true];
void vocabulariesMatchTheDatabase;
