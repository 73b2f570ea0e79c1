import { Room } from '@livekit/rtc-node';
import { AgentDispatchClient, RoomServiceClient } from 'livekit-server-sdk';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startJobRunner, type PeriodicDefinition } from '../api/jobs/runner.ts';
import { reconcileOnce } from '../api/livekit/reconciler.ts';
import { client, expectStatus, okBody, seedCompany, seedInterview, startTestApi, type TestApi } from './support/harness.ts';
import { testLivekit } from './support/services.ts';

// The reconciler repairs what dropped webhooks leave behind, and enforces the max duration on the server.

let api: TestApi;
let hr: ReturnType<typeof client>;
let pub: ReturnType<typeof client>;
const rooms = () => new RoomServiceClient(inject('livekitUrl').replace('ws', 'http'), testLivekit.apiKey, testLivekit.apiSecret);

beforeAll(async () => {
  api = await startTestApi({ env: { AGENT_NAME: `interviewer-reconciler-${process.pid}` } });
  const { key } = await seedCompany(api.db, 'Acme');
  hr = client(api.url, key);
  pub = client(api.url);
});
afterAll(() => api?.stop());

async function joinAndConnect(roomCode: string) {
  const joined = await pub('POST', `/v1/public/rooms/${roomCode}/join`, {
    body: { phone: '+971501234567', firstName: 'Layla', lastName: 'Haddad' },
  });
  expectStatus(joined, 200);
  const room = new Room();
  await room.connect(joined.body.serverUrl, joined.body.token, { autoSubscribe: false, dynacast: false });
  return { room, joined: joined.body };
}

async function markStarted(id: string, minutesAgo: number) {
  // This API receives no webhooks in this file, exactly the situation the reconciler exists for; start it by hand,
  // with the clock the lifecycle sets at the candidate's first arrival.
  await api.db
    .updateTable('interviews')
    .set({
      status: 'in_progress',
      startedAt: sql`now() - ${minutesAgo * 60} * interval '1 second'`,
      deadlineAt: sql`now() - ${minutesAgo * 60} * interval '1 second' + make_interval(mins => max_duration_minutes)`,
    })
    .where('id', '=', id)
    .execute();
}

