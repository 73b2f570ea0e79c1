import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must keep describing the schema as it was on the day it was written.
// It takes Kysely<any> and imports nothing from the application.
//
// Once a candidate's erasure is asked for, nothing more of their interviews' words is stored: an interviewer still
// closing (its last turn, its consent, its code batch) or a server re-run that started before the erasure would
// otherwise write after the erasure's sweep. The erasure's row commits before any of its steps runs, so a write
// checked after that commit is dropped here, and one checked before it is removed by the steps (or by their final
// sweep, in the erasure's last transaction). In the database, so every writer (agent, API, a job) is held to it.

const tables = ['transcript_turns', 'turn_metrics', 'interview_consents', 'code_events', 'code_reruns'];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function skip_erased_candidate_write() returns trigger language plpgsql as $$
    begin
      if exists (select 1
                   from interviews i
                   join candidate_erasures e on e.candidate_id = i.candidate_id
                  where i.id = new.interview_id) then
        return null;
      end if;
      return new;
    end $$`.execute(db);
  for (const table of tables) {
    await sql`
      create trigger ${sql.id(`${table}_skip_erased`)} before insert on ${sql.table(table)}
      for each row execute function skip_erased_candidate_write()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of tables) {
    await sql`drop trigger ${sql.id(`${table}_skip_erased`)} on ${sql.table(table)}`.execute(db);
  }
  await sql`drop function skip_erased_candidate_write()`.execute(db);
}
