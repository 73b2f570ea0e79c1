import { describe, expect, it } from 'vitest';
import { applyIntegrity, isNonAnswer, normalise, type Turn } from '../../api/scoring/integrity.ts';
import type { ModelEvaluation } from '../../api/scoring/evaluation.schemas.ts';
import type { PlanQuestion } from '../../shared/plans/plan.schema.ts';
import { foldArabic } from '../../shared/text/arabic.ts';

// The verbatim-evidence check in Arabic (api/scoring/integrity.ts with shared/text/arabic.ts): a quote spelt
// differently from the transcript (diacritics, tatweel, alef/hamza forms, ى/ي, ة/ه, digits) is the same quote; a
// paraphrase or an invention is not.

const question = (questionId: string, position: number): PlanQuestion => ({
  questionId,
  position,
  text: 'حدثني عن نظام قمت ببنائه.',
  competencyKey: null,
  timeBudgetSeconds: 300,
  anchors: ['one', 'two', 'three', 'four', 'five'],
  kind: 'template',
  verbatim: false,
  resumeSpecific: false,
  source: 'test',
});

// As a recogniser writes it: no diacritics, Arabic-Indic digits, Arabic comma, the hamza on its carrier.
const answer =
  'قمت بإعادة بناء نظام المدفوعات في عام ٢٠٢٢، وكنت المسؤول عن قاعدة البيانات وخفضنا زمن الاستجابة إلى ٢٠٠ ملي ثانية.';
const turns: Turn[] = [
  { seq: 1, speaker: 'interviewer', text: 'هل توافق على المتابعة؟', questionId: null },
  { seq: 2, speaker: 'candidate', text: 'نعم، أوافق.', questionId: null },
  { seq: 3, speaker: 'interviewer', text: 'حدثني عن نظام قمت ببنائه.', questionId: 'q1' },
  { seq: 4, speaker: 'candidate', text: answer, questionId: 'q1' },
];

function check(quotes: string[], summary = 'شرح تصميم النظام بوضوح.') {
  const evaluation: ModelEvaluation = {
    questions: [
      { questionId: 'q1', score: 4, rationale: 'ok', evidence: quotes.map((quote) => ({ turnSeq: 4, quote })) },
    ],
    competencies: [],
    overall: { recommendation: 'advance', summary, strengths: [], concerns: [] },
  };
  return applyIntegrity({ plan: [question('q1', 0)], competencies: [], turns, evaluation });
}

describe('Arabic normalisation', () => {
  it('folds the spellings of one sentence together', () => {
    const variants = [
      'قمت بإعادة بناء نظام المدفوعات في عام ٢٠٢٢', // as transcribed
      'قُمْتُ بِإِعَادَةِ بِنَاءِ نِظَامِ المَدْفُوعَاتِ فِي عَامِ ٢٠٢٢', // fully vocalised
      'قمـــت بإعـــادة بنـــاء نظام المدفوعـــات في عام 2022', // tatweel, Western digits
      'قمت باعاده بناء نظام المدفوعات في عام ۲۰۲۲', // no hamza, ة as ه, Persian digits
      'قمت بٱعادة بناء نظام المدفوعات في عام 2022', // alef wasla
      'قمت  بإعادة\u200f بناء نظام المدفوعات في عام 2022 ', // a direction mark, extra spaces
    ];
    const expected = normalise(variants[0]!);
    expect(expected).toBe('قمت باعاده بناء نظام المدفوعات في عام 2022');
    for (const v of variants) expect(normalise(v), v).toBe(expected);
    // Alef maqsura, madda, and the two spellings of the hamza in "responsible".
    expect(normalise('إلى آخر مستوى')).toBe(normalise('الي اخر مستوي'));
    expect(normalise('المسؤول')).toBe(normalise('المسئول'));
    expect(foldArabic('هل انتهيت؟ نعم، ٪٥٠ منه؛ تقريباً')).toBe('هل انتهيت? نعم, %50 منه; تقريبا');
  });

  it('leaves English as it was: lower case and single spaces only', () => {
    for (const text of [
      '  At FinTech Co   I rebuilt the LEDGER ',
      'p99 latency: 200 ms (down from 1.2 s)',
      "I don't know",
    ]) {
      expect(normalise(text)).toBe(text.toLowerCase().replace(/\s+/g, ' ').trim());
    }
  });
});

describe('verbatim evidence in Arabic', () => {
  it('keeps a true quote however it is spelt, and drops a paraphrase and an invention', () => {
    const kept = [
      'قُمْتُ بِإِعَادَةِ بِنَاءِ نظام المدفوعات في عام 2022',
      'وكنت المسئول عن قاعدة البيانات',
      'وخفـضـنا زمن الاستجابة الى 200 ملي ثانيه',
    ];
    const paraphrase = 'أعدت تصميم نظام الدفع في عام ٢٠٢٢';
    const invented = 'قدت فريقا من خمسين مهندسا في جوجل';
    const { result, integrity } = check([...kept, paraphrase, invented]);
    expect(result.questions[0]!.evidence.map((e) => e.quote)).toEqual(kept);
    expect(result.questions[0]).toMatchObject({ score: 4, insufficientEvidence: false });
    expect(integrity.droppedQuotes).toBe(2);
  });

  it('withdraws the score when only a paraphrase was quoted', () => {
    const { result, integrity } = check(['أعدت تصميم نظام الدفع في عام ٢٠٢٢']);
    expect(result.questions[0]).toMatchObject({ score: null, insufficientEvidence: true, evidence: [] });
    expect(integrity).toMatchObject({ droppedQuotes: 1, scoresWithdrawn: 1 });
  });

  it('drops Arabic statements about feelings, personality or voice', () => {
    const { result, integrity } = check(
      [answer.slice(0, 40)],
      'بدا المرشح متوتراً في البداية. شرح تصميم قاعدة البيانات بوضوح؟ كان صوتُه هادئاً.',
    );
    expect(result.overall?.summary).toBe('شرح تصميم قاعدة البيانات بوضوح؟');
    expect(integrity.droppedStatements).toBe(2);
    // A technical sense of a nearby word stays: "critical systems", "but he …".
    expect(check([answer.slice(0, 40)], 'عمل على أنظمة حيوية لكنه لم يذكر الاختبارات.').result.overall?.summary).toBe(
      'عمل على أنظمة حيوية لكنه لم يذكر الاختبارات.',
    );
  });
});

describe('non-answers in Arabic', () => {
  it('knows "I do not know", "skip" and fillers, MSA and Gulf, and not an answer that starts that way', () => {
    for (const text of [
      'لا أعرف.',
      'اممم، ما أدري',
      'يعني... مادري والله',
      'تخطى هذا السؤال',
      'السؤال التالي',
      'آسف، لست متأكداً',
      'لا تعليق',
      '',
    ]) {
      expect(isNonAnswer(text), text).toBe(true);
    }
    for (const text of [
      'ما أعرف بالضبط، لكن استخدمنا Kafka للرسائل',
      'لا، استخدمنا Postgres',
      'يعني بنينا النظام من الصفر',
    ]) {
      expect(isNonAnswer(text), text).toBe(false);
    }
    // English unchanged.
    expect(isNonAnswer("Um, I don't know.")).toBe(true);
    expect(isNonAnswer('I chose Postgres over Mongo.')).toBe(false);
  });
});
