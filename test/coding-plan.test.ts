import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as codingLanguageMigration from '../migrations/2026-12-01T0300_coding_language.ts';
import { loadInterviewContext } from '../agent/interview-context.ts';
import { readPlan } from '../api/plans/plans.repository.ts';
import {
  candidateView,
  codingLanguages,
  codingProblemSchema,
  isRunnable,
  runnableLanguages,
} from '../shared/coding/coding.schema.ts';
import { planQuestionSchema } from '../shared/plans/plan.schema.ts';
import { buildQuestionPlan } from '../shared/question-bank.ts';
import { bankProblems } from '../shared/question-bank-coding.ts';
import { bodyOf, client, expectStatus, seedCompany, startTestApi, type TestApi } from './support/harness.ts';

// Coding interviews' data model: the job's coding language is a closed list (old free text mapped by the
// migration), a CODING interview's plan carries a problem from the bank, and the candidate's side never sees a
// reference solution or a hidden test.

let api: TestApi;
let hr: ReturnType<typeof client>;
let pub: ReturnType<typeof client>;

beforeAll(async () => {
  api = await startTestApi({ env: { AGENT_NAME: `interviewer-coding-${process.pid}` } });
  const { key } = await seedCompany(api.db, 'Acme');
  hr = client(api.url, key);
  pub = client(api.url);
});
afterAll(() => api?.stop());

const person = { phone: '+971501234567', firstName: 'Layla', lastName: 'Haddad' };

async function codingInterview(codingLanguage: string | null, language = 'en') {
  const job = bodyOf(
    await hr('POST', '/v1/jobs', {
      body: {
        title: 'Backend Engineer',
        description: 'Build payment ledgers.',
        codingLanguage,
        competencies: [{ key: 'problem_solving', name: 'Problem solving', description: 'Breaks problems down.' }],
      },
    }),
    201,
  );
  const candidate = bodyOf(await hr('POST', '/v1/candidates', { body: person }), 201);
  const interview = bodyOf(
    await hr('POST', '/v1/interviews', {
      body: { candidateId: candidate.id, jobId: job.id, type: 'CODING', maxDurationMinutes: 30, language },
    }),
    201,
  );
  return interview;
}

