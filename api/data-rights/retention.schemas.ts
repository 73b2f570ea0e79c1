import { z } from 'zod';

// How long a company keeps each kind of a candidate's data. Counted in days from the end of the interview the data
// belongs to (recordings: from the recording's start, as before; the candidate record: from the end of their last
// interview, or their creation when they never had one). The defaults are short on purpose: recruiting data is
// needed while a hiring decision is made and for a while after it (a challenge to the decision, a re-application),
// not for ever, and a company that needs longer says so. What happens when a period ends:
// - transcripts: the turns and the candidate's words in the consent record are deleted (the plan's questions stay);
// - recordings: the audio is deleted from the store (the row stays, marked deleted; api/recordings/retention.ts);
// - codeEvents: the editor events and the server's re-runs of the code are deleted;
// - scorecards: every scorecard version and the human decisions on the interview are deleted;
// - emails: messages sent (or failed, cancelled) that long ago are deleted; pending ones never are;
// - webhookPayloads: events (their payloads, deliveries and attempt log) older than that are deleted, except while
//   a delivery is still pending;
// - candidate: the candidate is erased as by POST /v1/candidates/{id}/erase (reason `retention`).

export const retentionKinds = [
  'transcripts',
  'recordings',
  'codeEvents',
  'scorecards',
  'emails',
  'webhookPayloads',
  'candidate',
] as const;
export type RetentionKind = (typeof retentionKinds)[number];

/** The documented defaults (README, Candidate data rights). */
export const defaultRetentionDays: Record<RetentionKind, number> = {
  transcripts: 180,
  recordings: 90,
  codeEvents: 180,
  scorecards: 365,
  emails: 90,
  webhookPayloads: 30,
  candidate: 365,
};

const days = z.number().int().min(1).max(3_650);

const descriptions: Record<RetentionKind, string> = {
  transcripts: `Transcript turns and the candidate's consent statement, days after the interview ends (default ${defaultRetentionDays.transcripts})`,
  recordings: `Audio recordings, days after the recording started (default ${defaultRetentionDays.recordings}; the same value as PATCH /v1/company/recording retentionDays)`,
  codeEvents: `Coding editor events and the server's re-runs, days after the interview ends (default ${defaultRetentionDays.codeEvents})`,
  scorecards: `Scorecards and human decisions, days after the interview ends (default ${defaultRetentionDays.scorecards})`,
  emails: `E-mail messages no longer pending, days after they were sent or given up (default ${defaultRetentionDays.emails})`,
  webhookPayloads: `Webhook events with their delivery log, days after the event unless a delivery is pending (default ${defaultRetentionDays.webhookPayloads})`,
  candidate: `The candidate record itself (erased as by POST /v1/candidates/{id}/erase), days after their last interview ends (default ${defaultRetentionDays.candidate})`,
};

const fields = Object.fromEntries(
  retentionKinds.map((k) => [k, days.meta({ description: descriptions[k] })]),
) as Record<RetentionKind, typeof days>;

/** The periods in force for a company, every kind present. */
export const dataRetentionSchema = z.object(fields).meta({
  id: 'DataRetention',
  description:
    'Days each kind of candidate data is kept; a scheduled job deletes or anonymises what is due and audits the counts',
});
export type DataRetention = z.infer<typeof dataRetentionSchema>;

/** A change: any of the kinds. */
export const dataRetentionPatch = z.object(fields).partial().strict().meta({ id: 'DataRetentionPatch' });

/** What a company keeps: its stored overrides over the defaults; recordings come from their own column. */
export function effectiveRetention(company: {
  dataRetention: Record<string, number>;
  recordingRetentionDays: number;
}): DataRetention {
  const stored = dataRetentionPatch.omit({ recordings: true }).partial().safeParse(company.dataRetention);
  const overrides = stored.success ? stored.data : {};
  return { ...defaultRetentionDays, ...overrides, recordings: company.recordingRetentionDays };
}
