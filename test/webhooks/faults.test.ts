import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { loadApiConfig } from '../../api/config.ts';
import { startApi, type RunningApi } from '../../api/main.ts';
import { client, expectOk, okBody, seedCompany, testEnv } from '../support/harness.ts';
import { startPrivatePostgres } from './private-postgres.ts';
import { startConsumer, startWebhookApi, type Consumer, type WebhookApi } from './support.ts';

// Worker processes and a Postgres cluster of its own start here; on a busy machine that alone takes seconds.
vi.setConfig({ testTimeout: 90_000 });

const workerEntry = fileURLToPath(new URL('../../api/webhook-worker.ts', import.meta.url));
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function startWorkerProcess(databaseUrl: string): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [workerEntry], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'debug',
      DATABASE_URL: databaseUrl,
      WEBHOOK_TIMEOUT_MS: '2000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c));
  child.stderr!.on('data', (c: Buffer) => (out += c));
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, output: () => out };
}

describe('webhook delivery under faults', () => {
  it('a worker process killed mid-send: the delivery is sent again by the next worker, not lost', async () => {
    const api: WebhookApi = await startWebhookApi();
    cleanups.push(() => api.stop());
    const consumer: Consumer = await startConsumer({ reply: (n) => (n === 1 ? { hang: true } : { status: 200 }) });
    cleanups.push(() => consumer.stop());
    const call = client(api.url, (await seedCompany(api.db, 'Acme')).key);
    const endpoint = await call('POST', '/v1/webhook-endpoints', {
      body: { url: consumer.url, eventTypes: ['interview.created'] },
    });
    expectOk(endpoint);
    consumer.setSecrets([endpoint.body.secret]);
    const sent = okBody(await call('POST', `/v1/webhook-endpoints/${endpoint.body.id}/test`));

    const first = startWorkerProcess(api.dbUrl);
    await consumer.waitFor(1);
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    const held = await api.db
      .selectFrom('webhookDeliveries')
      .selectAll()
      .where('id', '=', sent.deliveryId)
      .executeTakeFirstOrThrow();
    expect(held).toMatchObject({ status: 'pending', attempts: 1 });
    // Its drain job is still locked by the dead process: the library would keep it so for hours.
    const job = await sql<{ lockedBy: string | null }>`
      select locked_by as "lockedBy" from graphile_worker.jobs
       where task_identifier = 'drain-webhooks' and locked_by is not null`.execute(api.db);
    expect(job.rows[0]?.lockedBy).toBeTruthy();

    const second = startWorkerProcess(api.dbUrl);
    // The next runner sees the dead one's liveness lock gone and frees its job, which runs again.
    await consumer.waitFor(2);
    await vi.waitFor(
      async () => {
        const row = await api.db
          .selectFrom('webhookDeliveries')
          .selectAll()
          .where('id', '=', sent.deliveryId)
          .executeTakeFirstOrThrow();
        expect(row.status).toBe('succeeded');
      },
      { timeout: 20_000, interval: 50 },
    );
    expect(consumer.received.map((d) => d.headers['webhook-id'])).toEqual([sent.eventId, sent.eventId]);
    expect(consumer.received.every((d) => d.verified.ok)).toBe(true);

    second.child.kill('SIGTERM');
    const [code] = await once(second.child, 'exit');
    expect(code).toBe(0);
    expect(second.output()).toContain('webhook delivered');
    expect(first.output() + second.output()).not.toContain('whsec_');
  });

  it.each([
    ['inside the API', false],
    ['as its own process', true],
  ])(
    'Postgres restarted with idle pooled connections: the API and the worker (%s) recover without exiting',
    async (_where, separate) => {
      const postgres = await startPrivatePostgres();
      cleanups.push(() => postgres.stop());
      const consumer = await startConsumer();
      cleanups.push(() => consumer.stop());
      const config = loadApiConfig(
        testEnv({
          DATABASE_URL: postgres.url,
          PORT: '0',
          ROOM_PREFIX: 'webhook-pg-restart-',
          WEBHOOK_WORKER_ENABLED: separate ? 'false' : 'true',
          RECONCILE_INTERVAL_MS: '600000',
        }),
      );
      const api: RunningApi = await startApi(config);
      cleanups.push(() => api.stop());
      const worker = separate ? startWorkerProcess(postgres.url) : undefined;
      const call = client(api.url, (await seedCompany(api.deps.db, 'Acme')).key);
      const endpoint = await call('POST', '/v1/webhook-endpoints', {
        body: { url: consumer.url, eventTypes: ['interview.created'] },
      });
      expectOk(endpoint);
      consumer.setSecrets([endpoint.body.secret]);
      expect((await call('POST', `/v1/webhook-endpoints/${endpoint.body.id}/test`)).status).toBe(202);
      await consumer.waitFor(1);

      postgres.restart();

      // The first request after the restart may meet a dead pooled connection; within a few tries the API answers.
      await vi.waitFor(
        async () => expect((await call('GET', `/v1/webhook-endpoints/${endpoint.body.id}`)).status).toBe(200),
        { timeout: 20_000, interval: 100 },
      );
      expect((await call('POST', `/v1/webhook-endpoints/${endpoint.body.id}/test`)).status).toBe(202);
      await consumer.waitFor(2).catch((error: unknown) => {
        throw new Error(`${String(error)}\n--- worker output ---\n${worker?.output().slice(-6000) ?? '(inside the API)'}`);
      });
      expect(consumer.received.every((d) => d.verified.ok)).toBe(true);
      expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
      if (worker) {
        expect(worker.child.exitCode).toBeNull();
        expect(worker.child.signalCode).toBeNull();
      }
    },
  );
});

afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
