import { normaliseText, wordsPattern } from '../shared/text/arabic.ts';
import type { Stage } from './interview-flow.ts';

// Local mode has no LLM, so the candidate's reply is read with a few keyword rules. They only steer the flow
// (agree or not, repeat, stop); they never judge an answer.
//
// Every catalogue language is read in every interview (candidates switch languages, and the rules of one cannot
// misfire on the other's script): English, and Arabic in MSA and common Gulf forms, matched as whole words of the
// normalised text (shared/text/arabic.ts: "أوافق", "اوافق" and "أُوافِق" are one word). A skip ("تخطى",
// "التالي", "next question") moves on exactly as an answer does; the scorecard reads it as a non-answer.
//
// Arabic words that also have an everyday sense count only in a short reply or as the whole reply: "أعد" (repeat!)
// is also "I prepare", "توقف" (stop!) also "it stopped", "مرة ثانية" (again) ends many answers.

export type LocalIntent = 'agree' | 'decline' | 'repeat' | 'stop' | 'question' | 'answer' | 'unclear';

/** Joined to the next word in Arabic writing: "and", "so". */
const clitics = ['و', 'ف'];

const stop = [
  /\b(alternative process|stop the interview|speak to a (person|human)|human interviewer)\b/,
  wordsPattern(
    [
      ...['أوقف المقابلة', 'وقف المقابلة', 'نوقف المقابلة', 'توقف المقابلة', 'إيقاف المقابلة'],
      ...['أنهي المقابلة', 'انهِ المقابلة', 'إنهاء المقابلة', 'ننهي المقابلة', 'نهي المقابلة'],
      ...['ألغي المقابلة', 'إلغاء المقابلة', 'أكلم شخص', 'أكلم إنسان', 'أتكلم مع شخص'],
      ...['أتحدث مع شخص', 'التحدث مع شخص', 'التحدث إلى شخص', 'التحدث مع إنسان', 'شخص حقيقي'],
      ...['إنسان حقيقي', 'موظف بشري', 'مقابل بشري', 'مقابلة بشرية', 'عملية بديلة', 'طريقة بديلة'],
    ],
    { prefixes: clitics },
  ),
];
const stopAlone = [
  ...['توقف', 'وقف', 'قف', 'أوقف', 'توقف من فضلك', 'توقف لو سمحت', 'خلاص توقف'],
  ...['stop', 'please stop', 'stop please'],
];

const repeat = [
  /\b(repeat|say that again|pardon|come again)\b/,
  wordsPattern(
    [
      ...['أعد السؤال', 'أعيد السؤال', 'إعادة السؤال', 'تعيد السؤال', 'عيد السؤال', 'تكرر السؤال'],
      ...['كرر السؤال', 'ما سمعت السؤال', 'لم أسمع السؤال', 'ما فهمت السؤال', 'لم أفهم السؤال'],
      ...['ما سمعتك', 'ماسمعتك', 'لم أسمعك', 'كرر', 'كرره', 'كررها'],
    ],
    { prefixes: clitics },
  ),
];
// A request to hear it again is short; in a longer reply these words are part of an answer ("الدالة تعيده", "the
// function returns it"; "ما سمعت عن Kafka", "I had not heard of Kafka").
const repeatInShortReply = wordsPattern(
  [
    ...['أعد', 'أعده', 'أعدها', 'عيد', 'عيده', 'عيدها', 'تعيد', 'تعيده', 'تعيدها', 'تكرر', 'تكرره', 'تكررها'],
    ...['ما سمعت', 'ماسمعت', 'لم أسمع', 'ما فهمت', 'مافهمت', 'لم أفهم', 'مرة ثانية', 'مرة أخرى', 'عفوا'],
  ],
  { prefixes: clitics },
);
const shortReplyWords = 5;

// Negations that agree: "no objection", "no problem". They are taken out before negations are looked for.
const agreeingNegations = [
  /\b(no problem|(i )?(don'?t|do not) mind|why not)\b/g,
  new RegExp(
    wordsPattern(
      [
        ...['لا مانع', 'لا مانع لدي', 'ما عندي مانع', 'ماعندي مانع', 'ما في مانع', 'مافي مانع'],
        ...['ليس لدي مانع', 'ليس لدي أي مانع', 'ما عندي أي مانع', 'لا بأس', 'ما يخالف', 'مايخالف'],
        ...['ما عندي مشكلة', 'ماعندي مشكلة', 'ما في مشكلة', 'مافي مشكلة', 'لا مشكلة', 'ليس لدي مشكلة'],
        ...['مو مشكلة', 'مش مشكلة', 'لا اعتراض', 'ما عندي اعتراض', 'ليس لدي اعتراض'],
      ],
      { prefixes: clitics },
    ).source,
    'gu',
  ),
];

const decline = [
  /\b(no|not|don't|do not|decline|refuse|disagree)\b/,
  // "لا" on its own is "no"; the Gulf "ما"/"مو"/"مب" negate only before the verbs listed ("ما" is also "what").
  wordsPattern(
    [
      ...['لا', 'كلا', 'لأ', 'لن', 'لست', 'ليس', 'مش', 'مو', 'مب', 'غير موافق', 'أرفض', 'رافض', 'نرفض'],
      ...['ما أوافق', 'مااوافق', 'ما أبي', 'مابي', 'ما أبغى', 'مابغى', 'ما أريد', 'ما أبا', 'ما ودي', 'ما حاب'],
    ],
    { prefixes: clitics },
  ),
];

const agree = [
  /\b(yes|yeah|agree|okay|ok|sure|ready|let's start)\b/,
  wordsPattern(
    [
      ...['نعم', 'أيوه', 'ايوا', 'أجل', 'بلى', 'أوافق', 'موافق', 'موافقة', 'وافقت', 'تمام', 'أكيد', 'بالتأكيد'],
      ...['حسنا', 'طيب', 'ماشي', 'زين', 'أوكي', 'اوك', 'اوكيه', 'يلا', 'يالله', 'نبدأ', 'لنبدأ', 'خلنا نبدأ'],
      ...['جاهز', 'جاهزة', 'مستعد'],
    ],
    { prefixes: clitics },
  ),
  // The Gulf "اي"/"ايه" (yes) is also "any"/"which" (أي): a yes only as the reply's first word.
  /^(?:اي|ايه)(?![\p{L}\p{N}])/u,
];

const any = (patterns: RegExp[], text: string) => patterns.some((p) => p.test(text));
const bare = (text: string) => text.replace(/[\s,.!?;]+$/, '');
const alone = (phrases: string[], text: string) => phrases.some((p) => bare(normaliseText(p)) === bare(text));

export function classifyLocally(stage: Stage, text: string): LocalIntent {
  const said = normaliseText(text);
  if (any(stop, said) || alone(stopAlone, said)) return 'stop';
  const short = said.split(' ').length <= shortReplyWords;
  if (any(repeat, said) || (short && repeatInShortReply.test(said))) return 'repeat';
  if (stage === 'consent') {
    const rest = agreeingNegations.reduce((t, p) => t.replace(p, ' '), said);
    // A negation wins over a yes in the same reply: "نعم، لا أوافق" and "yes, well, no" decline.
    if (any(decline, rest)) return 'decline';
    if (any(agree, rest) || rest !== said) return 'agree';
    return 'unclear';
  }
  if (stage === 'candidate_questions' && said.includes('?')) return 'question';
  return 'answer';
}
