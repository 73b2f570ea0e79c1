import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailJobs } from '../api/email/sender.ts';
import { client, expectStatus, seedCompany, seedInterview } from './support/harness.ts';
import { testJobWorker } from './support/jobs.ts';
import { startConsumer, startWebhookApi, type Consumer, type WebhookApi } from './webhooks/support.ts';

// The alternative process end to end over HTTP: the candidate's request on the room code or the signed link, HR told
// through a real SMTP server and a signature-checking webhook consumer, the workspace's view and "handled".

let api: WebhookApi;
let consumer: Consumer;
let inbox: { messages: ParsedMail[]; port: number; close(): Promise<void> };
let call: ReturnType<typeof client>;
let otherCall: ReturnType<typeof client>;
let companyId: string;

async function startInbox() {
  const messages: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => (messages.push(mail), callback()), callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    messages,
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function emailWorker() {
  return testJobWorker({
    db: api.db,
    databaseUrl: api.dbUrl,
    log: api.deps.log,
    now: api.now,
    tasks: (onHandled) => emailJobs({ db: api.db, log: api.deps.log, settings: api.config.email, now: api.now, onHandled }).tasks,
  });
}

async function linkToken(interviewId: string): Promise<string> {
  const link = await call('GET', `/v1/interviews/${interviewId}/link`);
  expectStatus(link, 200);
  return new URL(link.body.url).searchParams.get('link')!;
}

const publicCall = (path: string, body: unknown) => client(api.url)('POST', path, { body });

beforeAll(async () => {
  inbox = await startInbox();
  api = await startWebhookApi({ SMTP_URL: `smtp://127.0.0.1:${inbox.port}`, EMAIL_FROM: 'Interviews <interviews@acme.test>' });
  const seeded = await seedCompany(api.db, 'Acme');
  companyId = seeded.companyId;
  call = client(api.url, seeded.key);
  otherCall = client(api.url, (await seedCompany(api.db, 'Other Co')).key);
  // Who is told: the admins and recruiters who can sign in, not the reviewer nor a disabled account.
  await api.db
    .insertInto('users')
    .values([
      { companyId, email: 'admin@acme.test', role: 'admin', status: 'active', name: 'Ada Admin', passwordHash: 'x' },
      { companyId, email: 'recruiter@acme.test', role: 'recruiter', status: 'active', name: 'Rae Recruiter', passwordHash: 'x' },
      { companyId, email: 'reviewer@acme.test', role: 'reviewer', status: 'active', name: 'Rev Reviewer', passwordHash: 'x' },
      { companyId, email: 'gone@acme.test', role: 'admin', status: 'disabled', name: 'Gone', passwordHash: 'x' },
    ])
    .execute();
  consumer = await startConsumer();
  const endpoint = await call('POST', '/v1/webhook-endpoints', {
    body: { url: consumer.url, eventTypes: ['interview.alternative_requested'] },
  });
  expectStatus(endpoint, 201);
  consumer.setSecrets([endpoint.body.secret]);
});

afterAll(async () => {
  await consumer?.stop();
  await api?.stop();
  await inbox?.close();
});

describe('the alternative process', () => {
  it('records the request once, tells HR by e-mail and a signed webhook, cancels nothing; HR reads it and marks it handled', async () => {
    const { interview } = await seedInterview(call);
    const reason = 'I am hard of hearing and would prefer a written interview';
    const contact = 'layla.alt@example.com';
    const first = await publicCall(`/v1/public/rooms/${interview.roomCode}/alternative`, { reason, contact });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ alreadyRecorded: false });

    // Asked again, by the signed link this time: the same request, nothing new sent.
    const again = await publicCall(`/v1/public/links/${encodeURIComponent(await linkToken(interview.id))}/alternative`, {});
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ requestedAt: (first.body as any).requestedAt, alreadyRecorded: true });

    // Nothing was cancelled.
    const after = await call('GET', `/v1/interviews/${interview.id}`);
    expectStatus(after, 200);
    expect(after.body.status).toBe('scheduled');

    // The e-mail, through SMTP: one per admin and recruiter, with the candidate's words and the workspace link.
    expect(await emailWorker().runOnce()).toBe(2);
    expect(inbox.messages.map((m) => (m.to && 'text' in m.to ? m.to.text : '')).sort()).toEqual([
      'admin@acme.test',
      'recruiter@acme.test',
    ]);
    const mail = inbox.messages[0]!;
    expect(mail.subject).toBe('Layla Haddad asked for another way to be interviewed');
    expect(mail.replyTo?.text).toBe('layla@example.com');
    expect(mail.text).toContain(reason);
    expect(mail.text).toContain(contact);
    expect(mail.text).toContain('Nothing was cancelled');
    expect(mail.text).toContain(`http://interviews.test/hr/interviews/${interview.id}`);

    // The webhook, once, verified with the endpoint's secret; ids only, not the candidate's words.
    expect(await api.worker().runOnce()).toBe(1);
    expect(consumer.received).toHaveLength(1);
    const delivery = consumer.received[0]!;
    expect(delivery.verified).toMatchObject({
      ok: true,
      payload: {
        type: 'interview.alternative_requested',
        version: 1,
        data: {
          interviewId: interview.id,
          candidateId: interview.candidateId,
          jobId: interview.jobId,
          requestedAt: (first.body as any).requestedAt,
          links: { interview: `/v1/interviews/${interview.id}` },
        },
      },
    });
    expect(delivery.body).not.toContain('hard of hearing');
    expect(delivery.body).not.toContain(contact);

    // The workspace: the request on the interview, the list's badge and filter.
    const read = await call('GET', `/v1/interviews/${interview.id}/alternative-request`);
    expectStatus(read, 200);
    expect(read.body.request).toMatchObject({ reason, contact, handledAt: null, handledBy: null });
    const open = await call('GET', '/v1/interviews?alternative=open');
    expectStatus(open, 200);
    expect(open.body.items.map((i) => [i.id, i.alternativeRequest])).toEqual([[interview.id, 'open']]);

    const handled = await call('POST', `/v1/interviews/${interview.id}/alternative-request/handled`);
    expectStatus(handled, 200);
    expect(handled.body.handledAt).not.toBeNull();
    expect(handled.body.handledBy).toMatch(/^api_key:/);
    const twice = await call('POST', `/v1/interviews/${interview.id}/alternative-request/handled`);
    expectStatus(twice, 200);
    expect(twice.body.handledAt).toBe(handled.body.handledAt);
    expect((await call('GET', '/v1/interviews?alternative=open')).body).toMatchObject({ items: [] });
    const done = await call('GET', '/v1/interviews?alternative=handled');
    expectStatus(done, 200);
    expect(done.body.items.map((i) => [i.id, i.alternativeRequest])).toEqual([[interview.id, 'handled']]);

    // The audit log keeps the facts, never the words.
    const audit = await api.db
      .selectFrom('auditLog')
      .select(['action', 'actorType', 'details'])
      .where('targetId', '=', interview.id)
      .where('action', 'like', 'interview.alternative%')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => [a.action, a.actorType])).toEqual([
      ['interview.alternative_requested', 'candidate'],
      ['interview.alternative_handled', 'api_key'],
    ]);
    expect(JSON.stringify(audit)).not.toContain('hearing');
    // Only the first request wrote messages.
    const messages = await api.db.selectFrom('emailMessages').select('kind').where('interviewId', '=', interview.id).execute();
    expect(messages.filter((m) => m.kind === 'hr.alternative_requested')).toHaveLength(2);
  });

  it("writes to HR in the company's language, with the interview's time in the company's time zone", async () => {
    const shams = await seedCompany(api.db, 'Shams');
    await api.db
      .updateTable('companies')
      .set({ defaultLanguage: 'ar', enabledLanguages: ['ar', 'en'], timezone: 'Asia/Dubai' })
      .where('id', '=', shams.companyId)
      .execute();
    await api.db
      .insertInto('users')
      .values({ companyId: shams.companyId, email: 'hr@shams.test', role: 'admin', status: 'active', name: 'Huda', passwordHash: 'x' })
      .execute();
    // 09:00 UTC is 13:00 in Dubai.
    const start = new Date(Date.UTC(2031, 0, 15, 9, 0));
    const { interview } = await seedInterview(client(api.url, shams.key), { start, end: new Date(start.getTime() + 3_600_000) });
    const reason = 'أفضّل مقابلة مكتوبة';
    expect((await publicCall(`/v1/public/rooms/${interview.roomCode}/alternative`, { reason })).status).toBe(201);
    await emailWorker().runOnce();
    const toHr = inbox.messages.filter((m) => m.to && 'text' in m.to && m.to.text === 'hr@shams.test');
    expect(toHr).toHaveLength(1);
    const mail = toHr[0]!;
    expect(mail.subject).toBe('طلب Layla Haddad طريقة أخرى لإجراء المقابلة');
    expect(mail.text).toContain(reason);
    expect(mail.text).toContain('Asia/Dubai');
    expect(mail.text).not.toContain('UTC');
    expect(mail.html).toContain('dir="rtl"');
    expect(mail.text).toContain('1:00 م');
  });

  it("another company's interview is not found; an interview without a request reads null and cannot be handled", async () => {
    const { interview } = await seedInterview(call);
    expect((await otherCall('GET', `/v1/interviews/${interview.id}/alternative-request`)).status).toBe(404);
    expect((await otherCall('POST', `/v1/interviews/${interview.id}/alternative-request/handled`)).status).toBe(404);
    const none = await call('GET', `/v1/interviews/${interview.id}/alternative-request`);
    expectStatus(none, 200);
    expect(none.body.request).toBeNull();
    expect((await call('POST', `/v1/interviews/${interview.id}/alternative-request/handled`)).status).toBe(404);
    // The other company's list does not show this company's requests.
    await publicCall(`/v1/public/rooms/${interview.roomCode}/alternative`, {});
    expect((await otherCall('GET', '/v1/interviews?alternative=any')).body).toMatchObject({ items: [] });
  });

  it('refuses bad input with 400 and an unknown code or link with 404', async () => {
    const { interview } = await seedInterview(call);
    const at = `/v1/public/rooms/${interview.roomCode}/alternative`;
    const tooLong = await publicCall(at, { reason: 'x'.repeat(501) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toMatchObject({ code: 'validation_failed' });
    expect((await publicCall(at, { phone: '+971501234567' })).status).toBe(400);
    expect((await publicCall(at, { contact: 42 })).status).toBe(400);
    expect((await publicCall('/v1/public/rooms/ZZZZ-ZZZZ/alternative', {})).status).toBe(404);
    expect((await publicCall('/v1/public/links/not-a-link/alternative', {})).status).toBe(404);
    const list = await call('GET', '/v1/interviews?alternative=maybe');
    expect(list.status).toBe(400);
    // None of the refused requests was recorded.
    expect((await call('GET', `/v1/interviews/${interview.id}/alternative-request`)).body).toEqual({ request: null });
  });

  it('the privacy notice: https only, shown to the candidate before joining, cleared with null', async () => {
    const { interview } = await seedInterview(call);
    for (const bad of ['http://acme.example/privacy', 'javascript:alert(1)', 'https://localhost/privacy', 'privacy', '']) {
      const refused = await call('PATCH', '/v1/company', { body: { privacyNoticeUrl: bad } });
      expect(refused.status, bad).toBe(400);
      expect(refused.body).toMatchObject({ code: 'validation_failed' });
    }
    const set = await call('PATCH', '/v1/company', { body: { privacyNoticeUrl: 'https://acme.example/privacy' } });
    expectStatus(set, 200);
    expect(set.body.privacyNoticeUrl).toBe('https://acme.example/privacy');
    const room = await client(api.url)('GET', `/v1/public/rooms/${interview.roomCode}` as '/v1/public/rooms/:code');
    expectStatus(room, 200);
    expect(room.body.privacyNoticeUrl).toBe('https://acme.example/privacy');
    // Another company's setting is its own.
    expect((await otherCall('GET', '/v1/company')).body).toMatchObject({ privacyNoticeUrl: null });
    expectStatus(await call('PATCH', '/v1/company', { body: { privacyNoticeUrl: null } }), 200);
    expect((await client(api.url)('GET', `/v1/public/rooms/${interview.roomCode}` as '/v1/public/rooms/:code')).body).toMatchObject({
      privacyNoticeUrl: null,
    });
  });
});
