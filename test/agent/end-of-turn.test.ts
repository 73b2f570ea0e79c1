import { readFileSync } from 'node:fs';
import { llm } from '@livekit/agents';
import { describe, expect, it } from 'vitest';
import { createEndOfTurnDetector, endOfTurnProbability } from '../../agent/end-of-turn.ts';
import { splitFirstSentence } from '../../agent/speech/presynthesis.ts';
import { benchLanguages, pausesOf } from '../../bench/voice-scenarios.ts';
import { pauseMarker } from '../support/candidate-sim.ts';

// The text end-of-turn cues (agent/end-of-turn.ts): which transcripts make the interviewer wait the long delay.

const scenario = JSON.parse(
  readFileSync(new URL('../../scenarios/backend-fintech-strong.json', import.meta.url), 'utf8'),
) as {
  answers: string[];
};
const answering = { expectsLongAnswer: true, shortAnswerWords: 20 };
const notAnswering = { expectsLongAnswer: false, shortAnswerWords: 20 };
const unfinished = (text: string, cues = answering, lang = 'en') => endOfTurnProbability(text, lang, cues) < 0.5;

describe('text end-of-turn cues', () => {
  it('hears a sentence left open: a trailing conjunction, preposition, article, filler, comma or dash', () => {
    for (const text of [
      'We moved the ledger to Postgres and',
      'No more questions from',
      'The hardest part was the',
      'We used, um',
      'We shard by account,',
      'It depends -',
      'We tried Kafka but...',
    ]) {
      expect(unfinished(text, notAnswering), text).toBe(true);
    }
    // Deepgram's punctuation does not hide the open end.
    expect(unfinished('I worked on that with.', notAnswering)).toBe(true);
  });

  it('takes a short answer to an open question as the start of one, but not where short answers are whole', () => {
    const oneSentence = 'I led the team that rebuilt our payment ledger.';
    expect(unfinished(oneSentence)).toBe(true);
    expect(unfinished(oneSentence, notAnswering)).toBe(false);
    expect(unfinished('Yes, I agree, let us start.', notAnswering)).toBe(false);
    // Answers that close themselves, and questions back, are finished however short.
    for (const text of ["I don't know.", "Honestly, that's all.", 'Could you repeat the question?', 'Next question.']) {
      expect(unfinished(text), text).toBe(false);
    }
    const substantive =
      'I led the team that rebuilt our payment ledger. It is a double entry ledger in Go on Postgres, and every call carries an idempotency key.';
    expect(unfinished(substantive)).toBe(false);
  });

  it('knows Arabic trailing words and counts words in any language', () => {
    expect(unfinished('عملت على نظام الدفع و', notAnswering, 'ar')).toBe(true);
    expect(unfinished('عملت على نظام الدفع في البنك', notAnswering, 'ar')).toBe(false);
    expect(unfinished('عملت على نظام الدفع في البنك', answering, 'ar')).toBe(true);
  });

  it('hears Arabic left open: conjunctions, "يعني", fillers, "let me think", an Arabic comma, however spelt', () => {
    for (const text of [
      'بنينا نظام المدفوعات من الصفر ثم',
      'كان التحدي الأكبر هو الأداء لكن',
      'استخدمنا قاعدة بيانات موزعة يعني',
      'استخدمنا قاعدة بيانات موزعة يعـــني', // tatweel
      'نقلنا الخدمات إلى السحابة، اممممم',
      'الحل كان... آآآ',
      'كيف أشرحها، خلني أفكر',
      'نقلنا الخدمات إلى السحابة،', // Arabic comma
      'اشتغلت على نظام الدفع إلى', // no hamza
      'اشتغلت على نظام الدفع إِلَى', // vocalised
    ]) {
      expect(unfinished(text, notAnswering, 'ar'), text).toBe(true);
    }
    // Finished, however short, where short answers are whole; a question back, and "I don't know", in any stage.
    for (const text of ['نعم، أوافق على المتابعة.', 'هل الوظيفة عن بعد؟']) {
      expect(unfinished(text, notAnswering, 'ar'), text).toBe(false);
    }
    for (const text of ['والله ما أدري.', 'ممكن تعيد السؤال؟', 'هذا كل شيء']) {
      expect(unfinished(text, answering, 'ar'), text).toBe(false);
    }
  });

  it('reads code-switched Arabic: an English term ends a sentence, an English conjunction or a bare article does not', () => {
    // Gulf tech hiring: English terms inside Arabic answers.
    const finished =
      'في شركتي السابقة بنينا نظام المدفوعات على microservices، وكل خدمة لها قاعدة بيانات خاصة فيها، واستخدمنا Kafka عشان نضمن الـ eventual consistency';
    expect(unfinished(finished, answering, 'ar')).toBe(false);
    expect(unfinished('عملنا migration للـ database كاملة', notAnswering, 'ar')).toBe(false);
    for (const text of [
      'نقلنا الـ backend إلى Kubernetes and', // an English conjunction in an Arabic answer
      'وكنا نستخدم الـ', // the article before the English term that has not come yet ("الـ API")
      'خزنا البيانات بالـ',
      'عملنا deployment على', // an Arabic preposition after an English term
      'وبعدين عملنا refactor للـ service يعني', // trailing off with "يعني"
    ]) {
      expect(unfinished(text, notAnswering, 'ar'), text).toBe(true);
    }
    // A short code-switched answer to an open question waits, as in any language.
    expect(unfinished('استخدمنا Kafka و Redis.', answering, 'ar')).toBe(true);
  });

  it('on the benchmark scenario: the words before each thinking pause wait, each whole answer does not', () => {
    // The voice benchmark puts a 1.5 s pause after the first sentence (or mid-sentence) of every answer but consent.
    for (const line of scenario.answers.slice(1)) {
      const sentences = line.split(/(?<=\.) /);
      const before =
        sentences.length > 1
          ? sentences[0]!
          : line
              .split(' ')
              .slice(0, Math.ceil(line.split(' ').length / 2))
              .join(' ');
      const lastAnswer = line === scenario.answers.at(-1);
      const cues = lastAnswer ? notAnswering : answering;
      expect(unfinished(before, cues), before).toBe(true);
      expect(unfinished(line, cues), line).toBe(false);
    }
  });

  it('hears a sentence stopped before its complement: "the problem is", "we would use", "سوف نستخدم"', () => {
    for (const text of [
      'For availability we run three replicas across two zones. If the ledger is slow we would use',
      'The hardest part of the migration, honestly, was',
      'We replaced the nightly batch with a streaming job, and the tool for that is called',
      'We kept the old ledger running in parallel for a quarter, for things such as',
      'للتوافرية نشغل ثلاث replicas في منطقتين. إذا تباطأ الـ ledger سوف نستخدم',
      'نقلنا الخدمات إلى السحابة في سنة واحدة، والمشكلة الأكبر كانت هي',
      'بنينا الـ pipeline من جديد واستخدمنا أدوات مثل',
    ]) {
      expect(unfinished(text, notAnswering, text.match(/\p{Script=Arabic}/u) ? 'ar' : 'en'), text).toBe(true);
    }
    // A pro-form after the modal ends the sentence; a modal alone ends a short reply; a question back is whole.
    for (const text of ["That's what I would do.", 'We tested it and we will do it again.', 'Yes, I can.', 'Would you like me to go on?']) {
      expect(unfinished(text, notAnswering), text).toBe(false);
    }
    expect(unfinished('هذا هو', notAnswering, 'ar')).toBe(false);
  });

  it('on the voice benchmark: every pause waits, early or late, between sentences or mid-sentence; every whole answer does not', () => {
    // bench/voice-scenarios.ts: the pauses the benchmark's candidates make, in English and in code-switched Arabic,
    // late ones after an ordinary verb included ("every API call carries [pause] an idempotency key").
    for (const bench of benchLanguages) {
      expect(pausesOf(bench.paused).length).toBe(7);
      for (const [index, line] of bench.paused.entries()) {
        const parts = line.split(pauseMarker);
        const cues = index === bench.paused.length - 1 ? notAnswering : answering;
        for (let k = 1; k < parts.length; k++) {
          const before = parts.slice(0, k).join(' ').trim();
          expect(unfinished(before, cues, bench.language), `${bench.language}: ${before}`).toBe(true);
        }
      }
      for (const line of bench.scenario.answers.slice(1)) {
        const cues = line === bench.scenario.answers.at(-1) ? notAnswering : answering;
        expect(unfinished(line, cues, bench.language), line).toBe(false);
      }
    }
  });

  it('hears a clause stopped on an ordinary verb before its object, and not a sentence ending on a noun or a verb that ends one', () => {
    const long = 'We rebuilt the ledger last year on Postgres with two engineers and a lot of help from the payments team, and';
    for (const text of [
      `${long} every API call carries`,
      `${long} about one in fifty thousand transactions needs`,
      `${long} the settlement job requires`,
      'للتوافرية نشغل ثلاث replicas في منطقتين، ومسار الـ authorisation لا ينتظر Kafka أبدًا، وكل API call يحمل',
      'للتوافرية نشغل ثلاث replicas في منطقتين، ومسار الـ authorisation لا ينتظر Kafka أبدًا، وكل طلب يحتاج',
    ]) {
      expect(unfinished(text, notAnswering, /\p{Script=Arabic}/u.test(text) ? 'ar' : 'en'), text).toBe(true);
    }
    for (const text of [
      `${long} we batch the API calls.`,
      `${long} the ledger separates reads and writes.`,
      `${long} it works.`,
      `${long} it depends.`,
      `${long} those are the tools we use.`,
      'للتوافرية نشغل ثلاث replicas في منطقتين، ومسار الـ authorisation لا ينتظر Kafka أبدًا، وهذه الأداة التي نستخدمها',
    ]) {
      expect(unfinished(text, notAnswering, /\p{Script=Arabic}/u.test(text) ? 'ar' : 'en'), text).toBe(false);
    }
  });

  it('plugs into the SDK as a text turn detector reading the last candidate message', async () => {
    let stage: 'consent' | 'questions' = 'consent';
    const detector = createEndOfTurnDetector(
      { expectsLongAnswer: () => stage === 'questions', shortAnswerWords: 20 },
      'en',
    );
    const chat = llm.ChatContext.empty();
    chat.addMessage({ role: 'assistant', content: 'Tell me about a system you designed.' });
    chat.addMessage({ role: 'user', content: 'I built a ledger.' });
    const threshold = (await detector.unlikelyThreshold('en'))!;
    expect(await detector.supportsLanguage('ar')).toBe(true);
    expect(await detector.predictEndOfTurn(chat)).toBeGreaterThanOrEqual(threshold);
    stage = 'questions';
    expect(await detector.predictEndOfTurn(chat)).toBeLessThan(threshold);
  });
});

describe('greeting presynthesis', () => {
  it('splits off the first sentence so its audio comes back first', () => {
    expect(splitFirstSentence('Hello Ahmed, welcome. I am an AI interviewer. Do you agree?')).toEqual([
      'Hello Ahmed, welcome.',
      'I am an AI interviewer. Do you agree?',
    ]);
    expect(splitFirstSentence('Just one sentence.')).toEqual(['Just one sentence.']);
  });
});
