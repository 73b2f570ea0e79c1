import { Room, RoomEvent } from '@livekit/rtc-node';
import { SignJWT, decodeJwt } from 'jose';
import { AgentDispatchClient, RoomServiceClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  client,
  expectOk,
  expectStatus,
  seedCompany,
  seedInterview,
  startTestApi,
  type TestApi,
} from './support/harness.ts';
import { testLivekit } from './support/services.ts';

// The public join against a real LiveKit server: real rooms, real tokens, a real rtc-node participant.

let api: TestApi;
let hr: ReturnType<typeof client>;
let pub: ReturnType<typeof client>;
const rooms = () =>
  new RoomServiceClient(inject('livekitUrl').replace('ws', 'http'), testLivekit.apiKey, testLivekit.apiSecret);
const connected: Room[] = [];

const person = { phone: '+971501234567', firstName: 'Layla', lastName: 'Haddad' };

beforeAll(async () => {
  api = await startTestApi({ env: { AGENT_NAME: `interviewer-test-${process.pid}` } });
  const { key } = await seedCompany(api.db, 'Acme');
  hr = client(api.url, key);
  pub = client(api.url);
});
afterAll(async () => {
  for (const room of connected) await room.disconnect().catch(() => {});
  await api?.stop();
});

async function connect(serverUrl: string, token: string): Promise<Room> {
  const room = new Room();
  await room.connect(serverUrl, token, { autoSubscribe: false, dynacast: false });
  connected.push(room);
  return room;
}

function join(code: string, body: Record<string, unknown> = person) {
  return pub('POST', `/v1/public/rooms/${code}/join`, { body });
}

function withoutInstance(body: Record<string, unknown>) {
  const { instance: _ignored, ...rest } = body;
  return rest;
}

