import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startJobRunner, type JobRunner } from '../../api/jobs/runner.ts';
import { scoreInterviewTask, scoringBacklog } from '../../api/scoring/scoring-jobs.ts';
import { endInterview } from '../../shared/interview-lifecycle.ts';
import { enqueueScoring } from '../../shared/jobs.ts';
import { noLlmReason, scoreInterview } from '../../api/scoring/scorecards.ts';
import { scorecardTexts } from '../../api/scoring/texts/index.ts';
import { client, expectOk, expectStatus, okBody, seedCompany, seedInterview, startTestApi, type TestApi } from '../support/harness.ts';
import { testJobWorker } from '../support/jobs.ts';
import {
  honestBrain,
  isPlanRequest,
  planBrain,
  promptTurns,
  startEvaluationEmulator,
  type EvaluationBrain,
} from './gemini-evaluation-emulator.ts';

// Scorecards from a finished interview's transcript, with the real @google/genai client talking to a local
// emulator of Gemini's structured-output endpoint. The transcript rows stand in for what the interviewer agent
// writes; the agent's own end-to-end test covers producing them.

let api: TestApi;
let hr: ReturnType<typeof client>;
let other: ReturnType<typeof client>;
let emulator: Awaited<ReturnType<typeof startEvaluationEmulator>>;
let brain: EvaluationBrain = honestBrain;

beforeAll(async () => {
  // Interview creation asks the same model for a question plan; those requests get a plan.
  emulator = await startEvaluationEmulator((r) => (isPlanRequest(r) ? planBrain(r) : brain(r)));
  api = await startTestApi({ env: { GOOGLE_API_KEY: 'test-key-for-emulator', GEMINI_BASE_URL: emulator.url } });
  hr = client(api.url, (await seedCompany(api.db, 'Acme')).key);
  other = client(api.url, (await seedCompany(api.db, 'Other Co')).key);
});
afterAll(async () => {
  await api?.stop();
  await emulator?.close();
});
beforeEach(() => {
  brain = honestBrain;
  emulator.requests.length = 0;
});

const strongAnswer =
  'At Fintech Co I rebuilt the ledger service in TypeScript and Postgres, cutting reconciliation time from six hours to twelve minutes.';

type Line = [speaker: 'interviewer' | 'candidate', text: string, questionId: string | null];

/** A finished interview with a two-question plan and the given transcript. */
async function finishedInterview(lines: Line[]) {
  const { interview, job } = await seedInterview(hr);
  // A fixed two-question plan instead of the generated one, so the transcript below can refer to it.
  await api.db.deleteFrom('interviewPlanQuestions').where('interviewId', '=', interview.id).execute();
  await api.db
    .insertInto('interviewPlanQuestions')
    .values([
      { interviewId: interview.id, questionId: 'q-opening', position: 1, competencyKey: null, text: 'Tell me about a system you built.', timeBudgetSeconds: 120, source: 'template-bank:v1', anchors: JSON.stringify([1, 2, 3, 4, 5].map((l) => `Level ${l} for the opening.`)) },
      { interviewId: interview.id, questionId: 'q-system_design', position: 2, competencyKey: 'system_design', text: 'Tell me about a design decision.', timeBudgetSeconds: 180, source: 'template-bank:v1' },
    ])
    .execute();
  const start = Date.now() - 600_000;
  if (lines.length > 0) {
    await api.db
      .insertInto('transcriptTurns')
      .values(
        lines.map(([speaker, text, questionId], i) => ({
          interviewId: interview.id,
          seq: i + 1,
          speaker,
          text,
          questionId,
          stage: questionId ? 'question' : 'greeting',
          startedAt: new Date(start + i * 10_000),
          endedAt: new Date(start + i * 10_000 + 8_000),
        })),
      )
      .execute();
  }
  await api.db
    .updateTable('interviews')
    .set({ status: 'completed', startedAt: new Date(start), endedAt: new Date(Date.now() - 60_000), endReason: 'completed' })
    .where('id', '=', interview.id)
    .execute();
  const row = await api.db.selectFrom('interviews').selectAll().where('id', '=', interview.id).executeTakeFirstOrThrow();
  return { interview: row, job };
}

