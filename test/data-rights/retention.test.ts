import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eraseCandidateTask } from '../../api/data-rights/erasure.ts';
import { dataRetention } from '../../api/data-rights/retention.ts';
import { defaultRetentionDays } from '../../api/data-rights/retention.schemas.ts';
import { scoreInterviewTask } from '../../api/scoring/scoring-jobs.ts';
import { createTranscriptWriter } from '../../agent/persistence.ts';
import { insertCodeEvents } from '../../api/coding/code-events.repository.ts';
import { endInterview } from '../../shared/interview-lifecycle.ts';
import { client, expectStatus, okBody, seedCompany, startTestApi, type TestApi } from '../support/harness.ts';
import { testJobWorker } from '../support/jobs.ts';
import { emailWorker } from '../scheduling/support.ts';

// Retention with the API's clock moved forward (never slept): at each point, what is due is gone, what is not yet
// due is intact, and the audit log says what went (counts and the period, never content).

const day = 86_400_000;
let api: TestApi;
let hr: ReturnType<typeof client>;
let companyId: string;
const t0 = new Date();

beforeAll(async () => {
  api = await startTestApi();
  api.setNow(t0);
  const seeded = await seedCompany(api.db, 'Retention Co');
  companyId = seeded.companyId;
  hr = client(api.url, seeded.key);
});
afterAll(async () => {
  await api?.stop();
});

/** The retention job and the erasure job, on the runner, on the API's clock. */
function runner() {
  const periodic = dataRetention(api.deps)['data-retention']!;
  return testJobWorker({
    db: api.db,
    databaseUrl: api.deps.config.database.url,
    log: api.deps.log,
    now: api.deps.now,
    tasks: () => ({
      'data-retention': { timeoutMs: periodic.timeoutMs, run: (_payload, context) => periodic.run(context) },
      'erase-candidate': eraseCandidateTask(api.deps),
      'score-interview': scoreInterviewTask({
        db: api.db,
        log: api.deps.log,
        now: api.deps.now,
        scoring: api.deps.config.scoring,
      }),
    }),
  });
}

/** Runs the retention job once, as the runner's periodic job does, at the clock's time. */
async function applyRetentionAt(at: Date): Promise<void> {
  api.setNow(at);
  await sql`select graphile_worker.add_job('data-retention', '{}'::json, job_key => 'test:data-retention')`.execute(
    api.db,
  );
  await runner().runOnce();
}

/** A candidate with one interview that ends at `endedAt`: transcript, code events, a scorecard and a decision. */
async function finishedInterview(name: string, endedAt: Date) {
  const job = okBody(await hr('POST', '/v1/jobs', { body: { title: 'Engineer', description: 'Builds ledgers.' } }));
  const candidate = okBody(
    await hr('POST', '/v1/candidates', {
      body: {
        firstName: name,
        lastName: 'Kept',
        phone: `050 ${name.length}00 0000`,
        email: `${name.toLowerCase()}@example.org`,
      },
    }),
  );
  const interview = okBody(
    await hr('POST', '/v1/interviews', {
      body: {
        candidateId: candidate.id,
        jobId: job.id,
        type: 'CODING',
        scheduledStart: new Date(api.deps.now().getTime() + 60_000).toISOString(),
      },
    }),
  );
  const writer = createTranscriptWriter(api.db, interview.id);
  const turn = (speaker: 'interviewer' | 'candidate', text: string, s: number) =>
    writer.append({
      speaker,
      text,
      stage: 'question',
      questionId: null,
      startedAt: new Date(endedAt.getTime() - 60_000 + s * 1000),
      endedAt: new Date(endedAt.getTime() - 59_000 + s * 1000),
      input: 'voice',
      interrupted: false,
    });
  await turn('interviewer', 'Tell me about a ledger.', 0);
  await turn('candidate', `${name} built a double-entry ledger.`, 5);
  await writer.flush();
  await insertCodeEvents(api.db, interview.id, 'q-1', 1, [{ type: 'snapshot', at: 1, code: 'print(1)' }]);
  await endInterview(api.db, interview.id, 'completed', { actor: 'agent', now: endedAt });
  // Without a model the scorecard is stored pending: a row like any other.
  await runner().runOnce();
  expectStatus(
    await hr('POST', `/v1/interviews/${interview.id}/decision`, {
      body: { decision: 'hold', note: 'Needs a second look' },
    }),
    201,
  );
  return { candidateId: candidate.id, interviewId: interview.id };
}

