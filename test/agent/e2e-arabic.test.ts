import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ar } from '../../agent/script/ar.ts';
import { loadScenario, runCandidate } from '../support/candidate-sim.ts';
import { seedScenario, startAgentStack, type AgentStack } from './support/stack.ts';

// An Arabic interview end to end: the API, Postgres, LiveKit, the worker as its own process with the real Deepgram
// and Google plugins against the emulators, and a simulated candidate speaking Arabic (espeak-ng's Arabic voice).
// The interview's language picks the STT language, the voice (Gemini's, since no Deepgram voice speaks Arabic),
// the interviewer's sentences and the LLM's instructions.

const scenario = loadScenario(new URL('../../scenarios/backend-fintech-arabic.json', import.meta.url));
let stack: AgentStack;

beforeAll(async () => {
  stack = await startAgentStack({ workerEnv: { SILENCE_PROMPT_SECONDS: '20' } });
});
afterAll(async () => {
  await stack?.stop();
});

/** Sentences of a line, split after . ? ! ؟ : (the catalogue's and the plan's sentence ends). */
const sentences = (line: string) => line.split(/(?<=[.?!؟:])\s+/).filter((s) => s.trim());

describe('an Arabic interview', () => {
  it(
    'is held in Arabic from greeting to closing: STT language ar, the Arabic voice, Arabic lines, consent to the Arabic notice',
    async () => {
      const interview = await seedScenario(stack, scenario);
      const result = await runCandidate({
        apiUrl: stack.api.url,
        roomCode: interview.roomCode,
        phone: scenario.candidate.phone,
        firstName: scenario.candidate.firstName,
        lastName: scenario.candidate.lastName,
        answers: scenario.answers,
        voice: 'ar',
        timeoutMs: 240_000,
      });
      expect(result.endedBy).not.toBe('timeout');
      const db = stack.api.db;
      const row = await db.selectFrom('interviews').selectAll().where('id', '=', interview.id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ language: 'ar', status: 'completed', endReason: 'completed' });

      // Speech recognition was asked for Arabic; every word the interviewer said went to Gemini's voice, none to
      // Deepgram's English ones.
      expect(stack.deepgram.sttQueries.length).toBeGreaterThan(0);
      for (const query of stack.deepgram.sttQueries) expect(query.get('language')).toBe('ar');
      expect(stack.deepgram.ttsModels).toEqual([]);
      expect(stack.gemini.speech.length).toBeGreaterThan(0);
      for (const request of stack.gemini.speech) {
        expect(request.voice).toBe('Kore');
        expect(request.text).toMatch(/\p{Script=Arabic}/u);
      }
      // The LLM is told the language.
      const system = stack.gemini.requests[0]?.systemInstruction?.parts.map((p) => p.text).join('\n') ?? '';
      expect(system).toContain('Language: Modern Standard Arabic');

      const turns = await db
        .selectFrom('transcriptTurns')
        .select(['speaker', 'text', 'questionId'])
        .where('interviewId', '=', interview.id)
        .orderBy('seq')
        .execute();
      expect(turns.filter((t) => t.speaker === 'candidate').map((t) => t.text)).toEqual(scenario.answers);
      const interviewer = turns.filter((t) => t.speaker === 'interviewer');
      expect(interviewer.length).toBeGreaterThanOrEqual(scenario.answers.length);
      // No Latin-script sentence: names and terms may be Latin inside an Arabic sentence, never a sentence alone.
      for (const t of interviewer) for (const s of sentences(t.text)) expect(s, t.text).toMatch(/\p{Script=Arabic}/u);
      expect(interviewer[0]!.text).toMatch(/^أهلًا ليلى، أنا محاور ذكاء اصطناعي/);
      expect(interviewer.at(-1)!.text).toContain('مع السلامة');

      const [consent, ...more] = await db.selectFrom('interviewConsents').selectAll().where('interviewId', '=', interview.id).execute();
      expect(more).toEqual([]);
      expect(consent).toMatchObject({
        given: true,
        noticeLanguage: 'ar',
        noticeVersion: `ar/${ar.noticeVersion}`,
        candidateStatement: scenario.answers[0],
      });
      expect(consent!.noticeText).toContain('أنا محاور يعمل بالذكاء الاصطناعي');
    },
    300_000,
  );
});
