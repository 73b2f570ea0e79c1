import { describe, expect, it } from 'vitest';
import { classifyLocally } from '../../agent/local-intents.ts';

// Local mode's keyword rules (agent/local-intents.ts) in every catalogue language: consent, repeat, skip and stop,
// in MSA and Gulf Arabic, however the words are spelt.

const consent = (text: string) => classifyLocally('consent', text);
const answering = (text: string) => classifyLocally('questions', text);

describe('local mode in Arabic', () => {
  it('reads agreement, MSA and Gulf, with or without hamza and diacritics', () => {
    for (const text of [
      'نعم، أوافق على المتابعة',
      'نعم، اوافق علي المتابعه',
      'نَعَمْ، أُوَافِقُ',
      'أيوه موافق',
      'اي، تمام',
      'ايه اكيد يلا نبدأ',
      'تمام',
      'موافقـــة',
      'طيب، خلنا نبدأ',
      'وأوافق',
      'لا مانع لدي',
      'ما عندي مانع',
      'مافي مشكلة',
      'لا بأس',
    ]) {
      expect(consent(text), text).toBe('agree');
    }
  });

  it('reads a refusal, and a negation wins over a yes in the same reply', () => {
    for (const text of [
      'لا',
      'لا أوافق',
      'لأ، ما أبي',
      'نعم، لا أوافق',
      'مو موافق',
      'مب موافق',
      'أرفض',
      'لا شكرا',
      'غير موافق',
      'ما ابغى أكمل',
    ]) {
      expect(consent(text), text).toBe('decline');
    }
    // "أي" (any) is not the Gulf "اي" (yes) unless it opens the reply.
    expect(consent('هل في أي تسجيل للمقابلة؟')).toBe('unclear');
    expect(consent('امم، ما فهمت')).toBe('repeat');
    expect(consent('ممكن سؤال؟')).toBe('unclear');
  });

  it('hears "repeat" in a short request, and not in an answer that uses the same words', () => {
    for (const text of [
      'أعد',
      'أعد السؤال من فضلك',
      'ممكن تعيد؟',
      'عفوا، ممكن تعيده؟',
      'كرر لو سمحت',
      'ما سمعت',
      'مرة ثانية لو سمحت',
      'عيدها',
    ]) {
      expect(answering(text), text).toBe('repeat');
    }
    for (const text of [
      'أنا أعد التقارير الشهرية للإدارة وأراجعها مع الفريق',
      'ما سمعت عن Kubernetes من قبل لكن استخدمنا Docker كثيرا',
      'الدالة تعيده إلى الطابور مرة ثانية إذا فشل الإرسال',
    ]) {
      expect(answering(text), text).toBe('answer');
    }
  });

  it('hears a request to stop, and not a system that stopped', () => {
    for (const text of [
      'أبي أنهي المقابلة',
      'أريد إيقاف المقابلة',
      'توقف',
      'توقف من فضلك',
      'أبغى أكلم شخص حقيقي',
      'أفضل مقابل بشري',
    ]) {
      expect(answering(text), text).toBe('stop');
      expect(consent(text), text).toBe('stop');
    }
    expect(answering('الخادم توقف فجأة فأعدنا تشغيله من النسخة الاحتياطية')).toBe('answer');
  });

  it('moves on from a skip as from an answer, and hears an Arabic question mark', () => {
    for (const text of ['تخطى', 'التالي', 'السؤال التالي لو سمحت']) expect(answering(text), text).toBe('answer');
    expect(classifyLocally('candidate_questions', 'هل الوظيفة عن بعد؟')).toBe('question');
    expect(classifyLocally('candidate_questions', 'لا، شكرا')).toBe('answer');
  });
});

describe('local mode in English', () => {
  it('reads what it read before', () => {
    expect(consent("Yes, I agree, let's start.")).toBe('agree');
    expect(consent('No, I do not agree.')).toBe('decline');
    expect(consent('Hmm')).toBe('unclear');
    expect(answering('Could you repeat the question?')).toBe('repeat');
    expect(answering('I would like an alternative process please')).toBe('stop');
    expect(answering('I built a ledger.')).toBe('answer');
  });

  it('takes "no problem" and "I don\'t mind" as a yes, a typographic apostrophe as one, and "stop" alone as a stop', () => {
    expect(consent('No problem.')).toBe('agree');
    expect(consent("I don't mind, go ahead")).toBe('agree');
    expect(consent('I don’t agree.')).toBe('decline');
    expect(answering('Stop.')).toBe('stop');
    expect(answering('We had to stop the old service first.')).toBe('answer');
  });
});
