import { isRunnable, type CodingLanguage, type CodingProblem, type CodingTest } from './coding/coding.schema.ts';

// The template bank's coding problems: what a CODING interview asks in the editor when no language model writes its
// problems (or its problems failed their own tests). Runnable languages (Python, JavaScript, SQL) get problems
// whose reference solution passes every test, visible and hidden; editor-only languages get the statement and
// starter code, with tests the candidate reads as examples (nothing runs them). Statements come in English and
// Arabic, like the rest of the bank; code (names, starter code, tests) is the same in both.

type Text = Record<'en' | 'ar', string>;


interface BankProblem {
  statement: Text;
  problem: Omit<CodingProblem, 'statement' | 'language'>;
}

const t = (name: string, visible: boolean, expected: unknown, args?: unknown[], extra: Partial<CodingTest> = {}): CodingTest => ({
  name,
  visible,
  ...(args ? { args: args as CodingTest['args'] } : {}),
  expected: expected as CodingTest['expected'],
  ...extra,
});

const mergeIntervals: BankProblem = {
  statement: {
    en: 'Meetings are booked as [start, end] pairs of minutes, with start < end. Write merge_intervals(intervals) that returns the booked time as a list of [start, end] pairs sorted by start, where pairs that overlap or touch are merged into one. The input may be unsorted, and it may be empty.',
    ar: 'تُحجز الاجتماعات على شكل أزواج [start, end] من الدقائق، حيث start < end. اكتب الدالة merge_intervals(intervals) التي تُعيد الوقت المحجوز قائمةً من الأزواج [start, end] مرتبةً حسب البداية، مع دمج الأزواج المتداخلة أو المتلاصقة في زوج واحد. قد تكون المدخلات غير مرتبة، وقد تكون فارغة.',
  },
  problem: {
    entry: 'merge_intervals',
    starterCode: 'def merge_intervals(intervals):\n    # intervals: a list of [start, end] pairs\n    pass\n',
    sqlSetup: null,
    tests: [
      t('overlapping pairs merge', true, [[1, 6], [8, 10]], [[[1, 3], [2, 6], [8, 10]]]),
      t('no meetings', true, [], [[]]),
      t('unsorted input, touching pairs', false, [[1, 4], [5, 7]], [[[5, 7], [1, 2], [2, 4]]]),
      t('one pair contains the others', false, [[1, 10]], [[[1, 10], [2, 3], [4, 5]]]),
      t('a single meeting', false, [[3, 4]], [[[3, 4]]]),
    ],
    referenceSolution: [
      'def merge_intervals(intervals):',
      '    merged = []',
      '    for start, end in sorted(intervals):',
      '        if merged and start <= merged[-1][1]:',
      '            merged[-1][1] = max(merged[-1][1], end)',
      '        else:',
      '            merged.append([start, end])',
      '    return merged',
      '',
    ].join('\n'),
    hintPolicy: 'when_stuck',
  },
};

const balancedBrackets: BankProblem = {
  statement: {
    en: 'Write is_balanced(text) that returns True when every bracket in the text, (), [] and {}, is closed by the matching bracket in the right order, and False otherwise. Characters other than brackets are ignored; an empty text is balanced.',
    ar: 'اكتب الدالة is_balanced(text) التي تُعيد True إذا أُغلق كل قوس في النص، من الأنواع () و[] و{}، بالقوس المطابق له وبالترتيب الصحيح، وتُعيد False في غير ذلك. تُهمل الحروف الأخرى، والنص الفارغ متوازن.',
  },
  problem: {
    entry: 'is_balanced',
    starterCode: 'def is_balanced(text):\n    pass\n',
    sqlSetup: null,
    tests: [
      t('nested brackets', true, true, ['(a[b]{c})']),
      t('mismatched pair', true, false, ['(]']),
      t('empty text', false, true, ['']),
      t('unclosed', false, false, ['((']),
      t('closed before opened', false, false, ['}{']),
      t('stray closing bracket', false, false, ['a(b)c]']),
      t('deep nesting', false, true, ['{[()()]}']),
    ],
    referenceSolution: [
      'def is_balanced(text):',
      "    pairs = {')': '(', ']': '[', '}': '{'}",
      '    stack = []',
      '    for ch in text:',
      "        if ch in '([{':",
      '            stack.append(ch)',
      '        elif ch in pairs:',
      '            if not stack or stack.pop() != pairs[ch]:',
      '                return False',
      '    return not stack',
      '',
    ].join('\n'),
    hintPolicy: 'when_stuck',
  },
};

const twoSumStatement = (name: string): Text => ({
  en: `Write ${name}(nums, target) that returns the positions [i, j], with i < j, of the two numbers in the list nums that add up to target. There is exactly one such pair. Aim for better than trying every pair.`,
  ar: `اكتب الدالة ${name}(nums, target) التي تُعيد الموقعين [i, j]، حيث i < j، للعددين في القائمة nums اللذين مجموعهما target. يوجد زوج واحد فقط كهذا. حاول أن تجد حلًا أفضل من تجربة كل الأزواج.`,
});