describe('public candidate API', () => {
  it('shows room information by code (any case, dashes, spaces) and by link, with nothing personal', async () => {
    const { interview } = await seedInterview(hr);
    const messy = ` ${interview.roomCode.slice(0, 4).toLowerCase()}-${interview.roomCode.slice(4)} `;
    const byCode = await pub('GET', `/v1/public/rooms/${encodeURIComponent(messy)}`);
    expectStatus(byCode, 200);
    expect(byCode.body).toMatchObject({
      companyName: 'Acme',
      jobTitle: 'Backend Engineer',
      type: 'TECHNICAL',
      maxDurationMinutes: 30,
      status: 'scheduled',
      joinState: 'open',
      defaultPhoneRegion: 'AE',
    });
    const text = JSON.stringify(byCode.body);
    for (const secret of ['Layla', 'Haddad', '501234567', 'layla@example.com', interview.id])
      expect(text).not.toContain(secret);
    const link = new URL(interview.signedLink.url).searchParams.get('link')!;
    const byLink = await pub('GET', `/v1/public/links/${encodeURIComponent(link)}`);
    expect(byLink.body).toEqual(byCode.body);
  });

  it('admits the invited candidate into the right room with a short-lived, narrow token', async () => {
    const { interview } = await seedInterview(hr);
    const r = await join(interview.roomCode, { ...person, phone: '050 123 4567' });
    expectStatus(r, 200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.body).toMatchObject({
      serverUrl: inject('livekitUrl'),
      roomName: interview.roomName,
      displayName: 'Layla Haddad',
      jobTitle: 'Backend Engineer',
      maxDurationMinutes: 30,
    });
    expect(r.body.identity).toMatch(/^cand_/);
    expect(r.body.identity).not.toContain('501234567');

    const claims = decodeJwt(r.body.token) as Record<string, any>;
    expect(claims.exp! - claims.nbf!).toBeLessThanOrEqual(15 * 60);
    expect(claims.video).toMatchObject({
      room: interview.roomName,
      roomJoin: true,
      canPublish: true,
      canPublishSources: ['microphone'],
      canSubscribe: true,
    });
    expect(claims.video.roomCreate ?? false).toBe(false);
    expect(claims.video.roomAdmin ?? false).toBe(false);

    // The room exists with the agreed limits and metadata, and the interviewer was dispatched to it by name.
    const [room] = await rooms().listRooms([interview.roomName]);
    expect(room?.maxParticipants).toBe(3);
    expect(JSON.parse(room!.metadata)).toEqual({ interviewId: interview.id });
    const dispatches = await new AgentDispatchClient(
      inject('livekitUrl').replace('ws', 'http'),
      testLivekit.apiKey,
      testLivekit.apiSecret,
    ).listDispatch(interview.roomName);
    expect(dispatches.map((d) => d.agentName)).toEqual([api.deps.config.livekit.agentName]);
    expect(JSON.parse(dispatches[0]!.metadata)).toEqual({ interviewId: interview.id });

    const participant = await connect(r.body.serverUrl, r.body.token);
    expect(participant.isConnected).toBe(true);
    expect(participant.name).toBe(interview.roomName);
    expect(participant.localParticipant?.identity).toBe(r.body.identity);
    await participant.disconnect();
  });

  it('refuses a second join while the candidate is connected, without kicking them; a rejoin after leaving keeps the identity', async () => {
    const { interview } = await seedInterview(hr);
    const first = await join(interview.roomCode);
    expectStatus(first, 200);
    const participant = await connect(first.body.serverUrl, first.body.token);
    let disconnected = false;
    participant.on(RoomEvent.Disconnected, () => {
      disconnected = true;
    });

    const second = await join(interview.roomCode);
    expectStatus(second, 409);
    expect(second.body.code).toBe('already_connected');
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);

    // Once the connect grace has passed, the answer comes from LiveKit's own participant list.
    api.setNow(new Date(Date.now() + 60_000));
    const third = await join(interview.roomCode);
    expectStatus(third, 409);
    expect(third.body.code).toBe('already_connected');
    const present = (await rooms().listParticipants(interview.roomName)).map((p) => p.identity);
    expect(present).toContain(first.body.identity);
    expect(participant.isConnected).toBe(true);
    expect(disconnected).toBe(false);

    await participant.disconnect();
    api.setNow(new Date(Date.now() + 120_000));
    // LiveKit drops the participant from its list once the leave is processed; the join asks it each time.
    // A deadline, not a count of tries: how soon LiveKit gets to the leave depends on how busy the machine is.
    let rejoin = await join(interview.roomCode);
    for (const deadline = Date.now() + 20_000; rejoin.status === 409 && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 100));
      rejoin = await join(interview.roomCode);
    }
    expectStatus(rejoin, 200);
    expect(rejoin.body.identity).toBe(first.body.identity);
    api.setNow(null);
  });

  it('gives the same answer for a wrong phone, an unknown code and a closed window', async () => {
    const open = await seedInterview(hr);
    // The API refuses a schedule whose window has already closed, so this one's schedule passes after creation.
    const past = await seedInterview(hr);
    await api.db
      .updateTable('interviews')
      .set({ scheduledStart: new Date(Date.now() - 5 * 3600_000), scheduledEnd: new Date(Date.now() - 4 * 3600_000) })
      .where('id', '=', past.interview.id)
      .execute();
    const wrongPhone = await join(open.interview.roomCode, { ...person, phone: '+971509999999' });
    const unknownCode = await join('ZZZZ2222');
    const malformedCode = await join('not-a-code!');
    const closed = await join(past.interview.roomCode);
    for (const r of [wrongPhone, unknownCode, malformedCode, closed]) {
      expectStatus(r, 404);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(withoutInstance(r.body)).toEqual(withoutInstance(wrongPhone.body));
    }
    const cancelled = await seedInterview(hr);
    await hr('POST', `/v1/interviews/${cancelled.interview.id}/cancel`, { body: {} });
    expect(withoutInstance((await join(cancelled.interview.roomCode)).body)).toEqual(withoutInstance(wrongPhone.body));
  });

  it('opens the window exactly 15 minutes before the start and closes it 2 hours after the end (±1 s)', async () => {
    const start = new Date(Math.ceil((Date.now() + 24 * 3600_000) / 1000) * 1000);
    const end = new Date(start.getTime() + 30 * 60_000);
    const opensAt = new Date(start.getTime() - 15 * 60_000);
    const closesAt = new Date(end.getTime() + 2 * 3600_000);
    const early = await seedInterview(hr, { start, end });
    const late = await seedInterview(hr, { start, end });
    const after = await seedInterview(hr, { start, end });

    api.setNow(new Date(opensAt.getTime() - 1000));
    const tooEarly = await join(early.interview.roomCode);
    expectStatus(tooEarly, 409);
    expect(tooEarly.body).toMatchObject({ code: 'not_open_yet', opensAt: opensAt.toISOString() });
    expect(tooEarly.headers.get('retry-after')).toBe('1');
    // Before the window, a wrong phone still learns nothing.
    expect((await join(early.interview.roomCode, { ...person, phone: '+971509999999' })).status).toBe(404);

    api.setNow(opensAt);
    expect((await join(early.interview.roomCode)).status).toBe(200);

    api.setNow(closesAt);
    expect((await join(late.interview.roomCode)).status).toBe(200);
    api.setNow(new Date(closesAt.getTime() + 1000));
    expect((await join(after.interview.roomCode)).status).toBe(404);
    api.setNow(null);
  });

  it('joins with the signed link inside its window, and refuses a tampered link', async () => {
    const { interview } = await seedInterview(hr);
    const token = new URL(interview.signedLink.url).searchParams.get('link')!;
    const ok = await pub('POST', `/v1/public/links/${encodeURIComponent(token)}/join`, { body: person });
    expectStatus(ok, 200);
    expect(ok.body.roomName).toBe(interview.roomName);
    const [head, payload, sig] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), v: 7 }),
    ).toString('base64url');
    const tampered = await pub('POST', `/v1/public/links/${head}.${forged}.${sig}/join`, { body: person });
    expectStatus(tampered, 404);
  });

  it('LiveKit itself refuses tokens for a room that does not exist, expired tokens and tampered tokens', async () => {
    const { interview } = await seedInterview(hr);
    const good = await join(interview.roomCode);
    expectStatus(good, 200);
    const url = good.body.serverUrl as string;
    const secret = new TextEncoder().encode(testLivekit.apiSecret);
    const now = Math.floor(Date.now() / 1000);
    const grant = { roomJoin: true, canPublish: true, canSubscribe: true };

    // auto_create is off, so a token for an unknown room cannot conjure one up.
    const wrongRoom = await new SignJWT({ video: { ...grant, room: 'interview-does-not-exist' }, sub: 'cand_x' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(testLivekit.apiKey)
      .setNotBefore(now - 10)
      .setExpirationTime(now + 600)
      .sign(secret);
    const expired = await new SignJWT({ video: { ...grant, room: interview.roomName }, sub: good.body.identity })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(testLivekit.apiKey)
      .setNotBefore(now - 1200)
      .setExpirationTime(now - 600)
      .sign(secret);
    const [h, p, s] = (good.body.token as string).split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, video: { ...claims.video, roomAdmin: true } })).toString('base64url')}.${s}`;

    for (const [label, token] of [
      ['wrong room', wrongRoom],
      ['expired', expired],
      ['tampered', tampered],
    ] as const) {
      const room = new Room();
      await expect(room.connect(url, token, { autoSubscribe: false, dynacast: false }), label).rejects.toThrow();
      await room.disconnect().catch(() => {});
    }
    expect((await rooms().listRooms(['interview-does-not-exist'])).length).toBe(0);
  });

  it('ends the session with the token from the join: interview completed, room deleted', async () => {
    const { interview } = await seedInterview(hr);
    const joined = await join(interview.roomCode);
    expectOk(joined);
    const participant = await connect(joined.body.serverUrl, joined.body.token);
    expect(participant.isConnected).toBe(true);

    expect((await pub('POST', '/v1/public/session/end')).status).toBe(401);
    expect((await pub('POST', '/v1/public/session/end', { key: `${joined.body.token}x` })).status).toBe(401);
    expect((await pub('GET', '/v1/public/session', { key: `${joined.body.token}x` })).status).toBe(401);
    expect((await pub('GET', '/v1/public/session', { key: joined.body.token })).body).toEqual({
      status: 'scheduled',
      endReason: null,
    });
    const ended = await pub('POST', '/v1/public/session/end', { key: joined.body.token });
    expectStatus(ended, 200);
    expect(ended.body).toEqual({ status: 'completed', endReason: 'candidate_ended' });
    expect(await rooms().listRooms([interview.roomName])).toEqual([]);
    // The Done page asks afterwards, with the same token, why the interview ended.
    expect((await pub('GET', '/v1/public/session', { key: joined.body.token })).body).toEqual({
      status: 'completed',
      endReason: 'candidate_ended',
    });
    const detail = await hr('GET', `/v1/interviews/${interview.id}`);
    expect(detail.body.status).toBe('completed');
    // A finished interview cannot be joined again.
    expect((await join(interview.roomCode)).status).toBe(404);
  });

  it("a rejoin needs only the phone (HR's name is shown); the answer carries the server's deadline, the answer mode and the contact", async () => {
    const { interview } = await seedInterview(hr);
    const info = await pub('GET', `/v1/public/rooms/${interview.roomCode}`);
    expectStatus(info, 200);
    expect(info.body).toMatchObject({ startsAt: interview.scheduledStart, contactEmail: null });
    const first = await join(interview.roomCode);
    expectStatus(first, 200);
    // Not started yet; this API has no speech recognition configured, so answers are typed.
    expect(first.body).toMatchObject({ deadlineAt: null, answers: 'typed', contactEmail: null });
    // Started on the server's clock, the candidate gone (a reload): the seat is free again.
    const deadline = new Date(Date.now() + 20 * 60_000);
    await api.db
      .updateTable('interviews')
      .set({ status: 'in_progress', startedAt: new Date(), deadlineAt: deadline, seatClaimedAt: null })
      .where('id', '=', interview.id)
      .execute();
    const again = await join(interview.roomCode, { phone: '050 123 4567' });
    expectStatus(again, 200);
    expect(again.body).toMatchObject({
      identity: first.body.identity,
      displayName: 'Layla Haddad',
      deadlineAt: deadline.toISOString(),
    });
    expect(decodeJwt(again.body.token).name).toBe('Layla Haddad');
    // A name half given is still refused in words.
    expect((await join(interview.roomCode, { phone: '050 123 4567', firstName: '' })).status).toBe(400);
  });
});
