// The database out of reach (a restart, a crash, no connection slot) is a 503 the client can retry, never a 500:
// HR and public endpoints alike, and the readiness check. The API reaches its database through a TCP proxy this
// file cuts, so the cluster the other test files share stays up.
import type { Server } from 'node:http';
import net from 'node:net';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.ts';
import { loadApiConfig } from '../api/config.ts';
import type { AppDeps } from '../api/deps.ts';
import { createLiveKitGateway } from '../api/livekit/gateway.ts';
import { connectDatabase, type DatabaseHandle } from '../shared/db/connect.ts';
import { databaseUnavailable } from '../shared/db/errors.ts';
import { createLogger } from '../shared/logger.ts';
import { client, createTestDatabase, expectStatus, seedCompany, seedInterview, testEnv } from './support/harness.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let proxy: TcpProxy;
let viaProxy: DatabaseHandle;
let server: Server;
let hr: ReturnType<typeof client>;
let pub: ReturnType<typeof client>;
const logLines: Record<string, unknown>[] = [];

/** The test database's URL with its host and port replaced by the proxy's. */
function throughProxy(url: string, port: number): string {
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(port);
  return proxied.toString();
}

beforeAll(async () => {
  database = await createTestDatabase();
  const target = new URL(database.url);
  proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  const url = throughProxy(database.url, proxy.port);
  viaProxy = await connectDatabase({ url, poolSize: 4 });
  // A worker name no agent serves, so no interviewer from another test file picks up this file's joins.
  const config = loadApiConfig(testEnv({ DATABASE_URL: url, LOG_LEVEL: 'info', AGENT_NAME: `nobody-${process.pid}` }));
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) logLines.push(JSON.parse(line));
      done();
    },
  });
  const deps: AppDeps = {
    db: viaProxy.db,
    config,
    log: createLogger({ level: 'info', name: 'test-api' }, sink),
    livekit: createLiveKitGateway(config.livekit),
    now: () => new Date(),
  };
  server = await new Promise<Server>((resolve) => {
    const s = createApp(deps).listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as net.AddressInfo;
  const { key } = await seedCompany(database.db, 'Acme');
  hr = client(`http://127.0.0.1:${port}`, key);
  pub = client(`http://127.0.0.1:${port}`);
});

afterAll(async () => {
  proxy?.restore();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server?.closeAllConnections();
  await viaProxy?.destroy();
  await proxy?.close();
  await database?.destroy();
});

const person = { phone: '+971501234567', firstName: 'Layla', lastName: 'Haddad' };

describe('database out of reach', () => {
  it('HR, public and readiness endpoints answer 503 service_unavailable with Retry-After, and work once it is back', async () => {
    const { interview } = await seedInterview(hr);
    const requests = [
      () => hr('GET', '/v1/jobs'),
      () => hr('POST', '/v1/candidates', { body: { firstName: 'Omar', lastName: 'Saleh', phone: '+971501234568' } }),
      () => hr('GET', `/v1/interviews/${interview.id}`),
      () => pub('GET', `/v1/public/rooms/${interview.roomCode}`),
      () => pub('POST', `/v1/public/rooms/${interview.roomCode}/join`, { body: person }),
      () => pub('GET', '/healthz'),
    ];
    // The pool holds connections from the seeding; cutting resets them as a restart would.
    proxy.cut();
    const linesBefore = logLines.length;
    const requestIds: string[] = [];
    for (const request of requests) {
      const r = await request();
      expectStatus(r, 503);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(r.headers.get('retry-after')).toBe('5');
      expect(r.body).toMatchObject({ status: 503, code: 'service_unavailable', retryAfterSeconds: 5 });
      // Nothing of the driver's error reaches the client.
      expect(JSON.stringify(r.body)).not.toMatch(/ECONN|terminated|127\.0\.0\.1/);
      requestIds.push(r.headers.get('x-request-id')!);
    }

    // One warning per request saying why, with the driver's code or message; no stack, no "unhandled error".
    const lines = logLines.slice(linesBefore);
    for (const reqId of requestIds) {
      const warnings = lines.filter((l) => l.reqId === reqId && l.msg === 'database unavailable');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.level).toBe(40);
      const { dbError } = warnings[0] as { dbError: { code?: string; message: string } };
      expect(`${dbError.code ?? ''} ${dbError.message}`).toMatch(/ECONNRESET|ECONNREFUSED|Connection terminated/);
    }
    expect(lines.filter((l) => l.msg === 'unhandled error')).toEqual([]);
    expect(JSON.stringify(lines)).not.toContain('"stack"');

    proxy.restore();
    const [jobs, candidate, shown, room, joined, health] = await Promise.all(requests.map((request) => request()));
    expect(jobs!.status).toBe(200);
    expect(candidate!.status).toBe(201);
    expect(shown!.status).toBe(200);
    expect(room!.status).toBe(200);
    expect(joined!.status, JSON.stringify(joined!.body)).toBe(200);
    expect(joined!.body.roomName).toBe(interview.roomName);
    expect(health!.status).toBe(200);
  });

  it('still answers bad input with a 4xx while the database is out of reach', async () => {
    const { interview } = await seedInterview(hr);
    proxy.cut();
    try {
      const invalid = await pub('POST', `/v1/public/rooms/${interview.roomCode}/join`, { body: { phone: '' } });
      expectStatus(invalid, 400);
      expect(invalid.body.code).toBe('validation_failed');
      const malformed = await pub('POST', `/v1/public/rooms/${interview.roomCode}/join`, {
        rawBody: '{"phone":',
        headers: { 'content-type': 'application/json' },
      });
      expectStatus(malformed, 400);
      expect((await hr('GET', '/v1/jobs', { key: null })).status).toBe(401);
      expect((await pub('GET', '/v1/no-such-endpoint')).status).toBe(404);
    } finally {
      proxy.restore();
    }
    const invalid = await pub('POST', `/v1/public/rooms/${interview.roomCode}/join`, { body: { phone: '' } });
    expectStatus(invalid, 400);
    const wrongPhone = await pub('POST', `/v1/public/rooms/${interview.roomCode}/join`, {
      body: { ...person, phone: '+971509999999' },
    });
    expectStatus(wrongPhone, 404);
  });
});

