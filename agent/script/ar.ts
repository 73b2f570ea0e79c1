import type { InterviewType } from '../../shared/db/schema.ts';
import type { Script, ScriptFacts } from './en.ts';

// The interviewer's Arabic sentences: Modern Standard Arabic in the plain, polite register of an HR interviewer.
// Same keys as en.ts (the type makes a missing one a compile error); the notice says what the English one says.

const kinds: Record<InterviewType, string> = {
  TECHNICAL: 'المقابلة التقنية',
  BEHAVIORAL: 'المقابلة السلوكية',
  CODING: 'مقابلة البرمجة',
  SYSTEM_DESIGN: 'مقابلة تصميم الأنظمة',
  GENERAL: 'المقابلة العامة',
  AI_SCREENING: 'مقابلة الفرز الأولي',
  FINAL: 'المقابلة النهائية',
  CUSTOM: 'المقابلة',
};

export const ar: Script = {
  noticeVersion: '2026-11-30.1',
  languageName: 'Modern Standard Arabic (العربية الفصحى)',

  interviewTitle: (f: ScriptFacts) => `${kinds[f.type]} لوظيفة ${f.jobTitle} في ${f.company}`,

  disclosure: (f: ScriptFacts) =>
    [
      `أنا محاور يعمل بالذكاء الاصطناعي، ولست شخصًا.`,
      f.recorded
        ? `تُسجَّل هذه المحادثة صوتيًا وتُحوَّل إلى نص مكتوب: يستطيع فريق التوظيف الاستماع إلى التسجيل وقراءة النص.`
        : `تُحوَّل هذه المحادثة إلى نص مكتوب.`,
      `الغرض منها التعرف على خبرتك في هذه الوظيفة، ويراجع النتيجةَ شخصٌ من فريق التوظيف في ${f.company}؛ ولا يتخذ الذكاء الاصطناعي القرار.`,
      `إذا كنت تفضّل إجراءً بديلًا مع شخص، فأخبرني بذلك الآن أو في أي وقت، وسنتوقف هنا ونُبلغ فريق التوظيف.`,
    ].join(' '),

  greeting: (f: ScriptFacts) =>
    [
      `أهلًا ${f.firstName}، أنا محاور ذكاء اصطناعي، والمكالمة ${f.recorded ? 'تُسجَّل وتُكتب نصًا' : 'تُكتب نصًا'}، ويقرر شخص من ${f.company}.`,
      `لسماع الإشعار كاملًا قل: أعد.`,
      f.typedAnswers ? `لا أسمع الكلام اليوم: اكتب إجاباتك في المحادثة من فضلك.` : '',
      `هل توافق؟`,
    ]
      .filter(Boolean)
      .join(' '),

  consentQuestion: 'هل توافق على متابعة هذه المقابلة مع الذكاء الاصطناعي؟',
  consentUnclear: 'هل يمكنك أن تخبرني إن كنت توافق على متابعة هذه المقابلة مع الذكاء الاصطناعي؟ تكفي كلمة نعم أو لا.',

  consentDeclined: (f: ScriptFacts) =>
    `لا بأس في ذلك إطلاقًا، وشكرًا لإخباري. سأُبلغ فريق التوظيف في ${f.company}، وسيتواصلون معك بشأن طريقة أخرى. مع السلامة.`,

  nextQuestion: (text: string) => `شكرًا لك. ${text}`,
  repeatQuestion: (text: string) => `بالتأكيد. ${text}`,
  candidateQuestionsPrompt: 'شكرًا لك، هذه كل أسئلتي. قبل أن ننهي، هل لديك أي أسئلة عن الوظيفة؟',

  closing: (f: ScriptFacts) =>
    `شكرًا لك على وقتك يا ${f.firstName}. سيراجع فريق التوظيف في ${f.company} هذه المقابلة ويتواصل معك بشأن الخطوات التالية. مع السلامة.`,
  timeUp: 'لقد انتهى الوقت المخصص لنا، لذا سنتوقف هنا.',
  stopRequested: (f: ScriptFacts) =>
    `بالتأكيد، سنتوقف هنا. سأُبلغ فريق التوظيف في ${f.company} أنك طلبت طريقة أخرى، وسيتواصلون معك. مع السلامة.`,

  silencePrompt: 'هل ما زلت معي؟ خذ وقتك، وأجب متى كنت مستعدًا.',
  silencePromptTyped: 'خذ وقتك. عندما تكون مستعدًا، اكتب إجابتك في المحادثة.',
  unresponsiveClosing: (f: ScriptFacts) =>
    `لم أسمع منك ردًا، لذا سأنهي المقابلة هنا. سيتواصل معك فريق التوظيف في ${f.company}. مع السلامة.`,

  welcomeBack: 'أهلًا بعودتك.',
  lostConnection: 'عذرًا، انقطع الاتصال للحظة.',
  cannotAnswerHere: 'لا أستطيع الإجابة عن الأسئلة في هذا الوضع، وسيجيب عنها فريق التوظيف. هل لديك شيء آخر تضيفه؟',
};
