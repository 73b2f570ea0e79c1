// `npm run db:types`: writes shared/db/schema.generated.ts, the database's row types, from the migrated schema itself
// (kysely-codegen on a scratch database the migrations built), so they cannot drift from the migrations;
// test/db-types.test.ts regenerates them from the test template database and fails on any difference.
// Run it after adding a migration. It uses the test suite's disposable Postgres cluster, started if it is not running.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Kysely, PostgresDialect as KyselyPostgresDialect, sql } from 'kysely';
import { generate, PostgresDialect, type DatabaseMetadata } from 'kysely-codegen';
import pg from 'pg';
import * as prettier from 'prettier';
import { connectDatabase } from '../shared/db/connect.ts';
import { migrateToLatest } from '../shared/db/migrate.ts';

export const generatedTypesFile = fileURLToPath(new URL('../shared/db/schema.generated.ts', import.meta.url));

/**
 * Column types the database cannot say: what a JSON column holds, and the closed vocabularies kept in TypeScript
 * rather than in a CHECK constraint. Everything else (enumerations with a CHECK, nullability, defaults) comes from
 * the schema.
 */
const overrides: Record<string, string> = {
  'interviews.end_reason': 'EndReason | null',
  'interview_status_events.from_status': 'InterviewStatus | null',
  'interview_status_events.to_status': 'InterviewStatus',
  'audit_log.actor_type': 'AuditActorType',
  'bookings.interview_type': 'InterviewType',
  'bookings.locale': 'Generated<EmailLocale>',
  'schedule_blocks.interview_type': 'InterviewType | null',
  'scheduling_invitations.interview_type': 'InterviewType',
  'scorecards.recommendation': 'Recommendation | null',
  'jobs.competencies': 'ColumnType<Competency[], string | undefined, string>',
  'interview_plan_questions.anchors': 'ColumnType<string[], string | undefined, string>',
  // Parsed with the plan schema's coding problem where it is read (api/plans/plans.repository.ts).
  'interview_plan_questions.coding': 'ColumnType<unknown, string | null | undefined, string | null>',
  // An editor event without its type and time (columns of their own), parsed with codeEventSchema where it is read.
  'code_events.payload': 'ColumnType<Record<string, unknown>, string, string>',
  // Test results (testResultSchema[]), parsed where they are read (api/coding/server-rerun.ts).
  'code_reruns.results': 'ColumnType<unknown, string | null | undefined, string | null>',
  'code_reruns.browser_results': 'ColumnType<unknown, string | null | undefined, string | null>',
  'availability_configs.settings': 'ColumnType<SlotSettings, string | undefined, string>',
  'slots.settings': 'ColumnType<SlotSettings, string | undefined, string>',
  'audit_log.details': 'ColumnType<Record<string, unknown>, string | undefined, string>',
  'scheduling_conflicts.details': 'ColumnType<Record<string, unknown>, string | undefined, string>',
  'webhook_events.payload': 'ColumnType<Record<string, unknown>, string, string>',
  // Parsed with their zod schemas where they are read (api/scoring); stored as the evaluator produced them.
  'scorecards.result': 'ColumnType<unknown, string | undefined, string>',
  'scorecards.integrity': 'ColumnType<unknown, string | undefined, string>',
  // A company's retention overrides, read through effectiveRetention (api/data-rights/retention.schemas.ts).
  'companies.data_retention': 'ColumnType<Record<string, number>, string | undefined, string>',
  'candidate_erasures.counts': 'ColumnType<Record<string, number>, string | undefined, string>',
};

const customImports = Object.fromEntries([
  ['EndReason', '../end-reasons.ts'],
  ...[
    'Competency',
    'SlotSettings',
    'InterviewStatus',
    'InterviewType',
    'Recommendation',
    'EmailLocale',
    'AuditActorType',
  ].map((name) => [name, './column-types.ts']),
]);

/**
 * A text column with a one-column CHECK that lists its values (`status in ('a', 'b')`, which Postgres keeps as
 * `status = ANY (ARRAY['a'::text, 'b'::text])`) is typed as the union of those values.
 */
async function checkedVocabularies(db: Kysely<any>): Promise<Map<string, string[]>> {
  const { rows } = await sql<{ table: string; column: string; definition: string }>`
    select cl.relname as "table", a.attname as "column", pg_get_constraintdef(c.oid) as definition
    from pg_constraint c
    join pg_class cl on cl.oid = c.conrelid
    join pg_namespace n on n.oid = cl.relnamespace
    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
    where c.contype = 'c' and n.nspname = 'public' and cardinality(c.conkey) = 1
    order by 1, 2, c.conname`.execute(db);
  const vocabularies = new Map<string, string[]>();
  for (const row of rows) {
    const match = /^CHECK \(\((\w+) = ANY \(ARRAY\[(.+)\]\)\)\)$/.exec(row.definition);
    if (!match || match[1] !== row.column) continue;
    const values = match[2]!
      .split(', ')
      .map((item) => /^'((?:[^']|'')*)'::text$/.exec(item)?.[1]?.replaceAll("''", "'"));
    if (values.some((v) => v === undefined)) continue;
    vocabularies.set(`${row.table}.${row.column}`, values as string[]);
  }
  return vocabularies;
}

/** The generated module's text for the database at `url`, which the migrations have built. */
export async function generateDatabaseTypes(url: string): Promise<string> {
  const db = new Kysely<any>({
    dialect: new KyselyPostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
  });
  try {
    const vocabularies = await checkedVocabularies(db);
    const source = await generate({
      db,
      dialect: new PostgresDialect(),
      camelCase: true,
      defaultSchemas: ['public'],
      // The job runner's schema belongs to graphile-worker, and the migration bookkeeping to Kysely.
      includePattern: 'public.*',
      excludePattern: 'public.kysely_migration*',
      overrides: { columns: overrides },
      customImports,
      typeOnlyImports: true,
      skipAutogeneratedFileComment: true,
      print: false,
      outFile: null,
      postprocess: async ({ metadata }: { metadata: DatabaseMetadata }) => {
        for (const table of metadata.tables) {
          for (const column of table.columns) {
            const values = vocabularies.get(`${table.name}.${column.name}`);
            if (values) column.enumValues = values;
          }
        }
        return metadata;
      },
    });
    const header =
      '// Generated by `npm run db:types` (scripts/db-types.ts) from the schema the migrations build: do not edit.\n' +
      '// test/db-types.test.ts fails when this file differs from what the migrations give.\n\n';
    const options = await prettier.resolveConfig(generatedTypesFile);
    return await prettier.format(header + source, { ...options, filepath: generatedTypesFile });
  } finally {
    await db.destroy();
  }
}

/** Builds a scratch database with the migrations, generates from it, and drops it. */
async function generateFromMigrations(serverUrl: string): Promise<string> {
  const name = `db_types_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  try {
    const handle = await connectDatabase({ url: url.toString(), poolSize: 1 });
    try {
      await migrateToLatest(handle.db);
    } finally {
      await handle.destroy();
    }
    return await generateDatabaseTypes(url.toString());
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

if (import.meta.main) {
  const { startPostgres } = await import('../test/support/services.ts');
  const postgres = await startPostgres();
  try {
    await writeFile(generatedTypesFile, await generateFromMigrations(postgres.url));
    console.log(`wrote ${generatedTypesFile}`);
  } finally {
    // Stops the cluster only if this run started it, unless the tests are meant to keep it.
    if (process.env.TEST_KEEP_SERVICES !== '1') await postgres.stop();
  }
}
