import type { llm } from '@livekit/agents';
import { normaliseText, phraseAlternation } from '../shared/text/arabic.ts';

// When has the candidate finished answering? Silence alone cannot tell: a candidate who stops for a second and a
// half to think sounds, to a silence timer, exactly like one who has finished. This detector reads what the speech
// recogniser has transcribed so far, with what the interview expects, and says "probably finished" or "probably
// not"; the SDK then waits the short endpointing delay (ENDPOINTING_MIN_DELAY_MS) or the long one
// (ENDPOINTING_MAX_DELAY_MS) after the last speech before the interviewer replies. Speech that resumes inside the
// wait cancels it. The cues are plain text rules, deterministic and local (no model, no network):
//
// 1. The words trail off: the transcript ends on a conjunction, a preposition, an article, a filler ("um", "uh"),
//    a word that announces what follows ("the problem is", "it's called", "such as", "سوف"), a modal and its verb
//    ("we would use", "سوف نستخدم"), an ordinary verb still waiting for its object ("every API call carries",
//    "يحمل"), or a comma or dash. Someone who stops there is in the middle of a sentence, often looking for a term
//    ("we would use [pause] idempotency keys").
// 2. An answer to an open interview question that is still short (fewer than TURN_SHORT_ANSWER_WORDS words, counted
//    as English words: an Arabic word often holds two or three of them): one sentence is usually the start of an
//    answer, and the pause after it is the candidate gathering the next thought.
//    This cue holds only while a plan question or follow-up is being answered, not for consent or the candidate's
//    own questions, where a short answer ("Yes, I agree.") is the whole answer; and not for answers that close
//    themselves ("I don't know", "that's all") or ask something back.
//
// What it cannot see: a pause after a complete sentence once the answer is already substantive, or in the middle
// of one after a word no rule lists (a past tense, "…and then we moved [pause] the ledger"). There the short delay
// applies and a long pause is taken as the end (see agent/README.md for the measured trade-off).
//
// The SDK calls this with the conversation so far plus the candidate's words not yet committed as the last user
// message (the "_TurnDetector" interface of @livekit/agents 1.9, the same one its text turn models implement).

export interface EndOfTurnCues {
  /** True while the candidate is answering a plan question or a follow-up (the flow's 'questions' stage). */
  expectsLongAnswer: () => boolean;
  /** Words below which an answer to an open question counts as unfinished. */
  shortAnswerWords: number;
}

/** Probabilities the detector returns; the SDK compares them with `unlikelyThreshold`. */
const likely = 0.9;
const unlikely = 0.1;
const threshold = 0.5;

const trailingWords: Record<string, ReadonlySet<string>> = {
  // Words that rarely end a sentence in speech. Words that often do ("so", "that", "this", "in", "about", "did",
  // "well") are left out: a trailing word here means a long wait, never talking over.
  en: new Set([
    ...['and', 'but', 'or', 'nor', 'because', 'although', 'though', 'whereas', 'unless', 'than', 'if'],
    ...['of', 'to', 'at', 'by', 'from', 'into', 'onto', 'between', 'during', 'without', 'within', 'across'],
    ...['against', 'towards', 'toward', 'via', 'per', 'with', 'for'],
    ...['a', 'an', 'the', 'my', 'our', 'their', 'your', 'his', 'its', 'every', 'each'],
    ...['i', "i'm", "we're", "it's", 'we', 'they'],
    ...['um', 'uh', 'erm', 'er', 'hmm', 'mm', 'ah'],
    // Words that need their complement, where people stop mid-sentence to find a term: "the problem is",
    // "it's called", "such as", "we would". Not "can", "will", "may": "Yes, I can." is a whole answer.
    ...['is', 'are', 'was', 'were', 'as', 'called', 'would', 'could', 'should', 'must', 'might', "i'd", "we'd"],
  ]),
  // Arabic, MSA and Gulf: and, or, but, then, because, if; in, from, on, to, about, with; which/that; the article
  // left alone before an English term ("الـ API" loses its tatweel to "ال API": "نستخدم الـ" is unfinished);
  // "I mean" and the fillers. Not "بس": "but", and as often "only"/"that's it" at a sentence's end. Written as
  // spelt, compared normalised (shared/text/arabic.ts), like the text.
  ar: new Set(
    [
      ...['و', 'أو', 'لكن', 'ثم', 'وبعدين', 'لأن', 'عشان', 'علشان', 'إذا', 'لو', 'حتى'],
      ...['في', 'من', 'على', 'إلى', 'عن', 'مع', 'اللي', 'التي', 'الذي', 'أن', 'إن', 'أنه'],
      ...['الـ', 'بالـ', 'والـ', 'للـ', 'فالـ', 'كالـ'],
      ...['يعني', 'امم', 'اه', 'آآ', 'طيب'],
      // Needing their complement, as above: will (سوف، راح، رح), such as / like (مثل), called (يسمى), "the
      // problem is" (هي; not هو, which ends "هذا هو"), was (كان، كانت).
      ...['سوف', 'راح', 'رح', 'مثل', 'يسمى', 'تسمى', 'هي', 'كان', 'كانت'],
    ].map(normaliseText),
  ),
};

