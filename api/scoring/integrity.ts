import type { TestResult } from '../../shared/coding/coding.schema.ts';
import type { Competency } from '../../shared/db/schema.ts';
import type { PlanQuestion } from '../../shared/plans/plan.schema.ts';
import { normaliseText, phraseAlternation, wordsPattern } from '../../shared/text/arabic.ts';
import type { IntegrityReport, ModelEvaluation, ScorecardResult } from './evaluation.schemas.ts';
import { scorecardTexts } from './texts/index.ts';

// The integrity rules, enforced here rather than requested of the model:
// - every evidence quote is a verbatim span of the candidate's own answers, at least three words long; "verbatim"
//   after case and whitespace normalisation and, for Arabic, the spelling folds of shared/text/arabic.ts (diacritics,
//   tatweel, alef and hamza forms, ى/ي, ة/ه, digits), which never make a paraphrase pass;
// - a code quote is whole lines of the coding question's final code as the server stored it; a coding question
//   with no code written is insufficient evidence;
// - a question or competency without valid evidence is "insufficient evidence", never a number;
// - questions never asked, and silence or non-answers, are never scored, whatever the model says;
// - nothing about emotion, personality or voice survives into the scorecard.

export interface Turn {
  seq: number;
  speaker: 'interviewer' | 'candidate';
  text: string;
  questionId: string | null;
}

export const normalise = normaliseText;

/** Fewer words than this prove nothing ("yes", "I think so"). */
const minimumQuoteWords = 3;

// Arabic, MSA and Gulf: the fillers and the phrases that say "no answer", written as people spell them (normalised
// when the pattern is built).
const arabicFillers = [
  ...['امم', 'اممم', 'ام', 'اه', 'آآ', 'ااه', 'يعني', 'طيب'],
  ...['والله', 'بصراحة', 'آسف', 'اسف', 'عفوا', 'معليش', 'معلش'],
];
const arabicNonAnswers = [
  ...['لا أعرف', 'ما أعرف', 'مااعرف', 'ما أدري', 'مادري', 'لا أدري', 'ماني عارف', 'مو عارف', 'مش عارف'],
  ...['ليس لدي فكرة', 'ما عندي فكرة', 'ماعندي فكرة', 'ما عندي جواب', 'ما عندي إجابة', 'ليس لدي إجابة', 'لا تعليق'],
  ...['لست متأكدا', 'لست متأكد', 'مو متأكد', 'مش متأكد', 'مب متأكد', 'غير متأكد'],
  ...['لا أستطيع الإجابة', 'ما أقدر أجاوب', 'ما اقدر اجاوب', 'ما أعرف أجاوب'],
  ...['تخطى', 'تخطي', 'تخطى هذا السؤال', 'نتخطى', 'عدي', 'عديها', 'التالي', 'السؤال التالي', 'اللي بعده', 'الي بعده'],
  ...['لا شيء', 'لا شي', 'ولا شي', 'ولا شيء', 'مافي شي'],
];
const nonAnswer = new RegExp(
  `^(?:(?:um+|uh+|hmm+|erm?|well|so|sorry|ok(?:ay)?|${phraseAlternation(arabicFillers)})[\\s,.!]*)*` +
    `(?:i don'?t know|i do not know|no idea|pass|skip(?: (?:this|that)(?: one| question)?)?|next(?: question)?|i'?m not sure|not sure|i can'?t answer(?: that)?|nothing|no comment|n\\/a|${phraseAlternation(arabicNonAnswers)}` +
    // "مادري والله": in Arabic the filler often comes after ("I don't know, honestly").
    `(?:[\\s,.!]*${phraseAlternation(arabicFillers)})*)?[\\s.!]*$`,
  'u',
);

/** True when the candidate's words for a question carry no answer at all. */
export function isNonAnswer(text: string): boolean {
  return nonAnswer.test(normalise(text));
}

// Words that only appear when a statement infers feelings, personality or voice: such sentences are dropped whole.
const affect =
  /\b(nervous(?:ness)?|anxious|anxiety|enthusias\w*|passionate|emotion\w*|mood|personality|introvert\w*|extrovert\w*|energetic|sentiment|excited|excitement|cheerful|demeanou?r|body language|tone of voice|his voice|her voice|their voice|accent|stressed|confident(?:ly)? (?:tone|voice|manner)|shy|timid|charisma\w*|likeable|warmth)\b/i;

