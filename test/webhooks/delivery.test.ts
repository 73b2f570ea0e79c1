import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { AccessToken } from 'livekit-server-sdk';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { retryScheduleMs } from '../../api/webhooks/retry.ts';
import { drainLockSpace, lookoutLock, pollingLock, recordEvent } from '../../shared/events/outbox.ts';
import { candidateArrived, endInterview } from '../../shared/interview-lifecycle.ts';
import { client, expectOk, expectStatus, okBody, seedCompany, seedInterview } from '../support/harness.ts';
import { testLivekit } from '../support/services.ts';
import { startConsumer, startWebhookApi, type Consumer, type ReplyFn, type WebhookApi } from './support.ts';

let api: WebhookApi;
let call: ReturnType<typeof client>;
const consumers: Consumer[] = [];

beforeAll(async () => {
  api = await startWebhookApi();
  call = client(api.url, (await seedCompany(api.db, 'Acme')).key);
});
afterEach(async () => {
  // Each test owns its endpoints; deleting them (and, by cascade, their deliveries) keeps tests independent.
  await api.db.deleteFrom('webhookEndpoints').execute();
  await Promise.all(consumers.splice(0).map((c) => c.stop()));
});
afterAll(async () => {
  // Whatever the tests did, no secret and no phone number reached a log line; and the worker did log.
  const logs = api.logs();
  expect(logs).toContain('webhook delivered');
  expect(logs).not.toContain('whsec_');
  expect(logs).not.toContain('+971'); // the seeded candidates' phone numbers
  await api?.stop();
});

async function consumer(reply?: ReplyFn) {
  const c = await startConsumer(reply ? { reply } : {});
  consumers.push(c);
  return c;
}

async function endpointFor(c: Consumer, eventTypes: string[] = ['interview.created'], url = c.url) {
  const r = await call('POST', '/v1/webhook-endpoints', { body: { url, eventTypes } });
  expectStatus(r, 201);
  c.setSecrets([r.body.secret]);
  return r.body as { id: string; secret: string };
}

async function testSend(endpointId: string) {
  const r = await call('POST', `/v1/webhook-endpoints/${endpointId}/test`);
  expectStatus(r, 202);
  return r.body as { eventId: string; deliveryId: string };
}

