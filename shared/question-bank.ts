import { isRunnable, type CodingLanguage } from './coding/coding.schema.ts';
import type { Competency, InterviewType } from './db/schema.ts';
import type { PlanInput, PlanQuestion, QuestionPlan } from './plans/plan.schema.ts';
import { bankProblems } from './question-bank-coding.ts';

// The template bank: the plan used when no language model is configured (or its plan failed validation). It is
// versioned and deterministic (same interview type, language, competencies and duration → same plan), and named as
// such in everything it produces (`source`), so nobody mistakes it for a plan tailored to the candidate.
//
// HR writes competency names and descriptions freely: empty, a fragment ("Designs robust services"), sentences, a
// paragraph, any case. So a description is never spliced into the middle of a sentence: a question names the
// competency as a label, quotes the description in a sentence of its own when there is one, then asks.

export const questionBankVersion = 'template-bank:v3';

/**
 * What the bank builds a plan from: the interview and the job's competencies (no résumé, no HR questions), and for a
 * CODING interview the job's coding language (Python when the job names none).
 */
export type BankInput = Pick<PlanInput, 'type' | 'competencies' | 'maxDurationMinutes' | 'language'> & {
  codingLanguage?: CodingLanguage | null;
};

export type BankLanguage = 'en' | 'ar';

/** The bank's language for an interview language code; languages it has no text for get English. */
export function bankLanguage(language: string): BankLanguage {
  return language.toLowerCase().split(/[-_]/)[0] === 'ar' ? 'ar' : 'en';
}

type AnchorSet = 'opening' | 'goals' | 'technical' | 'design' | 'coding' | 'experience' | 'problem';
type Five = readonly [string, string, string, string, string];
type Three = readonly [string, string, string];

interface LanguageBank {
  openings: Record<InterviewType, string>;
  /** How the interviewer introduces a coding problem (its statement is in the editor), runnable or editor-only. */
  codingIntro: { runnable: string; editorOnly: string };
  /** Ways to name the competency; each is a whole sentence around the label. */
  topics: readonly ((label: string) => string)[];
  /** Ways to quote the job's description of the competency; the quote ends with its own punctuation. */
  described: readonly ((quote: string) => string)[];
  /** The question itself, three per type; "this" and "it" refer to the competency just named. */
  asks: Record<InterviewType, Three>;
  anchors: Record<AnchorSet, Five>;
  /** How a competency's name is set in running text. */
  label: (name: string) => string;
  /** What quotation marks inside a quoted description become, so they cannot close the quote early. */
  innerQuote: string;
}

const englishGeneral: Three = [
  'How has this shown up in your experience so far? Give me one concrete example.',
  'Tell me about a time you relied on this in your work. What did you do, and what came of it?',
  'What have you done recently that shows this, and what was the result?',
];