// The same in Arabic, as whole words (with the clitics "and", "with", "the" … joined on). Left out on purpose: words
// with an everyday technical sense ("حيوي" is "critical" in "نظام حيوي", "نشيط" an "active" member) and "لكنة"
// (accent), which normalises to "لكنه", "but he".
const arabicAffect = wordsPattern(
  [
    ...['متوتر', 'متوترا', 'متوترة', 'التوتر', 'توتر', 'توتره', 'توترها', 'قلق', 'قلقا', 'قلقة'],
    ...['ارتباك', 'مرتبك', 'مرتبكا', 'مرتبكة'],
    ...['متحمس', 'متحمسا', 'متحمسة', 'حماس', 'حماسه', 'حماسها', 'شغوف', 'شغوفا', 'شغوفة', 'شغف', 'شغفه', 'شغفها'],
    ...['عاطفي', 'عاطفية', 'عاطفيا', 'مشاعر', 'مشاعره', 'مشاعرها', 'انفعال', 'انفعالي', 'انفعالات'],
    ...['مزاج', 'مزاجه', 'مزاجها'],
    ...['شخصيته', 'شخصيتها', 'شخصيتهم', 'انطوائي', 'انطوائية', 'منطوي', 'انبساطي', 'خجول', 'خجولا', 'خجولة', 'خجل'],
    ...['نبرة', 'نبرته', 'نبرتها', 'صوته', 'صوتها', 'صوتهم', 'لهجته', 'لهجتها', 'لكنته', 'لكنتها', 'لغة الجسد'],
    ...['مبتهج', 'مرح', 'كاريزما', 'محبوب', 'دفء', 'ثقة بالنفس', 'واثق من نفسه', 'واثقة من نفسها'],
  ],
  { prefixes: ['و', 'ف', 'ب', 'ل', 'ك', 'ال', 'وال', 'بال', 'فال', 'لل', 'وب', 'ول', 'وبال'] },
);

function stripAffect(text: string, report: IntegrityReport): string {
  const sentences = text.split(/(?<=[.!?؟۔])\s+/);
  const kept = sentences.filter((s) => {
    if (!affect.test(s) && !arabicAffect.test(normalise(s))) return true;
    report.droppedStatements++;
    return false;
  });
  return kept.join(' ').trim();
}

function validQuotes(
  quotes: { turnSeq: number; quote: string }[],
  candidateTurns: Turn[],
  report: IntegrityReport,
  onDrop: (quote: { turnSeq: number; quote: string }) => void,
) {
  const valid: { turnSeq: number; quote: string }[] = [];
  for (const q of quotes) {
    const needle = normalise(q.quote);
    const words = needle.split(' ').filter(Boolean).length;
    // The cited turn first; a quote found in another of the candidate's turns is re-attributed to that turn.
    const cited = candidateTurns.find((t) => t.seq === q.turnSeq);
    const home =
      words >= minimumQuoteWords
        ? cited && normalise(cited.text).includes(needle)
          ? cited
          : candidateTurns.find((t) => normalise(t.text).includes(needle))
        : undefined;
    if (!home) {
      report.droppedQuotes++;
      onDrop(q);
      continue;
    }
    if (!valid.some((v) => v.turnSeq === home.seq && normalise(v.quote) === needle)) {
      valid.push({ turnSeq: home.seq, quote: q.quote.trim() });
    }
  }
  return valid;
}

/**
 * Code quotes that are whole lines of the stored final code, in order (indentation and trailing space aside); any
 * other is dropped, as a transcript quote that is not verbatim is. A quote kept is stored as the code has those
 * lines, indentation included (the model's copy often loses it), without trailing space.
 */
function validCodeQuotes(quotes: readonly string[], code: string, report: IntegrityReport, onDrop: () => void) {
  const original = code.split('\n').map((l) => l.trimEnd());
  const lines = original.map((l) => l.trim());
  const valid: string[] = [];
  for (const quote of quotes) {
    const wanted = quote.split('\n').map((l) => l.trim());
    while (wanted.length > 0 && wanted[0] === '') wanted.shift();
    while (wanted.length > 0 && wanted.at(-1) === '') wanted.pop();
    const start = wanted.length > 0 ? lines.findIndex((_, at) => wanted.every((w, i) => lines[at + i] === w)) : -1;
    if (start < 0) {
      report.droppedQuotes++;
      onDrop();
      continue;
    }
    const cited = original.slice(start, start + wanted.length).join('\n');
    if (!valid.includes(cited)) valid.push(cited);
  }
  return valid;
}

/** A coding question's code after the interview, as the server stored it (api/coding/server-rerun.ts). */
export interface FinalCode {
  questionId: string;
  code: string;
  /** Whether the candidate changed anything: nothing written is insufficient evidence, whatever was said. */
  written: boolean;
  results: TestResult[] | null;
}

