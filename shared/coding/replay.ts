import { ChangeSet, Text } from '@codemirror/state';
import { codeBatchDelayMs, type CodeEvent } from './coding.schema.ts';

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

/**
 * Where the editor's clock started, on the server's clock (epoch milliseconds): the earliest receipt time less the
 * editor's own time of the event. Every event reaches the store after it happened (at least the batching delay, then
 * the network and the insert), so each gives an upper bound and the smallest is the closest, whatever the
 * candidate's computer thinks the time is; a batch stored late (sent again after a reconnect) never moves it. This
 * puts the code on the same time axis as the transcript's turns and the recording's parts. Null without events.
 */
export function editorClockStart(events: readonly { receivedAt: string | Date; event: { at: number } }[]): number | null {
  let start: number | null = null;
  for (const { receivedAt, event } of events) {
    const candidate = new Date(receivedAt).getTime() - codeBatchDelayMs - event.at;
    if (start === null || candidate < start) start = candidate;
  }
  return start;
}

/**
 * Where lines the scorecard cites sit in the code (0-based, end exclusive), each compared without its leading and
 * trailing spaces as the scorer's check does (api/scoring/integrity.ts, which also stores the quote trimmed); null
 * when they are not whole lines of it.
 */
export function citedLines(code: string, cited: string): { start: number; end: number } | null {
  const have = code.split('\n').map((l) => l.trim());
  const want = cited.split('\n').map((l) => l.trim());
  while (want.length > 1 && want[0] === '') want.shift();
  while (want.length > 1 && want.at(-1) === '') want.pop();
  for (let i = 0; i + want.length <= have.length; i++) {
    if (want.every((line, j) => have[i + j] === line)) return { start: i, end: i + want.length };
  }
  return null;
}

/**
 * Cited lines as the code has them, indentation kept (trailing space dropped): a quote matched with its indentation
 * ignored is shown the way it was written. The quote as given when the code does not have those lines.
 */
export function citedText(code: string, cited: string): string {
  const span = citedLines(code, cited);
  if (!span) return cited;
  return code
    .split('\n')
    .slice(span.start, span.end)
    .map((line) => line.trimEnd())
    .join('\n');
}
