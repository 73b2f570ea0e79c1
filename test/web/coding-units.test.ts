import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CodeBatch, CodeEvent } from '../../shared/coding/coding.schema.ts';
import { citedLines, citedText, editorClockStart } from '../../shared/coding/replay.ts';
import { createEventSender } from '../../web/src/pages/code-sender.ts';

// The coding pieces without a browser: the editor's sender (batches kept until the interviewer answers, sent again
// after a reconnect), the replay's clock on the server's time, and the scorecard's cited lines found in the code.
// The real page, LiveKit and the interviewer are in coding-interview.e2e.test.ts.

/** The page's sessionStorage, as the browser has it (Node has none). */
function installSessionStorage() {
  const items = new Map<string, string>();
  (globalThis as { sessionStorage?: unknown }).sessionStorage = {
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, String(v)),
    removeItem: (k: string) => void items.delete(k),
  };
  return items;
}

/** What LiveKit's LocalParticipant.sendText does for the sender: resolves, or rejects while the room is down. */
function room() {
  const sent: CodeBatch[] = [];
  let up = true;
  return {
    sent,
    setUp: (value: boolean) => (up = value),
    participant: {
      sendText: async (text: string) => {
        if (!up) throw new Error('not connected');
        sent.push(JSON.parse(text) as CodeBatch);
      },
    } as never,
  };
}

const snapshot = (at: number): CodeEvent => ({ type: 'snapshot', at, code: `v${at}` });

describe("the editor's sender", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    installSessionStorage();
  });
  afterEach(() => {
    vi.useRealTimers();
    delete (globalThis as { sessionStorage?: unknown }).sessionStorage;
  });

  it('keeps every batch until the interviewer answers it, and sends the unanswered ones again, in runs of consecutive numbers', async () => {
    const r = room();
    const send = createEventSender(r.participant, 'k', 'q1');
    send.push(snapshot(1));
    send.push(snapshot(2));
    await vi.advanceTimersByTimeAsync(300);
    send.push(snapshot(3));
    await vi.advanceTimersByTimeAsync(300);
    expect(r.sent.map((b) => [b.firstSeq, b.events.length])).toEqual([
      [0, 2],
      [2, 1],
    ]);
    expect(send.unanswered()).toBe(3);
    // The first batch is answered; the second was lost on the way (or the database refused it).
    send.ack({ questionId: 'q1', firstSeq: 0, count: 2 });
    expect(send.unanswered()).toBe(1);
    // Another question's answer is not ours.
    send.ack({ questionId: 'q2', firstSeq: 2, count: 1 });
    expect(send.unanswered()).toBe(1);

    send.push(snapshot(4));
    await vi.advanceTimersByTimeAsync(300);
    send.ack({ questionId: 'q1', firstSeq: 3, count: 1 });
    // Reconnected: seq 2 goes again, alone.
    send.resendUnacked();
    await vi.advanceTimersByTimeAsync(300);
    expect(r.sent.at(-1)).toEqual({ questionId: 'q1', firstSeq: 2, events: [snapshot(3)] });
    send.ack({ questionId: 'q1', firstSeq: 2, count: 1 });
    expect(send.unanswered()).toBe(0);
  });

  it('while the room is down keeps what it could not send; a reload carries on from sessionStorage, unanswered events included', async () => {
    const r = room();
    const send = createEventSender(r.participant, 'k', 'q1');
    send.push(snapshot(1));
    await vi.advanceTimersByTimeAsync(300);
    r.setUp(false);
    send.push(snapshot(2));
    await vi.advanceTimersByTimeAsync(900);
    expect(r.sent).toHaveLength(1);
    r.setUp(true);
    await vi.advanceTimersByTimeAsync(300);
    expect(r.sent.map((b) => b.firstSeq)).toEqual([0, 1]);
    send.close();

    // The page reloads before any answer came: the next editor numbers on from 2 and sends 0 and 1 again.
    const again = createEventSender(r.participant, 'k', 'q1');
    expect(again.unanswered()).toBe(2);
    again.resendUnacked();
    again.push(snapshot(3));
    await vi.advanceTimersByTimeAsync(300);
    expect(r.sent.at(-1)).toEqual({ questionId: 'q1', firstSeq: 0, events: [snapshot(1), snapshot(2), snapshot(3)] });
  });
});

describe('the replay on the interview time axis', () => {
  it("puts the editor's zero at the earliest receipt less the batching delay, whatever the candidate's clock; a late resend does not move it", () => {
    const zero = Date.parse('2026-12-01T10:02:00.000Z');
    const events = [
      { receivedAt: new Date(zero + 5_000 + 300 + 40).toISOString(), event: { at: 5_000 } },
      { receivedAt: new Date(zero + 9_000 + 300 + 15).toISOString(), event: { at: 9_000 } },
      // Sent again after a reconnect, a minute later.
      { receivedAt: new Date(zero + 70_000).toISOString(), event: { at: 7_000 } },
    ];
    expect(editorClockStart(events)).toBe(zero + 15);
    expect(editorClockStart([])).toBeNull();
  });

  it('finds the lines a scorecard cites in the final code, whole lines only, their indentation aside as the scorer checks them', () => {
    const code = 'def f(xs):\n    total = 0   \n    for x in xs:\n        total += x\n    return total\n';
    expect(citedLines(code, '    total = 0\n    for x in xs:')).toEqual({ start: 1, end: 3 });
    expect(citedLines(code, '    return total\n')).toEqual({ start: 4, end: 5 });
    expect(citedLines(code, 'total += x')).toEqual({ start: 3, end: 4 });
    expect(citedLines(code, 'total +=')).toBeNull();
    expect(citedLines(code, '    return x')).toBeNull();
  });

  it('shows cited lines as the final code has them: indentation kept, trailing space dropped', () => {
    const code = 'def f(xs):\n    total = 0   \n    for x in xs:\n        total += x\n    return total\n';
    // A quote stored trimmed (as scorecards were before the scorer kept indentation).
    expect(citedText(code, 'total = 0\nfor x in xs:\ntotal += x')).toBe('    total = 0\n    for x in xs:\n        total += x');
    expect(citedText(code, 'return total')).toBe('    return total');
    // Not in the code: the quote as it was.
    expect(citedText(code, 'return x')).toBe('return x');
  });
});
