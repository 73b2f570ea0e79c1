import type { Server } from 'node:http';
import { Room } from '@livekit/rtc-node';
import { RoomServiceClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../api/app.ts';
import { createLiveKitGateway } from '../api/livekit/gateway.ts';
import { client, expectStatus, seedCompany, seedInterview, startTestApi, type TestApi } from './support/harness.ts';
import { testLivekit } from './support/services.ts';

// A rejoin whose seat the database cannot vouch for is decided by LiveKit's word on the room: a seat still held by
// a connection that died with its LiveKit node is taken back, a candidate really connected keeps it, and a LiveKit
// that cannot answer is a 503. Refusals of the invited candidate's own phone do not use up its rate limit.

const perPhone = 3;
let api: TestApi;
/** The same API and database with LiveKit unreachable: nothing listens on the discard port. */
let down: { url: string; server: Server };
let hr: ReturnType<typeof client>;
const rooms = () =>
  new RoomServiceClient(inject('livekitUrl').replace('ws', 'http'), testLivekit.apiKey, testLivekit.apiSecret);
const connected: Room[] = [];
// A phone of its own per test: the per-phone counter is what these tests watch.
const phones = ['+971501230001', '+971501230002', '+971501230003'];
let clockAhead = 0;

beforeAll(async () => {
  api = await startTestApi({
    env: { AGENT_NAME: `interviewer-test-${process.pid}`, RATE_LIMIT_PER_PHONE: String(perPhone) },
  });
  const app = createApp({
    ...api.deps,
    livekit: createLiveKitGateway({ ...api.deps.config.livekit, url: 'http://127.0.0.1:9' }),
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  down = { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, server };
  hr = client(api.url, (await seedCompany(api.db, 'Acme')).key);
});
afterAll(async () => {
  for (const room of connected) await room.disconnect().catch(() => {});
  await new Promise<void>((resolve) => down?.server.close(() => resolve()));
  down?.server.closeAllConnections();
  await api?.stop();
});

function join(code: string, phone: string, via = api.url) {
  return client(via)('POST', `/v1/public/rooms/${code}/join`, {
    body: { phone, firstName: 'Layla', lastName: 'Haddad' },
  });
}

/** Moves the API's clock a minute on: past the connect grace of any seat claimed so far. */
function pastTheGrace() {
  clockAhead += 60_000;
  api.setNow(new Date(Date.now() + clockAhead));
}

/** What a LiveKit node that died leaves in the database: the candidate arrived and was never seen leaving. */
async function diedWithItsNode(interviewId: string) {
  await api.db
    .updateTable('interviews')
    .set({ candidateConnected: true, candidateEventAt: new Date() })
    .where('id', '=', interviewId)
    .execute();
  // Past the connect grace: the seat is no longer held by a token just issued, so LiveKit is asked.
  pastTheGrace();
}

async function joinAudits(interviewId: string) {
  return api.db
    .selectFrom('auditLog')
    .select('details')
    .where('targetId', '=', interviewId)
    .where('action', '=', 'candidate.join')
    .execute();
}

describe('a rejoin while the seat looks taken', () => {
  it('takes the seat back when the candidate is not in the room, and opens the room again when it is gone', async () => {
    const { interview } = await seedInterview(hr, { phone: phones[0]! });
    const first = await join(interview.roomCode, phones[0]!);
    expectStatus(first, 200);
    await diedWithItsNode(interview.id);

    // The room is there (the interviewer's side of it), the candidate is not: admitted, same identity, audited.
    const rejoin = await join(interview.roomCode, phones[0]!);
    expectStatus(rejoin, 200);
    expect(rejoin.body.identity).toBe(first.body.identity);
    expect(await joinAudits(interview.id)).toHaveLength(2);

    // The room itself gone (its node died and nobody opened it again): the join opens it.
    await diedWithItsNode(interview.id);
    await rooms().deleteRoom(interview.roomName);
    expect(await rooms().listRooms([interview.roomName])).toEqual([]);
    const again = await join(interview.roomCode, phones[0]!);
    expectStatus(again, 200);
    expect((await rooms().listRooms([interview.roomName])).map((r) => r.name)).toEqual([interview.roomName]);
    api.setNow(null);
  });

  it('refuses with 409 while the candidate is really connected, without using up their rate limit', async () => {
    const { interview } = await seedInterview(hr, { phone: phones[1]! });
    const first = await join(interview.roomCode, phones[1]!);
    expectStatus(first, 200);
    const room = new Room();
    await room.connect(first.body.serverUrl, first.body.token, { autoSubscribe: false, dynacast: false });
    connected.push(room);
    pastTheGrace();

    // More refusals than the phone's limit allows: each is a 409, never a 429.
    for (let i = 0; i < perPhone + 2; i++) {
      const refused = await join(interview.roomCode, phones[1]!);
      expectStatus(refused, 409);
      expect(refused.body.code).toBe('already_connected');
    }
    expect(room.isConnected).toBe(true);

    await room.disconnect();
    // LiveKit drops the participant from its list once the leave is processed: the join asks it each time.
    await expect.poll(async () => (await join(interview.roomCode, phones[1]!)).status, { timeout: 20_000 }).toBe(200);
    api.setNow(null);
  });

  it('answers 503 when LiveKit cannot say, gives the seat back, and does not count it against the candidate', async () => {
    const { interview } = await seedInterview(hr, { phone: phones[2]! });
    const first = await join(interview.roomCode, phones[2]!);
    expectStatus(first, 200);
    await diedWithItsNode(interview.id);
    const seatBefore = await api.db
      .selectFrom('interviews')
      .select('seatClaimedAt')
      .where('id', '=', interview.id)
      .executeTakeFirstOrThrow();

    for (let i = 0; i < perPhone + 2; i++) {
      const unavailable = await join(interview.roomCode, phones[2]!, down.url);
      expectStatus(unavailable, 503);
      expect(unavailable.body.code).toBe('upstream_unavailable');
      expect(Number(unavailable.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    const seatAfter = await api.db
      .selectFrom('interviews')
      .select('seatClaimedAt')
      .where('id', '=', interview.id)
      .executeTakeFirstOrThrow();
    expect(seatAfter).toEqual(seatBefore);

    // LiveKit reachable again: the same candidate gets in.
    const rejoin = await join(interview.roomCode, phones[2]!);
    expectStatus(rejoin, 200);
    expect(rejoin.body.identity).toBe(first.body.identity);
    api.setNow(null);
  });
});
