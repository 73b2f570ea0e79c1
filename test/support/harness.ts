import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { RoomServiceClient } from 'livekit-server-sdk';
import pg from 'pg';
import { expect, inject } from 'vitest';
import { createApp } from '../../api/app.ts';
import { createApiKey } from '../../api/auth/api-keys.ts';
import { insertCompany } from '../../api/companies/companies.repository.ts';
import { loadApiConfig } from '../../api/config.ts';
import type { AppDeps } from '../../api/deps.ts';
import { createLiveKitGateway } from '../../api/livekit/gateway.ts';
import { connectDatabase, type DatabaseHandle } from '../../shared/db/connect.ts';
import { createLogger } from '../../shared/logger.ts';
import type { OperationResult, ProblemResult, RouteFor, UntypedResult } from './api-types.ts';
import { testLivekit } from './services.ts';

/** A fresh database cloned from the migrated template: real Postgres, isolated per test file. */
export async function createTestDatabase(): Promise<DatabaseHandle & { url: string }> {
  const base = inject('postgresUrl');
  const name = `${inject('runId')}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name} template ${inject('runId')}_template`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const handle = await connectDatabase({ url: url.toString(), poolSize: 10 });
  return {
    ...handle,
    url: url.toString(),
    async destroy() {
      await handle.destroy();
      const a = new pg.Client({ connectionString: base });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/** An interview's room on the test LiveKit server: its name, the identity the API gave the candidate, who is in it. */
export async function interviewRoom(db: AppDeps['db'], interviewId: string) {
  const row = await db
    .selectFrom('interviews')
    .select(['roomName', 'candidateIdentity'])
    .where('id', '=', interviewId)
    .executeTakeFirstOrThrow();
  const rooms = new RoomServiceClient(inject('livekitUrl').replace(/^ws/, 'http'), testLivekit.apiKey, testLivekit.apiSecret);
  return { ...row, rooms, identities: async () => (await rooms.listParticipants(row.roomName)).map((p) => p.identity) };
}

export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // The cluster's admin database, for tests of configuration alone; an API under test gets its own database.
    DATABASE_URL: inject('postgresUrl'),
    LIVEKIT_URL: inject('livekitUrl'),
    LIVEKIT_API_KEY: testLivekit.apiKey,
    LIVEKIT_API_SECRET: testLivekit.apiSecret,
    LINK_SIGNING_SECRET: 'test-link-secret-that-is-long-enough-123',
    PUBLIC_BASE_URL: 'http://interviews.test',
    // Test files share one LiveKit server; a prefix per test API keeps each reconciler to its own rooms.
    ROOM_PREFIX: `t${randomBytes(4).toString('hex')}-`,
    ...overrides,
  };
}

export interface TestApi {
  url: string;
  deps: AppDeps;
  db: AppDeps['db'];
  /** Moves the API's clock; `null` goes back to real time. */
  setNow(date: Date | null): void;
  stop(): Promise<void>;
}

/** The real app over HTTP on a real socket, wired to the test database and the test LiveKit server. */
export async function startTestApi(
  options: { env?: Record<string, string>; port?: number; livekitWebhooks?: boolean } = {},
): Promise<TestApi> {
  const database = await createTestDatabase();
  const config = loadApiConfig(testEnv({ DATABASE_URL: database.url, ...options.env }));
  let fixedNow: Date | null = null;
  const deps: AppDeps = {
    db: database.db,
    config,
    log: createLogger({ level: config.logLevel, name: 'test-api' }),
    livekit: createLiveKitGateway(config.livekit),
    now: () => fixedNow ?? new Date(),
  };
  const app = createApp(deps);
  const listen = (port: number) =>
    new Promise<Server>((resolve, reject) => {
      const s = app.listen(port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
  let server: Server | undefined;
  if (options.livekitWebhooks) {
    for (const port of testLivekit.webhookPorts) {
      server = await listen(port).catch(() => undefined);
      if (server) break;
    }
    if (!server) throw new Error('every LiveKit webhook port is taken by another test file');
  } else {
    server = await listen(options.port ?? 0);
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    deps,
    db: database.db,
    setNow(date) {
      fixedNow = date;
    },
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await database.destroy();
    },
  };
}

export async function seedCompany(db: AppDeps['db'], name: string, region = 'AE') {
  const company = await insertCompany(db, { name, defaultPhoneRegion: region });
  const key = await createApiKey(db, { companyId: company.id, isAdmin: false, name: 'test' });
  return { companyId: company.id, key: key.key };
}

export async function seedAdminKey(db: AppDeps['db']): Promise<string> {
  return (await createApiKey(db, { companyId: null, isAdmin: true, name: 'test admin' })).key;
}

export interface HttpResult<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * What `call` resolves to: for a method and path that an API route serves, one result per status the route declares
 * (its body typed from the route's response schema) or a problem; for any other path (the OpenAPI document, the web
 * app, a path that is wrong on purpose) whatever came back, untyped.
 */
export type CallResult<Method extends string, Path extends string> = [RouteFor<Method, Path>] extends [never]
  ? UntypedResult
  : OperationResult<RouteFor<Method, Path>>;

export interface CallOptions {
  key?: string | null;
  /** Sent as JSON. Not typed from the route: tests send wrong bodies on purpose. */
  body?: unknown;
  headers?: Record<string, string>;
  rawBody?: string;
}

/** A small HTTP client for the tests: JSON in, parsed body out, whatever the status. */
export function client(baseUrl: string, defaultKey?: string) {
  return async function call<const Method extends string, const Path extends string>(
    method: Method,
    path: Path,
    options: CallOptions = {},
  ): Promise<CallResult<Method, Path>> {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.key === undefined ? defaultKey : options.key;
    if (key) headers.authorization = `Bearer ${key}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: keep the text for the assertion message.
    }
    // The types say what the route promises; the route's response schema made it so on the server.
    return { status: response.status, headers: response.headers, body: parsed } as CallResult<Method, Path>;
  };
}

type WithStatus<R, S> = R extends { status: infer Declared } ? (S extends Declared ? R & { status: S } : never) : never;

/** Narrows a result to the one with this status; on any other, fails showing the body (a problem says why). */
export function expectStatus<R extends HttpResult, const S extends R['status']>(
  result: R,
  status: S,
  message?: string,
): asserts result is WithStatus<R, S> {
  expect(result.status, `${message ? `${message}: ` : ''}${JSON.stringify(result.body)}`).toBe(status);
}

/** The body of a result that must have this status, typed for it (`expectStatus` for an expression). */
export function bodyOf<R extends HttpResult, const S extends R['status']>(result: R, status: S): WithStatus<R, S>['body'] {
  expectStatus(result, status);
  return result.body;
}

/** Narrows a result to the operation's declared successes; on a problem, fails showing it. */
export function expectOk<R extends HttpResult>(result: R, message?: string): asserts result is Exclude<R, ProblemResult> {
  const ok = result.status >= 200 && result.status < 300;
  expect(ok, `${message ? `${message}: ` : ''}${result.status} ${JSON.stringify(result.body)}`).toBe(true);
}

/** The body of a result that must be a success, typed for it (`expectOk` for an expression). */
export function okBody<R extends HttpResult>(result: R): Exclude<R, ProblemResult>['body'] {
  expectOk(result);
  return result.body;
}

/** Creates a job, a candidate and an interview for a company; returns what the API returned. */
export async function seedInterview(
  call: ReturnType<typeof client>,
  options: { phone?: string; start?: Date; end?: Date; maxDurationMinutes?: number; key?: string } = {},
) {
  const key = options.key;
  const job = await call('POST', '/v1/jobs', {
    key,
    body: {
      title: 'Backend Engineer',
      description: 'Build payment ledgers in TypeScript and Postgres.',
      competencies: [{ key: 'system_design', name: 'System design', description: 'Designs robust services' }],
    },
  });
  if (job.status !== 201) throw new Error(`job: ${job.status} ${JSON.stringify(job.body)}`);
  const candidate = await call('POST', '/v1/candidates', {
    key,
    body: { firstName: 'Layla', lastName: 'Haddad', phone: options.phone ?? '+971501234567', email: 'layla@example.com' },
  });
  if (candidate.status !== 201) throw new Error(`candidate: ${candidate.status} ${JSON.stringify(candidate.body)}`);
  const body: Record<string, unknown> = {
    candidateId: candidate.body.id,
    jobId: job.body.id,
    type: 'TECHNICAL',
    maxDurationMinutes: options.maxDurationMinutes ?? 30,
  };
  if (options.start) body.scheduledStart = options.start.toISOString();
  if (options.end) body.scheduledEnd = options.end.toISOString();
  const interview = await call('POST', '/v1/interviews', { key, body });
  if (interview.status !== 201) throw new Error(`interview: ${interview.status} ${JSON.stringify(interview.body)}`);
  return { job: job.body, candidate: candidate.body, interview: interview.body };
}
