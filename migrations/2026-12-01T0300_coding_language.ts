import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must keep describing the schema as it was on the day it was written.
// It takes Kysely<any> and imports nothing from the application.
//
// A job's coding language becomes a closed list (the plan, the candidate's editor and the sandboxes all key on it).
// Free text written before is mapped where its meaning is plain ("Python", "JS", "C#", "Postgres SQL") and cleared
// where it is not: a language nobody can run or edit is no language for a coding interview.

const languages = ['PYTHON', 'JAVASCRIPT', 'TYPESCRIPT', 'JAVA', 'PHP', 'RUBY', 'CSHARP', 'SQL', 'GO'];

/** Spellings seen in the wild, lower case with everything but letters, digits, '#' and '+' removed. */
const aliases: Record<string, string[]> = {
  PYTHON: ['python', 'python3', 'python2', 'py', 'py3', 'cpython'],
  JAVASCRIPT: ['javascript', 'js', 'node', 'nodejs', 'ecmascript', 'es6', 'vanillajs'],
  TYPESCRIPT: ['typescript', 'ts'],
  JAVA: ['java', 'java8', 'java11', 'java17', 'java21'],
  PHP: ['php', 'php7', 'php8'],
  RUBY: ['ruby', 'rb', 'rubyonrails', 'rails'],
  CSHARP: ['c#', 'csharp', 'cs', 'net', 'dotnet', 'csharpnet', 'c#net'],
  SQL: ['sql', 'postgres', 'postgresql', 'postgressql', 'postgresqlsql', 'psql', 'mysql', 'tsql', 'plsql', 'plpgsql', 'sqlite', 'ansisql'],
  GO: ['go', 'golang'],
};

export async function up(db: Kysely<any>): Promise<void> {
  const key = sql`regexp_replace(lower(coding_language), '[^a-z0-9#+]', '', 'g')`;
  for (const [language, spellings] of Object.entries(aliases)) {
    await sql`update jobs set coding_language = ${language}
      where coding_language is distinct from ${language} and ${key} in (${sql.join(spellings)})`.execute(db);
  }
  await sql`update jobs set coding_language = null
    where coding_language is not null and coding_language not in (${sql.join(languages)})`.execute(db);
  await sql`alter table jobs add constraint jobs_coding_language_check
    check (coding_language in (${sql.raw(languages.map((l) => `'${l}'`).join(', '))}))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table jobs drop constraint jobs_coding_language_check`.execute(db);
}