describe("a job's coding language", () => {
  it('is one of a closed list: anything else is a 400 that names the languages there are', async () => {
    const refused = await hr('POST', '/v1/jobs', { body: { title: 'Engineer', description: 'x', codingLanguage: 'Klingon++' } });
    expectStatus(refused, 400);
    const error = refused.body.errors?.find((e) => e.path === 'body.codingLanguage');
    expect(error?.message).toBeDefined();
    for (const language of codingLanguages) expect(error!.message).toContain(language);

    const job = bodyOf(await hr('POST', '/v1/jobs', { body: { title: 'Engineer', description: 'x', codingLanguage: 'SQL' } }), 201);
    expect(job.codingLanguage).toBe('SQL');
    expectStatus(await hr('PATCH', `/v1/jobs/${job.id}`, { body: { codingLanguage: 'python' } }), 400);
    const cleared = bodyOf(await hr('PATCH', `/v1/jobs/${job.id}`, { body: { codingLanguage: null } }), 200);
    expect(cleared.codingLanguage).toBeNull();
    // The database holds the same line, whoever writes.
    await expect(sql`update jobs set coding_language = 'Klingon++' where id = ${job.id}`.execute(api.db)).rejects.toThrow(
      /jobs_coding_language_check/,
    );
  });

  it("HR's voice-only choice for phones: off by default, set and cleared on the job, a boolean or a 400, and read by the interviewer", async () => {
    const job = bodyOf(await hr('POST', '/v1/jobs', { body: { title: 'Engineer', description: 'x', codingLanguage: 'SQL' } }), 201);
    expect(job.codingVoiceOnly).toBe(false);
    const refused = await hr('PATCH', `/v1/jobs/${job.id}`, { body: { codingVoiceOnly: 'yes' } });
    expectStatus(refused, 400);
    expect(refused.body.errors?.map((e) => e.path)).toEqual(['body.codingVoiceOnly']);
    expect(bodyOf(await hr('PATCH', `/v1/jobs/${job.id}`, { body: { codingVoiceOnly: true } }), 200).codingVoiceOnly).toBe(true);
    expect(bodyOf(await hr('GET', `/v1/jobs/${job.id}`), 200).codingVoiceOnly).toBe(true);
    const allowed = bodyOf(
      await hr('POST', '/v1/jobs', { body: { title: 'Engineer', description: 'x', codingLanguage: 'PYTHON', codingVoiceOnly: true } }),
      201,
    );
    expect(allowed.codingVoiceOnly).toBe(true);
    // What the interviewer loads for the interview, and so sends the candidate's page with the problem.
    const candidate = bodyOf(await hr('POST', '/v1/candidates', { body: { ...person, phone: '+971501234999' } }), 201);
    const interview = bodyOf(
      await hr('POST', '/v1/interviews', { body: { candidateId: candidate.id, jobId: allowed.id, type: 'CODING' } }),
      201,
    );
    expect((await loadInterviewContext(api.db, interview.id))?.job.codingVoiceOnly).toBe(true);
    expect(bodyOf(await hr('PATCH', `/v1/jobs/${allowed.id}`, { body: { codingVoiceOnly: false } }), 200).codingVoiceOnly).toBe(false);
    expect((await loadInterviewContext(api.db, interview.id))?.job.codingVoiceOnly).toBe(false);
  });

  it("the migration maps the known spellings of what jobs held before, and clears the rest", async () => {
    const spellings: [string, string | null][] = [
      ['Python', 'PYTHON'],
      ['python3', 'PYTHON'],
      ['JS', 'JAVASCRIPT'],
      ['Node.js', 'JAVASCRIPT'],
      ['TypeScript', 'TYPESCRIPT'],
      ['C#', 'CSHARP'],
      ['.NET', 'CSHARP'],
      ['Postgres SQL', 'SQL'],
      ['PostgreSQL', 'SQL'],
      ['T-SQL', 'SQL'],
      ['golang', 'GO'],
      ['Java', 'JAVA'],
      ['php', 'PHP'],
      ['Ruby', 'RUBY'],
      ['GO', 'GO'],
      ['Klingon++', null],
      ['', null],
      ['Python and SQL', null],
    ];
    const db = api.db.withoutPlugins();
    const { companyId } = await seedCompany(api.db, 'Before the list');
    // The schema as it was: the constraint off, free text in the column.
    await codingLanguageMigration.down(db);
    try {
      for (const [spelling] of spellings) {
        await sql`insert into jobs (company_id, title, description, language, coding_language)
          values (${companyId}, ${`Job ${spelling}`}, 'x', 'en', ${spelling})`.execute(db);
      }
    } finally {
      await codingLanguageMigration.up(db);
    }
    const rows = await api.db.selectFrom('jobs').select(['title', 'codingLanguage']).where('companyId', '=', companyId).execute();
    const mapped = Object.fromEntries(rows.map((r) => [r.title.slice(4), r.codingLanguage]));
    expect(mapped).toEqual(Object.fromEntries(spellings));
  });
});

describe('coding problems in the template bank', () => {
  it('has at least two problems per runnable language, each valid, with visible and hidden tests and a reference solution', () => {
    for (const language of runnableLanguages) {
      for (const lang of ['en', 'ar'] as const) {
        const problems = bankProblems(language, lang);
        expect(problems.length, language).toBeGreaterThanOrEqual(2);
        for (const problem of problems) {
          expect(codingProblemSchema.parse(problem)).toEqual(problem);
          expect(problem.language).toBe(language);
          expect(problem.tests.some((t) => t.visible)).toBe(true);
          expect(problem.tests.some((t) => !t.visible)).toBe(true);
          expect(problem.referenceSolution).toMatch(/\S/);
          expect(problem.starterCode).toMatch(/\S/);
          if (language === 'SQL') expect(problem.sqlSetup).toMatch(/create table/);
          else expect(problem.referenceSolution).toContain(problem.entry);
          if (lang === 'ar') expect(problem.statement).toMatch(/[\u0600-\u06FF]/);
        }
      }
    }
  });

  it('gives editor-only languages a statement and starter code, with nothing to run', () => {
    for (const language of codingLanguages.filter((l) => !isRunnable(l))) {
      const [problem, ...rest] = bankProblems(language, 'en');
      expect(rest).toEqual([]);
      expect(codingProblemSchema.parse(problem)).toEqual(problem);
      expect(problem!.referenceSolution).toBeNull();
      expect(problem!.starterCode).toContain(problem!.entry!);
      expect(problem!.statement).toContain(problem!.entry!);
    }
  });

  it('puts one problem after the opening of a CODING plan, in the job language (Python by default), with five anchors', () => {
    const competencies = [{ key: 'problem_solving', name: 'Problem solving', description: '' }];
    for (const [codingLanguage, expected] of [['SQL', 'SQL'], [null, 'PYTHON'], ['GO', 'GO']] as const) {
      const plan = buildQuestionPlan({ type: 'CODING', competencies, maxDurationMinutes: 30, language: 'en', codingLanguage });
      const coding = plan.questions.filter((q) => q.coding);
      expect(coding.map((q) => q.position)).toEqual([1]);
      expect(coding[0]!.coding!.language).toBe(expected);
      expect(planQuestionSchema.parse(coding[0])).toEqual(coding[0]);
      expect(coding[0]!.anchors.join(' ')).toMatch(/code/);
      expect(coding[0]!.anchors.join(' ')).toMatch(/explain/);
      expect(coding[0]!.anchors.join(' ')).toMatch(/tests/);
    }
    for (const type of ['TECHNICAL', 'BEHAVIORAL', 'SYSTEM_DESIGN'] as const) {
      const plan = buildQuestionPlan({ type, competencies, maxDurationMinutes: 30, language: 'en', codingLanguage: 'PYTHON' });
      expect(plan.questions.some((q) => q.coding)).toBe(false);
    }
  });

  it('candidateView keeps the visible tests and drops the hidden ones and the reference solution', () => {
    for (const language of runnableLanguages) {
      for (const problem of bankProblems(language, 'en')) {
        const view = candidateView(problem);
        const text = JSON.stringify(view);
        expect(text).not.toContain(problem.referenceSolution!);
        expect(view.tests.every((t) => t.visible)).toBe(true);
        expect(view.tests.length).toBe(problem.tests.filter((t) => t.visible).length);
        for (const hidden of problem.tests.filter((t) => !t.visible)) expect(text).not.toContain(`"name":${JSON.stringify(hidden.name)}`);
      }
    }
  });
});

