import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { connectDatabase } from '../../shared/db/connect.ts';
import { migrateToLatest } from '../../shared/db/migrate.ts';
import { startLivekit, startPostgres } from './services.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    livekitUrl: string;
    /** Database names of this run start with it; another run on the same cluster uses another. */
    runId: string;
  }
}

/**
 * Starts Postgres and LiveKit once for the run and migrates a template database; each test file clones the
 * template (CREATE DATABASE ... TEMPLATE), which takes milliseconds and isolates files from each other.
 * With TEST_KEEP_SERVICES=1 the servers outlive the run, so several runs can share them.
 */
export default async function setup(project: TestProject) {
  const [postgres, livekit] = await Promise.all([startPostgres(), startLivekit()]);
  const runId = `r${randomBytes(4).toString('hex')}`;
  const template = `${runId}_template`;
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query(`create database ${template}`);
  await admin.end();

  const templateUrl = new URL(postgres.url);
  templateUrl.pathname = `/${template}`;
  const db = await connectDatabase({ url: templateUrl.toString(), poolSize: 1 });
  await migrateToLatest(db.db);
  await db.destroy();

  project.provide('postgresUrl', postgres.url);
  project.provide('livekitUrl', livekit.url);
  project.provide('runId', runId);
  return async () => {
    const cleanup = new pg.Client({ connectionString: postgres.url });
    await cleanup.connect();
    const mine = await cleanup.query<{ datname: string }>(`select datname from pg_database where datname like $1`, [`${runId}_%`]);
    for (const { datname } of mine.rows) await cleanup.query(`drop database if exists "${datname}" with (force)`);
    await cleanup.end();
    if (process.env.TEST_KEEP_SERVICES === '1') return;
    await livekit.stop();
    await postgres.stop();
  };
}
