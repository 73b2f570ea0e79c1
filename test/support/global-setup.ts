import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { connectDatabase } from '../../shared/db/connect.ts';
import { migrateToLatest } from '../../shared/db/migrate.ts';
import { startLivekit, startPostgres } from './services.ts';

export const templateDatabase = 'interviewer_template';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    livekitUrl: string;
  }
}

/**
 * Starts Postgres and LiveKit once for the run and migrates a template database; each test file clones the
 * template (CREATE DATABASE ... TEMPLATE), which takes milliseconds and isolates files from each other.
 */
export default async function setup(project: TestProject) {
  const [postgres, livekit] = await Promise.all([startPostgres(), startLivekit()]);
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  // Clones left over from an interrupted run would otherwise pile up.
  const stale = await admin.query<{ datname: string }>(`select datname from pg_database where datname like 'test_%'`);
  for (const { datname } of stale.rows) await admin.query(`drop database if exists "${datname}" with (force)`);
  await admin.query(`drop database if exists ${templateDatabase} with (force)`);
  await admin.query(`create database ${templateDatabase}`);
  await admin.end();

  const templateUrl = new URL(postgres.url);
  templateUrl.pathname = `/${templateDatabase}`;
  const template = await connectDatabase({ url: templateUrl.toString(), poolSize: 1 });
  await migrateToLatest(template.db);
  await template.destroy();

  project.provide('postgresUrl', postgres.url);
  project.provide('livekitUrl', livekit.url);
  return async () => {
    await livekit.stop();
    await postgres.stop();
  };
}