const answeredTranscript: Line[] = [
  ['interviewer', 'Hello Layla. Do you agree to continue?', null],
  ['candidate', 'Yes, I agree.', null],
  ['interviewer', 'Tell me about a system you built.', 'q-opening'],
  ['candidate', strongAnswer, 'q-opening'],
  ['interviewer', 'Tell me about a design decision.', 'q-system_design'],
  ['candidate', 'I split the ledger writes from the reporting reads so each could scale on its own, using an outbox.', 'q-system_design'],
];

const evaluations = () => emulator.requests.filter((r) => !isPlanRequest(r));
const deps = () => ({ db: api.db, log: api.deps.log, now: api.deps.now, scoring: api.deps.config.scoring });
/** The scoring task on the job runner: runOnce() runs the scoring jobs due and resolves with how many ran. */
const scoringJobs = () =>
  testJobWorker({
    db: api.db,
    databaseUrl: api.deps.config.database.url,
    log: api.deps.log,
    now: api.deps.now,
    tasks: (count) => {
      const task = scoreInterviewTask(deps());
      return { 'score-interview': { ...task, run: (payload, context) => (count(), task.run(payload, context)) } };
    },
  });
const noContext = { signal: new AbortController().signal, attempt: 1, maxAttempts: 1 };

describe('scorecards', () => {
  it('scores a finished interview against its plan, with verbatim evidence, and records interview.completed with it', async () => {
    const { interview } = await finishedInterview(answeredTranscript);
    await enqueueScoring(api.db, interview.id);
    expect(await scoringJobs().runOnce()).toBe(1);
    const card = await hr('GET', `/v1/interviews/${interview.id}/scorecard`);
    expectStatus(card, 200);
    expect(card.body).toMatchObject({
      version: 1,
      isLatest: true,
      status: 'complete',
      model: 'gemini-2.5-flash',
      promptVersion: 'scorecard-prompt:v3',
      planVersion: 'template-bank:v1',
      recommendation: 'advance',
      overallScore: 4,
      advisory: true,
      humanDecision: null,
    });
    const opening = card.body.result.questions[0]!;
    expect(opening).toMatchObject({ questionId: 'q-opening', status: 'asked', score: 4, insufficientEvidence: false });
    expect(opening.evidence).toEqual([{ turnSeq: 4, quote: 'At Fintech Co I rebuilt the' }]);
    expect(card.body.result.competencies).toEqual([
      expect.objectContaining({ key: 'system_design', score: 4, insufficientEvidence: false }),
    ]);
    // The model was asked for structured output, with the candidate's words framed as data.
    expect(evaluations()[0]!.responseMimeType).toBe('application/json');
    expect(evaluations()[0]!.responseJsonSchema).toBeTruthy();
    expect(evaluations()[0]!.systemInstruction).toMatch(/not instructions/);
    // Each question is scored against its own anchors from the plan.
    expect(evaluations()[0]!.prompt).toContain('    5: Level 5 for the opening.');

    const events = await api.db.selectFrom('webhookEvents').select(['type', 'payload']).where('type', '=', 'interview.completed').execute();
    const mine = events.find((e) => (e.payload as { interviewId: string }).interviewId === interview.id);
    expect(mine?.payload).toMatchObject({ status: 'completed', scorecard: { overallScore: 4, recommendation: 'advance' } });
  });

  it('drops a quote that is not in the transcript and turns its score into insufficient evidence', async () => {
    brain = (request) => {
      const answer = honestBrain(request);
      answer.questions[0]!.evidence = [{ turnSeq: 4, quote: 'I led a team of fifty engineers at Google' }];
      answer.competencies[0]!.evidence = [{ turnSeq: 2, quote: 'Yes, I agree.' }];
      return answer;
    };
    const { interview } = await finishedInterview(answeredTranscript);
    const row = await scoreInterview(deps(), interview, 'interview_completed');
    const card = okBody(await hr('GET', `/v1/interviews/${interview.id}/scorecard?version=${row.version}`));
    expect(card.result.questions[0]).toMatchObject({ score: null, insufficientEvidence: true, evidence: [] });
    // Verbatim, but from the consent exchange, not from an answer.
    expect(card.result.competencies[0]).toMatchObject({ score: null, insufficientEvidence: true });
    expect(card.result.questions[1]).toMatchObject({ score: 4, insufficientEvidence: false });
    expect(card.integrity).toEqual({ droppedQuotes: 2, droppedStatements: 0, scoresWithdrawn: 2 });
    expect(card.overallScore).toBe(4);
  });

  it('accepts quotes that differ only in case and spacing, and re-attributes them to the turn they come from', async () => {
    brain = (request) => {
      const answer = honestBrain(request);
      answer.questions[0]!.evidence = [{ turnSeq: 6, quote: '  AT FINTECH co   i rebuilt the LEDGER service ' }];
      return answer;
    };
    const { interview } = await finishedInterview(answeredTranscript);
    await scoreInterview(deps(), interview, 'interview_completed');
    const card = okBody(await hr('GET', `/v1/interviews/${interview.id}/scorecard`));
    expect(card.result.questions[0]).toMatchObject({ score: 4, evidence: [{ turnSeq: 4 }] });
  });

  it('never scores silence or non-answers, and removes inferences about feelings or voice', async () => {
    brain = (request) => {
      const answer = honestBrain(request);
      for (const q of answer.questions) q.evidence = [{ turnSeq: 4, quote: "I don't really know, sorry" }];
      answer.overall.summary = 'The candidate sounded nervous. Answers lacked depth on design.';
      answer.overall.strengths = ['Enthusiastic and friendly demeanour'];
      return answer;
    };
    const { interview } = await finishedInterview([
      ['interviewer', 'Tell me about a system you built.', 'q-opening'],
      ['candidate', "Um, I don't know.", 'q-opening'],
      ['interviewer', 'Tell me about a design decision.', 'q-system_design'],
      ['candidate', 'I chose Postgres over Mongo for the ledger because we needed transactions across accounts.', 'q-system_design'],
    ]);
    await scoreInterview(deps(), interview, 'interview_completed');
    const card = okBody(await hr('GET', `/v1/interviews/${interview.id}/scorecard`));
    expect(card.result.questions[0]).toMatchObject({ status: 'not_answered', score: null, insufficientEvidence: true });
    expect(card.result.overall?.summary).toBe('Answers lacked depth on design.');
    expect(card.result.overall?.strengths).toEqual([]);
    expect(card.integrity.droppedStatements).toBe(2);
    expect(JSON.stringify(card.result)).not.toMatch(/nervous|enthusias|demeanou?r/i);
  });

  it('gives a silent interview, or a declined consent, no scores and calls no model', async () => {
    const silent = await finishedInterview([
      ['interviewer', 'Hello Layla. Do you agree to continue?', null],
      ['interviewer', 'Are you still there?', null],
    ]);
    const declined = await finishedInterview([
      ['interviewer', 'Hello Layla. Do you agree to continue?', null],
      ['candidate', 'No, I do not agree.', null],
    ]);
    for (const { interview } of [silent, declined]) {
      await scoreInterview(deps(), interview, 'interview_completed');
      const card = okBody(await hr('GET', `/v1/interviews/${interview.id}/scorecard`));
      expect(card).toMatchObject({ status: 'complete', model: null, overallScore: null, recommendation: null });
      expect(card.result.questions.every((q: { score: unknown; status: string }) => q.score === null && q.status === 'not_asked')).toBe(true);
      expect(card.result.competencies.every((c: { score: unknown }) => c.score === null)).toBe(true);
    }
    expect(evaluations()).toHaveLength(0);
  });

  it("writes its own summaries in the interview's language (Arabic here), English by default", async () => {
    const inArabic = async (lines: Line[]) => {
      const { interview } = await finishedInterview(lines);
      await api.db.updateTable('interviews').set({ language: 'ar' }).where('id', '=', interview.id).execute();
      return { ...interview, language: 'ar' };
    };
    const silent = await inArabic([['interviewer', 'مرحبًا ليلى. هل توافقين على المتابعة؟', null]]);
    await scoreInterview(deps(), silent, 'interview_completed');
    const silentCard = okBody(await hr('GET', `/v1/interviews/${silent.id}/scorecard`));
    expect(silentCard.result.overall?.summary).toBe(scorecardTexts('ar').noAnswers);
    expect(silentCard.result.overall?.summary).toMatch(/^لم يقدّم المرشح/);

    // The model evaluated, but no quote is in the transcript: no score survives, and the fixed summary replaces its own.
    brain = (request) => {
      const answer = honestBrain(request);
      for (const q of answer.questions) q.evidence = [{ turnSeq: 4, quote: 'كلام لم يقله المرشح' }];
      for (const c of answer.competencies) c.evidence = [{ turnSeq: 4, quote: 'كلام لم يقله المرشح' }];
      return answer;
    };
    const unscorable = await inArabic([
      ['interviewer', 'حدثيني عن نظام بنيتِه.', 'q-opening'],
      ['candidate', 'بنيت خدمة الدفتر المحاسبي باستخدام تايب سكريبت وبوستغريس.', 'q-opening'],
    ]);
    await scoreInterview(deps(), unscorable, 'interview_completed');
    const unscorableCard = okBody(await hr('GET', `/v1/interviews/${unscorable.id}/scorecard`));
    expect(unscorableCard.overallScore).toBeNull();
    expect(unscorableCard.result.overall?.summary).toBe(scorecardTexts('ar').noScorableAnswers);

    // A regional code picks the same catalogue; a language with none falls back to English.
    expect(scorecardTexts('ar-AE')).toBe(scorecardTexts('ar'));
    expect(scorecardTexts('fr').noAnswers).toBe('The candidate gave no answers that can be evaluated; a person should review the interview.');
    const english = await finishedInterview([['interviewer', 'Hello Layla. Do you agree to continue?', null]]);
    await scoreInterview(deps(), english.interview, 'interview_completed');
    expect(okBody(await hr('GET', `/v1/interviews/${english.interview.id}/scorecard`)).result.overall?.summary).toBe(
      scorecardTexts('en').noAnswers,
    );
  });

  it('stays pending with its reason without a language model, and is scored once one is configured', async () => {
    const { interview } = await finishedInterview(answeredTranscript);
    const withoutModel = { ...deps(), scoring: { ...deps().scoring, googleApiKey: undefined } };
    await scoreInterview(withoutModel, interview, 'interview_completed');
    const pending = okBody(await hr('GET', `/v1/interviews/${interview.id}/scorecard`));
    expect(pending).toMatchObject({ status: 'pending', pendingReason: noLlmReason, overallScore: null, recommendation: null });
    expect(pending.result.questions.every((q: { score: unknown }) => q.score === null)).toBe(true);

    // The backlog pass finds it once a model is configured, and its job scores it.
    await scoringBacklog(deps()).run(noContext);
    expect(await scoringJobs().runOnce()).toBeGreaterThanOrEqual(1);
    const versions = okBody(await hr('GET', `/v1/interviews/${interview.id}/scorecards`)).items;
    expect(versions.map((v: { version: number; status: string; isLatest: boolean; trigger: string }) => [v.version, v.status, v.isLatest, v.trigger])).toEqual([
      [2, 'complete', true, 'llm_configured'],
      [1, 'pending', false, 'interview_completed'],
    ]);
  });

  it('re-scores through the API keeping every version, and records the human decision separately', async () => {
    const { interview } = await finishedInterview(answeredTranscript);
    await scoreInterview(deps(), interview, 'interview_completed');
    brain = (request) => ({ ...honestBrain(request), overall: { ...honestBrain(request).overall, recommendation: 'human_review' } });
    const rescored = await hr('POST', `/v1/interviews/${interview.id}/scorecard/rescore`, { body: {} });
    expectStatus(rescored, 201);
    expect(rescored.body).toMatchObject({ version: 2, isLatest: true, trigger: 're_score', recommendation: 'human_review' });
    const first = okBody(await hr('GET', `/v1/interviews/${interview.id}/scorecard?version=1`));
    expect(first).toMatchObject({ version: 1, isLatest: false, recommendation: 'advance' });

    const decision = await hr('POST', `/v1/interviews/${interview.id}/decision`, { body: { decision: 'advance', note: 'Strong ledger work' } });
    expectStatus(decision, 201);
    expect(decision.body).toMatchObject({ decision: 'advance', scorecardVersion: 2, note: 'Strong ledger work' });
    const latest = okBody(await hr('GET', `/v1/interviews/${interview.id}/scorecard`));
    expect(latest.humanDecision).toMatchObject({ decision: 'advance', decidedBy: expect.stringMatching(/^api_key:/) });
    const updates = await api.db.selectFrom('webhookEvents').select('payload').where('type', '=', 'scorecard.updated').execute();
    const reasons = updates
      .map((u) => u.payload as { interviewId: string; reason: string })
      .filter((p) => p.interviewId === interview.id)
      .map((p) => p.reason);
    expect(reasons.sort()).toEqual(['human_decision', 're_score']);
    expect((await hr('POST', `/v1/interviews/${interview.id}/decision`, { body: { decision: 'maybe' } })).status).toBe(400);
  });

  it('writes the scorecard and its interview.completed event in one transaction: no event, no scorecard', async () => {
    const { interview } = await finishedInterview(answeredTranscript);
    // Make the event write fail for this interview only, as a crash between the two writes would.
    await sql
      .raw(
        `create or replace function fail_event() returns trigger language plpgsql as $$
         begin if new.payload->>'interviewId' = '${interview.id}' then raise exception 'event write failed'; end if; return new; end $$;
         create trigger fail_event before insert on webhook_events for each row execute function fail_event();`,
      )
      .execute(api.db);
    try {
      await expect(scoreInterview(deps(), interview, 'interview_completed')).rejects.toThrow();
      const cards = await api.db.selectFrom('scorecards').select('id').where('interviewId', '=', interview.id).execute();
      expect(cards).toEqual([]);
    } finally {
      await sql.raw('drop trigger fail_event on webhook_events; drop function fail_event();').execute(api.db);
    }
    await scoreInterview(deps(), interview, 'interview_completed');
    expect(await api.db.selectFrom('scorecards').select('id').where('interviewId', '=', interview.id).execute()).toHaveLength(1);
  });

  it('refuses to score an interview that is not completed', async () => {
    const { interview } = await seedInterview(hr);
    const r = await hr('POST', `/v1/interviews/${interview.id}/scorecard/rescore`, { body: {} });
    expectStatus(r, 409);
  });
});

