import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLink } from '../api/interviews/signed-link.ts';
import { roomCodeAlphabet } from '../shared/room-code.ts';
import { bodyOf, client, expectStatus, seedCompany, seedInterview, startTestApi, type TestApi } from './support/harness.ts';

let api: TestApi;
let call: ReturnType<typeof client>;

beforeAll(async () => {
  api = await startTestApi();
  const { key } = await seedCompany(api.db, 'Acme');
  call = client(api.url, key);
});
afterAll(() => api?.stop());

const linkToken = (url: string) => new URL(url).searchParams.get('link')!;

describe('interviews', () => {
  it('creation issues a room code, room name, join URL and a signed link valid for the join window', async () => {
    const start = new Date('2030-01-15T09:00:00Z');
    const end = new Date('2030-01-15T09:45:00Z');
    const { interview } = await seedInterview(call, { start, end });
    expect(interview.status).toBe('scheduled');
    expect(interview.roomCode).toMatch(new RegExp(`^[${roomCodeAlphabet}]{8}$`));
    expect(interview.roomName).toBe(`${api.deps.config.livekit.roomPrefix}${interview.id}`);
    expect(interview.joinUrl).toBe(`http://interviews.test/join/${interview.roomCode.slice(0, 4)}-${interview.roomCode.slice(4)}`);
    expect(interview.signedLink).toMatchObject({
      version: 1,
      validFrom: '2030-01-15T08:45:00.000Z',
      expiresAt: '2030-01-15T11:45:00.000Z',
      currentlyValid: false,
    });
    const verdict = verifyLink(api.deps.config.links.secret, linkToken(interview.signedLink.url), new Date('2030-01-15T09:00:00Z'));
    expect(verdict).toMatchObject({ ok: true, claims: { interviewId: interview.id, version: 1 } });
    // The link validity is configurable; a tampered token fails in constant time.
    // Flip the signature's first character: the last one of a 32-byte HMAC in base64url carries padding bits only.
    const [head, payload, sig] = linkToken(interview.signedLink.url).split('.') as [string, string, string];
    const tampered = `${head}.${payload}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    expect(verifyLink(api.deps.config.links.secret, tampered, new Date('2030-01-15T09:00:00Z')).ok).toBe(false);
  });

  it('defaults the schedule to now plus the max duration and the language to the job', async () => {
    const { interview } = await seedInterview(call, { maxDurationMinutes: 20 });
    const start = Date.parse(interview.scheduledStart);
    expect(Date.parse(interview.scheduledEnd) - start).toBe(20 * 60_000);
    expect(Math.abs(start - Date.now())).toBeLessThan(60_000);
    expect(interview.language).toBe('en');
    expect(interview.signedLink.currentlyValid).toBe(true);
  });

  it('regenerating the link bumps its version and the old link stops working', async () => {
    const { interview } = await seedInterview(call);
    const oldToken = linkToken(interview.signedLink.url);
    expect((await call('GET', `/v1/public/links/${oldToken}`, { key: null })).status).toBe(200);

    const regenerated = await call('POST', `/v1/interviews/${interview.id}/link/regenerate`);
    expectStatus(regenerated, 200);
    expect(regenerated.body.version).toBe(2);
    const current = await call('GET', `/v1/interviews/${interview.id}/link`);
    expectStatus(current, 200);
    expect(current.body).toMatchObject({ version: 2, url: regenerated.body.url, currentlyValid: true });

    expect((await call('GET', `/v1/public/links/${oldToken}`, { key: null })).status).toBe(404);
    const oldJoin = await call('POST', `/v1/public/links/${oldToken}/join`, {
      key: null,
      body: { phone: '+971501234567', firstName: 'Layla', lastName: 'Haddad' },
    });
    expectStatus(oldJoin, 404);
    expect((await call('GET', `/v1/public/links/${linkToken(regenerated.body.url)}`, { key: null })).status).toBe(200);
  });

  it('cancels a scheduled interview, records the timeline, and refuses to cancel twice', async () => {
    const { interview } = await seedInterview(call);
    const cancelled = await call('POST', `/v1/interviews/${interview.id}/cancel`, { body: { reason: 'position filled' } });
    expectStatus(cancelled, 200);
    // The end reason is from the closed vocabulary; HR's own words are a note on the timeline step.
    expect(cancelled.body).toMatchObject({ status: 'cancelled', endReason: 'cancelled_by_hr' });
    expect(cancelled.body.endedAt).toBeTruthy();

    const again = await call('POST', `/v1/interviews/${interview.id}/cancel`, { body: {} });
    expectStatus(again, 409);
    expect(again.body.code).toBe('invalid_state');

    const detail = bodyOf(await call('GET', `/v1/interviews/${interview.id}`), 200);
    expect(detail.timeline.map((t) => [t.from, t.to])).toEqual([
      [null, 'scheduled'],
      ['scheduled', 'cancelled'],
    ]);
    expect(detail.timeline[1]?.actor).toMatch(/^api_key:/);
    expect(detail.timeline[1]).toMatchObject({ reason: 'cancelled_by_hr', note: 'position filled' });
  });

  it('lists interviews with filters', async () => {
    const a = await seedInterview(call, { start: new Date('2031-03-01T10:00:00Z') });
    const b = await seedInterview(call, { start: new Date('2031-03-02T10:00:00Z') });
    await call('POST', `/v1/interviews/${b.interview.id}/cancel`, { body: {} });

    const cancelled = bodyOf(await call('GET', '/v1/interviews?status=cancelled'), 200);
    expect(cancelled.items.every((i) => i.status === 'cancelled')).toBe(true);
    expect(cancelled.items.map((i) => i.id)).toContain(b.interview.id);

    const inMarch = await call(
      'GET',
      `/v1/interviews?scheduledFrom=2031-03-01T00:00:00Z&scheduledTo=2031-03-02T00:00:00Z&status=scheduled,in_progress`,
    );
    expect(bodyOf(inMarch, 200).items.map((i) => i.id)).toEqual([a.interview.id]);

    const byJob = bodyOf(await call('GET', `/v1/interviews?jobId=${a.job.id}`), 200);
    expect(byJob.items.map((i) => i.id)).toEqual([a.interview.id]);

    const badFilter = await call('GET', '/v1/interviews?status=done');
    expectStatus(badFilter, 400);
    expect(badFilter.body.errors?.[0]?.path).toMatch(/^query\.status/);
  });

  it('refuses a language with no interviewer voice when the interview is created, naming the field', async () => {
    // Arabic is offered by default (SPEECH_LANGUAGES=en,ar): accepted.
    const { job, candidate } = await seedInterview(call);
    const body = { candidateId: candidate.id, jobId: job.id, type: 'TECHNICAL', maxDurationMinutes: 30 };
    expect(bodyOf(await call('POST', '/v1/interviews', { body: { ...body, language: 'ar' } }), 201).language).toBe('ar');
    // A deployment that offers English only refuses it, and a language nobody offers, before anything is written.
    const englishOnly = await startTestApi({ env: { SPEECH_LANGUAGES: 'en' } });
    try {
      const { key } = await seedCompany(englishOnly.db, 'English only');
      const hr = client(englishOnly.url, key);
      const seeded = await seedInterview(hr);
      const refused = await hr('POST', '/v1/interviews', {
        body: { ...body, candidateId: seeded.candidate.id, jobId: seeded.job.id, language: 'ar' },
      });
      expectStatus(refused, 400);
      expect(refused.body.errors).toEqual([
        { path: 'body.language', message: expect.stringContaining('no interviewer voice for "ar"') },
      ]);
      expect(refused.body.errors?.[0]?.message).toContain('offered: en');
      const unknown = await hr('POST', '/v1/interviews', {
        body: { ...body, candidateId: seeded.candidate.id, jobId: seeded.job.id, language: 'fr' },
      });
      expectStatus(unknown, 400);
      expect(unknown.body.errors?.[0]?.path).toBe('body.language');
    } finally {
      await englishOnly.stop();
    }
  });

  it('refuses a schedule whose join window has already closed (it could only expire), naming the field', async () => {
    const { job, candidate } = await seedInterview(call);
    const after = api.deps.config.links.windowAfterMinutes;
    const now = new Date('2031-06-01T12:00:00Z');
    const at = (seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();
    const window = after * 60;
    const create = (schedule: Record<string, unknown>) =>
      call('POST', '/v1/interviews', {
        body: { candidateId: candidate.id, jobId: job.id, type: 'TECHNICAL', maxDurationMinutes: 30, ...schedule },
      });
    const count = async () => bodyOf(await call('GET', `/v1/interviews?candidateId=${candidate.id}`), 200).items.length;
    api.setNow(now);
    try {
      const before = await count();
      // Ended a second too long ago: the window closed a second before now.
      const ended = await create({ scheduledStart: at(-window - 1800 - 1), scheduledEnd: at(-window - 1) });
      expectStatus(ended, 400);
      expect(ended.body.code).toBe('validation_failed');
      expect(ended.body.errors).toEqual([{ path: 'body.scheduledEnd', message: expect.stringContaining(at(-1)) }]);
      // Without an end, the end follows from the start: the start is the field to move.
      const started = await create({ scheduledStart: at(-window - 1800 - 1) });
      expectStatus(started, 400);
      expect(started.body.errors?.map((e) => e.path)).toEqual(['body.scheduledStart']);
      expect(await count()).toBe(before);

      // The same rule as the join: a window closing this very second is still open, and so is a started one.
      const lastSecond = await create({ scheduledStart: at(-window - 1800), scheduledEnd: at(-window) });
      expectStatus(lastSecond, 201);
      expect(lastSecond.body.signedLink.expiresAt).toBe(now.toISOString());
      const running = await create({ scheduledStart: at(-600) });
      expectStatus(running, 201);
      expect(await count()).toBe(before + 2);
    } finally {
      api.setNow(null);
    }
  });

  it('rejects an interview that ends before it starts, or for an unknown job', async () => {
    const { job, candidate } = await seedInterview(call);
    const backwards = await call('POST', '/v1/interviews', {
      body: {
        candidateId: candidate.id,
        jobId: job.id,
        type: 'TECHNICAL',
        scheduledStart: '2030-01-01T10:00:00Z',
        scheduledEnd: '2030-01-01T09:00:00Z',
      },
    });
    expectStatus(backwards, 400);
    expect(backwards.body.errors?.[0]?.path).toBe('body.scheduledEnd');
    const unknownJob = await call('POST', '/v1/interviews', {
      body: { candidateId: candidate.id, jobId: '00000000-0000-4000-8000-000000000000', type: 'TECHNICAL' },
    });
    expectStatus(unknownJob, 404);
    const badType = await call('POST', '/v1/interviews', { body: { candidateId: candidate.id, jobId: job.id, type: 'CHAT' } });
    expectStatus(badType, 400);
  });
});
