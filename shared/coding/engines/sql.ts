import type { PGlite, PGliteOptions, Results } from '@electric-sql/pglite';
import type { TestResult } from '../coding.schema.ts';
import { type Engine, type WasmModule, canonicalJson, jsonEqual } from './engine.ts';

// SQL through PGlite: a real Postgres compiled to WebAssembly, single user, in memory. The problem's schema and data
// are set up once per problem and kept as a data-directory dump (much faster than initdb). One database loaded from
// it serves the tests that follow each other, each inside a transaction that is rolled back, with the set-up's
// sequences put back and the session's state discarded (prepared statements, temporary tables, settings, locks):
// no test sees what another did. Code that ends the transaction itself (COMMIT, ROLLBACK) made changes no rollback
// undoes: that database is thrown away and the next test gets a fresh one from the dump. Loading a dump took
// 0.6–1 s a test.

/** The WASM files PGlite needs; the browser fetches them from the web build, Node reads them from node_modules. */
export interface SqlAssets {
  pgliteWasmModule?: WasmModule;
  initdbWasmModule?: WasmModule;
  fsBundle?: Blob;
}

// Rows as a problem author writes them in JSON: numbers as numbers (Postgres sends bigint and numeric as text),
// dates and timestamps as Postgres prints them.
const asNumber = (text: string) => {
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
};
const asText = (text: string) => text;
const parsers = { 20: asNumber, 1700: asNumber, 1082: asText, 1083: asText, 1114: asText, 1184: asText };

export async function loadSqlEngine(loadAssets: () => Promise<SqlAssets> = async () => ({})): Promise<Engine> {
  const { PGlite } = await import('@electric-sql/pglite');
  const assets = await loadAssets();
  const create = (options: PGliteOptions = {}) => PGlite.create({ ...assets, ...options, parsers });

  const empty = await create();
  const emptyDump = await empty.dumpDataDir('none');
  await empty.close();
  // One problem's set-up, kept while tests of the same problem follow each other.
  let prepared: { sqlSetup: string; dump: Blob } | null = null;
  // The database the tests share, with the set-up's sequences as they were before any test.
  let live: { sqlSetup: string | null; db: PGlite; sequences: Sequence[] } | null = null;

  async function freshDatabase(sqlSetup: string | null): Promise<PGlite> {
    if (!sqlSetup) return create({ loadDataDir: emptyDump });
    if (prepared?.sqlSetup !== sqlSetup) {
      const db = await create({ loadDataDir: emptyDump });
      await db.exec(sqlSetup);
      prepared = { sqlSetup, dump: await db.dumpDataDir('none') };
      await db.close();
    }
    return create({ loadDataDir: prepared.dump });
  }

  async function databaseFor(sqlSetup: string | null) {
    if (live && live.sqlSetup === sqlSetup) return live;
    await dropLive();
    const db = await freshDatabase(sqlSetup);
    const sequences = (
      await db.query<Sequence>(
        `select format('%I.%I', schemaname, sequencename) as name, coalesce(last_value, start_value) as value,
                last_value is not null as called
           from pg_sequences`,
      )
    ).rows;
    live = { sqlSetup, db, sequences };
    return live;
  }

  async function dropLive() {
    const db = live?.db;
    live = null;
    await db?.close().catch(() => undefined);
  }

  /** Undoes a test; false when its code ended the transaction, so the database is no longer the set-up's. */
  async function reset(entry: NonNullable<typeof live>, xid: string): Promise<boolean> {
    let ours = true;
    try {
      const now = await entry.db.query<{ xid: string }>('select txid_current()::text as xid');
      ours = now.rows[0]?.xid === xid;
    } catch {
      // "current transaction is aborted": the code failed inside our transaction, which the rollback ends.
    }
    try {
      await entry.db.exec('rollback');
      if (!ours) return false;
      for (const s of entry.sequences) await entry.db.query('select setval($1, $2, $3)', [s.name, s.value, s.called]);
      await entry.db.exec('discard all');
      return true;
    } catch {
      return false;
    }
  }

  return {
    language: 'SQL',
    async runTest({ problem, code, test, limits, onStart }): Promise<TestResult> {
      const entry = await databaseFor(problem.sqlSetup);
      const { db } = entry;
      await db.exec('begin');
      const xid = (await db.query<{ xid: string }>('select txid_current()::text as xid')).rows[0]!.xid;
      try {
        if (test.setup) await db.exec(test.setup);
        onStart();
        const started = performance.now();
        let results: Results[];
        try {
          results = await db.exec(code);
        } catch (e) {
          return {
            name: test.name,
            passed: false,
            actual: null,
            output: '',
            error: String((e as Error).message ?? e).slice(0, limits.outputChars),
            timedOut: false,
            durationMs: Math.round(performance.now() - started),
          };
        }
        const durationMs = Math.round(performance.now() - started);
        // The last statement that returns rows is the answer (a solution may create a view or a CTE table first).
        const answer = [...results].reverse().find((r) => r.fields.length > 0);
        if (!answer) {
          return {
            name: test.name,
            passed: false,
            actual: null,
            output: '',
            error: 'The query returned no rows and no columns: end it with a SELECT.',
            timedOut: false,
            durationMs,
          };
        }
        const rows = answer.rows as Record<string, unknown>[];
        const actual = JSON.stringify(rows);
        return {
          name: test.name,
          passed: rowsEqual(rows, test.expected, test.ordered ?? false),
          actual: actual.slice(0, limits.outputChars),
          output: '',
          error: null,
          timedOut: false,
          durationMs,
        };
      } finally {
        if (!(await reset(entry, xid))) await dropLive();
      }
    },
  };
}

interface Sequence {
  name: string;
  value: number | string;
  called: boolean;
}

export function rowsEqual(rows: unknown[], expected: unknown, ordered: boolean): boolean {
  if (!Array.isArray(expected)) return false;
  if (ordered) return jsonEqual(rows, expected);
  const sorted = (list: unknown[]) => list.map(canonicalJson).sort();
  return JSON.stringify(sorted(rows)) === JSON.stringify(sorted(expected));
}