describe('results API', () => {
  it('serves the transcript with timestamps, speakers and question links', async () => {
    const { interview } = await finishedInterview(answeredTranscript);
    const r = await hr('GET', `/v1/interviews/${interview.id}/transcript`);
    expectStatus(r, 200);
    expect(r.body.turns).toHaveLength(6);
    expect(r.body.turns[3]).toMatchObject({ seq: 4, speaker: 'candidate', text: strongAnswer, questionId: 'q-opening', questionPosition: 1 });
    expect(Date.parse(r.body.turns[3]!.startedAt)).toBeLessThan(Date.parse(r.body.turns[3]!.endedAt));
  });

  it('summarises per-turn latency', async () => {
    const { interview } = await finishedInterview(answeredTranscript);
    await api.db
      .insertInto('turnMetrics')
      .values([1, 3, 5].map((seq, i) => ({ interviewId: interview.id, turnSeq: seq, e2eLatency: 0.8 + i * 0.1, endOfTurnDelay: 0.5, llmTtft: 0.2, ttsTtfb: 0.1 })))
      .execute();
    const r = await hr('GET', `/v1/interviews/${interview.id}/latency`);
    expectOk(r);
    expect(r.body.turns).toHaveLength(3);
    expect(r.body.summary.e2eLatency).toMatchObject({ count: 3, p50: 0.9, max: 1 });
  });

  it("lists a job's interviews by score, with recommendation and competency scores", async () => {
    const a = await finishedInterview(answeredTranscript);
    await scoreInterview(deps(), a.interview, 'interview_completed');
    brain = (request) => {
      const answer = honestBrain(request);
      for (const q of answer.questions) q.score = 2;
      answer.overall.recommendation = 'do_not_advance';
      return answer;
    };
    const b = await finishedInterview(answeredTranscript);
    await scoreInterview(deps(), b.interview, 'interview_completed');
    for (const { interview, job } of [a, b]) {
      const list = await hr('GET', `/v1/jobs/${job.id}/results?sort=score&order=desc`);
      expectStatus(list, 200);
      expect(list.body.items[0]).toMatchObject({ interviewId: interview.id, scorecardStatus: 'complete', candidateName: 'Layla Haddad' });
    }
    const scores = [a, b].map(async ({ job }) => okBody(await hr('GET', `/v1/jobs/${job.id}/results`)).items[0]!.overallScore);
    expect(await Promise.all(scores)).toEqual([4, 2]);
  });

  it("answers 404 for another company's transcript, scorecard, decision and results", async () => {
    const { interview, job } = await finishedInterview(answeredTranscript);
    for (const [method, path] of [
      ['GET', `/v1/interviews/${interview.id}/transcript`],
      ['GET', `/v1/interviews/${interview.id}/scorecard`],
      ['GET', `/v1/interviews/${interview.id}/scorecards`],
      ['GET', `/v1/interviews/${interview.id}/latency`],
      ['POST', `/v1/interviews/${interview.id}/scorecard/rescore`],
      ['POST', `/v1/interviews/${interview.id}/decision`],
      ['GET', `/v1/jobs/${job.id}/results`],
    ] as const) {
      const r = await other(method, path, method === 'POST' ? { body: path.endsWith('decision') ? { decision: 'reject' } : {} } : {});
      expectStatus(r, 404, `${method} ${path}`);
    }
    expect(promptTurns('[1] CANDIDATE (q-x): hi')).toHaveLength(1);
  });
});

