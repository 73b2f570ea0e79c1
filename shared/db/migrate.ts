import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Logger, runMigrations } from 'graphile-worker';
import type { Kysely } from 'kysely';
import { poolOf } from './connect.ts';
import { Migrator, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely/migration';

export const migrationsDir = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** Loads every `migrations/*.ts` file; names sort by their timestamp prefix. */
const fileProvider: MigrationProvider = {
  async getMigrations() {
    const files = (await readdir(migrationsDir)).filter((f) => /^\d{4}-\d{2}-\d{2}T\d{4}_.+\.ts$/.test(f)).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const mod = (await import(pathToFileURL(path.join(migrationsDir, file)).href)) as Migration;
      migrations[file.replace(/\.ts$/, '')] = mod;
    }
    return migrations;
  },
};

/**
 * Applies our migrations, then installs or updates the job runner's schema (graphile_worker, owned and versioned by
 * the library; shared/jobs.ts adds jobs with its SQL, so it must exist wherever the app's tables do). Both are safe
 * to run from several processes at once.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  // Migrations are written against snake_case SQL, so run them without the app's CamelCasePlugin.
  const migrator = new Migrator({ db: db.withoutPlugins(), provider: fileProvider });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error instanceof Error ? result.error : new Error(String(result.error));
  const pool = poolOf(db);
  if (!pool) throw new Error('migrateToLatest needs a database opened with connectDatabase');
  await runMigrations({ pgPool: pool, logger: new Logger(() => () => {}) });
  return result;
}