describe('reconciler', () => {
  it('ends an interview past its max duration: room deleted, candidate removed, reason max_duration', async () => {
    const { interview } = await seedInterview(hr, { maxDurationMinutes: 10 });
    const { room } = await joinAndConnect(interview.roomCode);
    let kicked = false;
    room.on('disconnected', () => {
      kicked = true;
    });
    // At its deadline the interviewer closes; the reconciler is the backstop a minute later.
    await markStarted(interview.id, 10.5);
    await reconcileOnce(api.deps);
    expect((await hr('GET', `/v1/interviews/${interview.id}`)).body.status).toBe('in_progress');

    await markStarted(interview.id, 11.1);
    const report = await reconcileOnce(api.deps);
    expect(report?.maxDuration).toBe(1);
    const detail = okBody(await hr('GET', `/v1/interviews/${interview.id}`));
    expect(detail).toMatchObject({ status: 'completed', endReason: 'max_duration' });
    expect(detail.timeline.at(-1)).toMatchObject({ from: 'in_progress', to: 'completed', actor: 'reconciler' });
    expect(await rooms().listRooms([interview.roomName])).toEqual([]);
    await expect.poll(() => kicked).toBe(true);
  });

  it('expires scheduled interviews whose window has closed', async () => {
    // The API refuses a schedule whose window has already closed, so this one's schedule passes after creation.
    const { interview } = await seedInterview(hr);
    await api.db
      .updateTable('interviews')
      .set({ scheduledStart: new Date(Date.now() - 4 * 3600_000), scheduledEnd: new Date(Date.now() - 3 * 3600_000) })
      .where('id', '=', interview.id)
      .execute();
    await reconcileOnce(api.deps);
    expect((await hr('GET', `/v1/interviews/${interview.id}`)).body).toMatchObject({
      status: 'expired',
      endReason: 'window_closed',
    });
  });

  it('fails an interview in progress whose room vanished without a webhook, after a grace', async () => {
    const { interview } = await seedInterview(hr);
    const { room } = await joinAndConnect(interview.roomCode);
    await markStarted(interview.id, 1);
    await room.disconnect();
    await rooms().deleteRoom(interview.roomName);
    // Within the grace for freshly opened rooms, nothing happens.
    await reconcileOnce(api.deps);
    expect((await hr('GET', `/v1/interviews/${interview.id}`)).body.status).toBe('in_progress');
    await api.db
      .updateTable('interviews')
      .set({ roomCreatedAt: sql`now() - interval '1 minute'` })
      .where('id', '=', interview.id)
      .execute();
    const report = await reconcileOnce(api.deps);
    expect(report?.lostRooms).toBe(1);
    expect((await hr('GET', `/v1/interviews/${interview.id}`)).body).toMatchObject({ status: 'failed', endReason: 'room_closed' });
  });

  it("deletes rooms whose interview is over, and leaves other services' rooms alone", async () => {
    const { interview } = await seedInterview(hr);
    await joinAndConnect(interview.roomCode);
    // Cancelled while LiveKit could not be told: the status is final but the room lingers.
    await api.db.updateTable('interviews').set({ status: 'cancelled' }).where('id', '=', interview.id).execute();
    const foreign = `someone-elses-room-${process.pid}`;
    await rooms().createRoom({ name: foreign, emptyTimeout: 30 });
    const report = await reconcileOnce(api.deps);
    expect(report?.orphanRoomsDeleted).toBeGreaterThanOrEqual(1);
    expect(await rooms().listRooms([interview.roomName])).toEqual([]);
    expect((await rooms().listRooms([foreign])).length).toBe(1);
    await rooms().deleteRoom(foreign);
  });

  it('leaves a just-ended interview\'s room to its interviewer for a grace, then deletes it', async () => {
    const { interview } = await seedInterview(hr);
    await joinAndConnect(interview.roomCode);
    // Ended in the database; the interviewer is still telling the candidate why before it deletes the room.
    await api.db
      .updateTable('interviews')
      .set({ status: 'completed', endedAt: sql`now()` })
      .where('id', '=', interview.id)
      .execute();
    await reconcileOnce(api.deps);
    expect((await rooms().listRooms([interview.roomName])).length).toBe(1);
    await api.db
      .updateTable('interviews')
      .set({ endedAt: sql`now() - interval '1 minute'` })
      .where('id', '=', interview.id)
      .execute();
    const report = await reconcileOnce(api.deps);
    expect(report?.orphanRoomsDeleted).toBeGreaterThanOrEqual(1);
    expect(await rooms().listRooms([interview.roomName])).toEqual([]);
  });

  it('starts an interview whose participant_joined webhook was lost, from LiveKit\'s participant list', async () => {
    const { interview } = await seedInterview(hr);
    const { room } = await joinAndConnect(interview.roomCode);
    expect((await hr('GET', `/v1/interviews/${interview.id}`)).body.status).toBe('scheduled');
    const report = await reconcileOnce(api.deps);
    expect(report?.joinsHealed).toBe(1);
    const detail = okBody(await hr('GET', `/v1/interviews/${interview.id}`));
    expect(detail).toMatchObject({ status: 'in_progress', candidateConnected: true });
    expect(detail.timeline.at(-1)).toMatchObject({ to: 'in_progress', actor: 'reconciler', reason: 'candidate_joined' });
    await room.disconnect();
  });

  it('dispatches the interviewer again when the candidate waits in a room without one, once', async () => {
    const { interview } = await seedInterview(hr);
    const { room } = await joinAndConnect(interview.roomCode);
    const dispatches = () =>
      new AgentDispatchClient(inject('livekitUrl').replace('ws', 'http'), testLivekit.apiKey, testLivekit.apiSecret).listDispatch(
        interview.roomName,
      );
    expect(await dispatches()).toHaveLength(1);
    // Nobody serves this agent name in the test, as if its worker had died; within the join grace nothing happens.
    expect((await reconcileOnce(api.deps))?.agentsRedispatched).toBe(0);
    await api.db
      .updateTable('interviews')
      .set({ agentDispatchedAt: sql`now() - interval '1 minute'` })
      .where('id', '=', interview.id)
      .execute();
    expect((await reconcileOnce(api.deps))?.agentsRedispatched).toBe(1);
    const after = await dispatches();
    expect(after).toHaveLength(2);
    expect(after.every((d) => d.agentName === api.deps.config.livekit.agentName && JSON.parse(d.metadata).interviewId === interview.id)).toBe(true);
    expect((await reconcileOnce(api.deps))?.agentsRedispatched).toBe(0);
    await room.disconnect();
  });

  it('expires a no-show (a token taken, the candidate never in the room) as no_show: never scored, its event sent', async () => {
    const { interview } = await seedInterview(hr);
    const joined = await pub('POST', `/v1/public/rooms/${interview.roomCode}/join`, {
      body: { phone: '+971501234567', firstName: 'Layla', lastName: 'Haddad' },
    });
    expectStatus(joined, 200);
    // Never connects. The window closes.
    await api.db
      .updateTable('interviews')
      .set({ scheduledStart: new Date(Date.now() - 4 * 3600_000), scheduledEnd: new Date(Date.now() - 3 * 3600_000) })
      .where('id', '=', interview.id)
      .execute();
    expect((await reconcileOnce(api.deps))?.expired).toBeGreaterThanOrEqual(1);
    const detail = okBody(await hr('GET', `/v1/interviews/${interview.id}`));
    expect(detail).toMatchObject({ status: 'expired', endReason: 'no_show', startedAt: null, deadlineAt: null });
    expect(detail.timeline.map((t: { to: string }) => t.to)).toEqual(['scheduled', 'expired']);
    const events = await api.db.selectFrom('webhookEvents').select(['type', 'payload']).execute();
    const expired = events.filter((e) => e.type === 'interview.expired' && (e.payload as { interviewId: string }).interviewId === interview.id);
    expect(expired).toHaveLength(1);
    expect(expired[0]!.payload).toMatchObject({ reason: 'no_show' });
    expect(await api.db.selectFrom('scorecards').select('id').where('interviewId', '=', interview.id).execute()).toEqual([]);
    expect(await rooms().listRooms([interview.roomName])).toEqual([]);
  });

  it('counts the maximum duration from the candidate\'s arrival, not from the interviewer\'s dispatch', async () => {
    const { interview } = await seedInterview(hr, { maxDurationMinutes: 10 });
    const { room } = await joinAndConnect(interview.roomCode);
    // The interviewer was dispatched at the first join, 20 minutes ago; the candidate only arrived now.
    await api.db
      .updateTable('interviews')
      .set({ agentDispatchedAt: new Date(Date.now() - 20 * 60_000), roomCreatedAt: new Date(Date.now() - 20 * 60_000) })
      .where('id', '=', interview.id)
      .execute();
    expect((await reconcileOnce(api.deps))?.joinsHealed).toBe(1);
    const started = okBody(await hr('GET', `/v1/interviews/${interview.id}`));
    expect(started.status).toBe('in_progress');
    expect(Date.parse(started.deadlineAt!) - Date.parse(started.startedAt!)).toBe(10 * 60_000);
    expect(Math.abs(Date.parse(started.startedAt!) - Date.now())).toBeLessThan(60_000);
    expect((await reconcileOnce(api.deps))?.maxDuration).toBe(0);
    expect((await hr('GET', `/v1/interviews/${interview.id}`)).body.status).toBe('in_progress');
    await room.disconnect();
  });

  it('runs the pass at most once at a time across API processes (periodic work on the job runner)', async () => {
    // Two runners on one database, as two API processes have: each offers the reconcile pass on its schedule.
    let active = 0;
    let most = 0;
    let passes = 0;
    const pass: PeriodicDefinition = {
      everyMs: 20,
      timeoutMs: 30_000,
      async run() {
        active++;
        most = Math.max(most, active);
        await reconcileOnce(api.deps);
        await new Promise((r) => setTimeout(r, 100));
        active--;
        passes++;
      },
    };
    const options = { databaseUrl: api.deps.config.database.url, log: api.deps.log, concurrency: 2, tasks: {}, periodic: { reconcile: pass } };
    const runners = await Promise.all([startJobRunner({ ...options, name: 'one' }), startJobRunner({ ...options, name: 'two' })]);
    try {
      await expect.poll(() => passes, { timeout: 30_000 }).toBeGreaterThanOrEqual(4);
    } finally {
      await Promise.all(runners.map((r) => r.stop()));
    }
    expect(most).toBe(1);
  });
});
