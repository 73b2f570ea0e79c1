// The one-round-trip join statement against the real Postgres: which seats it claims on its own, and which it leaves
// to the slower path that asks LiveKit. A claim it makes wrongly is a kicked candidate, so every refusal is covered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJoinStatement, type JoinAttempt } from '../api/public/join-statement.ts';
import { client, seedCompany, seedInterview, startTestApi, type TestApi } from './support/harness.ts';

let api: TestApi;
let hr: ReturnType<typeof client>;

beforeAll(async () => {
  api = await startTestApi({ env: { AGENT_NAME: `nobody-join-statement-${process.pid}` } });
  const { key } = await seedCompany(api.db, 'Acme');
  hr = client(api.url, key);
});
afterAll(() => api?.stop());

const phone = '+971501234567';

function attempt(roomCode: string, overrides: Partial<JoinAttempt> = {}): JoinAttempt {
  const now = overrides.now ?? new Date();
  return {
    target: { roomCode },
    phone,
    phoneGuess: null,
    limits: [{ key: `test:${roomCode}:${Math.random()}`, limit: 5 }],
    windowSeconds: 600,
    windowBeforeMinutes: 15,
    windowAfterMinutes: 120,
    leaseUntil: new Date(now.getTime() + 20_000),
    proposedIdentity: `cand_${Math.random().toString(36).slice(2)}`,
    displayName: 'Layla Haddad',
    now,
    actor: { type: 'candidate', id: null, ip: '203.0.113.9', userAgent: 'test' },
    via: 'code',
    ...overrides,
  };
}

async function seeded() {
  const { interview } = await seedInterview(hr, { phone });
  return interview as { id: string; roomCode: string };
}

const setState = (id: string, values: Record<string, unknown>) =>
  api.db.updateTable('interviews').set(values).where('id', '=', id).execute();

const seconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);

