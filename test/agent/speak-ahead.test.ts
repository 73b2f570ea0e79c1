import { readFileSync } from 'node:fs';
import { initializeLogger, llm, voice } from '@livekit/agents';
import { afterEach, describe, expect, it } from 'vitest';
import type { InterviewContext } from '../../agent/interview-context.ts';
import { createInterviewFlow, type EndReason } from '../../agent/interview-flow.ts';
import { InterviewerAgent } from '../../agent/interviewer.ts';
import * as script from '../../agent/script.ts';
import { createSpeakAhead } from '../../agent/speak-ahead.ts';
import { buildQuestionPlan } from '../../shared/question-bank.ts';

// The flow tools' sentences: added to the reply by the LLM node (speak-ahead.ts), or, when a reply does not carry
// them, said by the tools themselves through `session.say` (the SDK's public surface alone). Both paths, room-less,
// with the SDK's FakeLLM.

initializeLogger({ pretty: false, level: 'warn' });

const chunk = (delta: llm.ChatChunk['delta']): llm.ChatChunk => ({ id: 'c', ...(delta ? { delta } : {}) });
const call = (callId: string, name: string, args: string) => llm.FunctionCall.create({ callId, name, args });

async function collect(stream: ReadableStream<llm.ChatChunk | string>): Promise<Array<llm.ChatChunk | string>> {
  const out: Array<llm.ChatChunk | string> = [];
  for await (const c of stream) out.push(c);
  return out;
}

function streamOf(chunks: Array<llm.ChatChunk | string>): ReadableStream<llm.ChatChunk | string> {
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });
}

describe('speak-ahead', () => {
  it('passes every chunk through, tool calls included, and adds each call\'s sentence after it, once', async () => {
    const ahead = createSpeakAhead((name) => (name === 'next_question' ? 'Next: what did you build?' : undefined));
    const next = call('call_1', 'next_question', '{ }');
    const other = call('call_2', 'lookup', '{}');
    const input = [chunk({ role: 'assistant', content: 'Thank you.' }), chunk({ role: 'assistant', toolCalls: [next, other] })];
    const out = await collect(ahead.wrap(streamOf(input)));
    expect(out).toEqual([input[0], input[1], ' Next: what did you build?']);
    // The SDK re-serialises the arguments before it executes the call: the same call still finds its sentence.
    expect(ahead.take({ callId: 'call_1', name: 'next_question', args: '{}' })).toBe('Next: what did you build?');
    expect(ahead.take({ callId: 'call_1', name: 'next_question', args: '{}' })).toBeUndefined();
    expect(ahead.take({ callId: 'call_2', name: 'lookup', args: '{}' })).toBeUndefined();
  });

  it('a call with other arguments, or from another reply, does not find the sentence', async () => {
    const ahead = createSpeakAhead((_name, args) => `You said ${args}`);
    const out = await collect(ahead.wrap(streamOf([chunk({ role: 'assistant', toolCalls: [call('c1', 'ask_follow_up', '{"question":"Why?"}')] })])));
    expect(out.at(-1)).toBe('You said {"question":"Why?"}');
    expect(ahead.take({ callId: 'c1', name: 'ask_follow_up', args: '{"question":"How?"}' })).toBeUndefined();
    expect(ahead.take({ callId: 'c2', name: 'ask_follow_up', args: '{"question":"Why?"}' })).toBeUndefined();
    expect(ahead.take({ callId: 'c1', name: 'ask_follow_up', args: '{"question":"Why?"}' })).toBe('You said {"question":"Why?"}');
  });

  it('cancelling the reply cancels the LLM stream', async () => {
    let cancelled: unknown;
    const upstream = new ReadableStream<llm.ChatChunk | string>({ cancel: (reason) => void (cancelled = reason) });
    await createSpeakAhead(() => undefined).wrap(upstream).cancel('interrupted');
    expect(cancelled).toBe('interrupted');
  });
});

const scenario = JSON.parse(readFileSync(new URL('../../scenarios/backend-fintech-strong.json', import.meta.url), 'utf8'));

function scenarioContext(): InterviewContext {
  return {
    interviewId: '00000000-0000-4000-8000-000000000002',
    status: 'in_progress',
    type: 'TECHNICAL',
    language: 'en',
    maxDurationMinutes: 15,
    instructions: '',
    roomName: 'interview-test',
    candidateIdentity: 'cand_test',
    company: { name: scenario.company.name },
    job: { title: scenario.job.title, description: scenario.job.description, competencies: scenario.job.competencies },
    candidate: { firstName: scenario.candidate.firstName, lastName: scenario.candidate.lastName, resumeText: scenario.candidate.resume },
    plan: buildQuestionPlan({ type: 'TECHNICAL', competencies: scenario.job.competencies, maxDurationMinutes: 15, language: 'en' }),
  } as InterviewContext;
}

