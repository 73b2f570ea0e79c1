import { ChangeSet, Text } from '@codemirror/state';
import type { Room } from '@livekit/rtc-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  candidateView,
  codeStreamTopic,
  problemStreamTopic,
  type CodeBatch,
  type CodeEvent,
  type ProblemMessage,
} from '../../shared/coding/coding.schema.ts';
import { runCandidate, spokenSegments } from '../support/candidate-sim.ts';
import { lastUserText, type GeminiRequest } from '../emulators/gemini.ts';
import { startAgentStack, type AgentStack } from './support/stack.ts';

// A coding interview with the real worker, LiveKit and the emulators: the problem reaches the candidate's page (its
// candidate view only) as the question starts; the candidate's editor sends its events on the code text stream
// while they talk; the interviewer stores them as they come (a resent batch adds nothing, a broken one is dropped
// without harm) and the LLM request that answers the candidate carries their code as it is.

let stack: AgentStack;

beforeAll(async () => {
  stack = await startAgentStack({ workerEnv: { SILENCE_PROMPT_SECONDS: '30' } });
});
afterAll(async () => {
  await stack?.stop();
});

const candidate = { firstName: 'Layla', lastName: 'Haddad', phone: '+971501234567' };
const answers = [
  'Yes, I agree to continue.',
  'I wrote a payment reconciliation service in Python last year and I am proud of how it handled retries.',
  'I sort the meetings by start, then walk through them and extend the last merged meeting whenever the next one overlaps it.',
  'No, that is all from me, thank you.',
];

/** The editor's events for typing a solution into the starter code, as CodeMirror reports them. */
function typing(starter: string): { events: CodeEvent[]; final: string } {
  const solution = [
    'def merge_intervals(intervals):',
    '    merged = []',
    '    for start, end in sorted(intervals):',
    '        if merged and start <= merged[-1][1]:',
    '            merged[-1][1] = max(merged[-1][1], end)',
    '        else:',
    '            merged.append([start, end])',
    '    return merged',
    '',
  ].join('\n');
  const lines = solution.split('\n');
  let doc = Text.of(starter.split('\n'));
  const events: CodeEvent[] = [];
  // Typed in two goes, each one change set against the text before it: the starter replaced by the first lines,
  // then the rest added at the end.
  const steps = [
    () => ({ from: 0, to: doc.length, insert: lines.slice(0, 3).join('\n') }),
    () => ({ from: doc.length, insert: `\n${lines.slice(3).join('\n')}` }),
  ];
  for (const [i, step] of steps.entries()) {
    const change = ChangeSet.of(step(), doc.length);
    doc = change.apply(doc);
    events.push({ type: 'change', at: 2000 * (i + 1), changes: change.toJSON() });
  }
  events.push({ type: 'paste', at: 4500, chars: 40 });
  events.push({ type: 'snapshot', at: 5000, code: doc.toString() });
  events.push({
    type: 'run',
    at: 6000,
    results: [
      { name: 'overlapping pairs merge', passed: true, actual: '[[1,6],[8,10]]', output: '', error: null, timedOut: false, durationMs: 4 },
      { name: 'no meetings', passed: false, actual: null, output: '', error: 'TypeError: boom', timedOut: false, durationMs: 2 },
    ],
  });
  return { events, final: doc.toString() };
}

const systemText = (r: GeminiRequest) => (r.systemInstruction?.parts ?? []).map((p) => p.text ?? '').join('\n');

