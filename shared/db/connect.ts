import { CamelCasePlugin, Kysely, PostgresDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

// Postgres returns int8/bigserial as strings by default; our bigints are ids and counters that fit in a JS number
// only for counters, so ids stay strings and counts are cast in SQL where they matter.

export interface DatabaseOptions {
  /** A postgres:// URL. */
  url: string;
  poolSize?: number | undefined;
}

export interface DatabaseHandle {
  db: Kysely<Database>;
  destroy(): Promise<void>;
}

// The pg pool behind each Kysely instance we made, for statements worth preparing once per connection.
const pools = new WeakMap<Kysely<any>, pg.Pool>();

/** The pg pool behind a Kysely instance from connectDatabase (the job runner's migrations take a pool). */
export function poolOf(db: Kysely<any>): pg.Pool | undefined {
  return pools.get(db);
}

/**
 * Runs a compiled statement as a named prepared statement where the database is a real Postgres: it is parsed and
 * planned once per connection instead of on every call, which matters on hot paths whose statements are large.
 * `name` must always go with the same SQL text.
 */
export async function executePrepared<R>(db: Kysely<Database>, name: string, query: CompiledQuery): Promise<R[]> {
  const pool = pools.get(db);
  // A transaction (or a Kysely made elsewhere) has no pool of ours: run it as an ordinary statement.
  if (!pool) return (await db.executeQuery<R>(query)).rows;
  const result = await pool.query({ name, text: query.sql, values: [...query.parameters] });
  return result.rows as R[];
}

export async function connectDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
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
  // Column names are translated; what is inside a JSON column is returned as it was written. Renaming its keys too
  // (the plugin's default) changed data whose keys are not ours: a coding problem's expected rows { total_cents }
  // came back as { totalCents } and failed every correct SQL answer.
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    plugins: [new CamelCasePlugin({ maintainNestedObjectKeys: true })],
  });
  pools.set(db, pool);
  return { db, destroy: () => db.destroy() };
}