/** The error a promise rejects with; fails the test if it resolves. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected the database call to fail'),
    (error: unknown) => error,
  );
}

async function closedPort(): Promise<number> {
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as net.AddressInfo;
  await new Promise<void>((resolve) => listener.close(() => resolve()));
  return port;
}

describe('databaseUnavailable, on errors real Postgres and node-postgres raise', () => {
  it('recognises nothing listening, a connection reset mid-query and a connect that never completes', async () => {
    const refused = await failure(new pg.Client({ host: '127.0.0.1', port: await closedPort() }).connect());
    expect(databaseUnavailable(refused)?.code).toBe('ECONNREFUSED');

    const midQuery = new pg.Client({ connectionString: throughProxy(database.url, proxy.port) });
    midQuery.on('error', () => {});
    await midQuery.connect();
    const running = failure(midQuery.query('select pg_sleep(10)'));
    await new Promise((r) => setTimeout(r, 100));
    proxy.cut();
    proxy.restore();
    expect(databaseUnavailable(await running)).toBeDefined();

    // A server that accepts and never speaks: the pool gives up on the connection.
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const pool = new pg.Pool({
      host: '127.0.0.1',
      port: (silent.address() as net.AddressInfo).port,
      connectionTimeoutMillis: 200,
    });
    try {
      const timedOut = await failure(pool.query('select 1'));
      expect(databaseUnavailable(timedOut)?.message).toMatch(/timeout/);
    } finally {
      await pool.end();
      silent.close();
    }
  });

  it('recognises a backend terminated by the server (57P01) and no connection slot left (53300)', async () => {
    const victim = new pg.Client({ connectionString: database.url });
    victim.on('error', () => {});
    await victim.connect();
    const pid = (await victim.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    const running = failure(victim.query('select pg_sleep(10)'));
    await sql`select pg_terminate_backend(${pid})`.execute(database.db);
    expect(databaseUnavailable(await running)?.code).toBe('57P01');

    // A role without connection slots is refused the way a full server refuses everyone.
    const role = `no_slots_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      await admin.query(`create role ${role} login connection limit 0`);
      const url = new URL(database.url);
      url.username = role;
      const refused = await failure(new pg.Client({ connectionString: url.toString() }).connect());
      expect(databaseUnavailable(refused)?.code).toBe('53300');
    } finally {
      await admin.query(`drop role if exists ${role}`);
      await admin.end();
    }
  });

  it('recognises shutdown and start-up refusals by their SQLSTATE', () => {
    for (const code of ['57P02', '57P03', '08006', '08001']) {
      const error = new pg.DatabaseError('the database system is starting up', 0, 'error');
      error.code = code;
      expect(databaseUnavailable(error)?.code).toBe(code);
    }
  });

  it('leaves bugs, bad data and other services alone', async () => {
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      for (const statement of ['selec 1', 'select 1/0', 'select * from no_such_table']) {
        expect(databaseUnavailable(await failure(admin.query(statement)))).toBeUndefined();
      }
      await admin.query('create temp table once (id int primary key)');
      await admin.query('insert into once values (1)');
      expect(databaseUnavailable(await failure(admin.query('insert into once values (1)')))).toBeUndefined();
    } finally {
      await admin.end();
    }
    // A fetch to another service that is down carries ECONNREFUSED in its cause: that is not the database.
    const fetchFailed = await failure(fetch(`http://127.0.0.1:${await closedPort()}/`));
    expect(databaseUnavailable(fetchFailed)).toBeUndefined();
    expect(databaseUnavailable(new Error('boom'))).toBeUndefined();
    expect(databaseUnavailable(undefined)).toBeUndefined();
  });
});