describe('scoring on the job runner', () => {
  const runners: JobRunner[] = [];
  afterAll(async () => {
    for (const r of runners) await r.stop();
  });
  /** A runner as an API process has it, with the scoring task. */
  async function runner(concurrency = 2) {
    const r = await startJobRunner({
      databaseUrl: api.deps.config.database.url,
      log: api.deps.log,
      name: 'scoring test',
      concurrency,
      tasks: { 'score-interview': scoreInterviewTask(deps()) },
    });
    runners.push(r);
    return r;
  }
  const scorecards = (interviewId: string) =>
    api.db.selectFrom('scorecards').select(['version', 'status']).where('interviewId', '=', interviewId).execute();
  /** An interview in progress with a plan and answers, ready to be completed. */
  async function inProgress(lines: Line[]) {
    const { interview } = await finishedInterview(lines);
    await api.db.updateTable('interviews').set({ status: 'in_progress', endedAt: null, endReason: null }).where('id', '=', interview.id).execute();
    return interview.id;
  }

  it('starts scoring when the interview completes: the job commits with the completion, no poll interval', async () => {
    brain = honestBrain;
    const r = await runner();
    try {
      const id = await inProgress(answeredTranscript);
      await endInterview(api.db, id, 'completed', { actor: 'agent' });
      // The scoring job was committed with the completion itself (no poll is to find it later): it is there the
      // moment endInterview returns, or already done and gone with its scorecard.
      const queued = await sql<{ n: number }>`
        select count(*)::int as n from graphile_worker.jobs where key = ${`score-interview:${id}`}`.execute(api.db);
      expect(queued.rows[0]!.n + (await scorecards(id)).length).toBe(1);
      await expect.poll(() => scorecards(id), { interval: 20 }).toHaveLength(1);
      const events = await api.db.selectFrom('webhookEvents').select('payload').where('type', '=', 'interview.completed').execute();
      expect(events.filter((e) => (e.payload as { interviewId: string }).interviewId === id)).toHaveLength(1);
    } finally {
      await r.stop();
    }
  });

  it('two API processes (two runners on one database) never score one interview twice', async () => {
    // A slow model, so the jobs overlap with every extra request to score.
    brain = async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      return honestBrain(request);
    };
    const [a, b] = [await runner(4), await runner(4)];
    try {
      const ids = [await inProgress(answeredTranscript), await inProgress(answeredTranscript), await inProgress(answeredTranscript)];
      emulator.requests.length = 0;
      // Each completion asks for scoring; so do a retry sweep and a second process, all at once.
      await Promise.all(ids.map((id) => endInterview(api.db, id, 'completed', { actor: 'agent' })));
      await Promise.all(ids.flatMap((id) => [enqueueScoring(api.db, id), enqueueScoring(api.db, id), enqueueScoring(api.db, id)]));
      for (const id of ids) await expect.poll(() => scorecards(id)).toHaveLength(1);
      // Late requests change nothing either: the interview has its scorecard.
      await Promise.all(ids.map((id) => enqueueScoring(api.db, id)));
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      for (const id of ids) expect(await scorecards(id)).toEqual([{ version: 1, status: 'complete' }]);
      const evaluated = evaluations().flatMap((r) => promptTurns(r.prompt).filter((t) => t.speaker === 'candidate'));
      expect(evaluations()).toHaveLength(ids.length);
      expect(evaluated.length).toBeGreaterThan(0);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('a job that always fails does not delay the others: ten failing interviews, the eleventh is scored at once', async () => {
    brain = (request) => {
      if (request.prompt.includes('This answer always breaks the model.')) throw new Error('model failure');
      return honestBrain(request);
    };
    const failing: Line[] = [
      ['interviewer', 'Tell me about a system you built.', 'q-opening'],
      ['candidate', 'This answer always breaks the model. I rebuilt a ledger once.', 'q-opening'],
    ];
    const r = await runner(2);
    try {
      const broken: string[] = [];
      for (let i = 0; i < 10; i++) broken.push(await inProgress(failing));
      for (const id of broken) await endInterview(api.db, id, 'completed', { actor: 'agent' });
      const good = await inProgress(answeredTranscript);
      await endInterview(api.db, good, 'completed', { actor: 'agent' });
      await expect.poll(() => scorecards(good), { interval: 20 }).toHaveLength(1);
      // The failing ones are parked for a retry with backoff, each with its error; none has a scorecard. The last of
      // them may still be failing as the good one is stored (two at a time): waited for, not assumed.
      const parked = async () =>
        (
          await sql<{ attempts: number; lastError: string | null }>`
            select attempts, last_error as "lastError" from graphile_worker.jobs
             where key = any(${broken.map((id) => `score-interview:${id}`)}::text[])`.execute(api.db)
        ).rows.filter((j) => j.attempts >= 1 && j.lastError !== null).length;
      await expect.poll(parked).toBe(10);
      for (const id of broken) expect(await scorecards(id)).toEqual([]);
    } finally {
      await r.stop();
    }
  });
});
