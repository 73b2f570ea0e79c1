import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { generateDatabaseTypes, generatedTypesFile } from '../scripts/db-types.ts';
import { createTestDatabase } from './support/harness.ts';

describe('generated database types', () => {
  it('shared/db/schema.generated.ts is exactly what the migrations give', async () => {
    // A clone of the migrated template, not the template itself: a connection to the template would stop the other
    // test files from cloning it.
    const database = await createTestDatabase();
    try {
      const fromMigrations = await generateDatabaseTypes(database.url);
      expect(fromMigrations, 'the schema changed: run `npm run db:types` and commit the result').toBe(
        await readFile(generatedTypesFile, 'utf8'),
      );
      // The vocabularies come from the CHECK constraints, not from the TypeScript lists.
      expect(fromMigrations).toMatch(
        /status: Generated<'scheduled' \| 'in_progress' \| 'completed' \| 'cancelled' \| 'expired' \| 'failed'>;/,
      );
    } finally {
      await database.destroy();
    }
  });
});