/**
 * Words that announce a verb's complement: a transcript ending on "would use", "will explain", "سوف نستخدم" stops
 * before the object, where people pause to find a term ("we would use [pause] idempotency keys"). A pro-form after
 * them ends the sentence ("that's what I would do", "we will do it").
 */
const modals: Record<string, ReadonlySet<string>> = {
  en: new Set(['would', 'will', 'could', 'can', 'should', 'must', 'might', "i'd", "we'd", "i'll", "we'll", "they'll"]),
  ar: new Set(['سوف', 'راح', 'رح', 'لازم', 'نقدر', 'أقدر'].map(normaliseText)),
};
const proForms = new Set(['do', 'it', 'that', 'this', 'them', 'so', 'too', 'again', 'either', 'there', 'here', 'now', 'then']);

/**
 * Ordinary verbs that take an object, as a clause's verb stands before its object: "every API call carries [pause]
 * an idempotency key", "one in fifty thousand transactions needs [pause] a manual look", "وكل API call يحمل
 * [pause]". A sentence seldom ends on one (the object is its point), so a transcript stopped there is a clause still
 * open. English: the third person singular, of verbs whose -s form is seldom a noun that ends a sentence ("reads and
 * writes", "API calls", "returns", "checks" are left out); not the base form, which ends a sentence after an
 * object relative ("the tools we use"); verbs that end sentences ("it works", "it depends", "it scales") neither.
 * Arabic: the imperfect with its person prefix and no object pronoun ("نستخدم"; "نستخدمه" is whole).
 */
const objectVerbs: Record<string, ReadonlySet<string>> = {
  en: new Set([
    ...['carries', 'needs', 'requires', 'includes', 'contains', 'involves', 'provides', 'produces', 'creates'],
    ...['exposes', 'replaces', 'reaches', 'gives', 'gets', 'takes', 'makes', 'sends', 'uses', 'holds', 'keeps'],
    ...['adds', 'owns', 'emits', 'publishes', 'generates', 'guarantees', 'prevents', 'allows', 'lets', 'causes'],
  ]),
  ar: new Set(
    [
      ...['حمل', 'حتاج', 'ستخدم', 'تطلب', 'تضمن', 'كتب', 'رسل', 'خزن', 'عطي', 'وفر', 'شمل', 'ستدعي', 'منع', 'ضمن'],
    ].flatMap((stem) => ['ي', 'ت', 'ن', 'أ'].map((person) => normaliseText(person + stem))),
  ),
};

/** Fillers however long they are drawn out: "ummm", "uhhh", "hmmm", "اممممم", "آآآ". */
const filler = /^(?:u+m+|u+h+|e+r+m*|h+m+|m{2,}|a+h+|ا+م+|ا+ه+|ا{2,}|ه+م+)$/u;

/** Words a candidate says while thinking, at the end of what was said so far. */
const thinkingPhrases = new RegExp(
  `(?:^|\\s)${phraseAlternation([
    ...['let me think', 'let me see', 'how do i put it', 'how should i put it'],
    ...['what is it called', "what's it called"],
    ...['خلني أفكر', 'خليني أفكر', 'دعني أفكر', 'خلني أشوف', 'خليني أشوف', 'كيف أقول', 'كيف أقولها', 'شلون أقول'],
    ...['شو اسمه', 'ايش اسمه', 'وش اسمه'],
  ])}$`,
  'u',
);

