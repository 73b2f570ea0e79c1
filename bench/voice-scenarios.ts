import { loadScenario, pauseMarker, type Scenario } from '../test/support/candidate-sim.ts';

// The voice benchmark's interviews, one per language: each answered once straight through and once with 1.5 s
// thinking pauses, between sentences and in the middle of one ("we would use [pause] stand-in processing"). The
// pauses are placed by hand where people stop to think: before a technical term, after a verb whose object is still
// to come, after an article or a preposition, before "and"; some early in an answer (few words said yet), some late
// (more than 20 words said). The Arabic answers carry English technical terms (code-switching), as engineers in the
// Gulf speak, and mirror the English pause places.

export interface BenchLanguage {
  language: 'en' | 'ar';
  /** The candidate's espeak-ng voice. */
  voice: string;
  scenario: Scenario;
  /** The same answers with `[pause]` marks. */
  paused: string[];
}

const english = loadScenario(new URL('../scenarios/backend-fintech-strong.json', import.meta.url));
const arabic = loadScenario(new URL('./scenarios/backend-fintech-arabic-code-switching.json', import.meta.url));

export const benchLanguages: BenchLanguage[] = [
  {
    language: 'en',
    voice: 'en-us',
    scenario: english,
    paused: [
      english.answers[0]!,
      'I led the team that rebuilt our payment ledger. [pause] It is a double entry ledger in Go on Postgres. Every transfer writes two entries in one transaction, and every API call carries [pause] an idempotency key so a retry never posts twice.',
      'We reconcile nightly against the [pause] card scheme settlement files. Mismatches go to a queue, and about one in fifty thousand transactions needs [pause] a manual look, mostly reversals that arrived late.',
      'For availability we run three replicas across two zones, and the authorisation path never waits on Kafka. [pause] If the ledger is slow we would use [pause] stand-in processing with conservative limits and settle later.',
      'I explain trade offs with a one page design note [pause] and a small diagram, and I ask the team to attack it before we build.',
      english.answers[5]!,
    ],
  },
  {
    language: 'ar',
    voice: 'ar',
    scenario: arabic,
    paused: [
      arabic.answers[0]!,
      'قدت الفريق الذي أعاد بناء الـ payment ledger. [pause] هو double entry ledger مكتوب بلغة Go على Postgres، وكل transfer يكتب قيدين في transaction واحدة، وكل API call يحمل [pause] idempotency key حتى لا يُسجل الـ retry مرتين.',
      'نجري reconciliation ليلية مع ملفات الـ [pause] settlement من شبكة البطاقات. الفروقات تذهب إلى queue، ونحو معاملة واحدة من كل خمسين ألفًا تحتاج [pause] إلى مراجعة يدوية.',
      'للتوافرية نشغل ثلاث replicas في منطقتين، ومسار الـ authorisation لا ينتظر Kafka أبدًا. [pause] إذا تباطأ الـ ledger سوف نستخدم [pause] stand-in processing بحدود متحفظة ونسوي لاحقًا.',
      'أشرح الـ trade-offs بـ design doc من صفحة واحدة [pause] ورسم صغير، وأطلب من الفريق نقدها قبل أن نبني.',
      arabic.answers[5]!,
    ],
  },
];

export type PauseKind = 'between sentences' | 'mid-sentence';

export interface Pause {
  answer: number;
  kind: PauseKind;
  /** Words said in the answer before the pause. */
  wordsBefore: number;
  /** The words just before it, to name it in the output. */
  before: string;
}

const sentenceEnd = /[.?!؟]$/u;

/** Every pause of these answers, in order. */
export function pausesOf(answers: string[]): Pause[] {
  return answers.flatMap((line, answer) => {
    const parts = line.split(pauseMarker).map((p) => p.trim());
    return parts.slice(0, -1).map((_, k) => {
      const said = parts.slice(0, k + 1).join(' ');
      const words = said.split(/\s+/).filter(Boolean);
      return {
        answer,
        kind: sentenceEnd.test(said) ? ('between sentences' as const) : ('mid-sentence' as const),
        wordsBefore: words.length,
        before: words.slice(-3).join(' '),
      };
    });
  });
}

/**
 * Which pauses the interviewer took as the end of the answer: the candidate's turns as stored split the answer
 * there. Walks the stored candidate turns over the spoken segments in order; a turn that ends at a pause ended the
 * answer at it. Returns undefined when the stored turns do not line up with the script (then nothing can be said).
 */
export function pausesTakenAsEnd(answers: string[], storedCandidateTurns: string[]): Pause[] | undefined {
  const squash = (s: string) => s.replace(/\s+/g, ' ').trim();
  const segments = answers.flatMap((line, answer) =>
    line.split(pauseMarker).map((text, k, all) => ({ text: squash(text), answer, pauseAfter: k < all.length - 1 ? k : -1 })),
  );
  const pauses = pausesOf(answers);
  const taken: Pause[] = [];
  let i = 0;
  for (const turn of storedCandidateTurns.map(squash)) {
    let said = '';
    while (i < segments.length && said.length < turn.length) said = squash(`${said} ${segments[i++]!.text}`);
    if (said !== turn) return undefined;
    const last = segments[i - 1]!;
    if (last.pauseAfter >= 0) {
      const ofAnswer = pauses.filter((p) => p.answer === last.answer);
      taken.push(ofAnswer[last.pauseAfter]!);
    }
  }
  return taken;
}
