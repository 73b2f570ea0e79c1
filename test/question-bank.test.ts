import { describe, expect, it } from 'vitest';
import { interviewTypes, type Competency } from '../shared/db/schema.ts';
import {
  bankLanguage,
  buildQuestionPlan,
  competencyLabel,
  questionBankVersion,
  templateAnchors,
} from '../shared/question-bank.ts';
import { planQuestionSchema, type QuestionPlan } from '../shared/plans/plan.schema.ts';

// The template bank is what a candidate hears when no language model is configured: every question and anchor must
// read as if a person wrote it, whatever HR typed as a competency's name and description. Pure functions; no servers.

const longParagraph = [
  'Understands ledgers, idempotency, reconciliation and card flows.',
  'Has operated payment services in production, including chargebacks, refunds and partial captures.',
  'Knows the scheme rules that apply to acquiring and issuing, and how PCI-DSS scope is kept small.',
  'Can explain settlement across currencies to finance colleagues who are not engineers.',
].join(' ');
const longSentenceWithClauses =
  'Owns the on-call rotation for the payment ledger and the card-authorisation services, ' +
  'writes the post-incident reviews that the whole engineering department reads, ' +
  'and mentors two mid-level engineers through their first year of running production services at scale in a regulated bank';
const longSentenceWithoutClauses =
  'Keeps the platform running smoothly through every peak season without anyone noticing anything unusual happening ' +
  'behind the scenes because every single dependency has been load tested and capacity planned well ahead of time ' +
  'by the same small team of engineers who built it in the first place years ago';

const competencies: Competency[] = [
  { key: 'system_design', name: 'System design', description: 'Designs robust services' },
  { key: 'ownership', name: 'ownership', description: '' },
  { key: 'communication', name: 'COMMUNICATION.', description: 'Explains trade-offs clearly and concisely.' },
  { key: 'payments_domain', name: 'Payments domain:', description: longParagraph },
  { key: 'api_design', name: 'API DESIGN', description: 'designs versioned APIs. writes clear docs ..' },
  { key: 'delivery', name: '  Delivery  ', description: '   ' },
  { key: 'testing', name: 'Testing!!', description: "- Writes unit tests\n- Reviews others' tests;" },
  { key: 'kubernetes', name: 'Kubernetes', description: 'Runs production workloads, e.g. autoscaling and rollouts' },
  { key: 'on_call', name: 'On-call', description: longSentenceWithClauses },
  { key: 'reliability', name: 'Reliability', description: longSentenceWithoutClauses },
  { key: 'arabic_communication', name: 'التواصل', description: 'يشرح المفاضلات بوضوح' },
  { key: 'mystery_skill', name: '???', description: 'Something :: important . ' },
  { key: 'ios', name: 'iOS development', description: 'Ships apps to the App Store?' },
];

const plans = new Map<string, QuestionPlan>();
for (const language of ['en', 'ar'] as const) {
  for (const type of interviewTypes) {
    plans.set(`${language}:${type}`, buildQuestionPlan({ type, competencies, maxDurationMinutes: 120, language }));
  }
}

const everyPlan = [...plans.entries()].map(([id, plan]) => ({ language: id.split(':')[0]!, type: id.split(':')[1]!, plan }));

