import { describe, expect, it } from 'vitest';
import type { InterviewContext } from '../../agent/interview-context.ts';
import * as script from '../../agent/script.ts';
import { catalogues } from '../../agent/script.ts';
import { en } from '../../agent/script/en.ts';
import { espeakAvailable, espeakSampleRate, espeakVoice, synthesizeSpeech } from '../../agent/speech/espeak.ts';
import { interviewLanguages } from '../../shared/speech-languages.ts';

// Short to hear, complete to read: the spoken opening (greeting, the notice's essentials, the consent question) is
// measured as espeak-ng says it at its default rate (175 words a minute), in every language, and must stay within
// 12 s; the notice in full is what "repeat" says and what the consent stores.

const goalSeconds = 12;

function context(language: string, options: { recorded?: boolean; typedAnswers?: boolean } = {}): InterviewContext {
  return {
    interviewId: '00000000-0000-4000-8000-000000000000',
    status: 'in_progress',
    type: 'TECHNICAL',
    language,
    maxDurationMinutes: 30,
    instructions: '',
    roomName: 'room',
    candidateIdentity: null,
    ...options,
    company: { name: 'MENA Bank' },
    job: { title: language === 'ar' ? 'مهندس أنظمة خلفية' : 'Backend Engineer', description: '', competencies: [] },
    candidate: { firstName: language === 'ar' ? 'ليلى' : 'Layla', lastName: 'Haddad', resumeText: null },
    plan: { source: 'template', questions: [] },
  } as InterviewContext;
}

async function seconds(text: string, language: string): Promise<number> {
  const pcm = await synthesizeSpeech(text, { sampleRate: espeakSampleRate, voice: espeakVoice(language) });
  return Math.round((pcm.length / espeakSampleRate) * 10) / 10;
}

describe('interviewer catalogues', () => {
  it('every language has every sentence, and a notice version of its own', () => {
    for (const language of interviewLanguages) {
      const catalogue = catalogues[language]!;
      expect(Object.keys(catalogue).sort()).toEqual(Object.keys(en).sort());
      expect(catalogue.noticeVersion).toMatch(/\S/);
      expect(script.noticeVersion({ language, recorded: false })).toBe(`${language}/${catalogue.noticeVersion}`);
      expect(script.noticeVersion({ language, recorded: true })).toMatch(/\+recording$/);
    }
  });

  it('the Arabic sentences are Arabic: no sentence without Arabic letters', () => {
    const ctx = context('ar', { recorded: true, typedAnswers: true });
    const lines = [
      script.greeting(ctx),
      script.fullNotice(ctx),
      script.consentUnclear(ctx),
      script.consentDeclined(ctx),
      script.candidateQuestionsPrompt(ctx),
      script.closing(ctx),
      script.timeUpClosing(ctx),
      script.stopRequested(ctx),
      script.silencePrompt(ctx),
      script.silencePrompt({ ...ctx, typedAnswers: false }),
      script.unresponsiveClosing(ctx),
      script.welcomeBack(ctx),
      script.cannotAnswerHere(ctx),
      script.interviewTitle(ctx),
    ];
    for (const line of lines) {
      for (const sentence of line.split(/(?<=[.?!؟:])\s+/)) expect(sentence, line).toMatch(/\p{Script=Arabic}/u);
    }
  });

  it('typed answers are said plainly, and the silence prompt never asks "are you still there?" over them', () => {
    for (const language of interviewLanguages) {
      const typed = context(language, { typedAnswers: true });
      expect(script.greeting(typed)).not.toBe(script.greeting(context(language)));
      expect(script.silencePrompt(typed)).toBe(catalogues[language]!.silencePromptTyped);
    }
    expect(script.greeting(context('en', { typedAnswers: true }))).toMatch(/type your answers in the chat/);
    expect(script.silencePrompt(context('en', { typedAnswers: true }))).not.toMatch(/still there/i);
  });

  it.skipIf(!espeakAvailable())(
    `the spoken opening lasts at most ${goalSeconds} s in every language (espeak-ng, default rate)`,
    async () => {
      const figures: string[] = [];
      for (const language of interviewLanguages) {
        for (const recorded of [false, true]) {
          const spoken = await seconds(script.greeting(context(language, { recorded })), language);
          const full = await seconds(script.fullNotice(context(language, { recorded })), language);
          const typed = await seconds(script.greeting(context(language, { recorded, typedAnswers: true })), language);
          figures.push(
            `${language}${recorded ? ' recorded' : ''}: spoken opening ${spoken} s (typed answers ${typed} s); notice in full on "repeat" ${full} s`,
          );
          expect(spoken, `${language} recorded=${recorded}`).toBeLessThanOrEqual(goalSeconds);
          expect(full).toBeGreaterThan(spoken);
        }
      }
      console.log(figures.join('\n'));
    },
    60_000,
  );
});