async function countsFor(interviewId: string) {
  const n = async (table: 'transcriptTurns' | 'codeEvents' | 'scorecards' | 'hiringDecisions' | 'emailMessages') =>
    Number(
      (
        await api.db
          .selectFrom(table)
          .select(sql<number>`count(*)::int`.as('n'))
          .where('interviewId', '=', interviewId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    transcriptTurns: await n('transcriptTurns'),
    codeEvents: await n('codeEvents'),
    scorecards: await n('scorecards'),
    decisions: await n('hiringDecisions'),
    emails: await n('emailMessages'),
  };
}

/** The retention job's audit entries so far, newest first. */
async function audited() {
  const audit = okBody(await hr('GET', '/v1/audit-events?action=retention.apply&limit=100'));
  expect(audit.items.every((e) => e.actorType === 'system')).toBe(true);
  return audit.items.map((e) => e.details as { kind: string; retentionDays: number; counts: Record<string, number> });
}

describe('retention', () => {
  it('is a company setting with documented defaults, validated', async () => {
    const before = okBody(await hr('GET', '/v1/company'));
    expect(before.dataRetention).toEqual(defaultRetentionDays);
    const bad = await hr('PATCH', '/v1/company', { body: { dataRetention: { transcripts: 0 } } });
    expectStatus(bad, 400);
    const unknown = await hr('PATCH', '/v1/company', { body: { dataRetention: { voiceprints: 5 } } });
    expectStatus(unknown, 400);
    const changed = okBody(
      await hr('PATCH', '/v1/company', {
        body: {
          dataRetention: {
            transcripts: 30,
            codeEvents: 30,
            scorecards: 60,
            emails: 30,
            webhookPayloads: 20,
            candidate: 90,
            recordings: 45,
          },
        },
      }),
    );
    expect(changed.dataRetention).toEqual({
      transcripts: 30,
      recordings: 45,
      codeEvents: 30,
      scorecards: 60,
      emails: 30,
      webhookPayloads: 20,
      candidate: 90,
    });
    // One kind changed later leaves the others as they were; recordings is the recording setting itself.
    expect(
      okBody(await hr('PATCH', '/v1/company', { body: { dataRetention: { emails: 31 } } })).dataRetention.transcripts,
    ).toBe(30);
    expect(
      okBody(await hr('PATCH', '/v1/company', { body: { dataRetention: { emails: 30 } } })).dataRetention.emails,
    ).toBe(30);
    expect(okBody(await hr('GET', '/v1/company/recording')).retentionDays).toBe(45);
  });

  it('deletes what is due as the clock moves, keeps what is not, and audits counts only', async () => {
    const old = await finishedInterview('Olderson', t0);
    // The old interview's invitation goes out now; the newer one's when it ends, 40 days on.
    expect(await emailWorker(api).runOnce()).toBeGreaterThan(0);
    api.setNow(new Date(t0.getTime() + 40 * day));
    const recent = await finishedInterview('Newerton', new Date(t0.getTime() + 40 * day));
    expect(await emailWorker(api).runOnce()).toBeGreaterThan(0);
    // A webhook event still owed to a consumer (an endpoint that does not answer) is never dropped.
    const endpoint = await hr('POST', '/v1/webhook-endpoints', {
      body: { url: 'http://127.0.0.1:9/hooks', eventTypes: ['scorecard.updated'] },
    });
    expectStatus(endpoint, 201);
    expectStatus(await hr('POST', `/v1/interviews/${old.interviewId}/decision`, { body: { decision: 'reject' } }), 201);
    const owed = await api.db
      .selectFrom('webhookDeliveries')
      .select('eventId')
      .where('status', '=', 'pending')
      .execute();
    expect(owed).toHaveLength(1);
    const eventsBefore = (
      await api.db.selectFrom('webhookEvents').select('id').where('companyId', '=', companyId).execute()
    ).length;
    expect(eventsBefore).toBeGreaterThan(5);
    expect(await countsFor(old.interviewId)).toEqual({
      transcriptTurns: 2,
      codeEvents: 1,
      scorecards: 1,
      decisions: 2,
      emails: 1,
    });

    // Day 10: nothing is due yet (the shortest period is 20 days).
    await applyRetentionAt(new Date(t0.getTime() + 10 * day));
    expect(await countsFor(old.interviewId)).toEqual({
      transcriptTurns: 2,
      codeEvents: 1,
      scorecards: 1,
      decisions: 2,
      emails: 1,
    });
    expect(
      await api.db.selectFrom('webhookEvents').select('id').where('companyId', '=', companyId).execute(),
    ).toHaveLength(eventsBefore);

    // Day 45: the old interview's transcript, code and e-mail (30 days) and the webhook history (20 days) are due;
    // its scorecards (60) are not, nor anything of the interview that ended on day 40.
    await applyRetentionAt(new Date(t0.getTime() + 45 * day));
    expect(await countsFor(old.interviewId)).toEqual({
      transcriptTurns: 0,
      codeEvents: 0,
      scorecards: 1,
      decisions: 2,
      emails: 0,
    });
    expect(await countsFor(recent.interviewId)).toEqual({
      transcriptTurns: 2,
      codeEvents: 1,
      scorecards: 1,
      decisions: 1,
      emails: 1,
    });
    const events = await api.db.selectFrom('webhookEvents').select('id').where('companyId', '=', companyId).execute();
    expect(events.map((e) => e.id)).toEqual([owed[0]!.eventId]);
    // The audit log: one entry per kind that had something due, with the period and counts, and no content.
    let entries = await audited();
    expect(entries.map((e) => e.kind).sort()).toEqual(['codeEvents', 'emails', 'transcripts', 'webhookPayloads']);
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'transcripts', retentionDays: 30, counts: { transcriptTurns: 2 } }),
        expect.objectContaining({ kind: 'codeEvents', retentionDays: 30, counts: { codeEvents: 1, codeReruns: 1 } }),
        expect.objectContaining({ kind: 'emails', retentionDays: 30, counts: { emails: 1 } }),
        expect.objectContaining({
          kind: 'webhookPayloads',
          retentionDays: 20,
          counts: { webhookEvents: eventsBefore - 1 },
        }),
      ]),
    );

    // Day 70: the old scorecards and decisions (60 days) go too.
    await applyRetentionAt(new Date(t0.getTime() + 70 * day));
    expect(await countsFor(old.interviewId)).toMatchObject({ scorecards: 0, decisions: 0 });
    expect(await countsFor(recent.interviewId)).toMatchObject({ scorecards: 1, decisions: 1 });
    entries = await audited();
    expect(entries.filter((e) => e.kind === 'scorecards')).toEqual([
      expect.objectContaining({ retentionDays: 60, counts: { scorecards: 1, decisions: 2 } }),
    ]);

    // Day 100: the candidate whose last interview ended 100 days ago is erased (90 days); the other is kept.
    await applyRetentionAt(new Date(t0.getTime() + 100 * day));
    await runner().runOnce();
    const erased = okBody(await hr('GET', `/v1/candidates/${old.candidateId}`));
    expect(erased).toMatchObject({ firstName: 'Erased', email: null });
    expect(okBody(await hr('GET', `/v1/candidates/${old.candidateId}/erasure`))).toMatchObject({
      status: 'completed',
      reason: 'retention',
    });
    expect(okBody(await hr('GET', `/v1/candidates/${recent.candidateId}`))).toMatchObject({
      firstName: 'Newerton',
      erasedAt: null,
    });
    entries = await audited();
    expect(entries.filter((e) => e.kind === 'candidate')).toEqual([
      expect.objectContaining({ retentionDays: 90, counts: { candidatesErased: 1 } }),
    ]);

    expect(JSON.stringify(await audited())).not.toMatch(/Olderson|Newerton|double-entry|example\.org/);
  }, 120_000);
});
