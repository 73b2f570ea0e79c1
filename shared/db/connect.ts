import { CamelCasePlugin, Kysely, PGliteDialect, PostgresDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

// Postgres returns int8/bigserial as strings by default; our bigints are ids and counters that fit in a JS number
// only for counters, so ids stay strings and counts are cast in SQL where they matter.

export interface DatabaseOptions {
  /** A postgres:// URL. When absent, an embedded PGlite database is used. */
  url?: string | undefined;
  /** Directory for the embedded database; `memory://` keeps it in memory. */
  pgliteDir?: string | undefined;
  poolSize?: number | undefined;
}

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: 'postgres' | 'pglite';
  destroy(): Promise<void>;
}

// The pg pool behind each Kysely instance we made, for statements worth preparing once per connection.
const pools = new WeakMap<Kysely<Database>, pg.Pool>();

/**
 * Runs a compiled statement as a named prepared statement where the database is a real Postgres: it is parsed and
 * planned once per connection instead of on every call, which matters on hot paths whose statements are large.
 * `name` must always go with the same SQL text. On PGlite it simply runs the statement.
 */
export async function executePrepared<R>(db: Kysely<Database>, name: string, query: CompiledQuery): Promise<R[]> {
  const pool = pools.get(db);
  if (!pool) return (await db.executeQuery<R>(query)).rows;
  const result = await pool.query({ name, text: query.sql, values: [...query.parameters] });
  return result.rows as R[];
}

export async function connectDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      // Idle connections are recycled so a Postgres restart costs at most one failed query per stale client.
      idleTimeoutMillis: 10_000,
      connectionTimeoutMillis: 5_000,
    });
    // A pooled idle client whose server went away emits 'error'; without a listener that would crash the process.
    pool.on('error', () => {});
    // A client checked out of the pool has no pool listener, yet pg emits 'error' on it when the server goes away
    // (a restart): unhandled, that would crash the process. The query it was running fails and reports it anyway.
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] });
    pools.set(db, pool);
    return { db, kind: 'postgres', destroy: () => db.destroy() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = new PGlite(options.pgliteDir ?? 'memory://');
  await pglite.waitReady;
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }), plugins: [new CamelCasePlugin()] });
  return { db, kind: 'pglite', destroy: () => db.destroy() };
}
