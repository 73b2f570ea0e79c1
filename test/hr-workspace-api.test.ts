import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, client, expectStatus, seedCompany, startTestApi, type TestApi } from './support/harness.ts';

// The HR workspace's API (issue 15): the interview list with its filters, name search and keyset pages, over the
// real app and a real Postgres. Company B's records are there to prove none of them ever shows in company A's lists.

let api: TestApi;
let call: ReturnType<typeof client>;
let other: ReturnType<typeof client>;

type Call = ReturnType<typeof client>;

async function createJob(c: Call, title: string) {
  return bodyOf(
    await c('POST', '/v1/jobs', {
      body: {
        title,
        description: 'Ledgers in TypeScript.',
        competencies: [
          { key: 'system_design', name: 'System design', description: 'Designs robust services' },
          { key: 'communication', name: 'Communication', description: 'Explains clearly' },
        ],
      },
    }),
    201,
  );
}

let phone = 1000;
async function createCandidate(c: Call, firstName: string, lastName: string, email: string | null = null) {
  phone += 1;
  return bodyOf(
    await c('POST', '/v1/candidates', {
      body: { firstName, lastName, phone: `+9715010${String(phone).padStart(5, '0')}`, ...(email ? { email } : {}) },
    }),
    201,
  );
}

async function createInterview(c: Call, body: Record<string, unknown>) {
  return bodyOf(await c('POST', '/v1/interviews', { body: { type: 'TECHNICAL', ...body } }), 201);
}

const at = (iso: string) => new Date(iso).toISOString();

beforeAll(async () => {
  api = await startTestApi();
  call = client(api.url, (await seedCompany(api.db, 'Acme')).key);
  other = client(api.url, (await seedCompany(api.db, 'Other Co')).key);
});
afterAll(() => api?.stop());

