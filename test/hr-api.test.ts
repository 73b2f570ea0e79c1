import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, client, expectStatus, seedCompany, startTestApi, type TestApi } from './support/harness.ts';

let api: TestApi;
let call: ReturnType<typeof client>;

beforeAll(async () => {
  api = await startTestApi();
  const { key } = await seedCompany(api.db, 'Acme');
  call = client(api.url, key);
});
afterAll(() => api?.stop());

describe('HR API: jobs and candidates', () => {
  it('creates, reads, lists, updates and deletes a job', async () => {
    const created = await call('POST', '/v1/jobs', {
      body: {
        title: '  Staff Engineer ',
        description: 'Lead the payments platform.',
        codingLanguage: 'TYPESCRIPT',
        competencies: [{ key: 'leadership', name: 'Leadership', description: 'Leads by example' }],
      },
    });
    expectStatus(created, 201);
    expect(created.headers.get('location')).toBe(`/v1/jobs/${created.body.id}`);
    expect(created.body).toMatchObject({ title: 'Staff Engineer', language: 'en', codingLanguage: 'TYPESCRIPT' });
    expect(created.body.competencies).toEqual([{ key: 'leadership', name: 'Leadership', description: 'Leads by example' }]);

    const fetched = await call('GET', `/v1/jobs/${created.body.id}`);
    expectStatus(fetched, 200);
    expect(fetched.body.id).toBe(created.body.id);

    const updated = await call('PATCH', `/v1/jobs/${created.body.id}`, { body: { title: 'Principal Engineer' } });
    expectStatus(updated, 200);
    expect(updated.body.title).toBe('Principal Engineer');
    expect(updated.body.description).toBe('Lead the payments platform.');

    const list = await call('GET', '/v1/jobs');
    expectStatus(list, 200);
    expect(list.body.items.map((j) => j.id)).toContain(created.body.id);

    expect((await call('DELETE', `/v1/jobs/${created.body.id}`)).status).toBe(204);
    expect((await call('GET', `/v1/jobs/${created.body.id}`)).status).toBe(404);
  });

  it('pages through jobs with a cursor, without repeats or gaps', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(bodyOf(await call('POST', '/v1/jobs', { body: { title: `Job ${i}`, description: 'x' } }), 201).id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      // Declared, not inferred: the path reads `cursor`, which the loop assigns from the page it types.
      const path: `/v1/jobs?${string}` = `/v1/jobs?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = bodyOf(await call('GET', path), 200);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((j) => j.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of ids) expect(seen).toContain(id);
  });

  it('rejects bad input with problem+json naming each field, and stores nothing', async () => {
    const before = await api.db.selectFrom('jobs').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const bad = await call('POST', '/v1/jobs', {
      body: { title: '', description: 'x', competencies: [{ key: 'Bad Key', name: 'n' }, { key: 'Bad Key', name: 'm' }] },
    });
    expectStatus(bad, 400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.body.code).toBe('validation_failed');
    const paths = bad.body.errors?.map((e) => e.path);
    expect(paths).toContain('body.title');
    expect(paths).toContain('body.competencies.0.key');
    const after = await api.db.selectFrom('jobs').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('rejects unknown fields, malformed JSON, a wrong content type and a bad cursor with 4xx', async () => {
    const unknown = await call('POST', '/v1/jobs', { body: { title: 't', description: 'd', salary: 1 } });
    expectStatus(unknown, 400);
    const malformed = await call('POST', '/v1/jobs', { rawBody: '{"title":', headers: { 'content-type': 'application/json' } });
    expectStatus(malformed, 400);
    expect(malformed.body.code).toBe('validation_failed');
    const text = await call('POST', '/v1/jobs', { rawBody: 'title=x', headers: { 'content-type': 'text/plain' } });
    expectStatus(text, 415);
    const cursor = await call('GET', '/v1/jobs?cursor=nonsense');
    expectStatus(cursor, 400);
    const notUuid = await call('GET', '/v1/jobs/123');
    expectStatus(notUuid, 400);
    expect(notUuid.body.errors?.[0]?.path).toBe('params.id');
    // Postgres text can't hold NUL: a 400 naming the field, not a database error.
    const before = bodyOf(await call('GET', '/v1/jobs?limit=200'), 200).items.length;
    const nul = await call('POST', '/v1/jobs', { body: { title: 'Eng\u0000ineer', description: 'd' } });
    expectStatus(nul, 400);
    expect(nul.body.errors).toEqual([{ path: 'body.title', message: 'Contains a NUL character' }]);
    expect(bodyOf(await call('GET', '/v1/jobs?limit=200'), 200).items.length).toBe(before);
  });

  it('normalises candidate phones to E.164 with the company region, and rejects invalid ones', async () => {
    const local = await call('POST', '/v1/candidates', {
      body: { firstName: 'Omar', lastName: 'Saleh', phone: '050 123 4567', resumeText: 'Rebuilt a ledger at Fintech Co.' },
    });
    expectStatus(local, 201);
    expect(local.body.phone).toBe('+971501234567');
    const uk = await call('POST', '/v1/candidates', {
      body: { firstName: 'Amy', lastName: 'Lee', phone: '07911 123456', phoneRegion: 'GB' },
    });
    expectStatus(uk, 201);
    expect(uk.body.phone).toBe('+447911123456');
    const invalid = await call('POST', '/v1/candidates', { body: { firstName: 'A', lastName: 'B', phone: '12345' } });
    expectStatus(invalid, 400);
    expect(invalid.body.errors?.[0]?.path).toBe('body.phone');

    const patched = await call('PATCH', `/v1/candidates/${local.body.id}`, { body: { phone: '+971 52 000 1111' } });
    expectStatus(patched, 200);
    expect(patched.body.phone).toBe('+971520001111');
    expect((await call('DELETE', `/v1/candidates/${uk.body.id}`)).status).toBe(204);
  });

  it('refuses to delete a job or candidate that has interviews', async () => {
    const job = bodyOf(await call('POST', '/v1/jobs', { body: { title: 'Keep me', description: 'd' } }), 201);
    const cand = bodyOf(
      await call('POST', '/v1/candidates', { body: { firstName: 'K', lastName: 'M', phone: '+971501110000' } }),
      201,
    );
    const interview = await call('POST', '/v1/interviews', {
      body: { candidateId: cand.id, jobId: job.id, type: 'GENERAL' },
    });
    expectStatus(interview, 201);
    expect((await call('DELETE', `/v1/jobs/${job.id}`)).status).toBe(409);
    expect((await call('DELETE', `/v1/candidates/${cand.id}`)).status).toBe(409);
  });

  it('requires a valid API key', async () => {
    const none = await call('GET', '/v1/jobs', { key: null });
    expectStatus(none, 401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    const wrong = await call('GET', '/v1/jobs', { key: `ik_${'x'.repeat(32)}` });
    expectStatus(wrong, 401);
  });

  it('writes an audit entry for each change, with who and from where', async () => {
    const job = bodyOf(await call('POST', '/v1/jobs', { body: { title: 'Audited', description: 'd' } }), 201);
    const entry = await api.db
      .selectFrom('auditLog')
      .selectAll()
      .where('targetId', '=', job.id)
      .executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ action: 'job.create', actorType: 'api_key', ip: '127.0.0.1' });
    expect(entry.actorId).toBeTruthy();
  });

  it('serves an OpenAPI 3.1 document generated from the route schemas', async () => {
    const doc = await call('GET', '/openapi.json', { key: null });
    expectStatus(doc, 200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/v1/jobs', '/v1/jobs/{id}', '/v1/interviews', '/v1/public/rooms/{code}/join']),
    );
    expect(doc.body.components.schemas.Job.properties.title.type).toBe('string');
    expect(doc.body.paths['/v1/jobs'].post.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/CreateJob',
    );
  });

  it('answers unknown endpoints with problem+json 404, and wrong methods with 405 and Allow', async () => {
    const r = await call('GET', '/v1/nothing-here');
    expectStatus(r, 404);
    expect(r.body.code).toBe('not_found');
    const wrong = await call('PUT', '/v1/jobs', { body: {} });
    expectStatus(wrong, 405);
    expect(wrong.headers.get('allow')).toContain('POST');
    expect(wrong.headers.get('content-type')).toContain('application/problem+json');
  });

  it('refuses bodies over 1 MiB with 413 and stores nothing', async () => {
    const r = await call('POST', '/v1/jobs', { body: { title: 'Big', description: 'x'.repeat(1_100_000) } });
    expectStatus(r, 413);
    const stored = await api.db.selectFrom('jobs').select('id').where('title', '=', 'Big').execute();
    expect(stored).toEqual([]);
  });
});

describe('HR API: company and API keys', () => {
  it("sets the company's default phone region, which then applies to new candidates", async () => {
    const company = await call('GET', '/v1/company');
    expectStatus(company, 200);
    expect(company.body).toMatchObject({ name: 'Acme', defaultPhoneRegion: 'AE' });
    expect((await call('PATCH', '/v1/company', { body: { defaultPhoneRegion: 'gb' } })).status).toBe(400);
    const updated = await call('PATCH', '/v1/company', { body: { defaultPhoneRegion: 'GB' } });
    expect(bodyOf(updated, 200).defaultPhoneRegion).toBe('GB');
    const candidate = await call('POST', '/v1/candidates', { body: { firstName: 'Sam', lastName: 'Hill', phone: '07911 123456' } });
    expect(bodyOf(candidate, 201).phone).toBe('+447911123456');
    await call('PATCH', '/v1/company', { body: { defaultPhoneRegion: 'AE' } });
  });

  it('creates a key shown once, lists keys without secrets, and revokes one so it stops working at once', async () => {
    const created = await call('POST', '/v1/api-keys', { body: { name: 'ATS integration' } });
    expectStatus(created, 201);
    expect(created.body.key).toMatch(/^ik_/);
    const listed = await call('GET', '/v1/api-keys');
    expectStatus(listed, 200);
    expect(listed.body.items.map((k) => k.id)).toContain(created.body.id);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);

    expect((await call('GET', '/v1/jobs', { key: created.body.key })).status).toBe(200);
    expect((await call('DELETE', `/v1/api-keys/${created.body.id}`)).status).toBe(204);
    expect((await call('GET', '/v1/jobs', { key: created.body.key })).status).toBe(401);
    expect((await call('DELETE', `/v1/api-keys/${created.body.id}`)).status).toBe(404);
  });
});