describe('join statement', () => {
  it('claims a first join, marks the room to open, and audits it in the same statement', async () => {
    const interview = await seeded();
    const a = attempt(interview.roomCode);
    const result = await runJoinStatement(api.db, a);
    expect(result.allowed).toBe(true);
    expect(result.interview).toMatchObject({ id: interview.id, candidatePhone: phone, companyName: 'Acme' });
    expect(result.interview!.scheduledStart).toBeInstanceOf(Date);
    expect(result.claim).toEqual({ identity: a.proposedIdentity, roomWasOpen: false, agentWasDispatched: false });
    const row = await api.db
      .selectFrom('interviews')
      .selectAll()
      .where('id', '=', interview.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ candidateIdentity: a.proposedIdentity, candidateDisplayName: 'Layla Haddad' });
    expect(row.roomCreatedAt).toEqual(a.now);
    expect(row.seatClaimedAt).toEqual(a.now);
    const audit = await api.db
      .selectFrom('auditLog')
      .selectAll()
      .where('targetId', '=', interview.id)
      .where('action', '=', 'candidate.join')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actorType: 'candidate',
      ip: '203.0.113.9',
      details: { via: 'code', identity: a.proposedIdentity },
    });
  });

  it('reads the interview but claims nothing for a wrong phone, a held seat, a closed window or a cancelled interview', async () => {
    const wrongPhone = await seeded();
    const r1 = await runJoinStatement(api.db, attempt(wrongPhone.roomCode, { phone: '+971509999999' }));
    expect(r1.interview?.id).toBe(wrongPhone.id);
    expect(r1.claim).toBeUndefined();

    const held = await seeded();
    expect((await runJoinStatement(api.db, attempt(held.roomCode))).claim).toBeDefined();
    expect((await runJoinStatement(api.db, attempt(held.roomCode))).claim).toBeUndefined();

    const early = await seeded();
    const scheduled = (
      await api.db
        .selectFrom('interviews')
        .select('scheduledStart')
        .where('id', '=', early.id)
        .executeTakeFirstOrThrow()
    ).scheduledStart;
    const opensAt = seconds(scheduled.getTime() - 15 * 60_000);
    const before = await runJoinStatement(api.db, attempt(early.roomCode, { now: new Date(opensAt.getTime() - 1000) }));
    expect(before.claim).toBeUndefined();
    const atOpening = await runJoinStatement(api.db, attempt(early.roomCode, { now: opensAt }));
    expect(atOpening.claim).toBeDefined();

    const cancelled = await seeded();
    expect((await hr('POST', `/v1/interviews/${cancelled.id}/cancel`, { body: { reason: 'test' } })).status).toBe(200);
    expect((await runJoinStatement(api.db, attempt(cancelled.roomCode))).claim).toBeUndefined();

    const unknown = await runJoinStatement(api.db, attempt('ZZZZZZZZ'));
    expect(unknown).toMatchObject({ allowed: true, interview: undefined, claim: undefined });
  });

  it('counts the attempt and claims nothing once over the limit', async () => {
    const interview = await seeded();
    const limits = [{ key: `test:limited:${interview.id}`, limit: 1 }];
    expect(
      (await runJoinStatement(api.db, attempt(interview.roomCode, { limits, phone: '+971509999999' }))).allowed,
    ).toBe(true);
    const limited = await runJoinStatement(api.db, attempt(interview.roomCode, { limits }));
    expect(limited.allowed).toBe(false);
    expect(limited.counters).toEqual([{ key: limits[0]!.key, hits: 2, windowStart: expect.any(Date) }]);
    expect(limited.claim).toBeUndefined();
  });

  it('claims a rejoin alone only when the candidate was seen arriving and then leaving since the last token', async () => {
    const interview = await seeded();
    const first = attempt(interview.roomCode);
    const claimed = await runJoinStatement(api.db, first);
    expect(claimed.claim?.roomWasOpen).toBe(false);
    const claimedAt = first.now.getTime();
    const later = (ms: number) => attempt(interview.roomCode, { now: new Date(claimedAt + ms) });

    // The token was never seen used: maybe its holder is connecting right now, so LiveKit must decide.
    expect((await runJoinStatement(api.db, later(30_000))).claim).toBeUndefined();

    // Connected (per the webhooks): never claimed by the database.
    await setState(interview.id, { candidateConnected: true, candidateJoinedEventAt: seconds(claimedAt + 2000) });
    expect((await runJoinStatement(api.db, later(30_000))).claim).toBeUndefined();

    // A late participant_left from a connection older than the last token does not vouch for the seat.
    await setState(interview.id, {
      candidateConnected: false,
      candidateJoinedEventAt: seconds(claimedAt - 60_000),
      candidateLeftAt: new Date(claimedAt + 10_000),
    });
    expect((await runJoinStatement(api.db, later(30_000))).claim).toBeUndefined();

    // Arrived after the token was issued, then left: the seat is free and the same identity comes back.
    await setState(interview.id, {
      candidateJoinedEventAt: seconds(claimedAt + 2000),
      candidateLeftAt: new Date(claimedAt + 10_000),
    });
    const rejoin = await runJoinStatement(api.db, later(30_000));
    expect(rejoin.claim).toEqual({ identity: claimed.claim!.identity, roomWasOpen: true, agentWasDispatched: true });

    // That claim is a new token: the same departure does not vouch for the next one.
    expect((await runJoinStatement(api.db, later(60_000))).claim).toBeUndefined();
  });

  describe('joins arriving together share one statement', () => {
    const auditTimes = async (ids: string[]) =>
      (
        await api.db
          .selectFrom('auditLog')
          .select('at')
          .where('targetId', 'in', ids)
          .where('action', '=', 'candidate.join')
          .execute()
      ).map((r) => r.at.getTime());

    it('claims each seat once, audits each claim, and runs them as one transaction', async () => {
      const interviews = await Promise.all([seeded(), seeded(), seeded()]);
      const attempts = interviews.map((i) => attempt(i.roomCode));
      // A second device on the first interview, in the same batch: it finds the seat taken, as it would in sequence.
      const second = attempt(interviews[0]!.roomCode);
      const results = await Promise.all([...attempts, second].map((a) => runJoinStatement(api.db, a)));
      results.slice(0, 3).forEach((r, n) => {
        expect(r.interview?.id).toBe(interviews[n]!.id);
        expect(r.claim).toEqual({ identity: attempts[n]!.proposedIdentity, roomWasOpen: false, agentWasDispatched: false });
      });
      expect(results[3]).toMatchObject({ allowed: true, claim: undefined, interview: { id: interviews[0]!.id } });
      const times = await auditTimes(interviews.map((i) => i.id));
      expect(times).toHaveLength(3);
      // now() is the transaction's start: three claims, one statement.
      expect(new Set(times).size).toBe(1);
    });

    it('counts a shared limit as if the attempts came one after another', async () => {
      const interview = await seeded();
      const limits = [{ key: `test:shared:${interview.id}`, limit: 3 }];
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          runJoinStatement(api.db, attempt(interview.roomCode, { limits, phone: '+971509999999' })),
        ),
      );
      expect(results.map((r) => r.counters[0]!.hits)).toEqual([1, 2, 3, 4, 5]);
      expect(results.map((r) => r.allowed)).toEqual([true, true, true, false, false]);
      const stored = await api.db
        .selectFrom('rateLimits')
        .select('hits')
        .where('key', '=', limits[0]!.key)
        .executeTakeFirstOrThrow();
      expect(stored.hits).toBe(5);
    });

    it('finds code and link targets in the same batch', async () => {
      const [byCode, byLink] = await Promise.all([seeded(), seeded()]);
      const results = await Promise.all([
        runJoinStatement(api.db, attempt(byCode!.roomCode)),
        runJoinStatement(api.db, {
          ...attempt('unused'),
          target: { interviewId: byLink!.id, linkVersion: 1 },
          via: 'link',
        }),
        runJoinStatement(api.db, {
          ...attempt('unused'),
          target: { interviewId: byLink!.id, linkVersion: 99 },
          via: 'link',
        }),
        runJoinStatement(api.db, { ...attempt('unused'), target: null }),
      ]);
      expect(results[0]!.claim).toBeDefined();
      expect(results[1]).toMatchObject({ interview: { id: byLink!.id }, claim: expect.anything() });
      expect(results[2]).toMatchObject({ interview: undefined, claim: undefined });
      expect(results[3]).toMatchObject({ allowed: true, interview: undefined, claim: undefined });
    });

    it("one attempt's unstorable value fails that attempt alone", async () => {
      const [good, bad] = await Promise.all([seeded(), seeded()]);
      const results = await Promise.allSettled([
        runJoinStatement(api.db, attempt(good!.roomCode)),
        // Postgres text cannot hold a NUL byte: the whole statement fails, then each attempt runs alone.
        runJoinStatement(api.db, attempt(bad!.roomCode, { displayName: 'Bad\u0000Name' })),
      ]);
      expect(results[0]).toMatchObject({ status: 'fulfilled', value: { claim: expect.anything() } });
      expect(results[1]!.status).toBe('rejected');
      const row = await api.db
        .selectFrom('interviews')
        .select('candidateIdentity')
        .where('id', '=', bad!.id)
        .executeTakeFirstOrThrow();
      expect(row.candidateIdentity).toBeNull();
    });
  });
});
