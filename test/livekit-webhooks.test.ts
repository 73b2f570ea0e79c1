import { createHash } from 'node:crypto';
import { Room } from '@livekit/rtc-node';
import { sql } from 'kysely';
import { AccessToken, AgentDispatchClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import {
  client,
  expectOk,
  expectStatus,
  okBody,
  seedCompany,
  seedInterview,
  startTestApi,
  type TestApi,
} from './support/harness.ts';
import type { OkBody } from './support/api-types.ts';
import { testLivekit } from './support/services.ts';

// Real LiveKit webhooks arrive when the LiveKit server gets to them; on a busy machine that can take a while.
vi.setConfig({ testTimeout: 90_000 });

let api: TestApi;
let hr: ReturnType<typeof client>;
let pub: ReturnType<typeof client>;

beforeAll(async () => {
  // Real LiveKit webhooks reach this API; rooms close one second after the candidate leaves.
  api = await startTestApi({
    livekitWebhooks: true,
    env: { AGENT_NAME: `interviewer-webhooks-${process.pid}`, ROOM_DEPARTURE_TIMEOUT_SECONDS: '1' },
  });
  const { key } = await seedCompany(api.db, 'Acme');
  hr = client(api.url, key);
  pub = client(api.url);
});
afterAll(() => api?.stop());

/** Signs a body the way the LiveKit server does: a JWT from the API key whose sha256 claim is the body's hash. */
async function signed(body: string, secret = testLivekit.apiSecret): Promise<string> {
  const token = new AccessToken(testLivekit.apiKey, secret, { ttl: 300 });
  token.sha256 = createHash('sha256').update(body).digest('base64');
  return token.toJwt();
}

type InterviewDetail = OkBody<'GET', '/v1/interviews/:id'>;

async function waitForInterview(id: string, done: (i: InterviewDetail) => boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const detail = await hr('GET', `/v1/interviews/${id}`);
    if (detail.status === 200 && done(detail.body)) return detail.body;
    if (Date.now() > deadline)
      throw new Error(`interview never reached the expected state: ${JSON.stringify(detail.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function participantEvent(
  id: string,
  roomName: string,
  identity: string,
  event = 'participant_joined',
  createdAt = Math.floor(Date.now() / 1000),
) {
  return JSON.stringify({
    id,
    event,
    createdAt: String(createdAt),
    room: { sid: 'RM_test', name: roomName },
    participant: { sid: 'PA_test', identity, state: 'ACTIVE' },
  });
}

/** Posts a participant event for one room and identity, signed as the LiveKit server signs it. */
function sender(roomName: string, identity: string) {
  return async (id: string, event: string, createdAt: number) => {
    const body = participantEvent(id, roomName, identity, event, createdAt);
    return pub('POST', '/v1/livekit/webhook', { rawBody: body, headers: { authorization: await signed(body) } });
  };
}

describe('LiveKit webhooks', () => {
  it('refuses forged events and bodies that do not match their signature, changing nothing', async () => {
    const { interview } = await seedInterview(hr);
    const body = participantEvent('EV_forged', interview.roomName, 'cand_x');
    const wrongKey = await pub('POST', '/v1/livekit/webhook', {
      rawBody: body,
      headers: { 'content-type': 'application/webhook+json', authorization: await signed(body, 'x'.repeat(40)) },
    });
    expectStatus(wrongKey, 401);
    const unsigned = await pub('POST', '/v1/livekit/webhook', {
      rawBody: body,
      headers: { 'content-type': 'application/webhook+json' },
    });
    expectStatus(unsigned, 401);
    const swapped = await pub('POST', '/v1/livekit/webhook', {
      rawBody: body.replace('participant_joined', 'room_finished'),
      headers: { 'content-type': 'application/webhook+json', authorization: await signed(body) },
    });
    expectStatus(swapped, 401);
    // Other test files' rooms send real events here too (one shared LiveKit); the forged id must not be among them.
    expect(await api.db.selectFrom('livekitWebhookEvents').selectAll().where('id', '=', 'EV_forged').execute()).toEqual(
      [],
    );
  });

  it('applies a signed event once; a replay of it is acknowledged and ignored', async () => {
    const { interview } = await seedInterview(hr);
    const joined = await pub('POST', `/v1/public/rooms/${interview.roomCode}/join`, {
      body: { phone: '+971501234567', firstName: 'Layla', lastName: 'Haddad' },
    });
    expectOk(joined);
    const body = participantEvent('EV_replayed', interview.roomName, joined.body.identity);
    const headers = { 'content-type': 'application/webhook+json', authorization: await signed(body) };
    const first = await pub('POST', '/v1/livekit/webhook', { rawBody: body, headers });
    expectStatus(first, 200);
    expect(first.body).toEqual({ received: true, duplicate: false });
    const replay = await pub('POST', '/v1/livekit/webhook', { rawBody: body, headers });
    expectStatus(replay, 200);
    expect(replay.body).toEqual({ received: true, duplicate: true });

    const detail = await hr('GET', `/v1/interviews/${interview.id}`);
    expectOk(detail);
    expect(detail.body.status).toBe('in_progress');
    expect(detail.body.candidateConnected).toBe(true);
    expect(detail.body.timeline.filter((t: { to: string }) => t.to === 'in_progress')).toHaveLength(1);
    // Someone else's identity in the room (the agent, an observer) does not count as the candidate.
    const other = participantEvent('EV_agent_left', interview.roomName, 'agent-123', 'participant_left');
    await pub('POST', '/v1/livekit/webhook', { rawBody: other, headers: { authorization: await signed(other) } });
    expect(okBody(await hr('GET', `/v1/interviews/${interview.id}`)).candidateConnected).toBe(true);
  });

  it('dispatches a new interviewer at once when the interviewer leaves an interview in progress (its job died), once', async () => {
    const { interview } = await seedInterview(hr);
    const joined = await pub('POST', `/v1/public/rooms/${interview.roomCode}/join`, {
      body: { phone: '+971501234567', firstName: 'Layla', lastName: 'Haddad' },
    });
    expectOk(joined);
    const dispatches = () =>
      new AgentDispatchClient(
        inject('livekitUrl').replace('ws', 'http'),
        testLivekit.apiKey,
        testLivekit.apiSecret,
      ).listDispatch(interview.roomName);
    expect(await dispatches()).toHaveLength(1);
    const post = async (body: string) =>
      pub('POST', '/v1/livekit/webhook', { rawBody: body, headers: { authorization: await signed(body) } });
    const agentLeft = (id: string, createdAt = Math.floor(Date.now() / 1000)) => {
      const event = JSON.parse(
        participantEvent(id, interview.roomName, 'agent-AJ_dead', 'participant_left', createdAt),
      );
      return JSON.stringify({ ...event, participant: { ...event.participant, kind: 'AGENT' } });
    };
    expectStatus(await post(participantEvent('EV_cand_in', interview.roomName, joined.body.identity)), 200);
    // The interviewer was dispatched a minute ago, and its job has just died.
    await api.db
      .updateTable('interviews')
      .set({ agentDispatchedAt: sql`now() - interval '1 minute'` })
      .where('id', '=', interview.id)
      .execute();
    expectStatus(await post(agentLeft('EV_agent_died')), 200);
    const after = await dispatches();
    expect(after).toHaveLength(2);
    expect(JSON.parse(after[1]!.metadata)).toEqual({ interviewId: interview.id });
    // The same departure reported again, or seen by another API process, dispatches nothing more: the new dispatch
    // is newer than the departure.
    expectStatus(await post(agentLeft('EV_agent_died_again')), 200);
    expect(await dispatches()).toHaveLength(2);

    // An interviewer leaving an interview that is over is no death: nothing is claimed or dispatched.
    await api.db
      .updateTable('interviews')
      .set({ agentDispatchedAt: sql`now() - interval '1 minute'` })
      .where('id', '=', interview.id)
      .execute();
    expectOk(await hr('POST', `/v1/interviews/${interview.id}/cancel`, { body: {} }));
    const dispatchedAt = async () =>
      (
        await api.db
          .selectFrom('interviews')
          .select('agentDispatchedAt')
          .where('id', '=', interview.id)
          .executeTakeFirstOrThrow()
      ).agentDispatchedAt;
    const before = await dispatchedAt();
    expectStatus(await post(agentLeft('EV_agent_done')), 200);
    // A claim would stamp it anew. (LiveKit's own room_finished for the cancelled room may clear it meanwhile:
    // roomClosed, as for any closed room.)
    const afterDone = await dispatchedAt();
    expect(
      afterDone === null || afterDone.getTime() === before?.getTime(),
      `dispatched at ${afterDone?.toISOString()}`,
    ).toBe(true);
  });

  it('follows real webhooks from the LiveKit server: joined, left, room finished', async () => {
    const { interview } = await seedInterview(hr);
    const joined = await pub('POST', `/v1/public/rooms/${interview.roomCode}/join`, {
      body: { phone: '+971501234567', firstName: 'Layla', lastName: 'Haddad' },
    });
    expectStatus(joined, 200);
    const room = new Room();
    await room.connect(joined.body.serverUrl, joined.body.token, { autoSubscribe: false, dynacast: false });
    const started = await waitForInterview(interview.id, (i) => i.status === 'in_progress' && i.candidateConnected);
    expect(started.startedAt).toBeTruthy();
    expect(started.timeline.at(-1)).toMatchObject({ to: 'in_progress', actor: 'livekit', reason: 'candidate_joined' });

    await room.disconnect();
    // Nobody concluded this interview (no interviewer ran), so the room closing fails it rather than completing it.
    const ended = await waitForInterview(interview.id, (i) => i.status === 'failed');
    expect(ended).toMatchObject({ candidateConnected: false, endReason: 'room_closed' });
    const actions = await api.db
      .selectFrom('auditLog')
      .select('action')
      .where('targetId', '=', interview.id)
      .orderBy('id')
      .execute();
    expect(actions.map((a) => a.action)).toEqual([
      'interview.create',
      'candidate.join',
      'candidate.connected',
      'candidate.disconnected',
    ]);
  });

  it('orders a late participant_left by LiveKit time: an older one changes nothing, one in the same second does not vouch', async () => {
    const { interview } = await seedInterview(hr);
    const joined = await pub('POST', `/v1/public/rooms/${interview.roomCode}/join`, {
      body: { phone: '+971501234567', firstName: 'Layla', lastName: 'Haddad' },
    });
    expectOk(joined);
    const identity = joined.body.identity;
    const t = Math.floor(Date.now() / 1000) + 5;
    const send = sender(interview.roomName, identity);
    const state = () =>
      api.db
        .selectFrom('interviews')
        .select(['candidateConnected', 'seatClaimedAt', 'candidateEventAt'])
        .where('id', '=', interview.id)
        .executeTakeFirstOrThrow();
    expect((await send(`EV_j_${interview.id}`, 'participant_joined', t)).status).toBe(200);
    expect(await state()).toEqual({
      candidateConnected: true,
      seatClaimedAt: expect.any(Date),
      candidateEventAt: new Date(t * 1000),
    });
    // Stamped before the arrival it would undo: a delayed departure of an earlier connection.
    await send(`EV_l1_${interview.id}`, 'participant_left', t - 3);
    expect((await state()).candidateConnected).toBe(true);
    // Same second: the candidate is away, but the token is not accounted for (the next join asks LiveKit).
    await send(`EV_l2_${interview.id}`, 'participant_left', t);
    expect(await state()).toMatchObject({ candidateConnected: false, seatClaimedAt: expect.any(Date) });
    await send(`EV_j2_${interview.id}`, 'participant_joined', t + 1);
    await send(`EV_l3_${interview.id}`, 'participant_left', t + 2);
    // Ordered after an arrival on the last token: the token is accounted for, the seat vouched empty.
    expect(await state()).toEqual({
      candidateConnected: false,
      seatClaimedAt: null,
      candidateEventAt: new Date((t + 2) * 1000),
    });
  });

  it('ignores a late participant_joined stamped before the last departure: not connected again, no second candidate.joined', async () => {
    const { interview } = await seedInterview(hr);
    const joined = await pub('POST', `/v1/public/rooms/${interview.roomCode}/join`, {
      body: { phone: '+971501234567', firstName: 'Layla', lastName: 'Haddad' },
    });
    expectOk(joined);
    const identity = joined.body.identity;
    const t = Math.floor(Date.now() / 1000) + 5;
    const send = sender(interview.roomName, identity);
    await send(`EV_a_${interview.id}`, 'participant_joined', t);
    await send(`EV_b_${interview.id}`, 'participant_left', t + 4);
    // A new event id, stamped between the two: an earlier connection's arrival delivered late.
    expect((await send(`EV_c_${interview.id}`, 'participant_joined', t + 2)).status).toBe(200);
    const row = await api.db
      .selectFrom('interviews')
      .select('candidateConnected')
      .where('id', '=', interview.id)
      .executeTakeFirstOrThrow();
    expect(row.candidateConnected).toBe(false);
    const joinedEvents = await api.db
      .selectFrom('webhookEvents')
      .select('payload')
      .where('type', '=', 'candidate.joined')
      .execute();
    expect(
      joinedEvents.filter((e) => (e.payload as { interviewId: string }).interviewId === interview.id),
    ).toHaveLength(1);
    // A real rejoin after the departure is an arrival again.
    await send(`EV_d_${interview.id}`, 'participant_joined', t + 6);
    const back = await api.db
      .selectFrom('interviews')
      .select('candidateConnected')
      .where('id', '=', interview.id)
      .executeTakeFirstOrThrow();
    expect(back.candidateConnected).toBe(true);
  });

  it('admits a rejoin from the database once LiveKit reported the candidate gone, and refuses a second device while connected', async () => {
    const { interview } = await seedInterview(hr);
    const joinBody = { phone: '+971501234567', firstName: 'Layla', lastName: 'Haddad' };
    const first = await pub('POST', `/v1/public/rooms/${interview.roomCode}/join`, { body: joinBody });
    expectStatus(first, 200);
    // An observer keeps the room open while the candidate is away (no interviewer runs in this file).
    const observerToken = new AccessToken(testLivekit.apiKey, testLivekit.apiSecret, {
      identity: 'observer',
      ttl: 300,
    });
    observerToken.addGrant({ room: interview.roomName, roomJoin: true, canPublish: false, canSubscribe: true });
    const observer = new Room();
    await observer.connect(first.body.serverUrl, await observerToken.toJwt(), {
      autoSubscribe: false,
      dynacast: false,
    });
    try {
      const candidate = new Room();
      await candidate.connect(first.body.serverUrl, first.body.token, { autoSubscribe: false, dynacast: false });
      await waitForInterview(interview.id, (i) => i.candidateConnected);
      // Past the connect grace, a second device is still refused: the database says connected, LiveKit confirms.
      await api.db
        .updateTable('interviews')
        .set({ seatClaimedAt: sql`seat_claimed_at - interval '1 minute'` })
        .where('id', '=', interview.id)
        .execute();
      const second = await pub('POST', `/v1/public/rooms/${interview.roomCode}/join`, { body: joinBody });
      expectStatus(second, 409);
      expect(second.body.code).toBe('already_connected');
      expect(candidate.isConnected).toBe(true);

      // LiveKit stamps events in whole seconds: stay past the arrival's second so the departure is ordered after it.
      await new Promise((r) => setTimeout(r, 1100));
      await candidate.disconnect();
      await waitForInterview(interview.id, (i) => !i.candidateConnected);
      const gone = await api.db
        .selectFrom('interviews')
        .selectAll()
        .where('id', '=', interview.id)
        .executeTakeFirstOrThrow();
      // The departure followed an arrival on the last token: that token is accounted for.
      expect(gone.seatClaimedAt).toBeNull();

      const rejoin = await pub('POST', `/v1/public/rooms/${interview.roomCode}/join`, { body: joinBody });
      expectStatus(rejoin, 200);
      expect(rejoin.body.identity).toBe(first.body.identity);
      const back = new Room();
      await back.connect(rejoin.body.serverUrl, rejoin.body.token, { autoSubscribe: false, dynacast: false });
      expect(back.isConnected).toBe(true);
      await waitForInterview(interview.id, (i) => i.candidateConnected);
      await back.disconnect();
    } finally {
      await observer.disconnect();
    }
  });
});
