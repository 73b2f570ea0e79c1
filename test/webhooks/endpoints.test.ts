import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, expectOk, expectStatus, okBody, seedAdminKey, seedCompany } from '../support/harness.ts';
import { startWebhookApi, type WebhookApi } from './support.ts';

let api: WebhookApi;
let strict: WebhookApi;
let call: ReturnType<typeof client>;
let companyId: string;

beforeAll(async () => {
  api = await startWebhookApi();
  const seeded = await seedCompany(api.db, 'Acme');
  companyId = seeded.companyId;
  call = client(api.url, seeded.key);
  // The production posture: private addresses refused, https required.
  strict = await startWebhookApi({ WEBHOOK_ALLOW_PRIVATE_URLS: 'false', WEBHOOK_REQUIRE_HTTPS: 'true' });
});
afterAll(async () => {
  await api?.stop();
  await strict?.stop();
});

const goodBody = {
  url: 'http://127.0.0.1:9/hooks',
  eventTypes: ['interview.created', 'interview.completed'],
  description: 'ATS',
};

describe('webhook endpoints: CRUD', () => {
  it('creates an endpoint and shows its secret once, never again', async () => {
    const created = await call('POST', '/v1/webhook-endpoints', { body: goodBody });
    expectStatus(created, 201);
    expect(created.headers.get('location')).toBe(`/v1/webhook-endpoints/${created.body.id}`);
    expect(created.body).toMatchObject({
      companyId,
      status: 'enabled',
      eventTypes: goodBody.eventTypes,
      description: 'ATS',
    });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);

    const fetched = await call('GET', `/v1/webhook-endpoints/${created.body.id}`);
    expectStatus(fetched, 200);
    expect(fetched.body).not.toHaveProperty('secret');
    const list = await call('GET', '/v1/webhook-endpoints');
    expectOk(list);
    expect(list.body.items.map((e: { id: string }) => e.id)).toContain(created.body.id);
    expect(JSON.stringify(list.body)).not.toContain('whsec_');

    const audit = await api.db.selectFrom('auditLog').selectAll().where('targetId', '=', created.body.id).execute();
    expect(audit.map((a) => a.action)).toEqual(['webhook_endpoint.create']);
    expect(JSON.stringify(audit)).not.toContain('whsec_');
  });

  it('updates, disables, enables and deletes an endpoint', async () => {
    const created = await call('POST', '/v1/webhook-endpoints', { body: goodBody });
    expectOk(created);
    const id = created.body.id;
    const updated = await call('PATCH', `/v1/webhook-endpoints/${id}`, {
      body: { eventTypes: ['interview.cancelled'], description: 'new' },
    });
    expectStatus(updated, 200);
    expect(updated.body).toMatchObject({ eventTypes: ['interview.cancelled'], description: 'new', url: goodBody.url });

    const disabled = await call('PATCH', `/v1/webhook-endpoints/${id}`, { body: { enabled: false } });
    expectOk(disabled);
    expect(disabled.body).toMatchObject({ status: 'disabled', disabledReason: 'manual' });
    expect(disabled.body.disabledAt).not.toBeNull();
    expect((await call('POST', `/v1/webhook-endpoints/${id}/test`)).status).toBe(409);

    const enabled = await call('PATCH', `/v1/webhook-endpoints/${id}`, { body: { enabled: true } });
    expect(enabled.body).toMatchObject({
      status: 'enabled',
      disabledReason: null,
      disabledAt: null,
      failingSince: null,
    });

    expect((await call('DELETE', `/v1/webhook-endpoints/${id}`)).status).toBe(204);
    expect((await call('GET', `/v1/webhook-endpoints/${id}`)).status).toBe(404);
  });

  it('rotates the secret: a new one is shown, the old one stays valid for the grace period', async () => {
    const created = await call('POST', '/v1/webhook-endpoints', { body: goodBody });
    expectOk(created);
    const rotated = await call('POST', `/v1/webhook-endpoints/${created.body.id}/rotate-secret`, {
      body: { graceHours: 2 },
    });
    expectStatus(rotated, 200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    const graceEnd = Date.parse(rotated.body.previousSecretExpiresAt!) - Date.now();
    expect(graceEnd).toBeGreaterThan(2 * 3_600_000 - 60_000);
    expect(graceEnd).toBeLessThanOrEqual(2 * 3_600_000);
    const row = await api.db
      .selectFrom('webhookEndpoints')
      .selectAll()
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    expect(row.previousSecret).toBe(created.body.secret);
    expect(row.secret).toBe(rotated.body.secret);
  });

  it('rejects bad input with 400 naming the field, and stores nothing', async () => {
    const count = async () =>
      Number(
        (
          await api.db
            .selectFrom('webhookEndpoints')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    const cases: Array<[unknown, string]> = [
      [{ ...goodBody, url: 'not a url' }, 'body.url'],
      [{ ...goodBody, url: 'ftp://example.com/x' }, 'body.url'],
      [{ ...goodBody, eventTypes: [] }, 'body.eventTypes'],
      [{ ...goodBody, eventTypes: ['interview.exploded'] }, 'body.eventTypes.0'],
      [{ ...goodBody, eventTypes: ['interview.created', 'interview.created'] }, 'body.eventTypes'],
      [{ ...goodBody, eventTypes: ['webhook.test'] }, 'body.eventTypes.0'],
      [{ ...goodBody, secret: 'whsec_mine' }, 'body'],
    ];
    for (const [body, path] of cases) {
      const r = await call('POST', '/v1/webhook-endpoints', { body });
      expectStatus(r, 400, JSON.stringify(body));
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(
        r.body.errors?.map((e: { path: string }) => e.path),
        JSON.stringify(r.body),
      ).toContain(path);
    }
    const emptyPatch = await call(
      'PATCH',
      `/v1/webhook-endpoints/${okBody(await call('POST', '/v1/webhook-endpoints', { body: goodBody })).id}`,
      { body: {} },
    );
    expectStatus(emptyPatch, 400);
    const since = await call('POST', `/v1/webhook-endpoints/00000000-0000-4000-8000-000000000000/replay`, {
      body: { since: 'yesterday' },
    });
    expectStatus(since, 400);
    expect(await count()).toBe(before + 1);
  });

  it('keeps tenants apart: another company’s endpoint answers 404; an admin must name the company', async () => {
    const mine = await call('POST', '/v1/webhook-endpoints', { body: goodBody });
    expectOk(mine);
    const other = await seedCompany(api.db, 'Other');
    const them = client(api.url, other.key);
    for (const [method, path, body] of [
      ['GET', `/v1/webhook-endpoints/${mine.body.id}`, undefined],
      ['PATCH', `/v1/webhook-endpoints/${mine.body.id}`, { description: 'x' }],
      ['DELETE', `/v1/webhook-endpoints/${mine.body.id}`, undefined],
      ['POST', `/v1/webhook-endpoints/${mine.body.id}/rotate-secret`, {}],
      ['POST', `/v1/webhook-endpoints/${mine.body.id}/test`, undefined],
      ['GET', `/v1/webhook-endpoints/${mine.body.id}/deliveries`, undefined],
      ['GET', `/v1/webhook-endpoints/${mine.body.id}/attempts`, undefined],
      ['POST', `/v1/webhook-endpoints/${mine.body.id}/replay`, { since: new Date().toISOString() }],
    ] as const) {
      expect((await them(method, path, { body })).status, `${method} ${path}`).toBe(404);
    }
    expect(okBody(await them('GET', '/v1/webhook-endpoints')).items).toEqual([]);
    expect((await them('POST', '/v1/webhook-endpoints', { body: { ...goodBody, companyId } })).status).toBe(404);

    const admin = client(api.url, await seedAdminKey(api.db));
    expect((await admin('POST', '/v1/webhook-endpoints', { body: goodBody })).status).toBe(400);
    const forOther = await admin('POST', '/v1/webhook-endpoints', {
      body: { ...goodBody, companyId: other.companyId },
    });
    expectStatus(forOther, 201);
    expect(forOther.body.companyId).toBe(other.companyId);
    expect((await admin('GET', `/v1/webhook-endpoints/${mine.body.id}`)).status).toBe(200);
  });

  it('documents the endpoints and every event payload, versioned, in the OpenAPI document', async () => {
    const doc = (await call('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/webhook-endpoints',
        '/v1/webhook-endpoints/{id}/rotate-secret',
        '/v1/webhook-endpoints/{id}/replay',
      ]),
    );
    for (const type of [
      'interview.created',
      'interview.started',
      'candidate.joined',
      'interview.completed',
      'interview.failed',
      'interview.expired',
      'interview.cancelled',
      'scorecard.updated',
      'endpoint.disabled',
    ]) {
      expect(doc.webhooks[type]?.post, type).toBeDefined();
    }
    const completed = doc.components.schemas.InterviewCompletedEvent;
    expect(completed.properties.version).toMatchObject({ const: 1 });
    expect(
      doc.components.schemas.InterviewCompletedData.properties.links.$ref ??
        doc.components.schemas.InterviewCompletedData.properties.links,
    ).toBeTruthy();
    expect(doc.components.schemas.WebhookEndpointWithSecret.properties.secret).toBeDefined();
    expect(doc.components.schemas.WebhookEndpoint.properties.secret).toBeUndefined();
  });
});

describe('webhook endpoints: SSRF guard at creation', () => {
  let strictCall: ReturnType<typeof client>;
  beforeAll(async () => {
    strictCall = client(strict.url, (await seedCompany(strict.db, 'Strict')).key);
  });

  it.each([
    ['loopback', 'https://127.0.0.1/hooks'],
    ['loopback in another form', 'https://2130706433/hooks'],
    ['metadata', 'https://169.254.169.254/latest/meta-data'],
    ['private 10.x', 'https://10.1.2.3/hooks'],
    ['private 192.168.x', 'https://192.168.1.10/hooks'],
    ['IPv6 loopback', 'https://[::1]/hooks'],
    ['IPv4-mapped IPv6 loopback', 'https://[::ffff:127.0.0.1]/hooks'],
    ['a DNS name resolving to loopback', 'https://localhost:8443/hooks'],
  ])('refuses %s (%s) with 400 and stores nothing', async (_what, url) => {
    const r = await strictCall('POST', '/v1/webhook-endpoints', { body: { url, eventTypes: ['interview.created'] } });
    expectStatus(r, 400);
    expect(r.body.errors?.[0]?.path).toBe('body.url');
    expect(r.body.detail).toMatch(/loopback, private, link-local or metadata/);
    const rows = await strict.db.selectFrom('webhookEndpoints').select('id').where('url', '=', url).execute();
    expect(rows).toEqual([]);
  });

  it('refuses plain http when https is required, and a changed URL goes through the same guard', async () => {
    const http = await strictCall('POST', '/v1/webhook-endpoints', {
      body: { url: 'http://93.184.215.14/hooks', eventTypes: ['interview.created'] },
    });
    expectStatus(http, 400);
    expect(http.body.errors?.[0]?.message).toBe('must use https');
    const ok = await strictCall('POST', '/v1/webhook-endpoints', {
      body: { url: 'https://93.184.215.14/hooks', eventTypes: ['interview.created'] },
    });
    expectStatus(ok, 201);
    const patched = await strictCall('PATCH', `/v1/webhook-endpoints/${ok.body.id}`, {
      body: { url: 'https://169.254.169.254/' },
    });
    expectStatus(patched, 400);
    expect(okBody(await strictCall('GET', `/v1/webhook-endpoints/${ok.body.id}`)).url).toBe(
      'https://93.184.215.14/hooks',
    );
  });

  it('allows private addresses when the development setting is on', async () => {
    const r = await call('POST', '/v1/webhook-endpoints', {
      body: { url: 'http://localhost:9/hooks', eventTypes: ['interview.created'] },
    });
    expectStatus(r, 201);
  });
});