const english: LanguageBank = {
  openings: {
    TECHNICAL: 'To start, tell me about a system you built recently that you are proud of, and what your part in it was.',
    SYSTEM_DESIGN: 'To start, tell me about the largest system you have designed, and the constraint that shaped it most.',
    CODING: 'To start, tell me about a piece of code you wrote recently that you are proud of, and why.',
    BEHAVIORAL: 'To start, tell me about a recent piece of work you are proud of, and what your part in it was.',
    GENERAL: 'To start, tell me briefly about your background and what brings you to this role.',
    AI_SCREENING: 'To start, tell me briefly about your background and what brings you to this role.',
    FINAL: 'To start, tell me what you would want to achieve in your first six months in this role.',
    CUSTOM: 'To start, tell me briefly about your background and what brings you to this role.',
  },
  codingIntro: {
    runnable:
      'Now a coding exercise. The problem is in the editor beside our conversation. Read it, then talk me through your approach while you write the code; the Run button checks it against the example tests.',
    editorOnly:
      'Now a coding exercise. The problem is in the editor beside our conversation. Read it, then talk me through your approach while you write the code; this language cannot run here, so tell me how you would test it.',
  },
  topics: [
    (label) => `Next topic: ${label}.`,
    (label) => `Let's move on to another area: ${label}.`,
    (label) => `Now I'd like to focus on one more area: ${label}.`,
    (label) => `Here is the next area I'd like to explore: ${label}.`,
  ],
  described: [
    (quote) => `The job description puts it this way: "${quote}"`,
    (quote) => `For this role, that means: "${quote}"`,
    (quote) => `Here is how the role describes it: "${quote}"`,
  ],
  asks: {
    TECHNICAL: [
      'Tell me about a technical problem where this really mattered. What was the problem, what did you do yourself, and how did you know your solution worked?',
      'Walk me through a piece of technical work that depended on it. Which decisions did you make, and what would you do differently today?',
      'What is the hardest technical challenge you have faced in this area? How did you approach it, and what was the result?',
    ],
    SYSTEM_DESIGN: [
      'Walk me through a system you designed where this mattered. What were the requirements, which components did you choose, and what trade-offs did you accept?',
      'Think of a design decision in this area that you had to defend. What were the options, why did you choose the one you did, and how did it hold up as the system grew?',
      'Tell me about a time a design in this area failed or reached its limits. How did you find out, and how did you change the design?',
    ],
    CODING: [
      'Tell me about some code you wrote where this mattered. How did you structure it, how did you test it, and what would you improve now?',
      'Describe a bug or a performance problem in this area that you tracked down yourself. How did you find the cause, and how did you fix it?',
      'How would you approach a coding task in this area, from reading the requirements to finished, tested code? Walk me through your steps.',
    ],
    BEHAVIORAL: [
      'Tell me about a specific time your work depended on this. What was the situation, what did you do, and what was the result?',
      'Describe a situation where this was hard for you. What did you do, and what did you learn from it?',
      'Give me a recent example from your work that shows this. What was your own part, and how did it turn out?',
    ],
    GENERAL: englishGeneral,
    AI_SCREENING: [
      'Briefly, how much experience do you have in this area? Give me one concrete example from your work.',
      'Tell me about a recent situation where you relied on this. What did you do, and what was the outcome?',
      'How would you rate your own strength in this area, and which example from your work best supports that?',
    ],
    FINAL: [
      'Tell me about the most demanding situation you have handled in this area. What was at stake, what did you decide, and how did it turn out?',
      'Tell me about a time you had to get better at this quickly. What did you do, and how did you know it was working?',
      'How would you bring this to your first months in this role? Give me an example from your past work that shows how you would go about it.',
    ],
    CUSTOM: englishGeneral,
  },
  anchors: {
    opening: [
      'Says little or nothing relevant about their experience.',
      'Gives a vague overview, with no specific piece of work or part of their own in it.',
      'Names specific work, but their own part in it or why it matters stays unclear.',
      'Describes specific work clearly, with their own part in it and what came of it.',
      'Describes specific work clearly and concisely, with their own part, measurable results and a clear link to this role.',
    ],
    goals: [
      'Has no clear idea of what they would want to achieve.',
      'Names general goals that could apply to any role.',
      'Names goals that fit the role, without saying how they would reach them.',
      'Names concrete goals for the role and a sensible plan to reach them.',
      'Names concrete, measurable goals grounded in what the role needs, with a realistic plan and a way to tell that they succeeded.',
    ],
    technical: [
      'Gives no example of their own, or what they say is technically wrong.',
      'Speaks in general or hypothetical terms, naming tools or ideas without showing how they used them.',
      'Describes real work with some technical detail, but their own part, their reasoning or the result stays unclear.',
      'Walks through specific work: what they did themselves, why they chose it over the alternatives, and what came of it.',
      'Explains specific work in depth, weighs the trade-offs they faced, gives measurable results and says what they would do differently.',
    ],
    design: [
      'Offers no design of their own, or a design that could not work.',
      'Lists components or buzzwords without tying them to requirements or explaining how they fit together.',
      'Describes a workable design with its main components, but stays vague on requirements, scale or failures.',
      'Starts from the requirements, explains the main components and how data flows between them, and justifies the key choices against alternatives.',
      'Designs from clear requirements, reasons about scale, failure and cost, weighs the trade-offs openly and says how the design would evolve.',
    ],
    coding: [
      'Gives no concrete code or approach, or one that is incorrect.',
      'Describes code only in general terms, with no clear structure, testing or handling of edge cases.',
      'Describes working code with a sensible structure, but says little about edge cases, testing or complexity.',
      'Explains a clear, correct approach with its structure, its edge cases and how they tested it.',
      'Explains a clean, correct approach, reasons about complexity and trade-offs, covers edge cases and tests, and says what they would improve.',
    ],
    problem: [
      'Writes no working code and cannot explain an approach, or what they say does not match what they write.',
      'Has a partial idea, but the code does not work or fails most tests, and the spoken explanation of the approach stays vague.',
      'Reaches code that passes some tests with a workable approach and explains it in outline, but misses edge cases or needs several hints.',
      'Writes working code that passes the example tests with a sound approach, explains it and its complexity clearly while coding, and needs at most one small hint.',
      'Writes clean, correct code that also passes the hidden tests, explains the approach, complexity and trade-offs clearly as they go, covers edge cases unprompted and tests their own code.',
    ],
    experience: [
      'Gives no relevant example, or avoids the question.',
      'Answers in general or hypothetical terms (what they usually do or would do), with little that is specific or their own.',
      'Gives a relevant example with some specifics, but their own actions, their reasons or the result stay unclear.',
      'Gives a specific example: the situation, what they did themselves and why, and what the result was.',
      'Gives a specific example with clear ownership and measurable results, reflects on what they could have done differently and shows what they learned.',
    ],
  },
  label: (name) => name,
  innerQuote: "'",
};