/** Phrases that close an answer however short it is, when the answer ends on them. */
const closingPhrases = [
  /\bi (really )?(don'?t|do not) know$/,
  /\bno idea$/,
  /\bnot sure$/,
  /\bthat'?s (all|it|everything)$/,
  /\b(pass|skip( this| it)?|next question)$/,
  /\b(i have|i've) nothing (more|else)( to add)?$/,
  new RegExp(
    `(?:^|\\s)${phraseAlternation([
      ...['لا أعرف', 'ما أعرف', 'ما ادري', 'مادري', 'لا أدري', 'ما عندي فكرة', 'لست متأكدا', 'مو متأكد', 'مش متأكد'],
      ...['هذا كل شيء', 'هذا كل شي', 'بس كذا', 'هذا هو', 'خلاص', 'ما عندي شي أضيفه', 'ما عندي شيء ثاني', 'هذا جوابي'],
      ...['تخطى', 'التالي', 'السؤال التالي', 'ما أدري والله', 'مادري والله'],
    ])}$`,
    'u',
  ),
];

/**
 * TURN_SHORT_ANSWER_WORDS counts English words. Arabic says the same in about three quarters as many: the
 * conjunction, the article and many prepositions are written onto the word (و، ال، ب، ل), and the subject onto the
 * verb ("نستخدم", "we use"). On the voice benchmark's answers (bench/voice-scenarios.ts) the same content runs 18
 * Arabic words for 25 English ones, and 13 for 17, English technical terms included.
 */
const wordsPerEnglishWord: Record<string, number> = { ar: 0.75 };

function language(lang: string | undefined): string {
  return (lang ?? 'en').toLowerCase().split(/[-_]/)[0] ?? 'en';
}

function lastUserText(chatCtx: llm.ChatContext): string {
  for (let i = chatCtx.items.length - 1; i >= 0; i--) {
    const item = chatCtx.items[i]!;
    if (item.type === 'message') return item.role === 'user' ? (item.textContent ?? '') : '';
  }
  return '';
}

/** Whether the candidate's words so far sound finished: the rules above, as a probability for the SDK. */
export function endOfTurnProbability(
  text: string,
  lang: string,
  cues: Pick<EndOfTurnCues, 'shortAnswerWords'> & { expectsLongAnswer: boolean },
): number {
  // Normalised (shared/text/arabic.ts): Arabic punctuation ، ؛ ؟ reads as , ; ?, and diacritics, tatweel or alef
  // forms do not hide a trailing word.
  const trimmed = normaliseText(text);
  if (!trimmed) return likely;
  // A comma, dash, ellipsis or colon at the very end: the sentence was left open.
  if (/(,|;|:|-|–|—|\.\.\.|…)$/.test(trimmed)) return unlikely;
  const words = trimmed
    .split(' ')
    .map((w) => w.replace(/^[^\p{L}\p{N}']+|[^\p{L}\p{N}']+$/gu, ''))
    .filter(Boolean);
  const last = words.at(-1) ?? '';
  const spoken = words.join(' ');
  // Code-switching: answers in other languages carry English terms, and their sentences run on English
  // conjunctions too ("استخدمنا Kafka and"); an English word cannot be mistaken for one in another script.
  const trailing = [trailingWords[language(lang)], trailingWords.en];
  if (trailing.some((set) => set?.has(last)) || filler.test(last) || thinkingPhrases.test(spoken)) return unlikely;
  if (trimmed.endsWith('?')) return likely;
  const beforeLast = words.at(-2) ?? '';
  if ([modals[language(lang)], modals.en].some((set) => set?.has(beforeLast)) && !proForms.has(last)) return unlikely;
  if ([objectVerbs[language(lang)], objectVerbs.en].some((set) => set?.has(last))) return unlikely;
  if (closingPhrases.some((p) => p.test(spoken))) return likely;
  const shortAnswerWords = Math.round(cues.shortAnswerWords * (wordsPerEnglishWord[language(lang)] ?? 1));
  if (cues.expectsLongAnswer && words.length < shortAnswerWords) return unlikely;
  return likely;
}

/** The SDK's text turn-detector interface (`_TurnDetector` in @livekit/agents 1.9), structurally. */
export interface TextTurnDetector {
  readonly model: string;
  readonly provider: string;
  unlikelyThreshold(language?: string): Promise<number | undefined>;
  supportsLanguage(language?: string): Promise<boolean>;
  predictEndOfTurn(chatCtx: llm.ChatContext, timeoutMs?: number): Promise<number>;
}

export function createEndOfTurnDetector(cues: EndOfTurnCues, interviewLanguage: string): TextTurnDetector {
  return {
    model: 'interview-text-cues',
    provider: 'local',
    unlikelyThreshold: async () => threshold,
    // Every language: the length cue needs no word lists; trailing words are known for English and Arabic.
    supportsLanguage: async () => true,
    predictEndOfTurn: async (chatCtx) =>
      endOfTurnProbability(lastUserText(chatCtx), interviewLanguage, {
        expectsLongAnswer: cues.expectsLongAnswer(),
        shortAnswerWords: cues.shortAnswerWords,
      }),
  };
}
