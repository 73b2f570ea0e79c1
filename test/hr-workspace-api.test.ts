import { Document, Packer, Paragraph, TextRun } from 'docx';
import { sql } from 'kysely';
import PDFDocument from 'pdfkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedUser, signIn } from './auth/support.ts';
import { bodyOf, client, expectStatus, seedCompany, startTestApi, type TestApi } from './support/harness.ts';

// The HR workspace's API (issue 15): the interview list with its filters, name search and keyset pages, over the
// real app and a real Postgres. Company B's records are there to prove none of them ever shows in company A's lists.

let api: TestApi;
let call: ReturnType<typeof client>;
let other: ReturnType<typeof client>;
let companyId: string;

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
  return bodyOf(await c('POST', '/v1/interviews', { body: { type: 'TECHNICAL', notify: false, ...body } }), 201);
}

const at = (iso: string) => new Date(iso).toISOString();

beforeAll(async () => {
  api = await startTestApi();
  const acme = await seedCompany(api.db, 'Acme');
  companyId = acme.companyId;
  call = client(api.url, acme.key);
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
    const ahmed = await createCandidate(call, 'أحمد', 'عطية');
    const percent = await createCandidate(call, 'Per%cent', 'O_Brien');
    ids.jose = (await createInterview(call, { candidateId: jose.id, jobId: backend.id, scheduledStart: at('2030-03-02T09:00:00Z') })).id;
    ids.layla = (
      await createInterview(call, { candidateId: layla.id, jobId: design.id, type: 'BEHAVIORAL', scheduledStart: at('2030-03-10T09:00:00Z') })
    ).id;
    ids.mohammed = (
      await createInterview(call, { candidateId: mohammed.id, jobId: backend.id, language: 'ar', scheduledStart: at('2030-04-01T09:00:00Z') })
    ).id;
    ids.ahmed = (await createInterview(call, { candidateId: ahmed.id, jobId: backend.id, scheduledStart: at('2030-06-01T09:00:00Z') })).id;
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
    expect(new Set(await listIds('status=scheduled,completed'))).toEqual(
      new Set([ids.jose, ids.layla, ids.mohammed, ids.ahmed, ids.percent]),
    );
    expect(new Set(await listIds(`jobId=${backend.id}`))).toEqual(new Set([ids.jose, ids.mohammed, ids.ahmed]));
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
    // Spelling variants fold together: the hamza on the alef, taa marbuta and haa.
    expect(await listIds(`q=${encodeURIComponent('احمد عطيه')}`)).toEqual([ids.ahmed]);
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

describe('GET /v1/audit-events', () => {
  let interviewId: string;
  let candidateId: string;
  let otherInterviewId: string;

  beforeAll(async () => {
    const job = await createJob(call, 'Data Engineer');
    const candidate = await createCandidate(call, 'Audit', 'Subject');
    candidateId = candidate.id;
    interviewId = (await createInterview(call, { candidateId, jobId: job.id })).id;
    expectStatus(await call('POST', `/v1/interviews/${interviewId}/link/regenerate`), 200);
    expectStatus(await call('POST', `/v1/interviews/${interviewId}/cancel`, { body: { reason: 'Role filled' } }), 200);
    expectStatus(await call('PATCH', `/v1/candidates/${candidateId}`, { body: { lastName: 'Subjected' } }), 200);
    const otherJob = await createJob(other, 'Data Engineer');
    const otherCandidate = await createCandidate(other, 'Other', 'Person');
    otherInterviewId = (await createInterview(other, { candidateId: otherCandidate.id, jobId: otherJob.id })).id;
  });

  const events = async (query: string) => bodyOf(await call('GET', `/v1/audit-events?${query}`), 200);

  it("lists the interview's events newest first, with actor and details", async () => {
    const page = await events(`interviewId=${interviewId}`);
    expect(page.items.map((e) => e.action)).toEqual(['interview.cancel', 'interview.link.regenerate', 'interview.create']);
    expect(page.items[0]).toMatchObject({
      companyId,
      actorType: 'api_key',
      actorId: expect.any(String),
      targetType: 'interview',
      targetId: interviewId,
      details: { reason: 'Role filled' },
    });
    expect(Date.parse(page.items[0]!.at)).toBeGreaterThanOrEqual(Date.parse(page.items[2]!.at));
  });

  it("filters by candidate (their own events and their interviews'), action, actor and time; pages by cursor", async () => {
    const byCandidate = (await events(`candidateId=${candidateId}`)).items.map((e) => e.action);
    expect(byCandidate).toEqual(['candidate.update', 'interview.cancel', 'interview.link.regenerate', 'interview.create', 'candidate.create']);
    expect((await events(`candidateId=${candidateId}&action=interview.*`)).items).toHaveLength(3);
    expect((await events(`candidateId=${candidateId}&action=candidate.update,interview.create`)).items.map((e) => e.action)).toEqual([
      'candidate.update',
      'interview.create',
    ]);
    const actorId = (await events(`interviewId=${interviewId}`)).items[0]!.actorId!;
    const byActor = await events(`actorId=${actorId}&actorType=api_key&limit=200`);
    expect(byActor.items.every((e) => e.actorId === actorId)).toBe(true);
    expect((await events(`actorId=nobody`)).items).toEqual([]);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await events(`from=${future}`)).items).toEqual([]);
    expect((await events(`to=${future}&candidateId=${candidateId}`)).items).toHaveLength(5);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const path: `/v1/audit-events?${string}` = `/v1/audit-events?candidateId=${candidateId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = bodyOf(await call('GET', path), 200);
      seen.push(...page.items.map((e) => e.action));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(byCandidate);
    expectStatus(await call('GET', '/v1/audit-events?cursor=nonsense'), 400);
    expectStatus(await call('GET', '/v1/audit-events?action=DROP%20TABLE'), 400);
  });

  it("keeps to the company: another company's interview or candidate is 404, its events never listed", async () => {
    expectStatus(await call('GET', `/v1/audit-events?interviewId=${otherInterviewId}`), 404);
    const all = await events('limit=200');
    expect(all.items.length).toBeGreaterThan(0);
    expect(all.items.every((e) => e.companyId === companyId)).toBe(true);
    expect(all.items.some((e) => e.targetId === otherInterviewId)).toBe(false);
    expectStatus(await other('GET', `/v1/audit-events?candidateId=${candidateId}`), 404);
  });

  it('is for recruiters and admins; a reviewer gets 403', async () => {
    const reviewer = await seedUser(api, companyId, 'reviewer');
    const recruiter = await seedUser(api, companyId, 'recruiter');
    expectStatus(await (await signIn(api, reviewer.email, reviewer.password)).call('GET', '/v1/audit-events'), 403);
    const page = bodyOf(await (await signIn(api, recruiter.email, recruiter.password)).call('GET', `/v1/audit-events?interviewId=${interviewId}`), 200);
    expect(page.items).toHaveLength(3);
  });
});

describe('POST /v1/interviews e-mails the candidate', () => {
  let job: Awaited<ReturnType<typeof createJob>>;
  beforeAll(async () => {
    job = await createJob(call, 'Platform Engineer');
  });

  const create = async (body: Record<string, unknown>) => bodyOf(await call('POST', '/v1/interviews', { body: { type: 'TECHNICAL', ...body } }), 201);
  const outbox = async (interviewId: string) => bodyOf(await call('GET', `/v1/email/messages?interviewId=${interviewId}`), 200).items;

  it('a scheduled interview queues the invitation: details, link, room code, AI notice and calendar invite', async () => {
    const candidate = await createCandidate(call, 'Rania', 'Aziz', 'rania@example.com');
    const created = await create({ candidateId: candidate.id, jobId: job.id, scheduledStart: at('2030-06-03T10:00:00Z'), maxDurationMinutes: 40 });
    expect(created.invitation).toMatchObject({ status: 'queued', to: 'rania@example.com', locale: 'en' });
    const [mail, ...rest] = await outbox(created.id);
    expect(rest).toEqual([]);
    expect(mail).toMatchObject({ kind: 'invitation', toAddress: 'rania@example.com', subject: 'Your interview for Platform Engineer at Acme' });
    expect(created.invitation.status === 'queued' && created.invitation.emailId).toBe(mail!.id);
    const code = `${created.roomCode.slice(0, 4)}-${created.roomCode.slice(4)}`;
    for (const part of ['Hello Rania', created.signedLink.url, code, created.joinUrl, 'about 40 minutes', 'AI voice interviewer']) {
      expect(mail!.textBody).toContain(part);
    }
    expect(mail!.ics).toContain('BEGIN:VCALENDAR');
    expect(mail!.ics).toContain('DTSTART:20300603T100000Z');
    expect(mail!.ics).toContain(`UID:${created.id}@ai-interviewer`);
  });

  it("is written in Arabic for an Arabic interview", async () => {
    const candidate = await createCandidate(call, 'سلمى', 'الهاشمي', 'salma@example.com');
    const created = await create({ candidateId: candidate.id, jobId: job.id, language: 'ar', scheduledStart: at('2030-06-04T10:00:00Z') });
    expect(created.invitation).toMatchObject({ status: 'queued', locale: 'ar' });
    const [mail] = await outbox(created.id);
    expect(mail!.subject).toBe('مقابلتك لوظيفة Platform Engineer لدى Acme');
    expect(mail!.textBody).toContain('مرحباً سلمى');
    expect(mail!.htmlBody).toContain('dir="rtl"');
  });

  it('is skipped when HR says notify: false, when the candidate has no address, and by default for one starting now', async () => {
    const withEmail = await createCandidate(call, 'Kareem', 'Fawzi', 'kareem@example.com');
    const noEmail = await createCandidate(call, 'Nadia', 'Farah');
    const off = await create({ candidateId: withEmail.id, jobId: job.id, scheduledStart: at('2030-06-05T10:00:00Z'), notify: false });
    expect(off.invitation).toEqual({ status: 'skipped', reason: 'notify_false' });
    const none = await create({ candidateId: noEmail.id, jobId: job.id, scheduledStart: at('2030-06-05T11:00:00Z') });
    expect(none.invitation).toEqual({ status: 'skipped', reason: 'no_email' });
    const nowOne = await create({ candidateId: withEmail.id, jobId: job.id });
    expect(nowOne.invitation).toEqual({ status: 'skipped', reason: 'not_scheduled' });
    for (const id of [off.id, none.id, nowOne.id]) expect(await outbox(id)).toEqual([]);
    // Asked for explicitly, one starting now is announced too.
    const asked = await create({ candidateId: withEmail.id, jobId: job.id, notify: true });
    expect(asked.invitation.status).toBe('queued');
    expectStatus(await call('POST', '/v1/interviews', { body: { candidateId: withEmail.id, jobId: job.id, type: 'TECHNICAL', notify: 'yes' } }), 400);
  });

  it('an e-mail that cannot be queued never fails the creation', async () => {
    const candidate = await createCandidate(call, 'Hadi', 'Mourad', 'hadi@example.com');
    // The job queue's schema out of reach: the e-mail's transaction fails as it would with the queue broken.
    await sql`alter schema graphile_worker rename to graphile_worker_away`.execute(api.db);
    let created;
    try {
      created = await create({ candidateId: candidate.id, jobId: job.id, scheduledStart: at('2030-06-06T10:00:00Z') });
    } finally {
      await sql`alter schema graphile_worker_away rename to graphile_worker`.execute(api.db);
    }
    expect(created.invitation).toEqual({ status: 'failed', reason: 'email_unavailable' });
    expect(bodyOf(await call('GET', `/v1/interviews/${created.id}`), 200).status).toBe('scheduled');
    expect(await outbox(created.id)).toEqual([]);
  });
});

describe('create and link responses for the workspace', () => {
  it('the create response names the candidate and the job; the link carries the question count', async () => {
    const job = await createJob(call, 'Site Reliability Engineer');
    const candidate = await createCandidate(call, 'Dana', 'Qasim');
    const created = await createInterview(call, { candidateId: candidate.id, jobId: job.id, scheduledStart: at('2030-07-01T10:00:00Z') });
    expect(created).toMatchObject({ candidateName: 'Dana Qasim', jobTitle: 'Site Reliability Engineer' });
    const link = bodyOf(await call('GET', `/v1/interviews/${created.id}/link`), 200);
    expect(link.questionCount).toBe(created.plan.questionCount);
    expect(link.questionCount).toBeGreaterThan(0);
    expect(link.url).toBe(created.signedLink.url);
  });

  it('regenerating the link can regenerate the questions too, keeping HR\'s own', async () => {
    const job = await createJob(call, 'Mobile Engineer');
    const candidate = await createCandidate(call, 'Faris', 'Odeh');
    const created = await createInterview(call, { candidateId: candidate.id, jobId: job.id, scheduledStart: at('2030-07-02T10:00:00Z') });
    const generated = created.plan.questions.find((q) => q.kind !== 'custom')!;
    expectStatus(await call('DELETE', `/v1/interviews/${created.id}/plan/questions/${generated.questionId}`), 200);
    const custom = bodyOf(
      await call('POST', `/v1/interviews/${created.id}/plan/questions`, { body: { text: 'Why mobile, and why now?', timeBudgetSeconds: 120 } }),
      201,
    );
    expect(custom.questionCount).toBe(created.plan.questionCount);

    const linkOnly = bodyOf(await call('POST', `/v1/interviews/${created.id}/link/regenerate`, { body: {} }), 200);
    expect(linkOnly).toMatchObject({ version: 2, questionCount: custom.questionCount });
    expect(linkOnly.plan).toBeUndefined();

    const both = bodyOf(await call('POST', `/v1/interviews/${created.id}/link/regenerate`, { body: { regenerateQuestions: true } }), 200);
    expect(both.version).toBe(3);
    // The deleted question is back, HR's own is still there.
    expect(both.plan!.questions.some((q) => q.text === generated.text)).toBe(true);
    expect(both.plan!.questions.filter((q) => q.kind === 'custom').map((q) => q.text)).toEqual(['Why mobile, and why now?']);
    expect(both.questionCount).toBe(both.plan!.questionCount);
    expect(both.questionCount).toBe(custom.questionCount + 1);
    expect(bodyOf(await call('GET', `/v1/interviews/${created.id}/plan`), 200).questions).toEqual(both.plan!.questions);
    const audit = bodyOf(await call('GET', `/v1/audit-events?interviewId=${created.id}&action=interview.link.regenerate`), 200);
    expect(audit.items[0]!.details).toEqual({ version: 3, questionCount: both.questionCount });

    // Once the interview is over its questions are frozen: nothing changes, the link included.
    expectStatus(await call('POST', `/v1/interviews/${created.id}/cancel`, { body: {} }), 200);
    const frozen = await call('POST', `/v1/interviews/${created.id}/link/regenerate`, { body: { regenerateQuestions: true } });
    expectStatus(frozen, 409);
    expect(bodyOf(await call('GET', `/v1/interviews/${created.id}/link`), 200).version).toBe(3);
    expectStatus(await call('POST', `/v1/interviews/${created.id}/link/regenerate`, { body: { regenerateQuestions: 'yes' } }), 400);
    expectStatus(await other('POST', `/v1/interviews/${created.id}/link/regenerate`, { body: { regenerateQuestions: true } }), 404);
  });
});

describe('POST /v1/candidates/resume-text', () => {
  const pdfType = 'application/pdf';
  const docxType = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
  let key: string;
  beforeAll(async () => {
    key = (await seedCompany(api.db, 'Résumé Co')).key;
  });

  /** A PDF made by pdfkit at run time: no binary fixtures in the repository. */
  function pdf(options: PDFKit.PDFDocumentOptions, draw: (doc: PDFKit.PDFDocument) => void): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const doc = new PDFDocument(options);
      const chunks: Buffer[] = [];
      doc.on('data', (c: Buffer) => chunks.push(c));
      doc.on('end', () => resolve(Buffer.concat(chunks)));
      doc.on('error', reject);
      draw(doc);
      doc.end();
    });
  }
  const docx = (paragraphs: string[]) =>
    Packer.toBuffer(new Document({ sections: [{ children: paragraphs.map((p) => new Paragraph({ children: [new TextRun(p)] })) }] }));

  async function upload(body: Uint8Array | string, type: string | null, as = key) {
    const headers: Record<string, string> = { authorization: `Bearer ${as}` };
    if (type) headers['content-type'] = type;
    const response = await fetch(`${api.url}/v1/candidates/resume-text`, { method: 'POST', headers, body });
    return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
  }

  it('reads a PDF, page by page, and the text saves on the candidate', async () => {
    const file = await pdf({}, (d) => {
      d.text('Layla Haddad — Senior Backend Engineer');
      d.text('Rebuilt the payments ledger at Fintech Co.');
      d.addPage();
      d.text('Education: BSc Computer Science, Université de Genève');
    });
    const result = await upload(file, pdfType);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ pages: 2, truncated: false });
    const text = result.body.text as string;
    for (const part of ['Layla Haddad — Senior Backend Engineer', 'payments ledger', 'Université de Genève']) expect(text).toContain(part);
    expect(text.indexOf('payments ledger')).toBeLessThan(text.indexOf('Université'));
    expect(result.body.characters).toBe(text.length);

    const c = client(api.url, key);
    const candidate = bodyOf(await c('POST', '/v1/candidates', { body: { firstName: 'Layla', lastName: 'Haddad', phone: '+971501119999' } }), 201);
    const saved = bodyOf(await c('PATCH', `/v1/candidates/${candidate.id}`, { body: { resumeText: `${text}\nCorrected by HR.` } }), 200);
    expect(saved.resumeText).toBe(`${text}\nCorrected by HR.`);
  });

  it('reads a Word document, Arabic included', async () => {
    const result = await upload(await docx(['Omar Saleh', 'مهندس برمجيات أول', 'Built payment systems.']), docxType);
    expect(result.status).toBe(200);
    expect(result.body.text).toBe('Omar Saleh\n\nمهندس برمجيات أول\n\nBuilt payment systems.');
    expect(result.body.pages).toBeUndefined();
    expect(result.body).toMatchObject({ characters: (result.body.text as string).length, truncated: false });
  });

  it("cuts a text longer than the candidate's field, and says so", async () => {
    const long = Array.from({ length: 1_100 }, (_, i) => `Paragraph ${i}: ${'x'.repeat(90)}`);
    const result = await upload(await docx(long), docxType);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ characters: 100_000, truncated: true });
  });

  it('refuses what it cannot read with a clear problem: 413, 415, 422', async () => {
    const tooBig = await upload(Buffer.alloc(5 * 1024 * 1024 + 1, 0x20), pdfType);
    expect(tooBig.status).toBe(413);
    expect(tooBig.type).toContain('application/problem+json');
    for (const type of ['text/plain', 'application/msword', null]) {
      const wrong = await upload('plain text résumé', type);
      expect(wrong.status, String(type)).toBe(415);
      expect(wrong.body.detail).toContain(pdfType);
    }
    const cases: [string, Uint8Array | string, string, RegExp][] = [
      ['encrypted', await pdf({ userPassword: 'secret', ownerPassword: 'owner' }, (d) => d.text('Hidden')), pdfType, /password/],
      ['scanned', await pdf({}, (d) => d.rect(50, 50, 200, 300).fill('#333')), pdfType, /no text.*scan/],
      ['not a PDF', '%PDF-1.7 this is not really a PDF', pdfType, /not a readable PDF/],
      ['not a DOCX', 'PK this is not a zip', docxType, /not a readable Word/],
      ['empty DOCX', await docx([]), docxType, /no text/],
      ['empty body', '', pdfType, /empty/],
    ];
    for (const [name, body, type, detail] of cases) {
      const result = await upload(body, type);
      expect(result.status, name).toBe(422);
      expect(result.type, name).toContain('application/problem+json');
      expect(result.body.code, name).toBe('unreadable_document');
      expect(result.body.detail, name).toMatch(detail);
    }
  });

  it('is for recruiters and admins: a reviewer gets 403', async () => {
    const reviewer = await seedUser(api, companyId, 'reviewer');
    const session = await signIn(api, reviewer.email, reviewer.password);
    const result = await session.call('POST', '/v1/candidates/resume-text', { rawBody: 'x', headers: { 'content-type': pdfType } });
    expectStatus(result, 403);
    expect(result.body.code).toBe('forbidden');
  });
});

describe('GET /v1/overview and GET /v1/jobs/:id/results', () => {
  let c: Call;
  let jobA: Awaited<ReturnType<typeof createJob>>;
  let jobB: Awaited<ReturnType<typeof createJob>>;
  const ids: Record<string, string> = {};
  const range = `from=${at('2031-01-01T00:00:00Z')}&to=${at('2031-02-01T00:00:00Z')}`;

  /** Moves an interview where the lifecycle would have taken it; minutes of interview when it ran. */
  async function settle(id: string, status: 'completed' | 'expired' | 'failed' | 'in_progress', minutes?: number) {
    const row = await api.db.selectFrom('interviews').select('scheduledStart').where('id', '=', id).executeTakeFirstOrThrow();
    const startedAt = minutes === undefined ? null : row.scheduledStart;
    const endedAt = startedAt && status !== 'in_progress' ? new Date(startedAt.getTime() + minutes! * 60_000) : null;
    const endReason = ({ completed: 'completed', expired: 'no_show', failed: 'agent_error', in_progress: null } as const)[status];
    await api.db.updateTable('interviews').set({ status, startedAt, endedAt, endReason }).where('id', '=', id).execute();
  }
  async function score(id: string, overall: number, competencies: Record<string, number>) {
    await api.db
      .insertInto('scorecards')
      .values({
        interviewId: id,
        version: 1,
        isLatest: true,
        status: 'complete',
        trigger: 'interview_completed',
        promptVersion: 't',
        planVersion: 't',
        overallScore: overall,
        recommendation: overall >= 3.5 ? 'advance' : 'do_not_advance',
        result: JSON.stringify({
          overall: { summary: 'Scored for the test' },
          competencies: Object.entries(competencies).map(([key, s]) => ({ key, name: key, score: s })),
        }),
      })
      .execute();
  }

  beforeAll(async () => {
    c = client(api.url, (await seedCompany(api.db, 'Pipeline Co')).key);
    jobA = await createJob(c, 'Backend Engineer');
    jobB = await createJob(c, 'Data Analyst');
    const person = async (first: string, last: string) => (await createCandidate(c, first, last)).id;
    const make = async (name: string, job: string, first: string, start: string, type = 'TECHNICAL') => {
      ids[name] = (await createInterview(c, { candidateId: await person(first, name), jobId: job, type, scheduledStart: at(start) })).id;
    };
    await make('a1', jobA.id, 'Amal', '2031-01-05T10:00:00Z');
    await make('a2', jobA.id, 'Badr', '2031-01-06T10:00:00Z', 'BEHAVIORAL');
    await make('a3', jobA.id, 'Chadi', '2031-01-07T10:00:00Z');
    await make('a4', jobA.id, 'Dima', '2031-01-08T10:00:00Z');
    await make('b1', jobB.id, 'Emad', '2031-01-20T10:00:00Z');
    await make('b2', jobB.id, 'Fadi', '2031-01-21T10:00:00Z');
    await make('b3', jobB.id, 'Ghada', '2031-01-22T10:00:00Z');
    await make('later', jobA.id, 'Hiba', '2031-03-01T10:00:00Z');
    await settle(ids.a1!, 'completed', 30);
    await settle(ids.a2!, 'completed', 20);
    await settle(ids.a3!, 'expired');
    expectStatus(await c('POST', `/v1/interviews/${ids.a4}/cancel`, { body: {} }), 200);
    await settle(ids.b2!, 'failed', 5);
    await settle(ids.b3!, 'in_progress', 0);
    await settle(ids.later!, 'completed', 40);
    await score(ids.a1!, 4.5, { system_design: 5, communication: 4 });
    await score(ids.a2!, 2, { communication: 2 });
    expectStatus(await c('POST', `/v1/interviews/${ids.a1}/decision`, { body: { decision: 'advance' } }), 201);
    expectStatus(await c('POST', `/v1/interviews/${ids.a2}/decision`, { body: { decision: 'reject' } }), 201);
    expectStatus(await c('POST', `/v1/interviews/${ids.a2}/decision`, { body: { decision: 'hold' } }), 201);
  });

  it('counts the pipeline of the range: invited → joined → completed → decided, rates and duration, per job', async () => {
    const overview = bodyOf(await c('GET', `/v1/overview?${range}`), 200);
    expect(overview).toMatchObject({ from: '2031-01-01T00:00:00.000Z', to: '2031-02-01T00:00:00.000Z' });
    expect(overview.totals).toEqual({
      invited: 7,
      joined: 4,
      completed: 2,
      decided: 2,
      upcoming: 1,
      inProgress: 1,
      cancelled: 1,
      noShows: 1,
      failed: 1,
      completionRate: 0.5,
      noShowRate: 0.25,
      averageDurationMinutes: 25,
    });
    expect(overview.decisions).toEqual({ advance: 1, hold: 1, reject: 0 });
    expect(overview.jobs.map((j) => [j.jobTitle, j.invited, j.completed, j.noShows])).toEqual([
      ['Backend Engineer', 4, 2, 1],
      ['Data Analyst', 3, 0, 0],
    ]);
    expect(overview.jobs[0]).toMatchObject({ jobId: jobA.id, completionRate: 0.6667, averageDurationMinutes: 25 });
    expect(overview.jobs[1]).toMatchObject({ completionRate: 0, noShowRate: 0, averageDurationMinutes: null });

    const onlyA = bodyOf(await c('GET', `/v1/overview?${range}&jobId=${jobA.id}`), 200);
    expect(onlyA.jobs.map((j) => j.jobId)).toEqual([jobA.id]);
    expect(onlyA.totals.invited).toBe(4);
    const empty = bodyOf(await c('GET', `/v1/overview?from=${at('2020-01-01T00:00:00Z')}&to=${at('2020-02-01T00:00:00Z')}`), 200);
    expect(empty.totals).toMatchObject({ invited: 0, completionRate: null, noShowRate: null, averageDurationMinutes: null });
    expect(empty.jobs).toEqual([]);
  });

  it('refuses a backwards or over-long range, and another company\'s job', async () => {
    expectStatus(await c('GET', `/v1/overview?from=${at('2031-02-01T00:00:00Z')}&to=${at('2031-01-01T00:00:00Z')}`), 400);
    expectStatus(await c('GET', `/v1/overview?from=${at('2029-01-01T00:00:00Z')}&to=${at('2031-01-01T00:00:00Z')}`), 400);
    expectStatus(await c('GET', '/v1/overview?from=yesterday'), 400);
    expectStatus(await call('GET', `/v1/overview?jobId=${jobA.id}`), 404);
    // Acme's overview of the same range knows nothing of Pipeline Co.
    expect(bodyOf(await call('GET', `/v1/overview?${range}`), 200).totals.invited).toBe(0);
  });

  it("ranks a job's interviews by score with competencies side by side and decisions, under the list's filters", async () => {
    const results = bodyOf(await c('GET', `/v1/jobs/${jobA.id}/results`), 200);
    expect(results.competencies).toEqual([
      { key: 'system_design', name: 'System design' },
      { key: 'communication', name: 'Communication' },
    ]);
    expect(results.items.map((r) => [r.interviewId, r.rank])).toEqual([
      [ids.a1, 1],
      [ids.a2, 2],
      ...[ids.a3, ids.a4, ids.later].sort().map((id) => [id, 3]),
    ]);
    expect(results.items[0]).toMatchObject({
      candidateName: 'Amal a1',
      overallScore: 4.5,
      recommendation: 'advance',
      decision: 'advance',
      competencies: [
        { key: 'system_design', score: 5 },
        { key: 'communication', score: 4 },
      ],
    });
    // A competency the scorecard has no score for is still there, empty, so the columns line up.
    expect(results.items[1]).toMatchObject({
      decision: 'hold',
      competencies: [
        { key: 'system_design', score: null },
        { key: 'communication', score: 2 },
      ],
    });
    expect(results.items[2]!.competencies).toEqual([
      { key: 'system_design', score: null },
      { key: 'communication', score: null },
    ]);

    const ids_ = async (query: string) => bodyOf(await c('GET', `/v1/jobs/${jobA.id}/results?${query}`), 200).items.map((r) => r.interviewId);
    expect(await ids_('status=completed')).toEqual([ids.a1, ids.a2, ids.later]);
    expect(new Set(await ids_('status=expired,cancelled'))).toEqual(new Set([ids.a3, ids.a4]));
    expect(await ids_('type=BEHAVIORAL')).toEqual([ids.a2]);
    expect(await ids_(`scheduledFrom=${at('2031-01-06T00:00:00Z')}&scheduledTo=${at('2031-01-07T00:00:00Z')}`)).toEqual([ids.a2]);
    expect(await ids_('q=badr')).toEqual([ids.a2]);
    expect(await ids_('recommendation=do_not_advance')).toEqual([ids.a2]);
    // Ranks are among what the filters keep.
    expect(bodyOf(await c('GET', `/v1/jobs/${jobA.id}/results?type=BEHAVIORAL`), 200).items[0]!.rank).toBe(1);
    expect(await ids_('sort=scheduledStart&order=asc&status=completed')).toEqual([ids.a1, ids.a2, ids.later]);
    expectStatus(await call('GET', `/v1/jobs/${jobA.id}/results`), 404);
  });
});
