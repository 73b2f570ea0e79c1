import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneWebhookHistory } from '../../api/webhooks/retention.ts';
import { recordEvent } from '../../shared/events/outbox.ts';
import { seedCompany } from '../support/harness.ts';
import { startWebhookApi, type WebhookApi } from './support.ts';

let api: WebhookApi;
beforeAll(async () => {
  api = await startWebhookApi();
});
afterAll(() => api?.stop());

describe('webhook history retention', () => {
  it('prunes old events with their deliveries and attempts, but keeps anything still pending', async () => {
    const { companyId } = await seedCompany(api.db, 'Acme');
    const endpoint = await api.db
      .insertInto('webhookEndpoints')
      .values({ companyId, url: 'http://127.0.0.1:9/x', eventTypes: ['endpoint.disabled'], secret: 'whsec_AAAA' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const record = () =>
      api.db.transaction().execute((trx) =>
        recordEvent(trx, {
          companyId,
          type: 'endpoint.disabled',
          payload: {
            endpointId: endpoint.id,
            reason: 'gone',
            failingSince: null,
            disabledAt: new Date().toISOString(),
          },
        }),
      );
    const oldDone = await record();
    const oldPending = await record();
    const recent = await record();
    const fortyDaysAgo = new Date(Date.now() - 40 * 86_400_000);
    await api.db
      .updateTable('webhookEvents')
      .set({ createdAt: fortyDaysAgo })
      .where('id', 'in', [oldDone.id, oldPending.id])
      .execute();
    await api.db
      .updateTable('webhookDeliveries')
      .set({ status: 'succeeded' })
      .where('eventId', 'in', [oldDone.id, recent.id])
      .execute();
    const delivery = await api.db
      .selectFrom('webhookDeliveries')
      .select('id')
      .where('eventId', '=', oldDone.id)
      .executeTakeFirstOrThrow();
    await api.db
      .insertInto('webhookAttempts')
      .values({
        deliveryId: delivery.id,
        endpointId: endpoint.id,
        companyId,
        attempt: 1,
        outcome: 'succeeded',
        statusCode: 200,
        error: null,
        durationMs: 3,
        responseExcerpt: null,
      })
      .execute();

    const removed = await pruneWebhookHistory(api.db, { now: new Date(), retentionMs: 30 * 86_400_000, batchSize: 1 });
    expect(removed).toBe(1);
    const left = await api.db.selectFrom('webhookEvents').select('id').execute();
    expect(left.map((e) => e.id).sort()).toEqual([oldPending.id, recent.id].sort());
    expect(
      await api.db.selectFrom('webhookAttempts').selectAll().where('deliveryId', '=', delivery.id).execute(),
    ).toEqual([]);
  });
});
