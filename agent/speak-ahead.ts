import type { llm } from '@livekit/agents';

// The one place that reads the LLM stream. A flow tool's sentence is fixed text, known as soon as the tool call
// is: added to the reply here, it is synthesised with the reply while the end of the candidate's turn is still
// being decided (preemptive generation and TTS), so it is ready the moment the turn ends. Said from inside the
// tool instead (`session.say`), its synthesis could only start after that moment: the SDK executes tools, and
// starts a `say`, only once the reply is scheduled.
//
// Every chunk passes through unchanged, tool calls included, so the SDK still executes the tools; the tool asks
// `take` whether its sentence went out with the reply, and says it itself if not. Should an SDK upgrade change
// what this module sees, nothing is added and the tools speak for themselves: slower, never wrong.

/** What a tool call will say, worked out without applying it; undefined when it says nothing. */
export type SentenceFor = (name: string, args: string) => string | undefined;

export interface SpeakAhead {
  /** The LLM node's output with each tool call's sentence added as text after it. */
  wrap(upstream: ReadableStream<llm.ChatChunk | string>): ReadableStream<llm.ChatChunk | string>;
  /** The sentence added for this call, if any; each is given once. */
  take(call: { callId: string; name: string; args: string }): string | undefined;
}

/** Replies the SDK discards (preemptive ones) leave their sentences behind; a few are kept, the oldest dropped. */
const kept = 16;

export function createSpeakAhead(sentenceFor: SentenceFor): SpeakAhead {
  const added = new Map<string, string>();
  const key = (call: { callId: string; name: string; args: string }) => {
    let args = call.args || '{}';
    try {
      // The SDK re-serialises the arguments before it executes the call; compare them the same way.
      args = JSON.stringify(JSON.parse(args));
    } catch {}
    return `${call.callId}\u0000${call.name}\u0000${args}`;
  };
  return {
    wrap(upstream) {
      const reader = upstream.getReader();
      let said = false;
      return new ReadableStream<llm.ChatChunk | string>({
        pull: async (controller) => {
          const { done, value: chunk } = await reader.read();
          if (done) return controller.close();
          controller.enqueue(chunk);
          if (typeof chunk === 'string') {
            said ||= chunk.trim().length > 0;
            return;
          }
          said ||= (chunk.delta?.content ?? '').trim().length > 0;
          for (const call of chunk.delta?.toolCalls ?? []) {
            const sentence = sentenceFor(call.name, call.args);
            if (!sentence) continue;
            added.set(key(call), sentence);
            if (added.size > kept) added.delete(added.keys().next().value!);
            controller.enqueue(said ? ` ${sentence}` : sentence);
            said = true;
          }
        },
        // The SDK cancels a reply it no longer wants (interrupted, or a preemptive one invalidated): so is the LLM's.
        cancel: (reason) => reader.cancel(reason),
      });
    },
    take(call) {
      const k = key(call);
      const sentence = added.get(k);
      added.delete(k);
      return sentence;
    },
  };
}
