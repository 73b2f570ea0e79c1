// One normalisation for comparing what people said, used wherever words are matched rather than shown: the
// verbatim-evidence check (api/scoring/integrity.ts), local mode's keyword rules (agent/local-intents.ts) and the
// end-of-turn cues (agent/end-of-turn.ts). The same Arabic sentence reaches us spelt several ways: with or without
// diacritics, stretched with tatweel, with the hamza written on the alef or not, in Arabic-Indic digits, from a
// speech recogniser, a keyboard or a model that "corrects" spelling when it quotes. Each rule below folds variants
// of one word together; none turns one word into a different word a paraphrase could use, so an invented quote still
// fails (it needs the same words in the same order).
//
// Choices:
// - Unicode NFKC first: Arabic presentation forms and ligatures (ﻻ, ﷲ) become plain letters, and a hamza typed as
//   a combining mark joins its letter.
// - Diacritics (tashkeel: fatha … sukun, tanween, shadda, dagger alef) and Quranic marks are removed; tatweel (ـ)
//   and invisible direction/joiner marks are removed.
// - Alef forms أ إ آ ٱ → ا. Alef maqsura ى → ي (the two are written interchangeably at a word's end, in Egypt and
//   the Gulf alike). Persian yeh ی and keheh ک → ي and ك (Persian keyboards).
// - Taa marbuta ة → ه: at a word's end the two are interchangeable in everyday writing ("مدرسه"/"مدرسة") and
//   recognisers emit either; no two words that the sentence could confuse differ only there.
// - Hamza on a carrier ؤ ئ → ء: "مسؤول"/"مسئول" are both standard spellings of one word. A bare hamza stays (dropping
//   it would fold "سائق" driver into "ساق" leg).
// - Arabic-Indic ٠-٩ and Persian ۰-۹ digits → 0-9; Arabic punctuation ، ؛ ؟ ٪ and the decimal/thousands separators →
//   their ASCII forms, so one set of rules reads both; typographic apostrophes ’ ‘ → '.
// - Then lower case, and runs of whitespace become one space.

const tashkeel = /[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06DC\u06DF-\u06E8\u06EA-\u06ED]/g;
const invisible = /[\u0640\u061C\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g;

const letters: Record<string, string> = {
  أ: 'ا',
  إ: 'ا',
  آ: 'ا',
  ٱ: 'ا',
  ٲ: 'ا',
  ٳ: 'ا',
  ى: 'ي',
  ی: 'ي',
  ک: 'ك',
  ة: 'ه',
  ؤ: 'ء',
  ئ: 'ء',
  '،': ',',
  '؛': ';',
  '؟': '?',
  '٪': '%',
  '٫': '.',
  '٬': ',',
  '۔': '.',
  '’': "'",
  '‘': "'",
};
const foldable = new RegExp(`[${Object.keys(letters).join('')}]`, 'g');

/** Arabic letters, digits and punctuation folded as described above; case and spacing untouched. */
export function foldArabic(text: string): string {
  return text
    .normalize('NFKC')
    .replace(tashkeel, '')
    .replace(invisible, '')
    .replace(foldable, (c) => letters[c]!)
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) - 0x06f0));
}

/** Text as compared, in any language: Arabic folded, lower case, single spaces. */
export function normaliseText(text: string): string {
  return foldArabic(text).toLowerCase().replace(/\s+/g, ' ').trim();
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `(?:…|…)` for regular expressions over normalised text: the phrases are written as people spell them and normalised
 * here, so a list reads naturally and cannot disagree with the text it is matched against. Longest first.
 */
export function phraseAlternation(phrases: readonly string[]): string {
  const normalised = [...new Set(phrases.map(normaliseText))].sort((a, b) => b.length - a.length);
  return `(?:${normalised.map(escape).join('|')})`;
}

/**
 * A pattern matching any of `phrases` as whole words of normalised text (JavaScript's `\b` knows only ASCII
 * letters, so it cannot delimit an Arabic word). `prefixes` are clitics allowed to be joined to the first word
 * (Arabic writes "and"/"so" as و/ف on the next word: "وأوافق").
 */
export function wordsPattern(phrases: readonly string[], options: { prefixes?: readonly string[] } = {}): RegExp {
  const prefix = options.prefixes?.length ? `(?:${options.prefixes.map(escape).join('|')})?` : '';
  return new RegExp(`(?<![\\p{L}\\p{N}])${prefix}${phraseAlternation(phrases)}(?![\\p{L}\\p{N}])`, 'u');
}