const twoSumTests = [
  t('pair at the start', true, [0, 1], [[2, 7, 11, 15], 9]),
  t('pair further in', true, [1, 2], [[3, 2, 4], 6]),
  t('the same number twice', false, [0, 1], [[3, 3], 6]),
  t('negative numbers', false, [0, 2], [[-3, 4, 3, 90], 0]),
  t('pair at the end', false, [3, 4], [[1, 2, 3, 40, 60], 100]),
];

const twoSum: BankProblem = {
  statement: twoSumStatement('twoSum'),
  problem: {
    entry: 'twoSum',
    starterCode: 'function twoSum(nums, target) {\n  // return [i, j]\n}\n',
    sqlSetup: null,
    tests: twoSumTests,
    referenceSolution: [
      'function twoSum(nums, target) {',
      '  const seen = new Map();',
      '  for (let j = 0; j < nums.length; j++) {',
      '    const i = seen.get(target - nums[j]);',
      '    if (i !== undefined) return [i, j];',
      '    seen.set(nums[j], j);',
      '  }',
      '  return null;',
      '}',
      '',
    ].join('\n'),
    hintPolicy: 'when_stuck',
  },
};

const runLength: BankProblem = {
  statement: {
    en: 'Write runLength(text) that compresses a text by writing each run of the same character as the character followed by the length of the run: "aaabcc" becomes "a3b1c2". An empty text stays empty.',
    ar: 'اكتب الدالة runLength(text) التي تضغط النص بكتابة كل سلسلة متتالية من الحرف نفسه على شكل الحرف متبوعًا بطول السلسلة: فيصبح "aaabcc" هو "a3b1c2". ويبقى النص الفارغ فارغًا.',
  },
  problem: {
    entry: 'runLength',
    starterCode: 'function runLength(text) {\n}\n',
    sqlSetup: null,
    tests: [
      t('runs of different lengths', true, 'a3b1c2', ['aaabcc']),
      t('empty text', true, '', ['']),
      t('one character', false, 'z1', ['z']),
      t('a character coming back later', false, 'a2b1a2', ['aabaa']),
      t('a long run', false, 'x12', ['xxxxxxxxxxxx']),
    ],
    referenceSolution: [
      'function runLength(text) {',
      "  let out = '';",
      '  for (let i = 0; i < text.length; ) {',
      '    let j = i;',
      '    while (j < text.length && text[j] === text[i]) j++;',
      '    out += text[i] + (j - i);',
      '    i = j;',
      '  }',
      '  return out;',
      '}',
      '',
    ].join('\n'),
    hintPolicy: 'when_stuck',
  },
};

const paymentsSetup = [
  "create table payments (id integer primary key, customer text not null, amount_cents integer not null, status text not null check (status in ('completed', 'refunded', 'failed')));",
  'insert into payments values',
  "  (1, 'Layla', 12000, 'completed'), (2, 'Omar', 5000, 'completed'), (3, 'Layla', 3000, 'refunded'),",
  "  (4, 'Sara', 9000, 'failed'), (5, 'Omar', 11000, 'completed'), (6, 'Layla', 2500, 'completed');",
].join('\n');

const paymentTotals: BankProblem = {
  statement: {
    en: 'The table payments(id, customer, amount_cents, status) holds card payments; status is completed, refunded or failed. Write a query that returns, for each customer with at least one completed payment, the columns customer and total_cents (the sum of their completed payments), largest total first, and by customer name when totals are equal.',
    ar: 'يحتوي الجدول payments(id, customer, amount_cents, status) على مدفوعات البطاقات، وقيمة status هي completed أو refunded أو failed. اكتب استعلامًا يُعيد، لكل عميل لديه دفعة مكتملة واحدة على الأقل، العمودين customer وtotal_cents (مجموع دفعاته المكتملة)، من الأكبر مجموعًا إلى الأصغر، وبحسب اسم العميل عند تساوي المجموع.',
  },
  problem: {
    entry: null,
    starterCode: 'select customer\nfrom payments;\n',
    sqlSetup: paymentsSetup,
    tests: [
      t('totals of completed payments', true, [
        { customer: 'Omar', total_cents: 16000 },
        { customer: 'Layla', total_cents: 14500 },
      ], undefined, { ordered: true }),
      t('equal totals ordered by name', false, [
        { customer: 'Omar', total_cents: 16000 },
        { customer: 'Layla', total_cents: 14500 },
        { customer: 'Adam', total_cents: 9000 },
        { customer: 'Sara', total_cents: 9000 },
      ], undefined, {
        ordered: true,
        setup: "insert into payments values (7, 'Sara', 9000, 'completed'), (8, 'Adam', 9000, 'completed');",
      }),
      t('no completed payments at all', false, [], undefined, { ordered: true, setup: "update payments set status = 'failed';" }),
    ],
    referenceSolution: [
      'select customer, sum(amount_cents) as total_cents',
      'from payments',
      "where status = 'completed'",
      'group by customer',
      'order by total_cents desc, customer;',
      '',
    ].join('\n'),
    hintPolicy: 'when_stuck',
  },
};