describe("a CODING interview's plan", () => {
  it('is stored with its problem, shown to HR, in Arabic for an Arabic interview', async () => {
    const interview = await codingInterview('JAVASCRIPT');
    const coding = interview.plan.questions.find((q) => q.coding)!;
    expect(coding.coding!.language).toBe('JAVASCRIPT');
    const stored = await readPlan(api.db, interview.id);
    expect(stored.find((q) => q.coding)?.coding).toEqual(coding.coding);
    const viaPlan = bodyOf(await hr('GET', `/v1/interviews/${interview.id}/plan`), 200);
    expect(viaPlan.questions.find((q) => q.coding)?.coding?.referenceSolution).toBe(coding.coding!.referenceSolution);

    const arabic = await codingInterview('PYTHON', 'ar');
    const problem = arabic.plan.questions.find((q) => q.coding)!;
    expect(problem.coding!.statement).toMatch(/[\u0600-\u06FF]/);
    expect(problem.text).toMatch(/[\u0600-\u06FF]/);
  });

  it("keeps the keys of its tests' data as written (snake_case columns of expected rows), for HR, the agent and the re-run", async () => {
    const interview = await codingInterview('SQL');
    const bank = bankProblems('SQL', 'en')[0]!;
    expect(JSON.stringify(bank.tests[0]!.expected)).toContain('"total_cents"');
    expect(interview.plan.questions.find((q) => q.coding)?.coding?.tests).toEqual(bank.tests);
    expect((await readPlan(api.db, interview.id)).find((q) => q.coding)?.coding?.tests).toEqual(bank.tests);
    const viaPlan = bodyOf(await hr('GET', `/v1/interviews/${interview.id}/plan`), 200);
    expect(viaPlan.questions.find((q) => q.coding)?.coding?.tests).toEqual(bank.tests);
  });

  it('keeps its problem when HR replaces the plan keeping the question', async () => {
    const interview = await codingInterview('SQL');
    const replaced = bodyOf(
      await hr('PUT', `/v1/interviews/${interview.id}/plan`, {
        body: {
          questions: interview.plan.questions.map((q) => ({
            questionId: q.questionId,
            text: q.coding ? 'Here is a SQL exercise; talk me through it as you write the query.' : q.text,
            competencyKey: q.competencyKey,
            timeBudgetSeconds: q.timeBudgetSeconds,
          })),
        },
      }),
      200,
    );
    expect(replaced.questions.find((q) => q.coding)?.coding?.language).toBe('SQL');
  });

  it('never reaches the candidate: the room information and the join carry no reference solution or hidden test', async () => {
    const interview = await codingInterview('PYTHON');
    const problem = interview.plan.questions.find((q) => q.coding)!.coding!;
    const info = await pub('GET', `/v1/public/rooms/${interview.roomCode}`);
    expectStatus(info, 200);
    const joined = await pub('POST', `/v1/public/rooms/${interview.roomCode}/join`, { body: person });
    expectStatus(joined, 200);
    for (const text of [JSON.stringify(info.body), JSON.stringify(joined.body)]) {
      expect(text).not.toContain(problem.referenceSolution!);
      for (const hidden of problem.tests.filter((t) => !t.visible)) expect(text).not.toContain(`"name":${JSON.stringify(hidden.name)}`);
    }
  });
});
