import { spawnSync } from 'node:child_process';
import { sql } from 'kysely';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadApiConfig, loadWebhookWorkerConfig } from '../../api/config.ts';
import { webhookJobs } from '../../api/webhooks/delivery.ts';
import { recordEvent } from '../../shared/events/outbox.ts';
import { createLogger } from '../../shared/logger.ts';
import { seedCompany, testEnv } from '../support/harness.ts';
import { startWebhookApi, type WebhookApi } from './support.ts';

describe('webhook settings', () => {
  it('refuses private addresses and plain http by default in production only', () => {
    // The worker's loader reads the same WEBHOOK_* settings as the API's, and nothing else that could change.
    const load = (env: Record<string, string>) =>
      loadWebhookWorkerConfig({ DATABASE_URL: 'postgres://db/x', ...env }).webhooks;
    expect(load({ NODE_ENV: 'production' })).toMatchObject({
      allowPrivateUrls: false,
      requireHttps: true,
      timeoutMs: 15_000,
    });
    expect(load({ NODE_ENV: 'development' })).toMatchObject({ allowPrivateUrls: true, requireHttps: false });
    expect(load({ NODE_ENV: 'test' })).toMatchObject({ allowPrivateUrls: true, requireHttps: false });
    const overridden = load({ NODE_ENV: 'development', WEBHOOK_ALLOW_PRIVATE_URLS: 'false' });
    // The API reads the same settings into its config.
    expect(loadApiConfig(testEnv({ WEBHOOK_WORKER_ENABLED: 'false' })).webhooks.workerEnabled).toBe(false);
    expect(overridden.allowPrivateUrls).toBe(false);
  });

  it("gives the drain job longer than the send's timeout, or a slow send would fail its job and be sent twice", () => {
    const w = loadWebhookWorkerConfig({ DATABASE_URL: 'postgres://db/x', WEBHOOK_TIMEOUT_MS: '20000' });
    const jobs = webhookJobs({ db: undefined as never, log: createLogger({ level: 'silent' }), settings: w.webhooks });
    expect(jobs.tasks['drain-webhooks']!.timeoutMs).toBeGreaterThan(w.webhooks.timeoutMs);
  });

  it('the stand-alone worker names a missing or bad setting and exits 78 instead of starting', () => {
    const entry = fileURLToPath(new URL('../../api/webhook-worker.ts', import.meta.url));
    const run = spawnSync(process.execPath, [entry], {
      env: { PATH: process.env.PATH, WEBHOOK_TIMEOUT_MS: 'soon' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(78);
    expect(run.stderr).toContain('DATABASE_URL is required');
    expect(run.stderr).toContain('WEBHOOK_TIMEOUT_MS');
  });
});

describe('the outbox', () => {
  let api: WebhookApi;
  beforeAll(async () => {
    api = await startWebhookApi();
  });
  afterAll(() => api?.stop());

  it('refuses an invalid or oversized payload, and the state change in the same transaction rolls back', async () => {
    const { companyId } = await seedCompany(api.db, 'Acme');
    const count = async () =>
      (await api.db.selectFrom('jobs').select('id').where('companyId', '=', companyId).execute()).length;
    const attempt = (payload: any) =>
      api.db.transaction().execute(async (trx) => {
        await trx.insertInto('jobs').values({ companyId, title: 'T', description: 'D', competencies: '[]' }).execute();
        await recordEvent(trx, { companyId, type: 'webhook.test', payload });
      });
    const endpointId = '00000000-0000-4000-8000-000000000000';
    await expect(attempt({ endpointId, message: 'x'.repeat(201) })).rejects.toThrow();
    await expect(attempt({ endpointId: 'not-a-uuid', message: 'hi' })).rejects.toThrow();
    expect(await count()).toBe(0);
    expect(await api.db.selectFrom('webhookEvents').select('id').execute()).toEqual([]);
    await attempt({ endpointId, message: 'hi' });
    expect(await count()).toBe(1);
  });

  it('writes one delivery per enabled endpoint subscribed to the type, and none for the others', async () => {
    const { companyId } = await seedCompany(api.db, 'Beta');
    const other = await seedCompany(api.db, 'Gamma');
    const make = (company: string, eventTypes: string[], status: 'enabled' | 'disabled' = 'enabled') =>
      api.db
        .insertInto('webhookEndpoints')
        .values({ companyId: company, url: 'http://127.0.0.1:9/', eventTypes, status, secret: 'whsec_AAAA' })
        .returning('id')
        .executeTakeFirstOrThrow();
    const subscribed = await make(companyId, ['endpoint.disabled', 'interview.created']);
    await make(companyId, ['interview.created']);
    await make(companyId, ['endpoint.disabled'], 'disabled');
    await make(other.companyId, ['endpoint.disabled']);
    // The delivery runner listens for the outbox's notification: it arrives as the change commits, not before.
    const listener = new pg.Client({ connectionString: api.dbUrl });
    await listener.connect();
    const heard: number[] = [];
    listener.on('notification', (msg) => {
      if (msg.channel === 'webhook_deliveries') heard.push(Date.now());
    });
    await listener.query('listen webhook_deliveries');
    let committedAt = 0;
    const event = await api.db
      .transaction()
      .execute((trx) =>
        recordEvent(trx, {
          companyId,
          type: 'endpoint.disabled',
          payload: {
            endpointId: subscribed.id,
            reason: 'gone',
            failingSince: null,
            disabledAt: new Date().toISOString(),
          },
        }),
      )
      .finally(() => (committedAt = Date.now()));
    expect(event.deliveries).toBe(1);
    const rows = await api.db
      .selectFrom('webhookDeliveries')
      .select(['endpointId', 'status'])
      .where('eventId', '=', event.id)
      .execute();
    expect(rows).toEqual([{ endpointId: subscribed.id, status: 'pending' }]);
    await expect.poll(() => heard.length, { interval: 10 }).toBe(1);
    expect(heard[0]).toBeGreaterThanOrEqual(committedAt - 50);
    // No job per delivery: the drain job claims due deliveries from their rows.
    const jobs = await sql<{ n: number }>`
      select count(*)::int as n from graphile_worker._private_jobs where payload->>'deliveryId' is not null`.execute(
      api.db,
    );
    expect(jobs.rows[0]!.n).toBe(0);
    // An event no endpoint takes notifies nothing.
    await api.db.transaction().execute((trx) =>
      recordEvent(trx, {
        companyId: other.companyId,
        type: 'interview.created',
        payload: {
          interviewId: crypto.randomUUID(),
          jobId: crypto.randomUUID(),
          candidateId: crypto.randomUUID(),
          interviewType: 'TECHNICAL',
          status: 'scheduled',
          scheduledStart: new Date().toISOString(),
          scheduledEnd: new Date().toISOString(),
          links: { interview: '/v1/interviews/x' },
        },
      }),
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(heard.length).toBe(1);
    await listener.end();
  });
});
