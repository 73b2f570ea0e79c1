import type { PGlite, PGliteOptions, Results } from '@electric-sql/pglite';
import type { TestResult } from '../coding.schema.ts';
import { type Engine, type WasmModule, canonicalJson, jsonEqual } from './engine.ts';

// SQL through PGlite: a real Postgres compiled to WebAssembly, single user, in memory. Every test gets a fresh
// database: the problem's schema and data are set up once per problem and kept as a data-directory dump, which each
// test loads (much faster than initdb), then adds its own rows and runs the candidate's query.

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

  async function databaseFor(sqlSetup: string | null): Promise<PGlite> {
    if (!sqlSetup) return create({ loadDataDir: emptyDump });
    if (prepared?.sqlSetup !== sqlSetup) {
      const db = await create({ loadDataDir: emptyDump });
      await db.exec(sqlSetup);
      prepared = { sqlSetup, dump: await db.dumpDataDir('none') };
      await db.close();
    }
    return create({ loadDataDir: prepared.dump });
  }

  return {
    language: 'SQL',
    async runTest({ problem, code, test, limits, onStart }): Promise<TestResult> {
      const db = await databaseFor(problem.sqlSetup);
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
        await db.close().catch(() => undefined);
      }
    },
  };
}

export function rowsEqual(rows: unknown[], expected: unknown, ordered: boolean): boolean {
  if (!Array.isArray(expected)) return false;
  if (ordered) return jsonEqual(rows, expected);
  const sorted = (list: unknown[]) => list.map(canonicalJson).sort();
  return JSON.stringify(sorted(rows)) === JSON.stringify(sorted(expected));
}
