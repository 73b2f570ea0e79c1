// The candidate's editor events on their way to the interviewer: numbered from 0 for the whole interview, sent in
// batches on the code text stream, and kept until the interviewer answers that it is done with them (stored, or
// dropped for good; see agent/code-session.ts). A text stream that was sent is not a text stream that arrived: the
// room can drop while it is on the way, the interviewer's job can be restarting, its database can refuse the rows.
// The batches not answered are sent again when the room reconnects or the interviewer (re)joins, and the store
// ignores numbers it already has. The next number, the clock's start and the unanswered events are kept in
// sessionStorage, so a reload or a rejoin carries on where the page left off.
import type { LocalParticipant } from 'livekit-client';
import {
  codeBatchDelayMs,
  codeStreamTopic,
  type CodeAck,
  type CodeBatch,
  type CodeEvent,
} from '../../../shared/coding/coding.schema.ts';

interface Numbered {
  seq: number;
  event: CodeEvent;
}

/** Past this many unanswered events the oldest are forgotten: the editor's snapshots still carry the code. */
const maxUnacked = 5_000;
const batchMax = 500;
const debounceMs = codeBatchDelayMs;

export function createEventSender(participant: LocalParticipant, key: string, questionId: string) {
  const seqKey = `code.seq.${key}`;
  const startKey = `code.start.${key}`;
  const unackedKey = `code.unacked.${key}`;
  let nextSeq = Number(sessionStorage.getItem(seqKey) ?? '0');
  const startedAt = Number(sessionStorage.getItem(startKey) ?? Date.now());
  sessionStorage.setItem(startKey, String(startedAt));
  let pending: Numbered[] = [];
  let unacked: Numbered[] = readUnacked(unackedKey);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let sending = false;

  const saveUnacked = () => {
    if (unacked.length > maxUnacked) unacked = unacked.slice(unacked.length - maxUnacked);
    sessionStorage.setItem(unackedKey, JSON.stringify(unacked));
  };

  async function flush() {
    timer = undefined;
    if (sending || pending.length === 0) return;
    sending = true;
    // One batch is consecutive numbers: events sent again can have holes where others were answered meanwhile.
    let n = 1;
    while (n < pending.length && n < batchMax && pending[n]!.seq === pending[n - 1]!.seq + 1) n++;
    const events = pending.slice(0, n);
    const batch: CodeBatch = { questionId, firstSeq: events[0]!.seq, events: events.map((e) => e.event) };
    try {
      await participant.sendText(JSON.stringify(batch), { topic: codeStreamTopic });
      const sent = new Set(events.map((e) => e.seq));
      pending = pending.filter((e) => !sent.has(e.seq));
      unacked = mergeBySeq(unacked, events);
      saveUnacked();
    } catch {
      // Not connected: kept, and tried again below (a reconnect also sends everything unanswered).
    } finally {
      sending = false;
    }
    if (pending.length) schedule();
  }
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(() => void flush(), debounceMs);
  }
  return {
    /** Milliseconds on the editor's clock. */
    at: () => Math.max(0, Math.round(Date.now() - startedAt)),
    push(event: CodeEvent) {
      pending.push({ seq: nextSeq++, event });
      sessionStorage.setItem(seqKey, String(nextSeq));
      schedule();
    },
    /** The interviewer is done with these numbers. */
    ack(ack: CodeAck) {
      if (ack.questionId !== questionId) return;
      const done = (e: Numbered) => e.seq >= ack.firstSeq && e.seq < ack.firstSeq + ack.count;
      const before = unacked.length;
      unacked = unacked.filter((e) => !done(e));
      pending = pending.filter((e) => !done(e));
      if (unacked.length !== before) saveUnacked();
    },
    /** Everything sent and not answered goes again (after a reconnect, or when the interviewer joins again). */
    resendUnacked() {
      if (unacked.length === 0) return;
      pending = mergeBySeq(pending, unacked);
      unacked = [];
      saveUnacked();
      schedule();
    },
    /** How many events are sent and not answered yet. */
    unanswered: () => unacked.length,
    flushNow: () => {
      clearTimeout(timer);
      return flush();
    },
    close() {
      clearTimeout(timer);
      void flush();
    },
  };
}

export type EventSender = ReturnType<typeof createEventSender>;

function mergeBySeq(a: Numbered[], b: Numbered[]): Numbered[] {
  const bySeq = new Map<number, Numbered>();
  for (const e of [...a, ...b]) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((x, y) => x.seq - y.seq);
}

function readUnacked(key: string): Numbered[] {
  try {
    const value: unknown = JSON.parse(sessionStorage.getItem(key) ?? '[]');
    return Array.isArray(value) ? (value as Numbered[]) : [];
  } catch {
    return [];
  }
}