/** The interviewer without the added sentences: the LLM node is the SDK's own, as if speak-ahead saw nothing. */
class PublicSurfaceInterviewer extends InterviewerAgent {
  override async llmNode(chatCtx: llm.ChatContext, toolCtx: llm.ToolContext, modelSettings: voice.ModelSettings) {
    return voice.Agent.default.llmNode(this, chatCtx, toolCtx, modelSettings);
  }
}

const sessions: voice.AgentSession[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close().catch(() => {});
});

async function start(Agent: typeof InterviewerAgent, responses: voice.testing.FakeLLMResponse[]) {
  const context = scenarioContext();
  const flow = createInterviewFlow(context, { wrapUpAt: 0.9 });
  const consents: boolean[] = [];
  const ends: EndReason[] = [];
  const said: string[] = [];
  let ended: () => void = () => {};
  const endedPromise = new Promise<void>((resolve) => (ended = resolve));
  const agent = new Agent({
    context,
    flow,
    generative: true,
    hooks: {
      consent: async (agreed) => void consents.push(agreed),
      end: (reason) => {
        ends.push(reason);
        ended();
      },
      candidateTurn: () => {},
      // The stage is read when the message is stored: it must already be the one the message leads into.
      interviewerTurn: (message) => said.push(`${flow.stage}: ${message.textContent ?? ''}`),
    },
  });
  const session = new voice.AgentSession({ llm: new voice.testing.FakeLLM(responses) });
  session.on(voice.AgentSessionEventTypes.Error, () => {});
  sessions.push(session);
  await session.start({ agent });
  await until(() => said.length === 1);
  return { session, flow, context, consents, ends, said, endedPromise };
}

/** Runs one candidate turn and waits until the interviewer has said `count` messages in all. */
async function turn(session: voice.AgentSession, userInput: string, said: string[], count: number) {
  const result = await session.run({ userInput }).wait();
  await until(() => said.length >= count);
  return result;
}

/** A wait on the condition, bounded by expect.poll's limit (sized for a busy machine), not by a count of ticks. */
async function until(condition: () => boolean): Promise<void> {
  await expect.poll(condition, { interval: 5 }).toBe(true);
}

const assistantMessages = (result: voice.testing.RunResult) =>
  result.events.filter((e) => e.type === 'message' && e.item.role === 'assistant').map((e) => (e.item as llm.ChatMessage).textContent);

describe.each([
  ['the reply carries the sentence (speak-ahead)', InterviewerAgent, true],
  ['the tool says the sentence (session.say only)', PublicSurfaceInterviewer, false],
] as const)('flow tools: %s', (_name, Agent, inReply) => {
  it('consent, a follow-up and the close: each sentence said once, after the flow has moved', async () => {
    const { session, flow, context, consents, ends, said, endedPromise } = await start(Agent, [
      { input: 'Yes, I agree.', toolCalls: [{ name: 'record_consent', args: { agreed: true } }] },
      { input: 'I rebuilt our ledger.', content: 'Thank you.', toolCalls: [{ name: 'ask_follow_up', args: { question: 'How did you test it?' } }] },
      { input: 'I want to stop now.', toolCalls: [{ name: 'stop_interview', args: {} }] },
    ]);
    const first = script.firstQuestion(context, context.plan.questions[0]!.text);
    const consent = await turn(session, 'Yes, I agree.', said, 2);
    expect(consents).toEqual([true]);
    // With speak-ahead the question is the turn's own reply; without, a separate speech after it.
    expect(assistantMessages(consent)).toEqual(inReply ? [first] : []);
    expect(said[1]).toBe(`questions: ${first}`);

    const followUp = await turn(session, 'I rebuilt our ledger.', said, inReply ? 3 : 4);
    expect(assistantMessages(followUp)).toEqual(inReply ? ['Thank you. How did you test it?'] : ['Thank you.']);
    expect(said.slice(2)).toEqual(inReply ? ['questions: Thank you. How did you test it?'] : ['questions: Thank you.', 'questions: How did you test it?']);
    expect(flow.followUps).toBe(1);

    const stop = await turn(session, 'I want to stop now.', said, said.length + 1);
    await endedPromise;
    expect(said.at(-1)).toBe(`ended: ${script.stopRequested(context)}`);
    expect(ends).toEqual(['candidate_ended']);
    expect(assistantMessages(stop)).toEqual(inReply ? [script.stopRequested(context)] : []);
    // Nothing is said twice: no tool repeats what its reply carried.
    expect(new Set(said).size).toBe(said.length);
  });
});
