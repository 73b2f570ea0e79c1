// The one-round-trip join statement against the real Postgres: its verdict is the whole answer to a join, so every
// verdict is covered, and which seats it vouches for alone versus those it leaves LiveKit to confirm (a seat vouched
// wrongly is a kicked candidate).
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
    limits: [{ key: `test:${roomCode}:${Math.random()}`, limit: 5 }],
    windowSeconds: 600,
    windowBeforeMinutes: 15,
    windowAfterMinutes: 120,
    connectGraceSeconds: 20,
    proposedIdentity: `cand_${Math.random().toString(36).slice(2)}`,
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

const kind = async (a: JoinAttempt) => (await runJoinStatement(api.db, a)).kind;

describe('join statement', () => {
  it('admits a first join, marks the room to open, and audits it in the same statement', async () => {
    const interview = await seeded();
    const a = attempt(interview.roomCode);
    const verdict = await runJoinStatement(api.db, a);
    expect(verdict).toEqual({
      kind: 'admitted',
      identity: a.proposedIdentity,
      claimedAt: a.now,
      previousSeat: null,
      previousDispatch: null,
      roomWasOpen: false,
      agentWasDispatched: false,
      interview: expect.objectContaining({ id: interview.id, companyName: 'Acme', maxDurationMinutes: 30 }),
    });
    const row = await api.db
      .selectFrom('interviews')
      .selectAll()
      .where('id', '=', interview.id)
      .executeTakeFirstOrThrow();
    expect(row.candidateIdentity).toBe(a.proposedIdentity);
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

  it('answers a wrong phone, an unknown code, a closed window and a cancelled interview alike, claiming nothing', async () => {
    const wrongPhone = await seeded();
    expect(await runJoinStatement(api.db, attempt(wrongPhone.roomCode, { phone: '+971509999999' }))).toEqual({
      kind: 'no_match',
    });
    expect(await kind(attempt(wrongPhone.roomCode, { phone: null }))).toBe('no_match');
    expect(await kind(attempt('ZZZZZZZZ'))).toBe('no_match');
    expect(await kind({ ...attempt('unused'), target: null })).toBe('no_match');

    const cancelled = await seeded();
    expect((await hr('POST', `/v1/interviews/${cancelled.id}/cancel`, { body: { reason: 'test' } })).status).toBe(200);
    expect(await kind(attempt(cancelled.roomCode))).toBe('no_match');

    const untouched = await api.db
      .selectFrom('interviews')
      .select(['seatClaimedAt', 'candidateIdentity'])
      .where('id', 'in', [wrongPhone.id, cancelled.id])
      .execute();
    expect(untouched).toEqual([
      { seatClaimedAt: null, candidateIdentity: null },
      { seatClaimedAt: null, candidateIdentity: null },
    ]);
  });

  it('opens and closes the window to the second, and says when it opens', async () => {
    const interview = await seeded();
    const row = await api.db
      .selectFrom('interviews')
      .select(['scheduledStart', 'scheduledEnd'])
      .where('id', '=', interview.id)
      .executeTakeFirstOrThrow();
    const opensAt = seconds(row.scheduledStart.getTime() - 15 * 60_000);
    const closesAt = seconds(row.scheduledEnd.getTime() + 120 * 60_000);
    const early = await runJoinStatement(api.db, attempt(interview.roomCode, { now: new Date(opensAt.getTime() - 1500) }));
    expect(early).toEqual({ kind: 'not_open_yet', opensAt, retryAfterSeconds: 2 });
    // Before the window a wrong phone still learns nothing.
    expect(
      await kind(attempt(interview.roomCode, { phone: '+971509999999', now: new Date(opensAt.getTime() - 1000) })),
    ).toBe('no_match');
    expect(await kind(attempt(interview.roomCode, { now: new Date(closesAt.getTime() + 1000) }))).toBe('no_match');
    expect(await kind(attempt(interview.roomCode, { now: opensAt }))).toBe('admitted');
  });

  it('refuses a held seat with the time left on it', async () => {
    const interview = await seeded();
    const first = attempt(interview.roomCode);
    expect(await kind(first)).toBe('admitted');
    const second = await runJoinStatement(api.db, attempt(interview.roomCode, { now: new Date(first.now.getTime() + 5000) }));
    expect(second).toEqual({ kind: 'seat_held', retryAfterSeconds: 15 });
  });

  it('counts the attempt and claims nothing once over the limit, saying when the window resets', async () => {
    const interview = await seeded();
    const limits = [{ key: `test:limited:${interview.id}`, limit: 1 }];
    expect(await kind(attempt(interview.roomCode, { limits, phone: '+971509999999' }))).toBe('no_match');
    const limited = await runJoinStatement(api.db, attempt(interview.roomCode, { limits }));
    expect(limited.kind).toBe('limited');
    expect(limited).toMatchObject({ retryAfterSeconds: expect.any(Number) });
    expect((limited as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(590);
    expect((limited as { retryAfterSeconds: number }).retryAfterSeconds).toBeLessThanOrEqual(600);
    const row = await api.db.selectFrom('interviews').select('seatClaimedAt').where('id', '=', interview.id).executeTakeFirstOrThrow();
    expect(row.seatClaimedAt).toBeNull();
  });

  it("spares the invited candidate's own phone from a limit that says so, and nobody else", async () => {
    const interview = await seeded();
    const limits = [{ key: `test:spared:${interview.id}`, limit: 1, sparesInvited: true }];
    expect(await kind(attempt(interview.roomCode, { limits, phone: '+971509999999' }))).toBe('no_match');
    expect(await kind(attempt(interview.roomCode, { limits, phone: '+971509999998' }))).toBe('limited');
    expect(await kind(attempt(interview.roomCode, { limits }))).toBe('admitted');
  });

  it('admits a rejoin alone only when the last token is accounted for; otherwise claims it for LiveKit to confirm', async () => {
    const interview = await seeded();
    const first = attempt(interview.roomCode);
    const claimed = await runJoinStatement(api.db, first);
    expect(claimed.kind).toBe('admitted');
    const claimedAt = first.now.getTime();
    const later = (ms: number) => attempt(interview.roomCode, { now: new Date(claimedAt + ms) });
    const identity = (claimed as { identity: string }).identity;

    // The token was never seen used: maybe its holder is connecting right now, so LiveKit must decide.
    const unknown = await runJoinStatement(api.db, later(30_000));
    expect(unknown).toMatchObject({ kind: 'check_presence', identity, roomWasOpen: true, previousSeat: first.now });
    // That claim holds the seat like any other.
    expect(await kind(later(31_000))).toBe('seat_held');

    // Connected (per the webhooks) with the token accounted for: never admitted by the database alone.
    await setState(interview.id, { candidateConnected: true, seatClaimedAt: null, candidateEventAt: seconds(claimedAt) });
    expect(await kind(later(60_000))).toBe('check_presence');

    // Away, the last token accounted for: the seat is free and the same identity comes back, room and agent kept.
    await setState(interview.id, { candidateConnected: false, seatClaimedAt: null });
    const rejoin = await runJoinStatement(api.db, later(90_000));
    expect(rejoin).toMatchObject({ kind: 'admitted', identity, roomWasOpen: true, agentWasDispatched: true });

    // That admission is a new token: the same departure does not vouch for the next one.
    expect(await kind(later(120_000))).toBe('check_presence');
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
      // On the first interview, in the same batch: a stranger first, then a second device after the candidate.
      const stranger = attempt(interviews[0]!.roomCode, { phone: '+971509999999' });
      const second = attempt(interviews[0]!.roomCode);
      const results = await Promise.all([stranger, ...attempts, second].map((a) => runJoinStatement(api.db, a)));
      expect(results[0]).toEqual({ kind: 'no_match' });
      results.slice(1, 4).forEach((r, n) => {
        expect(r).toMatchObject({ kind: 'admitted', identity: attempts[n]!.proposedIdentity, interview: { id: interviews[n]!.id } });
      });
      // It finds the seat taken, as it would have in sequence.
      expect(results[4]).toEqual({ kind: 'seat_held', retryAfterSeconds: 20 });
      const times = await auditTimes(interviews.map((i) => i.id));
      expect(times).toHaveLength(3);
      // now() is the transaction's start: three claims, one statement.
      expect(new Set(times).size).toBe(1);
    });

    it('admits one device of many, also when they land in two statements running at once', async () => {
      const interview = await seeded();
      // Batches hold at most 64 joins and two run at once: 100 attempts make two concurrent statements.
      const results = await Promise.all(
        Array.from({ length: 100 }, () => runJoinStatement(api.db, attempt(interview.roomCode))),
      );
      const kinds = results.map((r) => r.kind);
      expect(kinds.filter((k) => k === 'admitted')).toHaveLength(1);
      expect(kinds.filter((k) => k === 'seat_held')).toHaveLength(99);
    });

    it('counts a shared limit as if the attempts came one after another', async () => {
      const interview = await seeded();
      const limits = [{ key: `test:shared:${interview.id}`, limit: 3 }];
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          runJoinStatement(api.db, attempt(interview.roomCode, { limits, phone: '+971509999999' })),
        ),
      );
      expect(results.map((r) => r.kind)).toEqual(['no_match', 'no_match', 'no_match', 'limited', 'limited']);
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
      expect(results[0]).toMatchObject({ kind: 'admitted', interview: { id: byCode!.id } });
      expect(results[1]).toMatchObject({ kind: 'admitted', interview: { id: byLink!.id } });
      expect(results[2]).toEqual({ kind: 'no_match' });
      expect(results[3]).toEqual({ kind: 'no_match' });
    });

    it("one attempt's unstorable value fails that attempt alone", async () => {
      const [good, bad] = await Promise.all([seeded(), seeded()]);
      const results = await Promise.allSettled([
        runJoinStatement(api.db, attempt(good!.roomCode)),
        // Postgres text cannot hold a NUL byte: the whole statement fails, then each attempt runs alone.
        runJoinStatement(api.db, attempt(bad!.roomCode, { proposedIdentity: 'cand_bad\u0000' })),
      ]);
      expect(results[0]).toMatchObject({ status: 'fulfilled', value: { kind: 'admitted' } });
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