async function delivery(id: string) {
  return api.db.selectFrom('webhookDeliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function endpointRow(id: string) {
  return api.db.selectFrom('webhookEndpoints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

describe('webhook delivery', () => {
  it('delivers the events of real state changes, signed; the library verifies them, a tampered or stale copy fails', async () => {
    const c = await consumer();
    await endpointFor(c, ['interview.created', 'interview.started', 'interview.failed', 'interview.cancelled']);
    const first = await seedInterview(call);
    const second = await seedInterview(call);
    await candidateArrived(api.db, first.interview.id, { actor: 'test' });
    await endInterview(api.db, first.interview.id, 'agent_error', { actor: 'test' });
    expect((await call('POST', `/v1/interviews/${second.interview.id}/cancel`, { body: {} })).status).toBe(200);
    // A refused change writes no event: the outbox row shares the state change's transaction.
    expect((await call('POST', `/v1/interviews/${second.interview.id}/cancel`, { body: {} })).status).toBe(409);

    const worker = api.worker();
    expect(await worker.runOnce()).toBe(5);
    expect(c.received).toHaveLength(5);
    for (const d of c.received) {
      expect(d.verified, d.body).toMatchObject({ ok: true });
      expect(Buffer.byteLength(d.body)).toBeLessThan(20 * 1024);
      expect(d.body).not.toContain('+971');
      expect(d.body).not.toContain('Layla');
      expect(d.headers['content-type']).toBe('application/json');
    }
    const byType = new Map(c.received.map((d) => [(d.verified as { payload: any }).payload.type, d]));
    expect([...byType.keys()].sort()).toEqual([
      'interview.cancelled',
      'interview.created',
      'interview.failed',
      'interview.started',
    ]);
    const failed = JSON.parse(byType.get('interview.failed')!.body);
    expect(failed).toMatchObject({
      type: 'interview.failed',
      version: 1,
      data: {
        interviewId: first.interview.id,
        status: 'failed',
        reason: 'agent_error',
        links: { interview: `/v1/interviews/${first.interview.id}` },
      },
    });
    const events = await api.db.selectFrom('webhookEvents').select(['id', 'type']).execute();
    expect(events.filter((e) => e.type === 'interview.cancelled')).toHaveLength(1);
    expect(c.received.map((d) => d.headers['webhook-id']).sort()).toEqual(
      events
        .filter((e) => byType.has(e.type))
        .map((e) => e.id)
        .sort(),
    );

    const sample = c.received[0]!;
    expect(c.verify(sample.body.replace('"version":1', '"version":2'), sample.headers)).toMatchObject({ ok: false });
    expect(c.verify(sample.body, { ...sample.headers, 'webhook-id': 'another-id' })).toMatchObject({ ok: false });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      // The same genuine request, presented 6 minutes later (a replay), is refused by the 5-minute tolerance.
      vi.setSystemTime(Date.now() + 6 * 60_000);
      const stale = c.verify(sample.body, sample.headers);
      expect(stale).toMatchObject({ ok: false });
      expect((stale as { error: string }).error).toMatch(/too old/);
    } finally {
      vi.useRealTimers();
    }
  });

  it('sends candidate.joined and interview.started when LiveKit reports the candidate in the room', async () => {
    const c = await consumer();
    await endpointFor(c, ['candidate.joined', 'interview.started']);
    const { interview } = await seedInterview(call);
    const joined = await client(api.url)('POST', `/v1/public/rooms/${interview.roomCode}/join`, {
      body: { phone: '+971501234567', firstName: 'Layla', lastName: 'Haddad' },
    });
    expectStatus(joined, 200);
    // Signed the way the LiveKit server signs its webhooks: a JWT whose sha256 claim is the body's hash.
    const body = JSON.stringify({
      id: 'EV_webhooks_joined',
      event: 'participant_joined',
      createdAt: String(Math.floor(Date.now() / 1000)),
      room: { sid: 'RM_test', name: interview.roomName },
      participant: { sid: 'PA_test', identity: joined.body.identity, state: 'ACTIVE' },
    });
    const token = new AccessToken(testLivekit.apiKey, testLivekit.apiSecret, { ttl: 300 });
    token.sha256 = createHash('sha256').update(body).digest('base64');
    const posted = await client(api.url)('POST', '/v1/livekit/webhook', {
      rawBody: body,
      headers: { 'content-type': 'application/webhook+json', authorization: await token.toJwt() },
    });
    expectStatus(posted, 200);
    expect(await api.worker().runOnce()).toBe(2);
    const payloads = c.received.map((d) => (d.verified as { payload: any }).payload);
    expect(payloads.map((p) => p.type).sort()).toEqual(['candidate.joined', 'interview.started']);
    for (const p of payloads) expect(p.data.interviewId).toBe(interview.id);
    await api.deps.livekit.deleteRoom(interview.roomName).catch(() => {});
  });

  it('retries after a 500: delivered on the second attempt with the same webhook-id; the log keeps both', async () => {
    const c = await consumer((n) => (n === 1 ? { status: 500, body: 'boom' } : { status: 200, body: '{"ok":true}' }));
    const ep = await endpointFor(c);
    const sent = await testSend(ep.id);
    const worker = api.worker();
    expect(await worker.runOnce()).toBe(1);
    expect(await delivery(sent.deliveryId)).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500 });
    expect((await endpointRow(ep.id)).failingSince).not.toBeNull();

    api.advance(4_000);
    expect(await worker.runOnce()).toBe(0); // the second attempt is 5 s after the first
    api.advance(1_100);
    expect(await worker.runOnce()).toBe(1);

    expect(c.received).toHaveLength(2);
    expect(c.received[0]!.headers['webhook-id']).toBe(sent.eventId);
    expect(c.received[1]!.headers['webhook-id']).toBe(sent.eventId);
    expect(c.received.every((d) => d.verified.ok)).toBe(true);
    expect(c.received[0]!.headers['webhook-timestamp']).toBeDefined();
    expect(await delivery(sent.deliveryId)).toMatchObject({ status: 'succeeded', attempts: 2, lastStatusCode: 200 });
    expect((await endpointRow(ep.id)).failingSince).toBeNull();

    const log = await call('GET', `/v1/webhook-endpoints/${ep.id}/attempts`);
    expectStatus(log, 200);
    expect(log.body.items.map((a: any) => [a.attempt, a.outcome, a.statusCode, a.responseExcerpt])).toEqual([
      [2, 'succeeded', 200, '{"ok":true}'],
      [1, 'failed', 500, 'boom'],
    ]);
    for (const a of log.body.items) expect(a.durationMs).toBeGreaterThanOrEqual(0);
    const deliveries = await call('GET', `/v1/webhook-endpoints/${ep.id}/deliveries?status=succeeded`);
    expectOk(deliveries);
    expect(deliveries.body.items).toEqual([
      expect.objectContaining({
        id: sent.deliveryId,
        eventType: 'webhook.test',
        status: 'succeeded',
        attempts: 2,
        nextAttemptAt: null,
      }),
    ]);
    expect(okBody(await call('GET', `/v1/webhook-endpoints/${ep.id}/deliveries?status=pending`)).items).toEqual([]);
  });

  it('records any answer, even a binary body, in the delivery log', async () => {
    const c = await consumer(() => ({ status: 200, body: '\u0000\u0001binary\u0000' }));
    const ep = await endpointFor(c);
    const sent = await testSend(ep.id);
    expect(await api.worker().runOnce()).toBe(1);
    expect(await delivery(sent.deliveryId)).toMatchObject({ status: 'succeeded', attempts: 1 });
    const [attempt] = okBody(await call('GET', `/v1/webhook-endpoints/${ep.id}/attempts`)).items;
    expect(attempt).toMatchObject({ outcome: 'succeeded', statusCode: 200, responseExcerpt: '\u0001binary' });
  });

  it('times out a consumer that does not answer, and retries', async () => {
    const c = await consumer((n) => (n === 1 ? { hang: true } : { status: 204 }));
    const ep = await endpointFor(c);
    const sent = await testSend(ep.id);
    expect(await api.worker({ timeoutMs: 300 }).runOnce()).toBe(1);
    const after = await delivery(sent.deliveryId);
    expect(after).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: null });
    expect(after.lastError).toMatch(/timed out after 300 ms/);
    c.releaseHanging();
    api.advance(5_100);
    // The retry with the normal 15 s timeout, so a loaded CI machine cannot turn the answer into a timeout.
    expect(await api.worker().runOnce()).toBe(1);
    expect(await delivery(sent.deliveryId)).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it('disables an endpoint that answers 410 and records endpoint.disabled, delivered to another endpoint', async () => {
    const gone = await consumer(() => ({ status: 410 }));
    const watcher = await consumer();
    const ep = await endpointFor(gone);
    await endpointFor(watcher, ['endpoint.disabled']);
    const sent = await testSend(ep.id);
    const worker = api.worker();
    expect(await worker.runOnce()).toBe(2); // the 410, then the endpoint.disabled event it caused
    expect(await endpointRow(ep.id)).toMatchObject({ status: 'disabled', disabledReason: 'gone' });
    expect(watcher.received).toHaveLength(1);
    expect(watcher.received[0]!.verified).toMatchObject({
      ok: true,
      payload: { type: 'endpoint.disabled', data: { endpointId: ep.id, reason: 'gone' } },
    });
    // Nothing more goes to a disabled endpoint, however long we wait; its delivery is held, not dropped.
    api.advance(48 * 3_600_000);
    expect(await worker.runOnce()).toBe(0);
    expect(gone.received).toHaveLength(1);
    expect((await delivery(sent.deliveryId)).status).toBe('pending');
    expect((await call('POST', `/v1/webhook-endpoints/${ep.id}/test`)).status).toBe(409);
  });

  it('honours Retry-After on 429 over the shorter schedule', async () => {
    const c = await consumer((n) => (n === 1 ? { status: 429, headers: { 'retry-after': '120' } } : { status: 200 }));
    const ep = await endpointFor(c);
    const sent = await testSend(ep.id);
    const worker = api.worker();
    const before = api.now().getTime();
    expect(await worker.runOnce()).toBe(1);
    const next = (await delivery(sent.deliveryId)).nextAttemptAt.getTime() - before;
    expect(next).toBeGreaterThanOrEqual(120_000);
    expect(next).toBeLessThan(125_000);
    api.advance(60_000); // well past the 5 s schedule, but before the consumer's Retry-After
    expect(await worker.runOnce()).toBe(0);
    api.advance(61_000);
    expect(await worker.runOnce()).toBe(1);
    expect(await delivery(sent.deliveryId)).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it('marks a delivery exhausted after the tenth failed attempt, following the schedule', async () => {
    const c = await consumer(() => ({ status: 503 }));
    const ep = await endpointFor(c);
    const sent = await testSend(ep.id);
    const worker = api.worker();
    for (let attempt = 1; attempt <= 10; attempt++) {
      if (attempt > 1) {
        api.advance(retryScheduleMs[attempt - 1]! - 1_000);
        expect(await worker.runOnce(), `attempt ${attempt} must not run early`).toBe(0);
        api.advance(1_000);
      }
      expect(await worker.runOnce(), `attempt ${attempt}`).toBe(1);
    }
    expect(await delivery(sent.deliveryId)).toMatchObject({ status: 'exhausted', attempts: 10, lastStatusCode: 503 });
    api.advance(48 * 3_600_000);
    expect(await worker.runOnce()).toBe(0);
    expect(c.received).toHaveLength(10);
    expect(new Set(c.received.map((d) => d.headers['webhook-id']))).toEqual(new Set([sent.eventId]));
    // Three days and a few hours of failures: not yet "failing for days" at the 5-day default.
    expect((await endpointRow(ep.id)).status).toBe('enabled');
  });

  it('disables an endpoint that has failed for days, with an endpoint.disabled event', async () => {
    const broken = await consumer(() => ({ status: 500 }));
    const watcher = await consumer();
    const ep = await endpointFor(broken);
    await endpointFor(watcher, ['endpoint.disabled']);
    const worker = api.worker();
    await testSend(ep.id);
    expect(await worker.runOnce()).toBe(1);
    const failingSince = (await endpointRow(ep.id)).failingSince!;
    api.advance(5 * 24 * 3_600_000 - 60_000);
    await testSend(ep.id);
    await worker.runOnce();
    expect((await endpointRow(ep.id)).status).toBe('enabled');
    api.advance(120_000);
    await testSend(ep.id);
    await worker.runOnce();
    expect(await endpointRow(ep.id)).toMatchObject({ status: 'disabled', disabledReason: 'failing' });
    await worker.runOnce();
    expect(watcher.received.map((d) => (d.verified as any).payload)).toEqual([
      expect.objectContaining({
        type: 'endpoint.disabled',
        data: expect.objectContaining({
          endpointId: ep.id,
          reason: 'failing',
          failingSince: failingSince.toISOString(),
        }),
      }),
    ]);
    // Enabling it again starts the clock afresh.
    const enabled = await call('PATCH', `/v1/webhook-endpoints/${ep.id}`, { body: { enabled: true } });
    expect(enabled.body).toMatchObject({ status: 'enabled', failingSince: null });
  });

  it('signs with both secrets during a rotation grace period, and only the new one after it', async () => {
    const c = await consumer();
    const ep = await endpointFor(c);
    const rotated = await call('POST', `/v1/webhook-endpoints/${ep.id}/rotate-secret`, { body: { graceHours: 1 } });
    expectOk(rotated);
    const worker = api.worker();
    await testSend(ep.id);
    await worker.runOnce();
    const during = c.received[0]!;
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    c.setSecrets([ep.secret]);
    expect(c.verify(during.body, during.headers)).toMatchObject({ ok: true });
    c.setSecrets([rotated.body.secret]);
    expect(c.verify(during.body, during.headers)).toMatchObject({ ok: true });

    api.advance(3_600_000 + 1_000);
    await testSend(ep.id);
    await worker.runOnce();
    const after = c.received[1]!;
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(c.verify(after.body, after.headers)).toMatchObject({ ok: true });
    c.setSecrets([ep.secret]);
    expect(c.verify(after.body, after.headers)).toMatchObject({ ok: false });
  });

  it('replays one delivery, and everything since a time including events the endpoint never got', async () => {
    // Events are stamped by the database's clock, not the schedule clock the tests move.
    await seedInterview(call); // before t0: not replayed
    const t0 = new Date();
    const own = await seedInterview(call); // after t0, before any endpoint: nobody receives it
    const c = await consumer();
    const ep = await endpointFor(c, ['interview.created']);
    const worker = api.worker();
    expect(await worker.runOnce()).toBe(0);

    const replayed = await call('POST', `/v1/webhook-endpoints/${ep.id}/replay`, { body: { since: t0.toISOString() } });
    expect(replayed).toMatchObject({ status: 202, body: { replayed: 1 } });
    expect(await worker.runOnce()).toBe(1);
    expect((c.received[0]!.verified as any).payload).toMatchObject({
      type: 'interview.created',
      data: { interviewId: own.interview.id },
    });

    const d = okBody(await call('GET', `/v1/webhook-endpoints/${ep.id}/deliveries`)).items[0]!;
    expect((await call('POST', `/v1/webhook-endpoints/${ep.id}/deliveries/${d.id}/replay`)).status).toBe(202);
    expect(await worker.runOnce()).toBe(1);
    expect(c.received).toHaveLength(2);
    expect(c.received[1]!.headers['webhook-id']).toBe(c.received[0]!.headers['webhook-id']);
    expect(c.received[1]!.verified.ok).toBe(true);
    const missing = await call(
      'POST',
      `/v1/webhook-endpoints/${ep.id}/deliveries/00000000-0000-4000-8000-000000000000/replay`,
    );
    expectStatus(missing, 404);
  });

  it('keeps a hanging consumer to its share of the worker: other endpoints are still delivered', async () => {
    const slow = await consumer(() => ({ hang: true }));
    const fast = await consumer();
    const slowEp = await endpointFor(slow);
    const fastEp = await endpointFor(fast);
    for (let i = 0; i < 5; i++) await testSend(slowEp.id); // due first, so claimed first
    await testSend(fastEp.id);
    // The normal send timeout (15 s): a shorter one could run out on a busy machine before the checks below, and a
    // timed-out send frees its place for a third.
    const worker = api.worker({ concurrency: 4, endpointConcurrency: 2 });
    worker.start();
    try {
      await fast.waitFor(1);
      await slow.waitFor(2);
      expect(slow.received).toHaveLength(2); // at its cap of 2, while 3 more of its deliveries are due
      expect(fast.received[0]!.verified.ok).toBe(true);
    } finally {
      slow.releaseHanging();
      await worker.stop();
    }
  });

  it('checks the address again at delivery time: a loopback endpoint is refused when private addresses are not allowed', async () => {
    const c = await consumer();
    // Created while the development setting allowed it (or a name that later resolves to loopback).
    const byIp = await endpointFor(c);
    const byName = await endpointFor(c, ['interview.created'], `http://localhost:${c.port}/hooks`);
    const a = await testSend(byIp.id);
    const b = await testSend(byName.id);
    const worker = api.worker({ allowPrivateUrls: false });
    expect(await worker.runOnce()).toBe(2);
    expect(c.received).toHaveLength(0);
    for (const id of [a.deliveryId, b.deliveryId]) {
      const row = await delivery(id);
      expect(row).toMatchObject({ status: 'pending', lastStatusCode: null });
      expect(row.lastError).toMatch(/loopback, private, link-local or metadata/);
    }
  });

  it('a writer that saw the drain polling skips its NOTIFY, and the drain still sends its event when it stops polling', async () => {
    const c = await consumer();
    const ep = await endpointFor(c); // test sends reach it whatever it subscribes to
    const { companyId } = await endpointRow(ep.id);
    const first = await testSend(ep.id);
    const session = async () => {
      const s = new pg.Client({ connectionString: api.dbUrl });
      await s.connect();
      return s;
    };
    // Waiting (not granted) for one of the drain's advisory locks: a state to poll for, not a time to sleep.
    const waitingFor = async (key: number) =>
      (
        await sql<{ waiting: boolean }>`
          select coalesce(bool_or(not granted), false) as waiting from pg_locks
           where locktype = 'advisory' and classid = ${drainLockSpace} and objid = ${key} and objsubid = 2`.execute(
          api.db,
        )
      ).rows[0]!.waiting;
    // A writer still committing with its NOTIFY holds the polling lock shared, so the drain that found `first` and
    // asks for the lock waits; asking already makes the next writer skip its NOTIFY.
    const notifying = await session();
    await notifying.query('begin');
    await notifying.query('select pg_advisory_xact_lock_shared($1, $2)', [drainLockSpace, pollingLock]);
    const listener = await session();
    const heard: string[] = [];
    listener.on('notification', (msg) => msg.channel === 'webhook_deliveries' && heard.push(msg.payload ?? ''));
    await listener.query('listen webhook_deliveries');
    let commit = () => {};
    const committing = new Promise<void>((r) => (commit = r));
    try {
      const run = api.worker({}, undefined, 120_000).runOnce();
      await expect.poll(() => waitingFor(pollingLock), { timeout: 30_000 }).toBe(true);
      // The writer records its event and stays in its transaction while the drain polls and stops polling.
      let recorded!: () => void;
      const wrote = new Promise<void>((r) => (recorded = r));
      const writer = api.db.transaction().execute(async (trx) => {
        const event = await recordEvent(trx, {
          companyId,
          type: 'webhook.test',
          payload: { endpointId: ep.id, message: 'written while the drain polled' },
          onlyEndpointId: ep.id,
        });
        recorded();
        await committing;
        return event;
      });
      await wrote;
      await notifying.query('commit');
      // Having let go of its lock, the drain waits for that writer before its last look; then it commits.
      await expect.poll(() => waitingFor(lookoutLock), { timeout: 30_000 }).toBe(true);
      commit();
      const second = await writer;
      // The same run sent both: the last look came after the writer's commit.
      expect(await run).toBe(2);
      expect(c.received.map((d) => d.headers['webhook-id'])).toEqual([first.eventId, second.id]);
      // And the writer did skip its NOTIFY: notifications arrive in commit order, and the first one heard is this.
      await listener.query(`notify webhook_deliveries, 'after the writer'`);
      await expect.poll(() => heard.length).toBeGreaterThan(0);
      expect(heard).toEqual(['after the writer']);
      // With no drain polling, a writer notifies as before.
      await testSend(ep.id);
      await expect.poll(() => heard.length).toBe(2);
    } finally {
      commit();
      await notifying.end();
      await listener.end();
    }
  }, 90_000);
});
