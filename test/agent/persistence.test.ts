import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInterviewContext } from '../../agent/interview-context.ts';
import { ensurePlan, readPlan } from '../../api/plans/plans.repository.ts';
import { createTranscriptWriter, recordConsent, summarizeTurnMetrics } from '../../agent/persistence.ts';
import { client, seedCompany, seedInterview, startTestApi, type TestApi } from '../support/harness.ts';

// What the agent writes, against real Postgres: ordered unique turns, a frozen plan, consent, metrics summary.

let api: TestApi;
let interviewId: string;

beforeAll(async () => {
  api = await startTestApi();
  const { key } = await seedCompany(api.db, 'Acme');
  const { interview } = await seedInterview(client(api.url, key), { maxDurationMinutes: 15 });
  interviewId = interview.id;
});
afterAll(async () => {
  await api?.stop();
});

const turn = (text: string, speaker: 'interviewer' | 'candidate' = 'candidate') => ({
  speaker,
  text,
  input: 'voice' as const,
  startedAt: new Date(),
  endedAt: new Date(),
  interrupted: false,
  questionId: null,
  stage: 'questions',
});

describe('agent persistence', () => {
  it('appends turns in order with a per-interview sequence; a second writer (a restarted job) continues after it', async () => {
    const writer = createTranscriptWriter(api.db, interviewId);
    const seqs = await Promise.all([writer.append(turn('one', 'interviewer')), writer.append(turn('two')), writer.append(turn('three', 'interviewer'))]);
    expect(seqs).toEqual([1, 2, 3]);
    const restarted = createTranscriptWriter(api.db, interviewId);
    expect(await restarted.append(turn('four'))).toBe(4);
    const rows = await api.db.selectFrom('transcriptTurns').select(['seq', 'text']).where('interviewId', '=', interviewId).orderBy('seq').execute();
    expect(rows.map((r) => r.text)).toEqual(['one', 'two', 'three', 'four']);
    // The sequence is unique per interview: the same seq cannot be stored twice.
    await expect(
      api.db.insertInto('transcriptTurns').values({ interviewId, seq: 2, ...turn('duplicate') }).execute(),
    ).rejects.toThrow(/transcript_turns_interview_seq/);
  });

  it('uses the plan the interview has; without one, freezes the template plan: a second load reads it back', async () => {
    const planned = await api.db.selectFrom('interviewPlanQuestions').selectAll().where('interviewId', '=', interviewId).orderBy('position').execute();
    if (planned.length > 0) {
      const context = await loadInterviewContext(api.db, interviewId);
      expect(context?.plan.questions.map((q) => q.questionId)).toEqual(planned.map((q) => q.questionId));
    }
    const writtenByApi = await readPlan(api.db, interviewId);
    await api.db.deleteFrom('interviewPlanQuestions').where('interviewId', '=', interviewId).execute();
    const first = await loadInterviewContext(api.db, interviewId);
    expect(first?.plan.source).toBe('template-bank:v3');
    expect(first?.plan.questions.map((q) => q.questionId)).toEqual(['q-opening', 'q-system_design']);
    // One writer: the agent's plan is row for row the one the API wrote when it created the interview.
    expect(writtenByApi.length).toBeGreaterThan(0);
    expect(await readPlan(api.db, interviewId)).toEqual(writtenByApi);
    // The frozen template plan carries its anchors, so the scorecard has levels to score against.
    const frozen = await api.db.selectFrom('interviewPlanQuestions').select('anchors').where('interviewId', '=', interviewId).execute();
    for (const q of frozen) expect(q.anchors).toHaveLength(5);
    await api.db.updateTable('jobs').set({ competencies: JSON.stringify([]) }).execute();
    const second = await loadInterviewContext(api.db, interviewId);
    expect(second?.plan).toEqual(first?.plan);
  });

  it('writers racing for an interview without a plan: one writes, every one gets that plan', async () => {
    await api.db.deleteFrom('interviewPlanQuestions').where('interviewId', '=', interviewId).execute();
    const results = await Promise.all([1, 2, 3].map(() => ensurePlan(api.db, interviewId, null)));
    expect(results.filter((r) => r.written)).toHaveLength(1);
    const stored = await readPlan(api.db, interviewId);
    expect(stored.map((q) => q.position)).toEqual(stored.map((_, i) => i));
    for (const r of results) expect(r.questions).toEqual(stored);
    expect((await loadInterviewContext(api.db, interviewId))?.plan.questions).toEqual(stored);
  });

  it('stores consent with its notice version, and summarises reply latency in SQL', async () => {
    await recordConsent(api.db, {
      interviewId,
      given: true,
      noticeVersion: 'v-test',
      noticeLanguage: 'en',
      noticeText: 'notice',
      candidateStatement: 'Yes.',
    });
    const consent = await api.db.selectFrom('interviewConsents').selectAll().where('interviewId', '=', interviewId).executeTakeFirstOrThrow();
    expect(consent).toMatchObject({ given: true, noticeVersion: 'v-test', candidateStatement: 'Yes.' });
    expect(consent.at).toBeInstanceOf(Date);

    const writer = createTranscriptWriter(api.db, interviewId);
    for (const [e2e, eot] of [[1.0, 0.8], [2.0, 1.5], [3.0, 2.9]] as const) {
      await writer.append(turn('reply', 'interviewer'), { e2eLatency: e2e, endOfTurnDelay: eot, llmTtft: 0.1, ttsTtfb: 0.05 });
    }
    const summary = await summarizeTurnMetrics(api.db, interviewId);
    expect(summary.turns).toBe(3);
    expect(summary.p50.e2eLatency).toBeCloseTo(2.0);
    expect(summary.p50.afterTurnDecision).toBeCloseTo(0.2);
    expect(summary.p95.endOfTurnDelay).toBeCloseTo(2.76); // percentile_cont: 1.5 + 0.9 × (2.9 − 1.5)
  });
});