/** Sentences of an English text: split after . ! ? (and a closing quote), but not after "e.g.". */
function englishSentences(text: string): string[] {
  const chunks = text.split(/(?<=[.!?]["»]?)\s+/);
  const sentences: string[] = [];
  for (const chunk of chunks) {
    const previous = sentences.at(-1);
    if (previous && /\b(e\.g|i\.e)\.$/.test(previous)) sentences[sentences.length - 1] = `${previous} ${chunk}`;
    else sentences.push(chunk);
  }
  return sentences;
}

/** The text with HR's own words (quoted in guillemets) taken out: what is left is the bank's. */
const bankWords = (text: string) => text.replace(/«[^»]*»/g, '');

function expectTidy(text: string) {
  for (const bad of [': .', '..', ' .', '::', ' ,', ',,', ' ?', '  ', '""', '«»', '{', '}', 'undefined', 'null']) {
    expect(text, `"${bad}" in: ${text}`).not.toContain(bad);
  }
  expect(text, text).toBe(text.trim());
  expect(text, text).toMatch(/[.!?؟]["»]?$/);
}

describe('the template question bank', () => {
  it(`is versioned (${questionBankVersion}) and deterministic`, () => {
    expect(questionBankVersion).toBe('template-bank:v3');
    const again = buildQuestionPlan({ type: 'TECHNICAL', competencies, maxDurationMinutes: 120, language: 'en' });
    expect(again).toEqual(plans.get('en:TECHNICAL'));
  });

  it('asks one opening question, then one question per competency, each with five distinct anchors', () => {
    for (const { plan } of everyPlan) {
      // A CODING interview's problem comes right after the opening (test/coding-plan.test.ts covers it).
      expect(plan.questions.filter((q) => !q.coding).map((q) => q.competencyKey)).toEqual([null, ...competencies.map((c) => c.key)]);
      for (const q of plan.questions) {
        expect(q.anchors).toHaveLength(5);
        expect(new Set(q.anchors).size).toBe(5);
        // The limits every stored question is held to (shared/plans/plan.schema.ts), so a template question validates.
        expect(q.text.length).toBeLessThanOrEqual(600);
        for (const anchor of q.anchors) expect(anchor.length).toBeLessThanOrEqual(400);
        expect(planQuestionSchema.parse(q)).toEqual(q);
      }
    }
  });

  it('writes tidy sentences: no doubled or dangling punctuation, no empty quotes or placeholders', () => {
    for (const { plan } of everyPlan) {
      for (const q of plan.questions) {
        expectTidy(q.text);
        q.anchors.forEach(expectTidy);
      }
    }
  });

  it('in English, every sentence starts with a capital letter and ends with terminal punctuation', () => {
    for (const { language, plan } of everyPlan.filter((p) => p.language === 'en')) {
      expect(language).toBe('en');
      for (const text of plan.questions.flatMap((q) => [q.text, ...q.anchors])) {
        for (const sentence of englishSentences(text)) {
          expect(sentence, `in: ${text}`).toMatch(/^["«]?[A-Z\u0600-\u06FF]/);
          expect(sentence, `in: ${text}`).toMatch(/[.!?]["»]?$/);
        }
      }
    }
  });

  it('in Arabic, the bank speaks Arabic: Arabic script, Arabic punctuation, English only inside quoted HR text', () => {
    for (const { plan } of everyPlan.filter((p) => p.language === 'ar')) {
      for (const q of plan.questions) {
        const own = bankWords(q.text);
        expect(own, q.text).toMatch(/[\u0600-\u06FF]{3}/);
        expect(own, q.text).not.toMatch(/[A-Za-z]/);
        expect(own, q.text).not.toMatch(/[?,;]/);
        for (const anchor of q.anchors) {
          expect(anchor).toMatch(/[\u0600-\u06FF]{3}/);
          expect(anchor).not.toMatch(/[A-Za-z?,;]/);
        }
      }
    }
    const arabic = plans.get('ar:BEHAVIORAL')!.questions.find((q) => q.competencyKey === 'system_design')!;
    expect(arabic.text).toContain('«System design»');
    expect(arabic.text).toContain('«Designs robust services.»');
  });

  it('names each competency as a label, whatever its case or trailing punctuation', () => {
    expect(competencies.map(competencyLabel)).toEqual([
      'System design',
      'Ownership',
      'Communication',
      'Payments domain',
      'API design',
      'Delivery',
      'Testing',
      'Kubernetes',
      'On-call',
      'Reliability',
      'التواصل',
      'Mystery skill',
      'iOS development',
    ]);
    const english = plans.get('en:TECHNICAL')!.questions;
    for (const [i, c] of competencies.entries()) expect(english[i + 1]!.text).toContain(`: ${competencyLabel(c)}.`);
  });

  it('quotes the description in a sentence of its own, only when there is one worth quoting', () => {
    const text = (key: string) => plans.get('en:GENERAL')!.questions.find((q) => q.competencyKey === key)!.text;
    expect(text('system_design')).toContain('"Designs robust services."');
    expect(text('communication')).toContain('"Explains trade-offs clearly and concisely."');
    expect(text('api_design')).toContain('"Designs versioned APIs. Writes clear docs."');
    expect(text('testing')).toContain(`"Writes unit tests. Reviews others' tests."`);
    expect(text('kubernetes')).toContain('"Runs production workloads, e.g. autoscaling and rollouts."');
    expect(text('ios')).toContain('"Ships apps to the App Store?"');
    expect(text('mystery_skill')).toContain('"Something: important."');
    // A paragraph is cut after whole sentences; one long sentence at a clause; without clauses, not quoted at all.
    expect(text('payments_domain')).toContain(`"${longParagraph.split('. ').slice(0, 2).join('. ')}."`);
    expect(text('payments_domain')).not.toContain('scheme rules');
    expect(text('on_call')).toContain(
      '"Owns the on-call rotation for the payment ledger and the card-authorisation services, writes the post-incident reviews that the whole engineering department reads."',
    );
    for (const key of ['ownership', 'delivery', 'reliability']) expect(text(key)).not.toMatch(/["«]/);
  });

  it('varies its wording from one competency to the next', () => {
    for (const { plan } of everyPlan) {
      const [, first, second, third] = plan.questions;
      const opening = (t: string) => t.split(/[.:]/)[0];
      expect(new Set([first!, second!, third!].map((q) => opening(q.text))).size).toBe(3);
      const asks = (t: string) => t.replace(/^.*["»]\s*/, '').split(/(?<=[.!?؟])\s/).slice(-2).join(' ');
      expect(new Set([first!, second!, third!].map((q) => asks(q.text))).size).toBe(3);
    }
  });

  it('has anchors for the opening, the competencies and HR questions, in the interview language', () => {
    expect(bankLanguage('ar-AE')).toBe('ar');
    expect(bankLanguage('AR')).toBe('ar');
    expect(bankLanguage('en-GB')).toBe('en');
    expect(bankLanguage('fr')).toBe('en');
    expect(templateAnchors('CODING', 'en', 'competency')[0]).toMatch(/code/);
    expect(templateAnchors('SYSTEM_DESIGN', 'en', 'competency')[0]).toMatch(/design/);
    expect(templateAnchors('FINAL', 'en', 'opening')).not.toEqual(templateAnchors('TECHNICAL', 'en', 'opening'));
    expect(templateAnchors('TECHNICAL', 'ar-AE', 'general').join(' ')).toMatch(/^[\u0600-\u06FF\s.,()،]+$/);
  });
});
