import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, client, expectStatus, seedAdminKey, seedCompany, seedInterview, startTestApi, type TestApi } from './support/harness.ts';

// The cross-tenant matrix: every HR operation, called by company B on company A's records, must answer exactly as
// if the record did not exist (404), and must change nothing.

let api: TestApi;
let a: ReturnType<typeof client>;
let b: ReturnType<typeof client>;
let admin: ReturnType<typeof client>;
let owned: Awaited<ReturnType<typeof seedInterview>>;
let companyA: string;

beforeAll(async () => {
  api = await startTestApi();
  const ca = await seedCompany(api.db, 'Company A');
  const cb = await seedCompany(api.db, 'Company B');
  companyA = ca.companyId;
  a = client(api.url, ca.key);
  b = client(api.url, cb.key);
  admin = client(api.url, await seedAdminKey(api.db));
  owned = await seedInterview(a);
});
afterAll(() => api?.stop());

describe('tenancy', () => {
  const operations = (): [Method: string, path: string, body?: unknown][] => [
    ['GET', `/v1/jobs/${owned.job.id}`],
    ['PATCH', `/v1/jobs/${owned.job.id}`, { title: 'Hijacked' }],
    ['DELETE', `/v1/jobs/${owned.job.id}`],
    ['GET', `/v1/candidates/${owned.candidate.id}`],
    ['PATCH', `/v1/candidates/${owned.candidate.id}`, { firstName: 'Hijacked' }],
    ['DELETE', `/v1/candidates/${owned.candidate.id}`],
    ['GET', `/v1/interviews/${owned.interview.id}`],
    ['POST', `/v1/interviews/${owned.interview.id}/cancel`, {}],
    ['GET', `/v1/interviews/${owned.interview.id}/link`],
    ['POST', `/v1/interviews/${owned.interview.id}/link/regenerate`, {}],
  ];

  it("answers 404 (not 403) for every operation on another company's records, and changes nothing", async () => {
    for (const [method, path, body] of operations()) {
      const r = await b(method, path, body === undefined ? {} : { body });
      expectStatus(r, 404, `${method} ${path}`);
      expect(r.body.code).toBe('not_found');
    }
    expect(bodyOf(await a('GET', `/v1/jobs/${owned.job.id}`), 200).title).toBe(owned.job.title);
    expect(bodyOf(await a('GET', `/v1/candidates/${owned.candidate.id}`), 200).firstName).toBe(owned.candidate.firstName);
    expect(bodyOf(await a('GET', `/v1/interviews/${owned.interview.id}`), 200).status).toBe('scheduled');
    expect(bodyOf(await a('GET', `/v1/interviews/${owned.interview.id}/link`), 200).version).toBe(1);
  });

  it("never lists another company's records", async () => {
    for (const path of ['/v1/jobs', '/v1/candidates', '/v1/interviews', `/v1/interviews?jobId=${owned.job.id}`]) {
      const r = await b('GET', path);
      expectStatus(r, 200);
      expect(r.body.items).toEqual([]);
    }
  });

  it("cannot create records in, or point an interview at, another company's data", async () => {
    const job = await b('POST', '/v1/jobs', { body: { companyId: companyA, title: 'x', description: 'y' } });
    expectStatus(job, 404);
    const own = bodyOf(
      await b('POST', '/v1/candidates', { body: { firstName: 'B', lastName: 'C', phone: '+971501112233' } }),
      201,
    );
    const crossed = await b('POST', '/v1/interviews', {
      body: { candidateId: own.id, jobId: owned.job.id, type: 'GENERAL' },
    });
    expectStatus(crossed, 404);
  });

  it('an admin key sees every company and must say which company it creates for', async () => {
    expect((await admin('GET', `/v1/interviews/${owned.interview.id}`)).status).toBe(200);
    const listed = bodyOf(await admin('GET', '/v1/jobs'), 200);
    expect(listed.items.map((j) => j.id)).toContain(owned.job.id);
    const missing = await admin('POST', '/v1/jobs', { body: { title: 'x', description: 'y' } });
    expectStatus(missing, 400);
    expect(missing.body.errors?.[0]?.path).toBe('body.companyId');
    const created = await admin('POST', '/v1/jobs', { body: { companyId: companyA, title: 'By admin', description: 'y' } });
    expectStatus(created, 201);
    expect(created.body.companyId).toBe(companyA);
    expect((await a('GET', `/v1/jobs/${created.body.id}`)).status).toBe(200);
  });
});
