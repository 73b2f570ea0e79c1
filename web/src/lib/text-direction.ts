// A transcript line's direction from the words it is written in, not from its first letter. An Arabic answer often
// opens on an English term ("Kafka نستخدمه في كل خدمة"), which `dir="auto"` (the first strong letter decides) would
// lay out left to right, its Arabic words in the wrong order on the line; an English answer in an Arabic interview
// stays left to right.

const rightToLeft = /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;

/** 'rtl' or 'ltr' by the script most of the words are in; 'auto' (the browser's rule) for a tie or no words. */
export function textDirection(text: string): 'ltr' | 'rtl' | 'auto' {
  const words = text.match(/[\p{L}\p{M}]+/gu) ?? [];
  const rtl = words.filter((word) => rightToLeft.test(word)).length;
  const ltr = words.length - rtl;
  return rtl > ltr ? 'rtl' : ltr > rtl ? 'ltr' : 'auto';
}