describe('a coding interview', () => {
  it(
    "stores the candidate's code events as they come, and the LLM answering the candidate sees their current code",
    async () => {
      const job = await stack.hr('POST', '/v1/jobs', {
        body: { title: 'Backend Engineer', description: 'Build payment ledgers in Python.', codingLanguage: 'PYTHON', competencies: [] },
      });
      if (job.status !== 201) throw new Error(`job: ${job.status}`);
      const person = await stack.hr('POST', '/v1/candidates', { body: candidate });
      if (person.status !== 201) throw new Error(`candidate: ${person.status}`);
      const created = await stack.hr('POST', '/v1/interviews', {
        body: { candidateId: person.body.id, jobId: job.body.id, type: 'CODING', maxDurationMinutes: 30 },
      });
      if (created.status !== 201) throw new Error(`interview: ${created.status}`);
      const interview = created.body;
      const coding = interview.plan.questions.find((q) => q.coding)!;
      expect(interview.plan.questions.map((q) => q.questionId)).toEqual(['q-opening', coding.questionId]);
      stack.deepgram.addScript(spokenSegments(answers));

      const { events, final } = typing(coding.coding!.starterCode);
      const db = stack.api.db;
      const stored = async () =>
        (await db.selectFrom('codeEvents').select('seq').where('interviewId', '=', interview.id).execute()).length;
      const send = (room: Room, batch: unknown) =>
        room.localParticipant!.sendText(typeof batch === 'string' ? batch : JSON.stringify(batch), { topic: codeStreamTopic });

      const problems: { from: string; message: ProblemMessage }[] = [];
      const result = await runCandidate({
        apiUrl: stack.api.url,
        roomCode: interview.roomCode,
        ...candidate,
        answers,
        timeoutMs: 240_000,
        beforeAnswer: async (index, room) => {
          if (index === 0) {
            room.registerTextStreamHandler(problemStreamTopic, async (reader, info) => {
              problems.push({ from: info.identity, message: JSON.parse(await reader.readAll()) as ProblemMessage });
            });
          }
          if (index !== 2) return;
          // The problem reached the page as the question started: the candidate's view of it, nothing more.
          await expect.poll(() => problems.length, { timeout: 30_000 }).toBe(1);
          // Broken batches first: the interviewer drops them and carries on.
          await send(room, 'not json at all');
          await send(room, { questionId: coding.questionId, firstSeq: 0, events: [{ type: 'teleport', at: 1 }] });
          await send(room, { questionId: 'q-not-in-plan', firstSeq: 0, events: events.slice(0, 1) });
          const first: CodeBatch = { questionId: coding.questionId, firstSeq: 0, events: events.slice(0, 3) };
          await send(room, first);
          await expect.poll(stored, { timeout: 30_000 }).toBe(3);
          // After a reconnect the editor sends again from what it is not sure of: overlapping numbers.
          await send(room, { questionId: coding.questionId, firstSeq: 1, events: events.slice(1) });
          await expect.poll(stored, { timeout: 30_000 }).toBe(events.length);
        },
      });
      expect(result.endedBy).not.toBe('timeout');
      // The job does not let a phone take the voice part alone (codingVoiceOnly off by default).
      expect(problems.map((p) => p.message)).toEqual([
        { questionId: coding.questionId, problem: candidateView(coding.coding!), voiceOnlyAllowed: false },
      ]);
      expect(JSON.stringify(problems)).not.toContain('referenceSolution');
      expect(result.answers.map((a) => a.text)).toEqual(answers);

      const rows = await db
        .selectFrom('codeEvents')
        .select(['seq', 'questionId', 'type', 'at'])
        .where('interviewId', '=', interview.id)
        .orderBy('seq')
        .execute();
      expect(rows).toEqual(events.map((e, seq) => ({ seq, questionId: coding.questionId, type: e.type, at: e.at })));
      const replay = await stack.hr('GET', `/v1/interviews/${interview.id}/code-events`);
      if (replay.status !== 200) throw new Error(`code events: ${replay.status}`);
      expect(replay.body.items.map((i) => i.event)).toEqual(events);

      // The reply to the candidate's spoken answer about their code: its request carries that code and the last run,
      // with the hint policy and the rule never to write the solution; never a hidden test.
      const spoken = stack.gemini.requests.filter((r) => lastUserText(r)?.includes('I sort the meetings by start'));
      expect(spoken.length).toBeGreaterThan(0);
      for (const request of spoken) {
        const system = systemText(request);
        expect(system).toContain(final);
        expect(system).toContain('1 of 2 example tests passed');
        expect(system).toContain('"no meetings" (error: TypeError: boom)');
        expect(system).toContain('Never write the solution');
        expect(system).toContain('give one small hint');
        for (const hidden of coding.coding!.tests.filter((t) => !t.visible)) expect(system).not.toContain(hidden.name);
      }
      // Before any code arrived, the opening answer's request had none.
      const opening = stack.gemini.requests.filter((r) => lastUserText(r)?.includes('payment reconciliation service'));
      expect(opening.length).toBeGreaterThan(0);
      for (const request of opening) expect(systemText(request)).not.toContain('<candidate_code>');

      const row = await db.selectFrom('interviews').select(['status', 'endReason']).where('id', '=', interview.id).executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'completed', endReason: 'completed' });
      expect(stack.workerLog.some((l) => l.includes('code batch dropped'))).toBe(true);
    },
    300_000,
  );
});