const arabicGeneral: Three = [
  'كيف ظهر هذا الجانب في خبرتك حتى الآن؟ أعطني مثالًا واحدًا ملموسًا.',
  'حدّثني عن مرة اعتمدت فيها على هذا الجانب في عملك. ماذا فعلت، وما الذي نتج عن ذلك؟',
  'ما الذي قمت به في الآونة الأخيرة ويُظهر هذا الجانب لديك، وما نتيجته؟',
];

const arabicOpeningGeneral = 'في البداية، حدّثني باختصار عن خلفيتك المهنية، وعمّا يجذبك إلى هذا الدور.';

const arabic: LanguageBank = {
  openings: {
    TECHNICAL: 'في البداية، حدّثني عن نظام بنيته مؤخرًا وتفخر به، وما كان دورك فيه.',
    SYSTEM_DESIGN: 'في البداية، حدّثني عن أكبر نظام صمّمته، وعن القيد الذي كان له الأثر الأكبر في تصميمه.',
    CODING: 'في البداية، حدّثني عن شيفرة كتبتها مؤخرًا وتفخر بها، ولماذا تفخر بها.',
    BEHAVIORAL: 'في البداية، حدّثني عن عمل أنجزته مؤخرًا وتفخر به، وما كان دورك فيه.',
    GENERAL: arabicOpeningGeneral,
    AI_SCREENING: arabicOpeningGeneral,
    FINAL: 'في البداية، ما الذي تودّ أن تحققه خلال أشهرك الستة الأولى في هذا الدور؟',
    CUSTOM: arabicOpeningGeneral,
  },
  codingIntro: {
    runnable:
      'ننتقل الآن إلى تمرين برمجي. المسألة في المحرر بجانب محادثتنا. اقرأها، ثم اشرح لي طريقتك في الحل وأنت تكتب الشيفرة؛ وزر التشغيل يتحقق منها باختبارات الأمثلة.',
    editorOnly:
      'ننتقل الآن إلى تمرين برمجي. المسألة في المحرر بجانب محادثتنا. اقرأها، ثم اشرح لي طريقتك في الحل وأنت تكتب الشيفرة؛ ولا يمكن تشغيل هذه اللغة هنا، فأخبرني كيف كنت ستختبرها.',
  },
  // Every noun the label stands for here (محور، موضوع، جانب، مجال) is masculine, as the descriptions' "به" expects.
  topics: [
    (label) => `ننتقل الآن إلى المحور التالي: ${label}.`,
    (label) => `الموضوع التالي: ${label}.`,
    (label) => `أودّ الآن أن نتحدث عن جانب آخر من جوانب هذا الدور: ${label}.`,
    (label) => `لننتقل إلى مجال آخر: ${label}.`,
  ],
  described: [
    (quote) => `وقد جاء في وصف الوظيفة: «${quote}»`,
    (quote) => `ويُقصد به في هذا الدور: «${quote}»`,
    (quote) => `وبحسب وصف الوظيفة، يعني ذلك: «${quote}»`,
  ],
  asks: {
    TECHNICAL: [
      'حدّثني عن مشكلة تقنية كان لهذا الجانب فيها دور مهم. ما المشكلة، وما الذي قمت به بنفسك، وكيف تأكدت من نجاح الحل؟',
      'اشرح لي عملًا تقنيًا قمت به واعتمد على هذا الجانب. ما القرارات التي اتخذتها، وما الذي كنت ستفعله على نحو مختلف اليوم؟',
      'ما أصعب تحدٍّ تقني واجهته في هذا المجال؟ كيف تعاملت معه، وما النتيجة؟',
    ],
    SYSTEM_DESIGN: [
      'اشرح لي نظامًا صمّمته وكان لهذا الجانب فيه أثر واضح. ما المتطلبات، وما المكونات التي اخترتها، وما المفاضلات التي قبلت بها؟',
      'فكّر في قرار تصميمي في هذا المجال اضطررت إلى الدفاع عنه. ما الخيارات التي كانت أمامك، ولماذا اخترت ما اخترته، وكيف صمد القرار مع نمو النظام؟',
      'حدّثني عن مرة أخفق فيها تصميم في هذا المجال أو بلغ حدوده. كيف اكتشفت ذلك، وكيف غيّرت التصميم؟',
    ],
    CODING: [
      'حدّثني عن شيفرة كتبتها وكان لهذا الجانب فيها أهمية. كيف نظّمتها، وكيف اختبرتها، وما الذي كنت ستحسّنه فيها الآن؟',
      'صف لي خطأً برمجيًا أو مشكلة في الأداء في هذا المجال تتبّعتها بنفسك. كيف وجدت السبب، وكيف أصلحته؟',
      'كيف تتعامل مع مهمة برمجية في هذا المجال، من قراءة المتطلبات حتى الوصول إلى شيفرة مكتملة ومختبرة؟ اشرح لي خطواتك.',
    ],
    BEHAVIORAL: [
      'حدّثني عن موقف محدد اعتمد فيه عملك على هذا الجانب. ما الموقف، وما الذي فعلته، وما النتيجة؟',
      'صف لي موقفًا كان فيه هذا الجانب صعبًا عليك. ماذا فعلت، وما الذي تعلّمته منه؟',
      'أعطني مثالًا حديثًا من عملك يُظهر هذا الجانب لديك. ما الدور الذي أدّيته أنت تحديدًا، وكيف كانت النتيجة؟',
    ],
    GENERAL: arabicGeneral,
    AI_SCREENING: [
      'باختصار، ما مقدار خبرتك في هذا المجال؟ أعطني مثالًا ملموسًا واحدًا من عملك.',
      'حدّثني عن موقف حديث اعتمدت فيه على هذا الجانب. ماذا فعلت، وما النتيجة؟',
      'كيف تقيّم مستواك في هذا المجال، وأيّ مثال من عملك يدعم تقييمك على أفضل وجه؟',
    ],
    FINAL: [
      'حدّثني عن أصعب موقف تعاملت معه في هذا المجال. ما الذي كان على المحك، وما القرار الذي اتخذته، وكيف انتهى الأمر؟',
      'حدّثني عن مرة اضطررت فيها إلى تطوير نفسك في هذا الجانب بسرعة. ماذا فعلت، وكيف عرفت أن ذلك يؤتي ثماره؟',
      'كيف ستوظّف هذا الجانب في أشهرك الأولى في هذا الدور؟ أعطني مثالًا من عملك السابق يوضّح طريقتك في ذلك.',
    ],
    CUSTOM: arabicGeneral,
  },
  anchors: {
    opening: [
      'لا يقول شيئًا يُذكر عن خبرته، أو يقول ما لا صلة له بالسؤال.',
      'يقدّم نظرة عامة مبهمة، دون عمل محدد أو دور واضح له فيه.',
      'يذكر عملًا محددًا، لكن لا يتضح دوره فيه أو سبب أهميته.',
      'يصف عملًا محددًا بوضوح، مع دوره فيه وما نتج عنه.',
      'يصف عملًا محددًا بوضوح وإيجاز، مع دوره فيه ونتائج قابلة للقياس وصلة واضحة بهذا الدور.',
    ],
    goals: [
      'ليست لديه فكرة واضحة عمّا يريد تحقيقه.',
      'يذكر أهدافًا عامة تصلح لأي دور.',
      'يذكر أهدافًا تناسب الدور، دون أن يبيّن كيف سيحققها.',
      'يذكر أهدافًا ملموسة للدور وخطة معقولة لتحقيقها.',
      'يذكر أهدافًا ملموسة وقابلة للقياس نابعة من احتياجات الدور، مع خطة واقعية وطريقة يعرف بها أنه نجح.',
    ],
    technical: [
      'لا يقدّم مثالًا من عمله، أو ما يقوله خاطئ من الناحية التقنية.',
      'يتحدث بعبارات عامة أو افتراضية، ويذكر أدوات أو أفكارًا دون أن يبيّن كيف استخدمها.',
      'يصف عملًا حقيقيًا ببعض التفاصيل التقنية، لكنه لا يوضّح دوره فيه أو أسباب قراراته أو النتيجة.',
      'يشرح عملًا محددًا: ما قام به بنفسه، ولماذا فضّله على البدائل، وما الذي نتج عنه.',
      'يشرح عملًا محددًا بعمق، ويوازن بين المفاضلات التي واجهها، ويذكر نتائج قابلة للقياس وما كان سيفعله على نحو مختلف.',
    ],
    design: [
      'لا يقدّم تصميمًا من عنده، أو يقدّم تصميمًا لا يمكن أن ينجح.',
      'يعدّد مكونات أو مصطلحات رائجة دون أن يربطها بالمتطلبات أو يشرح كيف تتكامل.',
      'يصف تصميمًا قابلًا للتطبيق بمكوناته الرئيسية، لكنه يبقى غامضًا في المتطلبات أو حجم الاستخدام أو التعامل مع الأعطال.',
      'ينطلق من المتطلبات، ويشرح المكونات الرئيسية وتدفق البيانات بينها، ويعلّل خياراته الأساسية مقارنةً بالبدائل.',
      'يصمّم انطلاقًا من متطلبات واضحة، ويناقش التوسع والأعطال والتكلفة، ويوازن بين المفاضلات صراحةً، ويبيّن كيف سيتطور التصميم.',
    ],
    coding: [
      'لا يقدّم شيفرة أو طريقة حل ملموسة، أو يقدّم حلًا غير صحيح.',
      'يصف الشيفرة بعبارات عامة فقط، دون بنية واضحة أو اختبارات أو معالجة للحالات الحدّية.',
      'يصف شيفرة تعمل وبنيتها معقولة، لكنه لا يقول إلا القليل عن الحالات الحدّية أو الاختبار أو التعقيد.',
      'يشرح طريقة حل واضحة وصحيحة، مع بنيتها وحالاتها الحدّية وكيف اختبرها.',
      'يشرح حلًا نظيفًا وصحيحًا، ويناقش التعقيد والمفاضلات، ويغطي الحالات الحدّية والاختبارات، ويذكر ما كان سيحسّنه.',
    ],
    problem: [
      'لا يكتب شيفرة تعمل ولا يستطيع شرح طريقة حل، أو لا يطابق ما يقوله ما يكتبه.',
      'لديه فكرة جزئية، لكن الشيفرة لا تعمل أو تفشل في معظم الاختبارات، ويبقى شرحه الشفهي لطريقة الحل غامضًا.',
      'يصل إلى شيفرة تنجح في بعض الاختبارات بطريقة حل قابلة للتطبيق ويشرحها بإيجاز، لكنه يُغفل حالات حدّية أو يحتاج إلى عدة تلميحات.',
      'يكتب شيفرة تعمل وتنجح في اختبارات الأمثلة بطريقة حل سليمة، ويشرحها ويشرح تعقيدها بوضوح أثناء الكتابة، ولا يحتاج إلا إلى تلميح صغير واحد على الأكثر.',
      'يكتب شيفرة نظيفة وصحيحة تنجح في الاختبارات المخفية أيضًا، ويشرح طريقة الحل وتعقيدها والمفاضلات بوضوح أثناء العمل، ويغطي الحالات الحدّية من تلقاء نفسه ويختبر شيفرته بنفسه.',
    ],
    experience: [
      'لا يقدّم مثالًا ذا صلة، أو يتجنب السؤال.',
      'يجيب بعبارات عامة أو افتراضية (ما يفعله عادةً أو ما قد يفعله)، دون تفاصيل محددة تخصّه.',
      'يقدّم مثالًا ذا صلة ببعض التفاصيل، لكن لا يتضح ما قام به بنفسه أو أسبابه أو النتيجة.',
      'يقدّم مثالًا محددًا يبيّن الموقف، وما قام به بنفسه، ولماذا، وما النتيجة.',
      'يقدّم مثالًا محددًا يُظهر مسؤوليته بوضوح ونتائج قابلة للقياس، ويتأمل فيما كان يمكنه فعله على نحو مختلف وما تعلّمه منه.',
    ],
  },
  // Guillemets set the employer's term apart, whatever script it is written in.
  label: (name) => `«${name}»`,
  innerQuote: '"',
};

