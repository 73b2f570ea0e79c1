// Bytes of code events for a realistic typing session (issue 19): what the candidate's editor sends the interviewer
// on the `interview.code` text stream, per minute. The session is simulated the way the editor produces events:
// one CodeMirror transaction per key (Enter with its indentation as one), a typo and its Backspace now and then,
// pauses at line ends and longer ones to think, a snapshot of the whole code every 20 changes
// (web/src/pages/coding-editor.tsx), runs with their results, a paste, a focus change; the events are batched as the
// sender does (sent 300 ms after the last one, web/src/pages/code-sender.ts) and each batch measured as the JSON that
// goes on the wire, with the interviewer's answer (ack) to each. Deterministic (a seeded generator): the same figures
// every run. `node bench/code-events.ts` prints them alone; `npm run bench:coding` prints them first.
import { ChangeSet, Text } from '@codemirror/state';
import {
  codeBatchDelayMs,
  type CodeAck,
  type CodeBatch,
  type CodeEvent,
  type TestResult,
} from '../shared/coding/coding.schema.ts';
import { bankProblems } from '../shared/question-bank-coding.ts';

const snapshotEvery = 20;

/** mulberry32: small, seeded, good enough to vary typing rhythm. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function simulateSession(seed = 19) {
  const rand = random(seed);
  const between = (lo: number, hi: number) => lo + rand() * (hi - lo);
  // The bank's two Python solutions, three times over (about 1,600 characters): the code of a long coding part.
  const one = bankProblems('PYTHON', 'en').map((p) => p.referenceSolution!);
  const target = [...one, ...one, ...one].join('\n');
  const visible = bankProblems('PYTHON', 'en')[0]!.tests.filter((t) => t.visible);
  const results = (passed: boolean): TestResult[] =>
    visible.map((t) => ({
      name: t.name,
      passed,
      actual: JSON.stringify(passed ? t.expected : null),
      output: '',
      error: null,
      timedOut: false,
      durationMs: Math.round(between(1, 12)),
    }));

  const events: CodeEvent[] = [];
  let doc = Text.of(['']);
  let clock = 0;
  let changes = 0;
  const apply = (from: number, to: number, insert: string) => {
    const set = ChangeSet.of({ from, to, insert }, doc.length);
    doc = set.apply(doc);
    events.push({ type: 'change', at: Math.round(clock), changes: set.toJSON() });
    if (++changes % snapshotEvery === 0) events.push({ type: 'snapshot', at: Math.round(clock), code: doc.toString() });
  };

  const lines = target.split('\n');
  let pasted = false;
  for (const [n, line] of lines.entries()) {
    const indent = line.match(/^ */)![0];
    const body = line.slice(indent.length);
    // Enter with the indentation CodeMirror adds: one transaction.
    if (n > 0) apply(doc.length, doc.length, `\n${indent}`);
    else if (indent) apply(0, 0, indent);
    // A long line is sometimes pasted from the candidate's notes instead of typed.
    if (!pasted && body.length > 40 && rand() < 0.3) {
      clock += between(2_000, 6_000);
      apply(doc.length, doc.length, body);
      events.push({ type: 'paste', at: Math.round(clock), chars: body.length });
      pasted = true;
      continue;
    }
    for (const ch of body) {
      clock += between(120, 380);
      if (rand() < 0.06) {
        // A typo, seen and taken back.
        apply(doc.length, doc.length, String.fromCharCode(97 + Math.floor(rand() * 26)));
        clock += between(200, 600);
        apply(doc.length - 1, doc.length, '');
        clock += between(120, 300);
      }
      apply(doc.length, doc.length, ch);
    }
    // Pauses at line ends; now and then a longer one to think.
    clock += rand() < 0.2 ? between(10_000, 40_000) : between(1_000, 6_000);
    if (line.startsWith('    return') && rand() < 0.8) {
      clock += between(1_000, 3_000);
      events.push({ type: 'run', at: Math.round(clock), results: results(rand() < 0.5) });
    }
    if (n === Math.floor(lines.length / 2)) {
      events.push({ type: 'focus', at: Math.round(clock), state: 'lost' });
      clock += between(5_000, 20_000);
      events.push({ type: 'focus', at: Math.round(clock), state: 'regained' });
    }
  }
  clock += 3_000;
  events.push({ type: 'run', at: Math.round(clock), results: results(true) });
  if (doc.toString() !== target) throw new Error('the simulated typing did not produce the code');
  return { events, durationMs: clock, code: target };
}

/** The batches the sender makes of the events: sent `codeBatchDelayMs` after the last one, at most 500 each. */
export function batchesOf(events: CodeEvent[]) {
  const batches: { sentAt: number; batch: CodeBatch }[] = [];
  let current: CodeEvent[] = [];
  let firstSeq = 0;
  const close = (sentAt: number) => {
    if (current.length === 0) return;
    batches.push({ sentAt, batch: { questionId: 'q-coding-1', firstSeq, events: current } });
    firstSeq += current.length;
    current = [];
  };
  for (const [i, event] of events.entries()) {
    const previous = events[i - 1];
    if (previous && (event.at - previous.at > codeBatchDelayMs || current.length === 500)) close(previous.at + codeBatchDelayMs);
    current.push(event);
  }
  close((events.at(-1)?.at ?? 0) + codeBatchDelayMs);
  return batches;
}

export function codeEventTraffic(seed = 19) {
  const { events, durationMs, code } = simulateSession(seed);
  const batches = batchesOf(events);
  const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
  const wire = batches.map((b) => ({ at: b.sentAt, bytes: bytes(b.batch) }));
  const total = wire.reduce((sum, b) => sum + b.bytes, 0);
  const acks = batches.reduce((sum, b) => {
    const ack: CodeAck = { questionId: b.batch.questionId, firstSeq: b.batch.firstSeq, count: b.batch.events.length };
    return sum + bytes(ack);
  }, 0);
  const byType = new Map<string, { count: number; bytes: number }>();
  for (const e of events) {
    const entry = byType.get(e.type) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += bytes(e);
    byType.set(e.type, entry);
  }
  const minutes = durationMs / 60_000;
  const perMinute = new Map<number, number>();
  for (const b of wire) perMinute.set(Math.floor(b.at / 60_000), (perMinute.get(Math.floor(b.at / 60_000)) ?? 0) + b.bytes);
  return {
    minutes,
    codeChars: code.length,
    events: events.length,
    batches: batches.length,
    total,
    acks,
    bytesPerMinute: total / minutes,
    busiestMinute: Math.max(...perMinute.values()),
    byType,
  };
}

export function printCodeEventTraffic() {
  const t = codeEventTraffic();
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log('## Code events on the wire, a simulated typing session\n');
  console.log(
    `${t.minutes.toFixed(1)} min, ${t.codeChars} characters of Python typed (typos and their Backspace, two runs or more, a paste, a focus change)`,
  );
  console.log(`${t.events} events in ${t.batches} batches: ${kb(t.total)} sent, ${(t.bytesPerMinute / 1024).toFixed(2)} KB/min on average, busiest minute ${kb(t.busiestMinute)}; answers back ${kb(t.acks)}`);
  for (const [type, { count, bytes }] of t.byType)
    console.log(`  ${type.padEnd(9)} ${String(count).padStart(5)} events ${kb(bytes).padStart(9)} (${((bytes / t.total) * 100).toFixed(0)}% of the JSON)`);
  console.log('  (Batch framing is the rest; LiveKit\'s text-stream headers and the data channel\'s own framing are not counted.)');
}

if (import.meta.url === `file://${process.argv[1]}`) printCodeEventTraffic();
