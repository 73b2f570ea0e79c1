import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { EndReason } from '../end-reasons.ts';

// Row types for the tables the migrations create. Column names are camelCase here and snake_case in SQL
// (Kysely's CamelCasePlugin translates).

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type RequiredTimestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

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

export interface Competency {
  key: string;
  name: string;
  description: string;
}

export interface CompaniesTable {
  id: Generated<string>;
  name: string;
  defaultPhoneRegion: ColumnType<string, string | undefined, string>;
  createdAt: Timestamp;
}

export interface ApiKeysTable {
  id: Generated<string>;
  companyId: string | null;
  isAdmin: ColumnType<boolean, boolean | undefined, boolean>;
  name: string;
  prefix: string;
  keyHash: string;
  createdAt: Timestamp;
  lastUsedAt: NullableTimestamp;
  revokedAt: NullableTimestamp;
}

export interface JobsTable {
  id: Generated<string>;
  companyId: string;
  title: string;
  description: string;
  language: ColumnType<string, string | undefined, string>;
  codingLanguage: string | null;
  competencies: ColumnType<Competency[], string, string>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface CandidatesTable {
  id: Generated<string>;
  companyId: string;
  firstName: string;
  lastName: string;
  email: string | null;
  phoneE164: string;
  resumeText: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface InterviewsTable {
  id: Generated<string>;
  companyId: string;
  jobId: string;
  candidateId: string;
  type: InterviewType;
  status: ColumnType<InterviewStatus, InterviewStatus | undefined, InterviewStatus>;
  maxDurationMinutes: number;
  instructions: ColumnType<string, string | undefined, string>;
  language: ColumnType<string, string | undefined, string>;
  scheduledStart: RequiredTimestamp;
  scheduledEnd: RequiredTimestamp;
  roomCode: string;
  roomName: string;
  linkVersion: ColumnType<number, number | undefined, number>;
  candidateIdentity: string | null;
  candidateDisplayName: string | null;
  joinLeaseUntil: NullableTimestamp;
  candidateConnected: ColumnType<boolean, boolean | undefined, boolean>;
  roomCreatedAt: NullableTimestamp;
  startedAt: NullableTimestamp;
  endedAt: NullableTimestamp;
  endReason: EndReason | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface InterviewStatusEventsTable {
  id: Generated<string>;
  interviewId: string;
  fromStatus: InterviewStatus | null;
  toStatus: InterviewStatus;
  reason: string | null;
  actor: string;
  at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<string>;
  companyId: string | null;
  actorType: 'api_key' | 'candidate' | 'system' | 'livekit' | 'cli';
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  at: Timestamp;
}

export interface LivekitWebhookEventsTable {
  id: string;
  event: string;
  roomName: string | null;
  receivedAt: Timestamp;
}

export interface RateLimitsTable {
  key: string;
  windowStart: Date;
  hits: number;
}

export const recommendations = ['advance', 'human_review', 'do_not_advance'] as const;
export type Recommendation = (typeof recommendations)[number];
export const hiringDecisions = ['advance', 'hold', 'reject'] as const;
export type HiringDecision = (typeof hiringDecisions)[number];

export interface ScorecardsTable {
  id: Generated<string>;
  interviewId: string;
  version: number;
  isLatest: boolean;
  status: 'pending' | 'complete';
  pendingReason: string | null;
  trigger: string;
  model: string | null;
  promptVersion: string;
  planVersion: string;
  overallScore: number | null;
  recommendation: Recommendation | null;
  result: ColumnType<unknown, string | undefined, string>;
  integrity: ColumnType<unknown, string | undefined, string>;
  evaluatedAt: Timestamp;
}

export interface HiringDecisionsTable {
  id: Generated<string>;
  interviewId: string;
  scorecardVersion: number | null;
  decision: HiringDecision;
  decidedBy: string;
  note: string | null;
  decidedAt: Timestamp;
}

export interface Database {
  companies: CompaniesTable;
  apiKeys: ApiKeysTable;
  jobs: JobsTable;
  candidates: CandidatesTable;
  interviews: InterviewsTable;
  interviewStatusEvents: InterviewStatusEventsTable;
  auditLog: AuditLogTable;
  livekitWebhookEvents: LivekitWebhookEventsTable;
  rateLimits: RateLimitsTable;
  scorecards: ScorecardsTable;
  hiringDecisions: HiringDecisionsTable;
}

export type Company = Selectable<CompaniesTable>;
export type Job = Selectable<JobsTable>;
export type NewJob = Insertable<JobsTable>;
export type JobUpdate = Updateable<JobsTable>;
export type Candidate = Selectable<CandidatesTable>;
export type Interview = Selectable<InterviewsTable>;
export type InterviewStatusEvent = Selectable<InterviewStatusEventsTable>;

// Outbound webhooks (migration 2026-11-23T0910_webhooks).

export const webhookEndpointStatuses = ['enabled', 'disabled'] as const;
export type WebhookEndpointStatus = (typeof webhookEndpointStatuses)[number];
export const webhookDeliveryStatuses = ['pending', 'succeeded', 'exhausted'] as const;
export type WebhookDeliveryStatus = (typeof webhookDeliveryStatuses)[number];

export interface WebhookEndpointsTable {
  id: Generated<string>;
  companyId: string;
  url: string;
  description: ColumnType<string, string | undefined, string>;
  eventTypes: string[];
  status: ColumnType<WebhookEndpointStatus, WebhookEndpointStatus | undefined, WebhookEndpointStatus>;
  disabledReason: string | null;
  disabledAt: NullableTimestamp;
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: NullableTimestamp;
  failingSince: NullableTimestamp;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface WebhookEventsTable {
  id: Generated<string>;
  companyId: string;
  type: string;
  version: number;
  payload: ColumnType<Record<string, unknown>, string, string>;
  createdAt: Timestamp;
}

export interface WebhookDeliveriesTable {
  id: Generated<string>;
  companyId: string;
  eventId: string;
  endpointId: string;
  status: ColumnType<WebhookDeliveryStatus, WebhookDeliveryStatus | undefined, WebhookDeliveryStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  nextAttemptAt: Timestamp;
  lastStatusCode: number | null;
  lastError: string | null;
  succeededAt: NullableTimestamp;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface WebhookAttemptsTable {
  id: Generated<string>;
  deliveryId: string;
  endpointId: string;
  companyId: string;
  attempt: number;
  outcome: 'succeeded' | 'failed';
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  responseExcerpt: string | null;
  createdAt: Timestamp;
}

// Declaration merging adds the webhook tables to the Database interface above without editing it.
export interface Database {
  webhookEndpoints: WebhookEndpointsTable;
  webhookEvents: WebhookEventsTable;
  webhookDeliveries: WebhookDeliveriesTable;
  webhookAttempts: WebhookAttemptsTable;
}

export type WebhookEndpoint = Selectable<WebhookEndpointsTable>;
export type WebhookEvent = Selectable<WebhookEventsTable>;
export type WebhookDelivery = Selectable<WebhookDeliveriesTable>;
export type WebhookAttempt = Selectable<WebhookAttemptsTable>;

// Tables the interviewer agent writes (migration 2026-11-23T0900_agent).

export interface InterviewPlanQuestionsTable {
  interviewId: string;
  questionId: string;
  position: number;
  competencyKey: string | null;
  text: string;
  timeBudgetSeconds: number;
  /** Where the question came from, e.g. `template-bank:v1`. */
  source: string;
  createdAt: Timestamp;
}

export type TranscriptSpeaker = 'interviewer' | 'candidate';

export interface TranscriptTurnsTable {
  id: Generated<string>;
  interviewId: string;
  seq: number;
  speaker: TranscriptSpeaker;
  text: string;
  input: ColumnType<'voice' | 'text', 'voice' | 'text' | undefined, 'voice' | 'text'>;
  startedAt: RequiredTimestamp;
  endedAt: RequiredTimestamp;
  interrupted: ColumnType<boolean, boolean | undefined, boolean>;
  questionId: string | null;
  stage: string;
  createdAt: Timestamp;
}

export interface InterviewConsentsTable {
  id: Generated<string>;
  interviewId: string;
  given: boolean;
  noticeVersion: string;
  noticeText: string;
  candidateStatement: string;
  at: Timestamp;
}

export interface TurnMetricsTable {
  id: Generated<string>;
  interviewId: string;
  turnSeq: number;
  e2eLatency: number | null;
  endOfTurnDelay: number | null;
  transcriptionDelay: number | null;
  llmTtft: number | null;
  ttsTtfb: number | null;
  at: Timestamp;
}

// Declaration merging adds the agent's tables to the Database interface without editing it.
export interface Database {
  interviewPlanQuestions: InterviewPlanQuestionsTable;
  transcriptTurns: TranscriptTurnsTable;
  interviewConsents: InterviewConsentsTable;
  turnMetrics: TurnMetricsTable;
}

export type TranscriptTurn = Selectable<TranscriptTurnsTable>;

// Scheduling and e-mail (migration 2026-11-23T0920_scheduling).

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
export type EmailLocale = 'en' | 'ar';

/** What an interview booked in a slot runs with; validated by zod in api/scheduling. */
export interface SlotSettings {
  language?: string;
  maxDurationMinutes?: number;
  instructions?: string;
}

export interface SchedulingSettingsTable {
  companyId: string;
  timezone: ColumnType<string, string | undefined, string>;
  locale: ColumnType<EmailLocale, EmailLocale | undefined, EmailLocale>;
  brandName: string | null;
  logoUrl: string | null;
  replyTo: string | null;
  updatedAt: Timestamp;
}

export interface AvailabilityConfigsTable {
  id: Generated<string>;
  companyId: string;
  interviewType: InterviewType;
  weekday: number;
  startMinute: number;
  endMinute: number;
  slotMinutes: number;
  breakMinutes: number;
  capacity: number;
  /** yyyy-mm-dd, a calendar date in the configuration's timezone. */
  validFrom: ColumnType<string, string, string>;
  validUntil: ColumnType<string | null, string | null | undefined, string | null>;
  timezone: string;
  settings: ColumnType<SlotSettings, string | undefined, string>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface SlotsTable {
  id: Generated<string>;
  companyId: string;
  configId: string | null;
  interviewType: InterviewType;
  startsAt: RequiredTimestamp;
  endsAt: RequiredTimestamp;
  timezone: string;
  capacity: number;
  bookedCount: ColumnType<number, number | undefined, number>;
  status: ColumnType<SlotStatus, SlotStatus | undefined, SlotStatus>;
  settings: ColumnType<SlotSettings, string | undefined, string>;
  createdAt: Timestamp;
}

export interface ScheduleBlocksTable {
  id: Generated<string>;
  companyId: string;
  interviewType: InterviewType | null;
  slotId: string | null;
  startsAt: RequiredTimestamp;
  endsAt: RequiredTimestamp;
  reason: ColumnType<string, string | undefined, string>;
  createdAt: Timestamp;
}

export interface BookingsTable {
  id: Generated<string>;
  companyId: string;
  slotId: string;
  interviewId: string;
  candidateId: string;
  jobId: string;
  interviewType: InterviewType;
  status: ColumnType<BookingStatus, BookingStatus | undefined, BookingStatus>;
  source: 'hr' | 'candidate';
  candidateTimezone: string | null;
  locale: ColumnType<EmailLocale, EmailLocale | undefined, EmailLocale>;
  icsSequence: ColumnType<number, number | undefined, number>;
  reschedules: ColumnType<number, number | undefined, number>;
  cancelReason: string | null;
  confirmedAt: NullableTimestamp;
  cancelledAt: NullableTimestamp;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface SchedulingConflictsTable {
  id: Generated<string>;
  companyId: string;
  kind: ConflictKind;
  dedupeKey: string;
  slotId: string | null;
  bookingId: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  status: ColumnType<'open' | 'resolved', 'open' | 'resolved' | undefined, 'open' | 'resolved'>;
  resolution: 'rebooked' | 'cancelled' | 'dismissed' | null;
  resolutionNote: string | null;
  resolvedAt: NullableTimestamp;
  createdAt: Timestamp;
}

export interface SchedulingInvitationsTable {
  id: Generated<string>;
  companyId: string;
  candidateId: string;
  jobId: string;
  interviewType: InterviewType;
  expiresAt: RequiredTimestamp;
  revokedAt: NullableTimestamp;
  createdAt: Timestamp;
}

export interface EmailMessagesTable {
  id: Generated<string>;
  companyId: string;
  interviewId: string | null;
  bookingId: string | null;
  kind: string;
  toAddress: string;
  replyTo: string | null;
  subject: string;
  textBody: string;
  htmlBody: string;
  ics: string | null;
  status: ColumnType<EmailStatus, EmailStatus | undefined, EmailStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  sendAt: RequiredTimestamp;
  lastError: string | null;
  sentAt: NullableTimestamp;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

// Declaration merging adds the scheduling tables to the Database interface without editing it.
export interface Database {
  schedulingSettings: SchedulingSettingsTable;
  availabilityConfigs: AvailabilityConfigsTable;
  slots: SlotsTable;
  scheduleBlocks: ScheduleBlocksTable;
  bookings: BookingsTable;
  schedulingConflicts: SchedulingConflictsTable;
  schedulingInvitations: SchedulingInvitationsTable;
  emailMessages: EmailMessagesTable;
}

export type AvailabilityConfig = Selectable<AvailabilityConfigsTable>;
export type Slot = Selectable<SlotsTable>;
export type ScheduleBlock = Selectable<ScheduleBlocksTable>;
export type Booking = Selectable<BookingsTable>;
export type SchedulingConflict = Selectable<SchedulingConflictsTable>;
export type EmailMessage = Selectable<EmailMessagesTable>;

// Declaration merging: the question-plan columns added by migration 2026-11-23T0940.
export type PlanQuestionKind = 'generated' | 'template' | 'custom';
export interface InterviewPlanQuestionsTable {
  /** Five behaviourally anchored levels, for scores 1 to 5. */
  anchors: ColumnType<string[], string | undefined, string>;
  kind: ColumnType<PlanQuestionKind, PlanQuestionKind | undefined, PlanQuestionKind>;
  /** Asked word for word (HR's custom questions). */
  verbatim: ColumnType<boolean, boolean | undefined, boolean>;
  resumeSpecific: ColumnType<boolean, boolean | undefined, boolean>;
}

// Declaration merging: migration 2026-11-23T0950.
export interface InterviewsTable {
  agentDispatchedAt: NullableTimestamp;
}

// Declaration merging: migration 2026-11-23T0960 (the candidate's presence, for joins decided by the database).
export interface InterviewsTable {
  seatClaimedAt: NullableTimestamp;
  candidateJoinedEventAt: NullableTimestamp;
  candidateLeftAt: NullableTimestamp;
}

// Declaration merging: migration 2026-11-29T1000 (one interview lifecycle, shared/interview-lifecycle.ts).
export interface InterviewsTable {
  deadlineAt: NullableTimestamp;
  candidateLeftEventAt: NullableTimestamp;
}

export interface InterviewStatusEventsTable {
  note: ColumnType<string | null, string | null | undefined, string | null>;
}
