import { ChangeSet, Text } from '@codemirror/state';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { pino } from 'pino';
import { createCodeSession } from '../agent/code-session.ts';
import { insertCodeEvents, listCodeEvents } from '../api/coding/code-events.repository.ts';
import type { CodeBatch, CodeEvent } from '../shared/coding/coding.schema.ts';
import { buildQuestionPlan } from '../shared/question-bank.ts';
import { bodyOf, client, expectStatus, seedCompany, seedInterview, startTestApi, type TestApi } from './support/harness.ts';

// The reviewer's replay reads the candidate's editor events through the HR API: in order, page by page, only for
// the caller's own company, exactly as the interviewer stored them (a resent batch adds nothing).

let api: TestApi;
let a: ReturnType<typeof client>;
let b: ReturnType<typeof client>;
let interviewId: string;

const starter = 'def f(x):\n    pass\n';
/** Typing a solution as the editor reports it: CodeMirror change sets, a snapshot, a run, a paste, a focus loss. */
function typedEvents(): { events: CodeEvent[]; final: string } {
  const events: CodeEvent[] = [];
  let doc = Text.of(starter.split('\n'));
  const edits: [number, number, string][] = [
    [14, 18, 'return'],
    [20, 20, ' x * 2'],
  ];
  for (const [i, [from, to, insert]] of edits.entries()) {
    const change = ChangeSet.of({ from, to, insert }, doc.length);
    doc = change.apply(doc);
    events.push({ type: 'change', at: 1000 * (i + 1), changes: change.toJSON() });
  }
  events.push({ type: 'snapshot', at: 3000, code: doc.toString() });
  events.push({
    type: 'run',
    at: 4000,
    results: [{ name: 'doubles', passed: true, actual: '4', output: '', error: null, timedOut: false, durationMs: 3 }],
  });
  events.push({ type: 'paste', at: 5000, chars: 12 });
  events.push({ type: 'focus', at: 6000, state: 'lost' });
  return { events, final: doc.toString() };
}

beforeAll(async () => {
  api = await startTestApi();
  const ca = await seedCompany(api.db, 'Company A');
  const cb = await seedCompany(api.db, 'Company B');
  a = client(api.url, ca.key);
  b = client(api.url, cb.key);
  interviewId = (await seedInterview(a)).interview.id;
});
afterAll(() => api?.stop());

describe('GET /v1/interviews/:id/code-events', () => {
  it('pages through the events in order, each as it was sent, and a resent batch adds nothing', async () => {
    const { events, final } = typedEvents();
    expect(final).toBe('def f(x):\n    return x * 2\n');
    expect(await insertCodeEvents(api.db, interviewId, 'q-code-1', 0, events.slice(0, 4))).toBe(4);
    // Resent after a reconnect, overlapping what the store has.
    expect(await insertCodeEvents(api.db, interviewId, 'q-code-1', 2, events.slice(2))).toBe(2);

    const seen: { seq: number; event: CodeEvent }[] = [];
    let afterSeq: number | null = -1;
    let pages = 0;
    while (afterSeq !== null) {
      const path: `/v1/interviews/${string}/code-events?${string}` = `/v1/interviews/${interviewId}/code-events?limit=4&afterSeq=${afterSeq}`;
      const page = bodyOf(await a('GET', path), 200);
      expect(page.items.length).toBeLessThanOrEqual(4);
      for (const item of page.items) {
        expect(item.questionId).toBe('q-code-1');
        expect(Date.parse(item.receivedAt)).not.toBeNaN();
      }
      seen.push(...page.items);
      afterSeq = page.nextAfterSeq;
      pages++;
    }
    expect(pages).toBe(2);
    expect(seen.map((s) => s.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(seen.map((s) => s.event)).toEqual(events);

    // The replay: the starter code with every change applied in order gives the code the snapshot holds.
    let doc = Text.of(starter.split('\n'));
    for (const { event } of seen) if (event.type === 'change') doc = ChangeSet.fromJSON(event.changes).apply(doc);
    expect(doc.toString()).toBe(final);
  });

  it("answers 404 for another company's interview, exactly as for one that does not exist", async () => {
    const other = await b('GET', `/v1/interviews/${interviewId}/code-events`);
    expectStatus(other, 404);
    const missing = await b('GET', '/v1/interviews/00000000-0000-4000-8000-000000000000/code-events');
    expectStatus(missing, 404);
    expect(other.body).toMatchObject({ status: 404, code: missing.body.code });
  });

  it('refuses a bad page request with a 400 naming the field', async () => {
    const bad = await a('GET', `/v1/interviews/${interviewId}/code-events?limit=0`);
    expectStatus(bad, 400);
    expect(bad.body.errors?.map((e) => e.path)).toContain('query.limit');
  });
});

describe("the interviewer's answers to the editor's batches", () => {
  it('answers a batch once it is stored (or dropped for good), not one the database refused; the same batch sent again is stored', async () => {
    const id = (await seedInterview(a)).interview.id;
    const plan = buildQuestionPlan({ type: 'CODING', competencies: [], maxDurationMinutes: 30, language: 'en', codingLanguage: 'PYTHON' });
    const question = plan.questions.find((q) => q.coding)!;
    const session = await createCodeSession(api.db, id, plan.questions, pino({ level: 'silent' }));
    const code = question.coding!.starterCode;
    const batch = (firstSeq: number, events: CodeEvent[]): string =>
      JSON.stringify({ questionId: question.questionId, firstSeq, events } satisfies CodeBatch);
    const snapshot = (at: number, text: string): CodeEvent => ({ type: 'snapshot', at, code: text });

    expect(await session.receive(batch(0, [snapshot(0, code), snapshot(100, `${code}#a\n`)]))).toEqual({
      questionId: question.questionId,
      firstSeq: 0,
      count: 2,
    });
    // The database refuses the next batch (a trigger raising an error): no answer, so the editor keeps it.
    await sql`create function refuse_code_events_unit() returns trigger language plpgsql as $$
      begin raise exception 'the code store is down (test)'; end $$`.execute(api.db);
    await sql`create trigger refuse_code_events_unit before insert on code_events
      for each row execute function refuse_code_events_unit()`.execute(api.db);
    try {
      expect(await session.receive(batch(2, [snapshot(200, `${code}#b\n`)]))).toBeNull();
    } finally {
      await sql`drop trigger refuse_code_events_unit on code_events`.execute(api.db);
      await sql`drop function refuse_code_events_unit()`.execute(api.db);
    }
    expect((await listCodeEvents(api.db, id, -1, 10)).map((e) => e.seq)).toEqual([0, 1]);
    // Sent again (after a reconnect): stored, and answered.
    expect(await session.receive(batch(2, [snapshot(200, `${code}#b\n`)]))).toMatchObject({ firstSeq: 2, count: 1 });
    expect((await listCodeEvents(api.db, id, -1, 10)).map((e) => e.seq)).toEqual([0, 1, 2]);
    expect(session.tracker.current(question.questionId)!.code).toBe(`${code}#b\n`);
    // Not a question of this plan: dropped for good, and answered so the editor stops sending it. Not JSON: nothing
    // to answer.
    expect(await session.receive(JSON.stringify({ questionId: 'q-other', firstSeq: 3, events: [snapshot(300, 'x')] }))).toMatchObject({
      count: 1,
    });
    expect(await session.receive('not json')).toBeNull();
  });
});
