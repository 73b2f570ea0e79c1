import { sql, type Kysely } from 'kysely';

// Frozen in time: scheduling (availability configurations, slots, blocks, bookings, conflicts, self-scheduling
// invitations) and the e-mail queue. It takes Kysely<any> and imports nothing from the application.
// No extensions (btree_gist and friends): the embedded PGlite database must run it too.

const interviewTypes = `'TECHNICAL','BEHAVIORAL','CODING','SYSTEM_DESIGN','GENERAL','AI_SCREENING','FINAL','CUSTOM'`;

export async function up(db: Kysely<any>): Promise<void> {
  // Per-company scheduling settings: the company's timezone and the branding of its e-mails.
  await db.schema
    .createTable('scheduling_settings')
    .addColumn('company_id', 'uuid', (c) => c.primaryKey().references('companies.id').onDelete('cascade'))
    .addColumn('timezone', 'text', (c) => c.notNull().defaultTo('UTC'))
    .addColumn('locale', 'text', (c) =>
      c
        .notNull()
        .defaultTo('en')
        .check(sql`locale in ('en','ar')`),
    )
    .addColumn('brand_name', 'text')
    .addColumn('logo_url', 'text')
    .addColumn('reply_to', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('availability_configs')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('company_id', 'uuid', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('interview_type', 'text', (c) => c.notNull().check(sql.raw(`interview_type in (${interviewTypes})`)))
    // ISO weekday, 1 = Monday, as Luxon counts.
    .addColumn('weekday', 'integer', (c) => c.notNull().check(sql`weekday between 1 and 7`))
    // Local wall-clock times in `timezone`, minutes after midnight.
    .addColumn('start_minute', 'integer', (c) => c.notNull().check(sql`start_minute between 0 and 1439`))
    .addColumn('end_minute', 'integer', (c) => c.notNull().check(sql`end_minute between 1 and 1440`))
    .addColumn('slot_minutes', 'integer', (c) => c.notNull().check(sql`slot_minutes between 5 and 480`))
    .addColumn('break_minutes', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`break_minutes between 0 and 240`),
    )
    .addColumn('capacity', 'integer', (c) => c.notNull().check(sql`capacity between 1 and 1000`))
    // Local calendar dates (yyyy-mm-dd) in `timezone`; text, because pg would turn a `date` into a Date at the
    // server's local midnight, which is a different day in half the world.
    .addColumn('valid_from', 'text', (c) => c.notNull().check(sql`valid_from ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'`))
    .addColumn('valid_until', 'text', (c) => c.check(sql`valid_until ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'`))
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('settings', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('availability_configs_window', sql`end_minute > start_minute`)
    .addCheckConstraint('availability_configs_validity', sql`valid_until is null or valid_until >= valid_from`)
    .execute();
  await db.schema
    .createIndex('availability_configs_company_created')
    .on('availability_configs')
    .columns(['company_id', 'created_at'])
    .execute();

  // A slot holds at most `capacity` active bookings: booked_count moves in the same transaction as the booking,
  // under the slot's row lock, and the check constraint makes an overbooking impossible whatever the code does.
  await db.schema
    .createTable('slots')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('company_id', 'uuid', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    // Null for one-off slots HR adds by hand; kept (set null) when a configuration is deleted under a booking.
    .addColumn('config_id', 'uuid', (c) => c.references('availability_configs.id').onDelete('set null'))
    .addColumn('interview_type', 'text', (c) => c.notNull().check(sql.raw(`interview_type in (${interviewTypes})`)))
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ends_at', 'timestamptz', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('capacity', 'integer', (c) => c.notNull().check(sql`capacity between 1 and 1000`))
    .addColumn('booked_count', 'integer', (c) => c.notNull().defaultTo(0))
    // open: bookable; blocked: a block covers it; orphaned: its configuration changed or went away while booked.
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('open')
        .check(sql`status in ('open','blocked','orphaned')`),
    )
    .addColumn('settings', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('slots_capacity', sql`booked_count >= 0 and booked_count <= capacity`)
    .addCheckConstraint('slots_span', sql`ends_at > starts_at`)
    .execute();
  // Idempotent generation: one live slot per configuration and start. Orphaned slots step aside so the
  // configuration's new slot at the same time can exist beside the booked one it replaced.
  await sql`create unique index slots_config_start on slots (config_id, starts_at) where status <> 'orphaned' and config_id is not null`.execute(
    db,
  );
  await sql`create index slots_search on slots (company_id, interview_type, starts_at) include (ends_at, capacity, booked_count, status)`.execute(
    db,
  );

  await db.schema
    .createTable('schedule_blocks')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('company_id', 'uuid', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    // Null: every interview type.
    .addColumn('interview_type', 'text')
    // Set when HR blocks one slot rather than a range: only that slot, not its neighbours of other configurations.
    .addColumn('slot_id', 'uuid', (c) => c.references('slots.id').onDelete('cascade'))
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ends_at', 'timestamptz', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('schedule_blocks_span', sql`ends_at > starts_at`)
    .execute();
  await db.schema
    .createIndex('schedule_blocks_company')
    .on('schedule_blocks')
    .columns(['company_id', 'starts_at'])
    .execute();

  await db.schema
    .createTable('bookings')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('company_id', 'uuid', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('slot_id', 'uuid', (c) => c.notNull().references('slots.id'))
    .addColumn('interview_id', 'uuid', (c) => c.notNull().references('interviews.id').onDelete('cascade'))
    .addColumn('candidate_id', 'uuid', (c) => c.notNull().references('candidates.id').onDelete('cascade'))
    .addColumn('job_id', 'uuid', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('interview_type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('booked')
        .check(sql`status in ('booked','confirmed','cancelled')`),
    )
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('hr','candidate')`))
    .addColumn('candidate_timezone', 'text')
    .addColumn('locale', 'text', (c) => c.notNull().defaultTo('en'))
    // SEQUENCE of the calendar invite: each reschedule or cancellation sends the next one under the same UID.
    .addColumn('ics_sequence', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reschedules', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cancel_reason', 'text')
    .addColumn('confirmed_at', 'timestamptz')
    .addColumn('cancelled_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // One active booking per interview, and per candidate for the same job and interview type: the unique indexes
  // decide under concurrency, not a read in application code.
  await sql`create unique index bookings_active_interview on bookings (interview_id) where status <> 'cancelled'`.execute(
    db,
  );
  await sql`create unique index bookings_active_candidate on bookings (candidate_id, job_id, interview_type) where status <> 'cancelled'`.execute(
    db,
  );
  await db.schema.createIndex('bookings_slot').on('bookings').columns(['slot_id', 'status']).execute();
  await db.schema
    .createIndex('bookings_company_created')
    .on('bookings')
    .columns(['company_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('scheduling_conflicts')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('company_id', 'uuid', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`kind in ('overlapping_slots','booking_on_blocked_slot','booking_on_removed_slot','interview_failed_to_start')`,
        ),
    )
    // What makes two detections the same conflict, so detecting twice records it once.
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('slot_id', 'uuid', (c) => c.references('slots.id').onDelete('set null'))
    .addColumn('booking_id', 'uuid', (c) => c.references('bookings.id').onDelete('cascade'))
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('open')
        .check(sql`status in ('open','resolved')`),
    )
    .addColumn('resolution', 'text', (c) => c.check(sql`resolution in ('rebooked','cancelled','dismissed')`))
    .addColumn('resolution_note', 'text')
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index scheduling_conflicts_open on scheduling_conflicts (company_id, dedupe_key) where status = 'open'`.execute(
    db,
  );
  await db.schema
    .createIndex('scheduling_conflicts_company_created')
    .on('scheduling_conflicts')
    .columns(['company_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('scheduling_invitations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('company_id', 'uuid', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('candidate_id', 'uuid', (c) => c.notNull().references('candidates.id').onDelete('cascade'))
    .addColumn('job_id', 'uuid', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('interview_type', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // The e-mail queue, worked by a durable runner: rows are claimed with FOR UPDATE SKIP LOCKED and a lease, so
  // reminders survive restarts and several API processes never send one message twice at the same time.
  await db.schema
    .createTable('email_messages')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('company_id', 'uuid', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('interview_id', 'uuid', (c) => c.references('interviews.id').onDelete('cascade'))
    .addColumn('booking_id', 'uuid', (c) => c.references('bookings.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('reply_to', 'text')
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text', (c) => c.notNull())
    .addColumn('ics', 'text')
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending','sent','local','failed','cancelled')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('send_at', 'timestamptz', (c) => c.notNull())
    .addColumn('lease_until', 'timestamptz')
    .addColumn('lease_holder', 'text')
    .addColumn('last_error', 'text')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index email_messages_due on email_messages (send_at) where status = 'pending'`.execute(db);
  await db.schema
    .createIndex('email_messages_company_created')
    .on('email_messages')
    .columns(['company_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('email_messages_interview')
    .on('email_messages')
    .columns(['interview_id', 'created_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'email_messages',
    'scheduling_invitations',
    'scheduling_conflicts',
    'bookings',
    'schedule_blocks',
    'slots',
    'availability_configs',
    'scheduling_settings',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