describe('GET /v1/interviews for the workspace', () => {
  let backend: Awaited<ReturnType<typeof createJob>>;
  let design: Awaited<ReturnType<typeof createJob>>;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    backend = await createJob(call, 'Backend Engineer');
    design = await createJob(call, 'Product Designer');
    const jose = await createCandidate(call, 'José', 'Núñez');
    const layla = await createCandidate(call, 'Layla', 'Haddad');
    const mohammed = await createCandidate(call, 'مُحَمَّد', 'العلي');
    const percent = await createCandidate(call, 'Per%cent', 'O_Brien');
    ids.jose = (await createInterview(call, { candidateId: jose.id, jobId: backend.id, scheduledStart: at('2030-03-02T09:00:00Z') })).id;
    ids.layla = (
      await createInterview(call, { candidateId: layla.id, jobId: design.id, type: 'BEHAVIORAL', scheduledStart: at('2030-03-10T09:00:00Z') })
    ).id;
    ids.mohammed = (
      await createInterview(call, { candidateId: mohammed.id, jobId: backend.id, language: 'ar', scheduledStart: at('2030-04-01T09:00:00Z') })
    ).id;
    ids.percent = (await createInterview(call, { candidateId: percent.id, jobId: design.id, scheduledStart: at('2030-05-01T09:00:00Z') })).id;
    // The other company has a José too: the search must never reach him.
    const otherJob = await createJob(other, 'Backend Engineer');
    const otherJose = await createCandidate(other, 'Jose', 'Nunez');
    ids.otherJose = (await createInterview(other, { candidateId: otherJose.id, jobId: otherJob.id })).id;

    // Layla's interview finished and was scored as the scorer stores it; a reviewer then decided twice.
    await api.db
      .updateTable('interviews')
      .set({ status: 'completed', startedAt: new Date('2030-03-10T09:01:00Z'), endedAt: new Date('2030-03-10T09:30:00Z'), endReason: 'completed' })
      .where('id', '=', ids.layla!)
      .execute();
    await api.db
      .insertInto('scorecards')
      .values({
        interviewId: ids.layla!,
        version: 1,
        isLatest: true,
        status: 'complete',
        trigger: 'interview_completed',
        promptVersion: 't',
        planVersion: 't',
        overallScore: 4.2,
        recommendation: 'advance',
      })
      .execute();
    expectStatus(await call('POST', `/v1/interviews/${ids.layla}/decision`, { body: { decision: 'hold' } }), 201);
    expectStatus(await call('POST', `/v1/interviews/${ids.layla}/decision`, { body: { decision: 'advance', note: 'Strong' } }), 201);
  });

  const list = async (query: string, c: Call = call) => bodyOf(await c('GET', `/v1/interviews?${query}`), 200);
  const listIds = async (query: string) => (await list(query)).items.map((i) => i.id);

  it('each row carries the candidate, the job, the recommendation and the latest decision', async () => {
    const page = await list(`jobId=${design.id}`);
    const layla = page.items.find((i) => i.id === ids.layla);
    expect(layla).toMatchObject({
      candidateName: 'Layla Haddad',
      jobTitle: 'Product Designer',
      type: 'BEHAVIORAL',
      language: 'en',
      status: 'completed',
      scheduledStart: '2030-03-10T09:00:00.000Z',
      recommendation: 'advance',
      decision: { decision: 'advance', decidedBy: expect.stringMatching(/^api_key:/) },
    });
    const percent = page.items.find((i) => i.id === ids.percent);
    expect(percent).toMatchObject({ candidateName: 'Per%cent O_Brien', recommendation: null, decision: null });
    const mohammed = (await list(`jobId=${backend.id}`)).items.find((i) => i.id === ids.mohammed);
    expect(mohammed).toMatchObject({ language: 'ar', jobTitle: 'Backend Engineer' });
  });

  it('filters by status (several), job, type and scheduled range', async () => {
    expect(await listIds('status=completed')).toEqual([ids.layla]);
    expect(new Set(await listIds('status=scheduled,completed'))).toEqual(new Set([ids.jose, ids.layla, ids.mohammed, ids.percent]));
    expect(new Set(await listIds(`jobId=${backend.id}`))).toEqual(new Set([ids.jose, ids.mohammed]));
    expect(await listIds('type=BEHAVIORAL')).toEqual([ids.layla]);
    const march = `scheduledFrom=${at('2030-03-01T00:00:00Z')}&scheduledTo=${at('2030-04-01T09:00:00Z')}`;
    expect(new Set(await listIds(march))).toEqual(new Set([ids.jose, ids.layla]));
    expect(await listIds(`${march}&status=completed&jobId=${design.id}`)).toEqual([ids.layla]);
    const bad = await call('GET', '/v1/interviews?status=done');
    expectStatus(bad, 400);
    expect(bad.body.errors?.[0]?.path).toMatch(/^query\.status/);
  });

  it('searches candidate names ignoring case and accents, in Latin and Arabic, within the company only', async () => {
    for (const q of ['jose', 'JOSÉ', 'nunez', 'sé nú', 'os']) expect(await listIds(`q=${encodeURIComponent(q)}`), q).toEqual([ids.jose]);
    // Short vowels are ignored both ways: typed without them, and typed with them.
    expect(await listIds(`q=${encodeURIComponent('محمد')}`)).toEqual([ids.mohammed]);
    expect(await listIds(`q=${encodeURIComponent('مُحَمَّد العلي')}`)).toEqual([ids.mohammed]);
    // LIKE's wildcards in a name are matched as themselves.
    expect(await listIds(`q=${encodeURIComponent('%')}`)).toEqual([ids.percent]);
    expect(await listIds(`q=${encodeURIComponent('o_b')}`)).toEqual([ids.percent]);
    expect(await listIds(`q=${encodeURIComponent('zzz-nobody')}`)).toEqual([]);
    expect((await list('q=jose', other)).items.map((i) => i.id)).toEqual([ids.otherJose]);
    expectStatus(await call('GET', `/v1/interviews?q=${'x'.repeat(101)}`), 400);
  });

  it('pages with the keyset cursor, newest first, without repeats or gaps, filters kept', async () => {
    const all = await listIds('limit=200');
    expect(all).not.toContain(ids.otherJose);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const path: `/v1/interviews?${string}` = `/v1/interviews?limit=1&status=scheduled,completed${cursor ? `&cursor=${cursor}` : ''}`;
      const page = bodyOf(await call('GET', path), 200);
      expect(page.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
    // A name search pages the same way.
    const first = await list('q=e&limit=1');
    expect(first.nextCursor).not.toBeNull();
    const second = await list(`q=e&limit=1&cursor=${first.nextCursor}`);
    expect(second.items[0]?.id).not.toBe(first.items[0]?.id);
  });
});
