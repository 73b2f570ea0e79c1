import { ChangeSet, Text } from '@codemirror/state';
import type { CodeEvent } from './coding.schema.ts';

// Rebuilding a coding question's code from its editor events: one implementation for the interviewer's tracker
// (agent), the server's re-run after the interview (API) and the reviewer's replay (HR workspace), so the three
// can never disagree about what the candidate wrote.

export const textOf = (code: string) => Text.of(code.split('\n'));

/** The code after one event. A change that does not fit the text throws: something was lost before it. */
export function applyCodeEvent(doc: Text, event: CodeEvent): Text {
  switch (event.type) {
    case 'change':
      return ChangeSet.fromJSON(event.changes).apply(doc);
    case 'snapshot':
      return textOf(event.code);
    default:
      return doc;
  }
}

/** One event with the code as it stood once the event had happened. */
export interface CodeFrame {
  seq: number;
  event: CodeEvent;
  code: string;
}

/**
 * Every frame of one question's code, from the starter code and that question's events in order. A change that
 * does not fit (events missed) leaves the code as it was until the next snapshot puts it right, as the tracker does.
 */
export function replayCode(starterCode: string, events: readonly { seq: number; event: CodeEvent }[]): CodeFrame[] {
  let doc = textOf(starterCode);
  let stale = false;
  const frames: CodeFrame[] = [];
  for (const { seq, event } of events) {
    if (event.type === 'snapshot') stale = false;
    if (!(stale && event.type === 'change')) {
      try {
        doc = applyCodeEvent(doc, event);
      } catch {
        stale = true;
      }
    }
    frames.push({ seq, event, code: doc.toString() });
  }
  return frames;
}

/** The final code of one question: the starter code when nothing was written. */
export function finalCode(starterCode: string, events: readonly { seq: number; event: CodeEvent }[]): string {
  return replayCode(starterCode, events).at(-1)?.code ?? starterCode;
}
