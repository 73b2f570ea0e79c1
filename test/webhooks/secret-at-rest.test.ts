import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretBox } from '../../api/webhooks/secret-box.ts';
import { client, expectOk, okBody, seedCompany } from '../support/harness.ts';
import { startConsumer, startWebhookApi, type Consumer, type WebhookApi } from './support.ts';

const key = 'an-encryption-key-of-at-least-32-characters';
let api: WebhookApi;
let consumer: Consumer;
let call: ReturnType<typeof client>;

beforeAll(async () => {
  api = await startWebhookApi({ WEBHOOK_SECRET_ENCRYPTION_KEY: key });
  consumer = await startConsumer();
  call = client(api.url, (await seedCompany(api.db, 'Acme')).key);
});
afterAll(async () => {
  await consumer?.stop();
  await api?.stop();
});

describe('endpoint secrets at rest', () => {
  it('stores secrets encrypted, still signs with them, and rotation keeps both readable', async () => {
    const created = await call('POST', '/v1/webhook-endpoints', {
      body: { url: consumer.url, eventTypes: ['interview.created'] },
    });
    expectOk(created);
    expect(created.body.secret).toMatch(/^whsec_/);
    const row = await api.db
      .selectFrom('webhookEndpoints')
      .selectAll()
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    expect(row.secret).toMatch(/^enc:v1:/);
    expect(row.secret).not.toContain(created.body.secret.slice(6));

    const rotated = await call('POST', `/v1/webhook-endpoints/${created.body.id}/rotate-secret`, { body: {} });
    expectOk(rotated);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    await call('POST', `/v1/webhook-endpoints/${created.body.id}/test`);
    expect(await api.worker().runOnce()).toBe(1);
    const [d] = consumer.received;
    consumer.setSecrets([created.body.secret]);
    expect(consumer.verify(d!.body, d!.headers)).toMatchObject({ ok: true });
    consumer.setSecrets([rotated.body.secret]);
    expect(consumer.verify(d!.body, d!.headers)).toMatchObject({ ok: true });
  });

  it('a worker with the wrong key sends nothing and records why', async () => {
    const created = await call('POST', '/v1/webhook-endpoints', {
      body: { url: consumer.url, eventTypes: ['interview.created'] },
    });
    expectOk(created);
    const before = consumer.received.length;
    const sent = okBody(await call('POST', `/v1/webhook-endpoints/${created.body.id}/test`));
    expect(await api.worker({ secretEncryptionKey: 'another-key-that-is-also-32-characters-long' }).runOnce()).toBe(1);
    expect(consumer.received.length).toBe(before);
    const row = await api.db
      .selectFrom('webhookDeliveries')
      .selectAll()
      .where('id', '=', sent.deliveryId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row.lastError).toMatch(/cannot be decrypted/);
    expect(api.logs()).not.toContain('whsec_');
  });

  it('reads secrets stored before a key was set, and refuses sealed ones without the key', () => {
    expect(secretBox(key).open('whsec_plain')).toBe('whsec_plain');
    const sealed = secretBox(key).seal('whsec_abc');
    expect(secretBox(key).open(sealed)).toBe('whsec_abc');
    expect(() => secretBox(undefined).open(sealed)).toThrow(/not set/);
  });
});