const ledgerSetup = [
  'create table accounts (id integer primary key, owner text not null);',
  'create table transactions (id integer primary key, account_id integer not null references accounts(id), amount_cents integer not null);',
  "insert into accounts values (1, 'Layla'), (2, 'Omar'), (3, 'Sara'), (4, 'Yousef');",
  'insert into transactions values (1, 1, 5000), (2, 1, -7000), (3, 2, 2000), (4, 2, -1000), (5, 3, -300), (6, 1, 1000);',
].join('\n');

const overdrawnAccounts: BankProblem = {
  statement: {
    en: 'The table accounts(id, owner) lists bank accounts and transactions(id, account_id, amount_cents) their deposits (positive) and withdrawals (negative). Write a query that returns the overdrawn accounts, whose balance (the sum of their transactions) is below zero, with the columns owner and balance_cents, lowest balance first. An account without transactions has a balance of zero.',
    ar: 'يسرد الجدول accounts(id, owner) الحسابات المصرفية، ويسرد الجدول transactions(id, account_id, amount_cents) إيداعاتها (موجبة) وسحوباتها (سالبة). اكتب استعلامًا يُعيد الحسابات المكشوفة، أي التي رصيدها (مجموع معاملاتها) أقل من الصفر، بالعمودين owner وbalance_cents، من الأدنى رصيدًا إلى الأعلى. رصيد الحساب الذي لا معاملات له صفر.',
  },
  problem: {
    entry: null,
    starterCode: 'select owner\nfrom accounts;\n',
    sqlSetup: ledgerSetup,
    tests: [
      t('overdrawn accounts', true, [
        { owner: 'Layla', balance_cents: -1000 },
        { owner: 'Sara', balance_cents: -300 },
      ], undefined, { ordered: true }),
      t('an account back above zero', false, [{ owner: 'Layla', balance_cents: -1000 }], undefined, {
        ordered: true,
        setup: 'insert into transactions values (7, 3, 300), (8, 4, -1);\ninsert into transactions values (9, 4, 1);',
      }),
      t('a newly overdrawn account', false, [
        { owner: 'Omar', balance_cents: -4000 },
        { owner: 'Layla', balance_cents: -1000 },
        { owner: 'Sara', balance_cents: -300 },
      ], undefined, { ordered: true, setup: 'insert into transactions values (7, 2, -5000);' }),
    ],
    referenceSolution: [
      'select a.owner, sum(t.amount_cents) as balance_cents',
      'from accounts a',
      'join transactions t on t.account_id = a.id',
      'group by a.id, a.owner',
      'having sum(t.amount_cents) < 0',
      'order by balance_cents, a.owner;',
      '',
    ].join('\n'),
    hintPolicy: 'when_stuck',
  },
};

/** Editor-only languages: the same problem as twoSum, in the language's own idiom; nothing runs it. */
const editorOnly: Record<Exclude<CodingLanguage, 'PYTHON' | 'JAVASCRIPT' | 'SQL'>, { entry: string; starterCode: string }> = {
  TYPESCRIPT: { entry: 'twoSum', starterCode: 'function twoSum(nums: number[], target: number): [number, number] {\n}\n' },
  JAVA: {
    entry: 'twoSum',
    starterCode: 'class Solution {\n    public int[] twoSum(int[] nums, int target) {\n    }\n}\n',
  },
  PHP: { entry: 'twoSum', starterCode: '<?php\nfunction twoSum(array $nums, int $target): array {\n}\n' },
  RUBY: { entry: 'two_sum', starterCode: 'def two_sum(nums, target)\nend\n' },
  CSHARP: {
    entry: 'TwoSum',
    starterCode: 'public class Solution {\n    public int[] TwoSum(int[] nums, int target) {\n    }\n}\n',
  },
  GO: { entry: 'TwoSum', starterCode: 'func TwoSum(nums []int, target int) []int {\n}\n' },
};

const bank: Record<'PYTHON' | 'JAVASCRIPT' | 'SQL', readonly BankProblem[]> = {
  PYTHON: [mergeIntervals, balancedBrackets],
  JAVASCRIPT: [twoSum, runLength],
  SQL: [paymentTotals, overdrawnAccounts],
};

/** The bank's problems for a language, with their statements in the bank language (`en` or `ar`). */
export function bankProblems(language: CodingLanguage, bankLanguage: 'en' | 'ar'): CodingProblem[] {
  if (isRunnable(language)) {
    return bank[language].map((p) => ({ language, statement: p.statement[bankLanguage], ...p.problem }));
  }
  const { entry, starterCode } = editorOnly[language];
  return [
    {
      language,
      statement: twoSumStatement(entry)[bankLanguage],
      entry,
      starterCode,
      sqlSetup: null,
      // Examples the candidate reads: nothing runs them, so none is hidden.
      tests: twoSumTests.map((test) => ({ ...test, visible: true })),
      referenceSolution: null,
      hintPolicy: 'when_stuck',
    },
  ];
}