const banks: Record<BankLanguage, LanguageBank> = { en: english, ar: arabic };

/** What a question's anchors are about: the opening, one of the job's competencies, or anything else HR asks. */
export type AnchorFocus = 'opening' | 'competency' | 'general';

/** Five behaviourally anchored levels (what an answer scoring 1 to 5 contains), in the interview's language. */
export function templateAnchors(type: InterviewType, language: string, focus: AnchorFocus): string[] {
  const bank = banks[bankLanguage(language)];
  const set: AnchorSet =
    focus === 'opening'
      ? type === 'FINAL'
        ? 'goals'
        : 'opening'
      : focus === 'general'
        ? 'experience'
        : type === 'TECHNICAL'
          ? 'technical'
          : type === 'SYSTEM_DESIGN'
            ? 'design'
            : type === 'CODING'
              ? 'coding'
              : 'experience';
  return [...bank.anchors[set]];
}

// ---- Cleaning HR's text -------------------------------------------------------------------------------------

const terminal = /[.!?؟]$/;
/** Punctuation a label or a description may trail off with, which the sentence around it replaces. */
const trailing = /[\s.,;:!?…،؛؟\-–—]+$/u;
const wrappingQuotes = /^["'“”‘’«»]+|["'“”‘’«»]+$/gu;
/** Small words kept lower case when an all-capitals name is brought down to normal case. */
const minorWords = new Set(['and', 'or', 'of', 'the', 'for', 'to', 'in', 'on', 'with', 'at', 'by', 'a', 'an']);

/** Whitespace collapsed, no space before punctuation, no doubled punctuation ("..", "::", ",,"). */
function tidy(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\s+([.,;:!?،؛؟…])/g, '$1')
    .replace(/\.{2,}/g, '…')
    .replace(/([,;:!?،؛؟…])\1+/g, '$1');
}

