import { z } from 'zod';

// Coding interviews, one definition for every part that touches them: the job's coding language (API), the coding
// question in a plan (template bank, generator, HR edits), the candidate's editor and its in-browser Run, the events
// the editor sends to the interviewer (agent) and the store, the server's re-run, scoring and the reviewer's replay.

/** The coding languages a job may name; anything else is refused where jobs are written. */
export const codingLanguages = ['PYTHON', 'JAVASCRIPT', 'TYPESCRIPT', 'JAVA', 'PHP', 'RUBY', 'CSHARP', 'SQL', 'GO'] as const;
export type CodingLanguage = (typeof codingLanguages)[number];
export const codingLanguageSchema = z.enum(codingLanguages).meta({ id: 'CodingLanguage' });

const anyJson = z.json();
/**
 * Any JSON value, validated as z.json() does. Declared as a custom schema because z.json()'s recursive JSON Schema
 * becomes a self-referencing type the HR client's generated types (web/src/hr/api-schema.ts) cannot compile.
 */
const jsonValue = z
  .custom<z.core.util.JSONType>((value) => anyJson.safeParse(value).success, 'must be a JSON value')
  .meta({ description: 'Any JSON value' });

/**
 * Languages whose code runs in a WebAssembly sandbox (Pyodide, QuickJS, PGlite), in the browser and again on the
 * server; the others are editor-only.
 */
export const runnableLanguages = ['PYTHON', 'JAVASCRIPT', 'SQL'] as const satisfies readonly CodingLanguage[];
export type RunnableLanguage = (typeof runnableLanguages)[number];
export const isRunnable = (language: CodingLanguage): language is RunnableLanguage =>
  (runnableLanguages as readonly string[]).includes(language);

/**
 * One test. Python and JavaScript: the problem's `entry` function is called with `args` and its result must equal
 * `expected` (JSON equality). SQL: the candidate's query runs after the problem's `sqlSetup` and this test's own
 * `setup` (extra rows), and its rows must equal `expected` (an array of row objects; in order when `ordered`).
 */
export const codingTestSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    /** Shown to the candidate and run by their Run button; hidden tests run only on the server. */
    visible: z.boolean(),
    args: z.array(jsonValue).max(20).optional(),
    setup: z.string().max(20_000).optional(),
    expected: jsonValue,
    ordered: z.boolean().optional(),
  })
  .meta({ id: 'CodingTest' });
export type CodingTest = z.infer<typeof codingTestSchema>;

export const hintPolicies = ['none', 'on_request', 'when_stuck'] as const;

/** The coding part of a plan question (the question's `text` is what the interviewer says to introduce it). */
export const codingProblemSchema = z
  .object({
    language: codingLanguageSchema,
    statement: z.string().trim().min(10).max(8_000),
    /** The function the tests call (Python, JavaScript); null for SQL and editor-only languages. */
    entry: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/)
      .nullable(),
    starterCode: z.string().max(20_000),
    /** Schema and data the candidate's query runs against (SQL). */
    sqlSetup: z.string().max(50_000).nullable(),
    tests: z.array(codingTestSchema).min(1).max(50),
    /** Never sent to the candidate's browser; a generated problem is accepted only if this passes every test. */
    referenceSolution: z.string().max(20_000).nullable(),
    hintPolicy: z.enum(hintPolicies),
  })
  .meta({ id: 'CodingProblem' });
export type CodingProblem = z.infer<typeof codingProblemSchema>;

/** What the candidate's browser is given: no hidden tests, no reference solution. */
export function candidateView(problem: CodingProblem) {
  const { referenceSolution: _reference, ...rest } = problem;
  return { ...rest, tests: problem.tests.filter((t) => t.visible) };
}

export const runLimits = {
  /** Wall time for one test; a runaway loop is stopped here. */
  testTimeMs: 2_000,
  /** All tests of one run. */
  runTimeMs: 10_000,
  memoryMb: 128,
  /** Captured output kept per test. */
  outputChars: 4_000,
} as const;

export const testResultSchema = z
  .object({
    name: z.string(),
    passed: z.boolean(),
    /** JSON of what the code returned (or its rows), cut to `runLimits.outputChars`. */
    actual: z.string().nullable(),
    /** printed output, cut to `runLimits.outputChars`. */
    output: z.string(),
    error: z.string().nullable(),
    timedOut: z.boolean(),
    durationMs: z.number(),
  })
  .meta({ id: 'CodingTestResult' });
export type TestResult = z.infer<typeof testResultSchema>;

/**
 * Editor events, in order. `at` is milliseconds since the coding part started (the editor's clock; the store also
 * keeps its own receipt time). `change` carries CodeMirror's own `ChangeSet.toJSON()`: the replay applies them in
 * order to the starter code; a `snapshot` (sent every so often and on reconnect) lets the replay and the store check
 * that nothing was lost.
 */
export const codeEventSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('change'), at: z.number().int().min(0), changes: jsonValue }),
    z.object({ type: z.literal('snapshot'), at: z.number().int().min(0), code: z.string().max(100_000) }),
    z.object({
      type: z.literal('run'),
      at: z.number().int().min(0),
      results: z.array(testResultSchema).max(50),
    }),
    z.object({ type: z.literal('paste'), at: z.number().int().min(0), chars: z.number().int().min(0) }),
    z.object({ type: z.literal('focus'), at: z.number().int().min(0), state: z.enum(['lost', 'regained']) }),
  ])
  .meta({ id: 'CodeEvent' });
export type CodeEvent = z.infer<typeof codeEventSchema>;

/**
 * The candidate's editor sends batches on this LiveKit text-stream topic to the interviewer. `seq` numbers events
 * from 0 for the interview: a batch resent after a reconnect repeats numbers the store already has, which it ignores.
 */
export const codeStreamTopic = 'interview.code';
/** The editor sends a batch this long after its last event (so a burst of typing is one batch). */
export const codeBatchDelayMs = 300;
export const codeBatchSchema = z.object({
  questionId: z.string().min(1),
  firstSeq: z.number().int().min(0),
  events: z.array(codeEventSchema).min(1).max(500),
});
export type CodeBatch = z.infer<typeof codeBatchSchema>;

/**
 * The interviewer answers each batch it is done with (stored, or dropped for good) on this topic. The editor keeps
 * every batch until it is answered and sends the unanswered ones again when the room reconnects or the interviewer
 * (re)joins: a batch lost on the way, or one the database refused, is not left as a gap in the replay.
 */
export const codeAckTopic = 'interview.code.ack';
export const codeAckSchema = z.object({
  questionId: z.string(),
  firstSeq: z.number().int().min(0),
  count: z.number().int().min(0),
});
export type CodeAck = z.infer<typeof codeAckSchema>;

/**
 * The interviewer sends the candidate's page the problem of a coding question when the question starts (and again
 * after a rejoin), on this text-stream topic: `{ questionId, problem: candidateView(problem), voiceOnlyAllowed }`.
 */
export const problemStreamTopic = 'interview.problem';
export interface ProblemMessage {
  questionId: string;
  problem: ReturnType<typeof candidateView>;
  /** HR allowed the voice part alone on a screen too small for the editor (the job's `codingVoiceOnlyOnSmallScreens`). */
  voiceOnlyAllowed?: boolean;
}
