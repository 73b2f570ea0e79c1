// TEST CODE — an emulator of Gemini's non-streaming generateContent endpoint with structured output, for the scoring
// tests. It has no language model: a "brain" function chosen by each test reads the prompt our evaluator sent (the
// transcript and rubric) and returns the JSON evaluation a model would. Tests check what our code does with it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EvaluationRequest {
  model: string;
  prompt: string;
  systemInstruction: string;
  responseMimeType?: string;
  responseJsonSchema?: unknown;
}

/** Returns the model's answer (or a promise of it, to answer late); throwing answers 500, as a failing model would. */
export type EvaluationBrain = (request: EvaluationRequest) => unknown;

export interface PromptTurn {
  seq: number;
  speaker: 'interviewer' | 'candidate';
  questionId: string | null;
  text: string;
}

/** Reads the transcript lines back out of the prompt, as a model would see them. */
export function promptTurns(prompt: string): PromptTurn[] {
  return [...prompt.matchAll(/^\[(\d+)\] (INTERVIEWER|CANDIDATE) \(([^)]*)\): (.*)$/gm)].map((m) => ({
    seq: Number(m[1]),
    speaker: m[2] === 'CANDIDATE' ? 'candidate' : 'interviewer',
    questionId: m[3] === '-' ? null : m[3]!,
    text: m[4]!,
  }));
}

export function promptQuestionIds(prompt: string): string[] {
  return [...prompt.matchAll(/^- (q-[\w-]+) \[/gm)].map((m) => m[1]!);
}

export function promptCompetencyKeys(prompt: string): string[] {
  const section = prompt.split('Competencies:')[1]?.split('Default scoring anchors')[0] ?? '';
  return [...section.matchAll(/^- ([a-z][a-z0-9_]*): /gm)].map((m) => m[1]!);
}

export interface EvaluationEmulatorOptions {
  /**
   * The model's time to first token, for benchmarks. This endpoint is not streamed, so the whole answer comes then:
   * a real model would add the time to generate the rest of it.
   */
  firstTokenDelayMs?: number;
}

export async function startEvaluationEmulator(brain: EvaluationBrain, options: EvaluationEmulatorOptions = {}) {
  const requests: EvaluationRequest[] = [];
  const server: Server = createServer((req, res) => {
    const match = /^\/v1beta\/models\/([^:]+):generateContent/.exec(req.url ?? '');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const received = Date.now();
      if (req.method !== 'POST' || !match) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":404}}');
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString());
      const request: EvaluationRequest = {
        model: decodeURIComponent(match[1]!),
        prompt: body.contents?.[0]?.parts?.map((p: { text?: string }) => p.text ?? '').join('') ?? '',
        systemInstruction: body.systemInstruction?.parts?.map((p: { text?: string }) => p.text ?? '').join('') ?? '',
        responseMimeType: body.generationConfig?.responseMimeType,
        responseJsonSchema: body.generationConfig?.responseJsonSchema,
      };
      requests.push(request);
      let answer: unknown;
      try {
        answer = await brain(request);
      } catch (err) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(
          JSON.stringify({ error: { code: 500, message: String(err), status: 'INTERNAL' } }),
        );
        return;
      }
      const wait = received + (options.firstTokenDelayMs ?? 0) - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          candidates: [{ content: { role: 'model', parts: [{ text: JSON.stringify(answer) }] }, finishReason: 'STOP', index: 0 }],
          usageMetadata: { promptTokenCount: 1000, candidatesTokenCount: 200, totalTokenCount: 1200 },
          modelVersion: request.model,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A cooperative model: quotes the first words of each answer verbatim and scores 4. */
export function honestBrain(request: EvaluationRequest) {
  const turns = promptTurns(request.prompt);
  const answerFor = (qid: string) => turns.find((t) => t.speaker === 'candidate' && t.questionId === qid);
  const quoteOf = (t: PromptTurn | undefined) => (t ? [{ turnSeq: t.seq, quote: t.text.split(' ').slice(0, 6).join(' ') }] : []);
  const questionIds = promptQuestionIds(request.prompt);
  return {
    questions: questionIds.map((questionId) => ({
      questionId,
      score: 4,
      rationale: 'Gives a specific example with a clear personal contribution and a measurable result.',
      evidence: quoteOf(answerFor(questionId)),
    })),
    competencies: promptCompetencyKeys(request.prompt).map((key) => ({
      key,
      score: 4,
      rationale: 'Specific, structured answers.',
      evidence: quoteOf(answerFor(`q-${key}`)),
    })),
    overall: {
      recommendation: 'advance',
      summary: 'Specific answers with measurable outcomes across the competencies.',
      strengths: ['Concrete examples with numbers'],
      concerns: ['Little on trade-offs'],
    },
  };
}

/**
 * A brain for files that only ask for plans: planBrain's plans, or, while `broken()` says so, plans from a model
 * that ignores the schema (four anchors instead of five).
 */
export function plansOnlyBrain(broken: () => boolean): EvaluationBrain {
  return (request) => {
    if (!isPlanRequest(request)) throw new Error('only plans are requested in this file');
    const plan = planBrain(request);
    if (broken()) plan.questions[0]!.anchors = plan.questions[0]!.anchors.slice(0, 4);
    return plan;
  };
}

export function isPlanRequest(request: EvaluationRequest): boolean {
  return request.systemInstruction.includes('question plan');
}

/**
 * A cooperative plan writer: as many questions as the prompt asks for, one per competency in turn, the first naming
 * the first line of the résumé when there is one.
 */
export function planBrain(request: EvaluationRequest) {
  const count = Number(/Write exactly (\d+) questions/.exec(request.prompt)?.[1] ?? 3);
  const keys = [...(request.prompt.split('Competencies')[1] ?? '').matchAll(/^- ([a-z][a-z0-9_]*): /gm)].map((m) => m[1]!);
  const resume = /Résumé:\n(.+)/.exec(request.prompt)?.[1]?.trim();
  return {
    questions: Array.from({ length: count }, (_, i) => ({
      text:
        i === 0 && resume
          ? `Your résumé says "${resume.slice(0, 80)}". Walk me through your part in that.`
          : `Tell me about a time you showed ${keys[i % Math.max(1, keys.length)] ?? 'ownership'} at work.`,
      competencyKey: keys.length ? keys[i % keys.length]! : null,
      anchors: [1, 2, 3, 4, 5].map((level) => `Level ${level}: what an answer at this level contains.`),
      timeBudgetSeconds: 180,
      resumeSpecific: i === 0 && Boolean(resume),
    })),
  };
}