export interface IntegrityInput {
  code?: FinalCode[];
  plan: PlanQuestion[];
  competencies: Competency[];
  turns: Turn[];
  evaluation: ModelEvaluation | null;
  /** The interview's language: the fixed sentences written here are in it (default English). */
  language?: string;
  onDroppedQuote?: (where: string, quote: { turnSeq: number; quote: string }) => void;
}

/** How each plan question went, from the transcript alone. */
export function questionStatuses(plan: PlanQuestion[], turns: Turn[]) {
  return new Map(
    plan.map((q) => {
      const asked = turns.some((t) => t.speaker === 'interviewer' && t.questionId === q.questionId);
      const answers = turns.filter((t) => t.speaker === 'candidate' && t.questionId === q.questionId);
      const answered = answers.some((t) => !isNonAnswer(t.text));
      const status = !asked ? 'not_asked' : answered ? 'asked' : 'not_answered';
      return [q.questionId, status as 'asked' | 'not_asked' | 'not_answered'];
    }),
  );
}

export function applyIntegrity(input: IntegrityInput): { result: ScorecardResult; integrity: IntegrityReport } {
  const report: IntegrityReport = { droppedQuotes: 0, droppedStatements: 0, scoresWithdrawn: 0 };
  // Evidence comes from answers: the candidate's turns within plan questions, not the consent or small talk.
  const candidateTurns = input.turns.filter(
    (t) => t.speaker === 'candidate' && t.questionId !== null && !isNonAnswer(t.text),
  );
  const statuses = questionStatuses(input.plan, input.turns);
  const drop = (where: string) => (q: { turnSeq: number; quote: string }) => input.onDroppedQuote?.(where, q);

  const questions = input.plan.map((q) => {
    const status = statuses.get(q.questionId)!;
    const model = input.evaluation?.questions.find((m) => m.questionId === q.questionId);
    const evidence =
      status === 'asked' && model ? validQuotes(model.evidence, candidateTurns, report, drop(`question ${q.questionId}`)) : [];
    const final = q.coding ? input.code?.find((c) => c.questionId === q.questionId) : undefined;
    const codeEvidence =
      q.coding && final?.written && status === 'asked' && model?.codeEvidence
        ? validCodeQuotes(model.codeEvidence, final.code, report, () => drop(`code of ${q.questionId}`)({ turnSeq: -1, quote: '' }))
        : [];
    // A coding question is scored on what was written: with no code there is nothing to score, whatever was said.
    const scored =
      status === 'asked' &&
      model?.score != null &&
      (q.coding ? final?.written === true && evidence.length + codeEvidence.length > 0 : evidence.length > 0);
    if (model?.score != null && !scored) report.scoresWithdrawn++;
    return {
      questionId: q.questionId,
      position: q.position,
      text: q.text,
      competencyKey: q.competencyKey,
      status,
      score: scored ? model!.score : null,
      insufficientEvidence: !scored,
      rationale: status === 'asked' && model ? stripAffect(model.rationale, report) || null : null,
      evidence,
      ...(q.coding ? { codeEvidence } : {}),
    };
  });

  const competencies = input.competencies.map((c) => {
    const model = input.evaluation?.competencies.find((m) => m.key === c.key);
    const evidence = model ? validQuotes(model.evidence, candidateTurns, report, drop(`competency ${c.key}`)) : [];
    const scored = model?.score != null && evidence.length > 0;
    if (model?.score != null && !scored) report.scoresWithdrawn++;
    return {
      key: c.key,
      name: c.name,
      score: scored ? model!.score : null,
      insufficientEvidence: !scored,
      rationale: model ? stripAffect(model.rationale, report) || null : null,
      evidence,
    };
  });

  const anyScore = questions.some((q) => q.score !== null) || competencies.some((c) => c.score !== null);
  const overall = input.evaluation
    ? {
        // With no scored evidence there is nothing to recommend on, whatever the model concluded.
        recommendation: anyScore ? input.evaluation.overall.recommendation : null,
        summary: anyScore
          ? stripAffect(input.evaluation.overall.summary, report)
          : scorecardTexts(input.language).noScorableAnswers,
        strengths: anyScore ? input.evaluation.overall.strengths.map((s) => stripAffect(s, report)).filter(Boolean) : [],
        concerns: anyScore ? input.evaluation.overall.concerns.map((s) => stripAffect(s, report)).filter(Boolean) : [],
      }
    : null;
  return { result: { questions, competencies, overall }, integrity: report };
}

/** The mean of the question scores, one decimal; null when none could be scored. */
export function overallScore(result: ScorecardResult): number | null {
  const scores = result.questions.map((q) => q.score).filter((s): s is number => s !== null);
  if (scores.length === 0) return null;
  return Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10;
}