/** Upper-cases a leading lower-case word ("designs" → "Designs"), but leaves "iOS" and "eBay" alone. */
function upperFirst(text: string): string {
  const word = /^[a-z][A-Za-z]*/.exec(text)?.[0];
  if (!word || /[A-Z]/.test(word)) return text;
  return text[0]!.toUpperCase() + text.slice(1);
}

/** "SYSTEM DESIGN" → "System design"; short capitalised runs ("API", "SQL", "CI/CD") stay as acronyms. */
function unshout(name: string): string {
  const letters = name.replace(/[^A-Za-z]/g, '');
  if (letters.length === 0 || letters !== letters.toUpperCase() || /^[A-Z]{1,4}$/.test(name)) return name;
  return name.replace(/[A-Za-z]+/g, (run) => (run.length <= 3 && !minorWords.has(run.toLowerCase()) ? run : run.toLowerCase()));
}

/** The competency's name as a label: tidy, no trailing punctuation, capitalised; the key if the name is all punctuation. */
export function competencyLabel(competency: Pick<Competency, 'key' | 'name'>): string {
  const name = tidy(competency.name).replace(trailing, '').replace(wrappingQuotes, '').trim();
  const usable = /[\p{L}\p{N}]/u.test(name) ? name : competency.key.replace(/_/g, ' ');
  return upperFirst(unshout(usable));
}

