import type { Kysely } from 'kysely';
import type { Database } from '../shared/db/schema.ts';
import type { Logger } from '../shared/logger.ts';
import type { ApiConfig } from './config.ts';
import type { LiveKitGateway } from './livekit/gateway.ts';

/** Everything a route or background task needs, built once in main.ts (or by the test harness). */
export interface AppDeps {
  db: Kysely<Database>;
  config: ApiConfig;
  log: Logger;
  livekit: LiveKitGateway;
  /** The API's clock; tests move it to probe time windows to the second. */
  now: () => Date;
}
