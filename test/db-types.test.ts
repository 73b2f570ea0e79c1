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

  it('column names are translated to camelCase, what is inside a JSON column comes back as written', async () => {
    const database = await createTestDatabase();
    try {
      const written = { user_agent: 'curl/8', nested: { total_cents: 1250, rows: [{ line_no: 1 }] } };
      const row = await database.db
        .insertInto('auditLog')
        .values({ action: 'test.json', targetType: 'test', targetId: 'x', actorType: 'system', details: JSON.stringify(written) })
        .returning(['targetType', 'details'])
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ targetType: 'test', details: written });
    } finally {
      await database.destroy();
    }
  });
});