const abbreviation = /(?:\b(?:e\.g|i\.e|etc|vs|approx|incl|esp|cf|Mr|Mrs|Ms|Dr|St|No)|\b[A-Z])\.$/;

/** Sentences, split after . ! ? ؟ but not after "e.g.", "etc." or an initial (nor after "…", which trails on). */
function sentencesOf(text: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (const match of text.matchAll(/[.!?؟]+["'”’»)]?\s+/g)) {
    const end = match.index + match[0].trimEnd().length;
    if (abbreviation.test(text.slice(start, end))) continue;
    parts.push(text.slice(start, end).trim());
    start = match.index + match[0].length;
  }
  const rest = text.slice(start).trim();
  if (rest) parts.push(rest);
  return parts.filter((p) => /[\p{L}\p{N}]/u.test(p));
}

/** A quoted description is read aloud: a few sentences at most. */
const maxDescriptionChars = 240;
const minClauseChars = 40;

function endSentence(sentence: string): string {
  const bare = sentence.replace(trailing, '');
  const mark = terminal.exec(sentence.replace(/[\s…]+$/u, ''))?.[0];
  return upperFirst(bare) + (mark && mark !== '.' ? mark : '.');
}

/**
 * The job's description of a competency, ready to quote: bullet lines become sentences, each sentence starts with a
 * capital and ends with its punctuation, and a long text is cut at a sentence (or clause) boundary. Empty when
 * there is nothing worth quoting: no description, one that only repeats the name, or one too long to cut cleanly.
 */
export function quotableDescription(competency: Pick<Competency, 'name' | 'description'>, innerQuote: string): string {
  const lines = competency.description
    .split(/\r?\n/)
    .map((line) => tidy(line.replace(/^\s*(?:[-*•·–—]|\d+[.)])\s+/, '')))
    .filter((line) => /[\p{L}\p{N}]/u.test(line));
  const text = tidy(lines.map((line) => (terminal.test(line) ? line : `${line.replace(trailing, '')}.`)).join(' '))
    .replace(/["“”«»]/g, innerQuote);
  const letters = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
  if (!letters(text) || letters(text) === letters(competency.name)) return '';
  const chosen: string[] = [];
  let length = 0;
  for (const sentence of sentencesOf(text)) {
    const ended = endSentence(sentence);
    if (length + ended.length + (chosen.length ? 1 : 0) > maxDescriptionChars) {
      if (chosen.length === 0) {
        const clause = firstClauses(sentence);
        if (clause) chosen.push(endSentence(clause));
      }
      break;
    }
    chosen.push(ended);
    length += ended.length + (chosen.length > 1 ? 1 : 0);
  }
  return chosen.join(' ');
}

/** The longest run of whole clauses (cut at a comma, semicolon, colon or dash) that fits the quote's length. */
function firstClauses(sentence: string): string | undefined {
  let best: number | undefined;
  for (const match of sentence.matchAll(/[,;:،؛]\s|\s[–—-]\s/g)) {
    if (match.index >= maxDescriptionChars - 1) break;
    if (match.index >= minClauseChars) best = match.index;
  }
  return best === undefined ? undefined : sentence.slice(0, best);
}

// ---- The plan -----------------------------------------------------------------------------------------------

/** Seconds a question gets; the closing and greeting take the rest. */
const openingBudget = 120;
const competencyBudget = 180;
/** Greeting, consent and closing, which every interview spends whatever its plan. */
export const fixedOverheadSeconds = 90;

/**
 * One competency's question: its label, the job's description of it when there is one, and the question. The
 * competency's position picks the wording, so consecutive questions do not all sound the same.
 */
export function competencyQuestionText(type: InterviewType, language: string, competency: Competency, position: number): string {
  const bank = banks[bankLanguage(language)];
  const pick = <T>(list: readonly T[], offset = 0): T => list[(position + offset) % list.length]!;
  const description = quotableDescription(competency, bank.innerQuote);
  return [
    pick(bank.topics)(bank.label(competencyLabel(competency))),
    ...(description ? [pick(bank.described, 1)(description)] : []),
    pick(bank.asks[type]),
  ].join(' ');
}

/**
 * The plan: an opening question for the interview type, then one question per competency in the job's order,
 * cut to what fits in the duration (the opening always stays).
 */
export function buildQuestionPlan(input: BankInput): QuestionPlan {
  const bank = banks[bankLanguage(input.language)];
  const template = { kind: 'template', verbatim: false, resumeSpecific: false, source: questionBankVersion } as const;
  const questions: Omit<PlanQuestion, 'position'>[] = [
    {
      questionId: 'q-opening',
      text: bank.openings[input.type],
      competencyKey: null,
      timeBudgetSeconds: openingBudget,
      anchors: templateAnchors(input.type, input.language, 'opening'),
      ...template,
    },
    ...codingQuestions(input),
  ];
  for (const [position, competency] of input.competencies.entries()) {
    questions.push({
      questionId: `q-${competency.key}`,
      text: competencyQuestionText(input.type, input.language, competency, position),
      competencyKey: competency.key,
      timeBudgetSeconds: competencyBudget,
      anchors: templateAnchors(input.type, input.language, 'competency'),
      ...template,
    });
  }
  let available = input.maxDurationMinutes * 60 - fixedOverheadSeconds;
  const fitted: PlanQuestion[] = [];
  for (const question of questions) {
    if (fitted.length > 0 && question.timeBudgetSeconds > available) break;
    fitted.push({ ...question, position: fitted.length });
    available -= question.timeBudgetSeconds;
  }
  return { source: questionBankVersion, questions: fitted };
}

/** Seconds a coding problem gets: reading it, writing the code, running it and talking it through. */
const codingBudget = 900;

/**
 * A CODING interview's problem, right after the opening: the bank's first problem for the job's language (Python when
 * it names none), its statement in the interview's language. Other interview types get none from the bank.
 */
export function codingQuestions(input: BankInput): Omit<PlanQuestion, 'position'>[] {
  if (input.type !== 'CODING') return [];
  const language = input.codingLanguage ?? 'PYTHON';
  const lang = bankLanguage(input.language);
  const problem = bankProblems(language, lang)[0]!;
  return [
    {
      questionId: 'q-code-1',
      text: isRunnable(language) ? banks[lang].codingIntro.runnable : banks[lang].codingIntro.editorOnly,
      competencyKey: null,
      // A short interview gives the problem what is left after the opening, but never under five minutes.
      timeBudgetSeconds: Math.max(300, Math.min(codingBudget, input.maxDurationMinutes * 60 - fixedOverheadSeconds - openingBudget)),
      anchors: [...banks[lang].anchors.problem],
      kind: 'template',
      verbatim: false,
      resumeSpecific: false,
      source: questionBankVersion,
      coding: problem,
    },
  ];
}
