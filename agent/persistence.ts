import { sql, type Kysely } from 'kysely';
import type { Database, TranscriptSpeaker } from '../shared/db/schema.ts';

// Writes happen as the interview goes: a job process may be SIGKILLed at any moment, and whatever was said before
// that must already be in Postgres.

export interface TurnRecord {
  speaker: TranscriptSpeaker;
  text: string;
  input: 'voice' | 'text';
  startedAt: Date;
  endedAt: Date;
  interrupted: boolean;
  questionId: string | null;
  stage: string;
}

export interface TurnMetricsRecord {
  e2eLatency?: number | undefined;
  endOfTurnDelay?: number | undefined;
  transcriptionDelay?: number | undefined;
  llmTtft?: number | undefined;
  ttsTtfb?: number | undefined;
}

/**
 * Appends turns in order with a per-interview sequence number. Sequence numbers are handed out in memory (one job
 * owns an interview at a time) starting after whatever a previous job for the same interview stored; the unique
 * (interview, seq) constraint turns a retried insert into a no-op rather than a duplicate line.
 */
export function createTranscriptWriter(db: Kysely<Database>, interviewId: string) {
  let next: number | undefined;
  // Writes are chained so sequence numbers reach the database in order even when events arrive close together.
  let chain: Promise<unknown> = Promise.resolve();

  async function nextSeq(): Promise<number> {
    if (next === undefined) {
      const row = await db
        .selectFrom('transcriptTurns')
        .select(sql<number>`coalesce(max(seq), 0)::int`.as('max'))
        .where('interviewId', '=', interviewId)
        .executeTakeFirstOrThrow();
      next = row.max + 1;
    }
    return next++;
  }

  async function insertTurn(turn: TurnRecord, metrics?: TurnMetricsRecord): Promise<number> {
    const seq = await nextSeq();
    for (let attempt = 1; ; attempt++) {
      try {
        await db.transaction().execute(async (trx) => {
          await trx
            .insertInto('transcriptTurns')
            .values({ interviewId, seq, ...turn })
            .onConflict((oc) => oc.columns(['interviewId', 'seq']).doNothing())
            .execute();
          if (metrics && Object.values(metrics).some((v) => v !== undefined)) {
            await trx
              .insertInto('turnMetrics')
              .values({
                interviewId,
                turnSeq: seq,
                e2eLatency: metrics.e2eLatency ?? null,
                endOfTurnDelay: metrics.endOfTurnDelay ?? null,
                transcriptionDelay: metrics.transcriptionDelay ?? null,
                llmTtft: metrics.llmTtft ?? null,
                ttsTtfb: metrics.ttsTtfb ?? null,
              })
              .onConflict((oc) => oc.columns(['interviewId', 'turnSeq']).doNothing())
              .execute();
          }
        });
        return seq;
      } catch (error) {
        // A blip in the connection should not lose a line of the transcript; give up after a few tries.
        if (attempt >= 3) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }

  return {
    append(turn: TurnRecord, metrics?: TurnMetricsRecord): Promise<number> {
      const result = chain.then(() => insertTurn(turn, metrics));
      chain = result.catch(() => undefined);
      return result;
    },
    /** Resolves when every append so far has been written (or has failed). */
    flush(): Promise<unknown> {
      return chain;
    },
  };
}

export type TranscriptWriter = ReturnType<typeof createTranscriptWriter>;

export async function recordConsent(
  db: Kysely<Database>,
  consent: {
    interviewId: string;
    given: boolean;
    noticeVersion: string;
    /** The language the notice was given in (its text is in that language). */
    noticeLanguage: string;
    noticeText: string;
    candidateStatement: string;
  },
): Promise<void> {
  await db.insertInto('interviewConsents').values(consent).execute();
}

export interface LatencySummary {
  turns: number;
  p50: Record<'e2eLatency' | 'endOfTurnDelay' | 'llmTtft' | 'ttsTtfb' | 'afterTurnDecision', number | null>;
  p95: Record<'e2eLatency' | 'endOfTurnDelay' | 'llmTtft' | 'ttsTtfb' | 'afterTurnDecision', number | null>;
}

/** Per-interview latency summary (seconds), computed in SQL from the per-turn rows. */
export async function summarizeTurnMetrics(db: Kysely<Database>, interviewId: string): Promise<LatencySummary> {
  const pct = (p: number, column: string) =>
    sql<number | null>`percentile_cont(${p}) within group (order by ${sql.raw(column)})`;
  const after = 'e2e_latency - end_of_turn_delay';
  const row = await db
    .selectFrom('turnMetrics')
    .select([
      sql<number>`count(*)::int`.as('turns'),
      pct(0.5, 'e2e_latency').as('e2e50'),
      pct(0.95, 'e2e_latency').as('e2e95'),
      pct(0.5, 'end_of_turn_delay').as('eot50'),
      pct(0.95, 'end_of_turn_delay').as('eot95'),
      pct(0.5, 'llm_ttft').as('llm50'),
      pct(0.95, 'llm_ttft').as('llm95'),
      pct(0.5, 'tts_ttfb').as('tts50'),
      pct(0.95, 'tts_ttfb').as('tts95'),
      pct(0.5, after).as('after50'),
      pct(0.95, after).as('after95'),
    ])
    .where('interviewId', '=', interviewId)
    .executeTakeFirstOrThrow();
  return {
    turns: row.turns,
    p50: { e2eLatency: row.e2e50, endOfTurnDelay: row.eot50, llmTtft: row.llm50, ttsTtfb: row.tts50, afterTurnDecision: row.after50 },
    p95: { e2eLatency: row.e2e95, endOfTurnDelay: row.eot95, llmTtft: row.llm95, ttsTtfb: row.tts95, afterTurnDecision: row.after95 },
  };
}

/**
 * What an earlier job of the same interview left: its turns in order and the consent (the latest answer to the
 * notice), so a job taking over after a crash resumes there (`flow.resume`) instead of greeting again.
 */
export async function loadStoredProgress(
  db: Kysely<Database>,
  interviewId: string,
): Promise<{ turns: Array<{ speaker: TranscriptSpeaker; text: string; stage: string; questionId: string | null }>; consent: boolean | undefined }> {
  const [turns, consent] = await Promise.all([
    db
      .selectFrom('transcriptTurns')
      .select(['speaker', 'text', 'stage', 'questionId'])
      .where('interviewId', '=', interviewId)
      .orderBy('seq')
      .execute(),
    db
      .selectFrom('interviewConsents')
      .select('given')
      .where('interviewId', '=', interviewId)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst(),
  ]);
  return { turns, consent: consent?.given };
}
