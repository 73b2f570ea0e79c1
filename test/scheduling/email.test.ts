import { createServer, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { releaseDeadRunners } from '../../api/jobs/runner.ts';
import { createLogger } from '../../shared/logger.ts';
import { client, expectOk, expectStatus, okBody, seedCompany, startTestApi, type TestApi } from '../support/harness.ts';
import { emailWorker, seedJobAndCandidates } from './support.ts';

// E-mail for real: a real SMTP server in this process, every message parsed with mailparser, and the link in it
// used against the public join endpoint. The worker runs against the test API's clock, so reminders a day away
// are reached by moving the clock, not by waiting.

interface Inbox {
  server: SMTPServer;
  port: number;
  messages: ParsedMail[];
  close(): Promise<void>;
}

async function startInbox(port = 0): Promise<Inbox> {
  const messages: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push(mail);
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.server.address() as AddressInfo;
  return {
    server,
    port: address.port,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function calendarPart(mail: ParsedMail): string {
  const part = mail.attachments.find(
    (a) => a.contentType.startsWith('text/calendar') || a.contentType === 'application/ics',
  );
  if (!part) throw new Error(`no calendar part in: ${mail.attachments.map((a) => a.contentType).join(', ')}`);
  return part.content.toString('utf8').replace(/\r\n[ \t]/g, '');
}

const icsField = (ics: string, name: string) => new RegExp(`^${name}[;:](.*)$`, 'm').exec(ics)?.[1]?.replace(/\r$/, '');

const started: { api: TestApi; worker: ReturnType<typeof emailWorker> }[] = [];
let inbox: Inbox;

async function setup(env: Record<string, string> = {}) {
  const api = await startTestApi({ env });
  api.setNow(new Date('2027-03-01T08:00:00Z'));
  const worker = emailWorker(api);
  started.push({ api, worker });
  const { key, companyId } = await seedCompany(api.db, 'Acme Payments');
  const call = client(api.url, key);
  const slot = async (startsAt: string) =>
    okBody(
      await call('POST', '/v1/scheduling/slots', {
        body: {
          interviewType: 'TECHNICAL',
          startsAt,
          endsAt: new Date(Date.parse(startsAt) + 30 * 60_000).toISOString(),
          capacity: 2,
        },
      }),
    );
  return { api, worker, call, slot, companyId };
}

beforeAll(async () => {
  inbox = await startInbox();
});
afterAll(async () => {
  for (const s of started) await s.worker.stop();
  for (const a of new Set(started.map((s) => s.api))) await a.stop();
  await inbox?.close();
});
afterEach(() => {
  inbox.messages.length = 0;
});

describe('invitations by e-mail', () => {
  it('invitation, update and cancellation with one UID and rising SEQUENCE; the link works inside its window; reminders', async () => {
    const { api, worker, call, slot } = await setup({
      SMTP_URL: `smtp://127.0.0.1:${inbox.port}`,
      EMAIL_FROM: 'Interviews <interviews@acme.test>',
    });
    await call('PUT', '/v1/scheduling/settings', {
      body: {
        timezone: 'Europe/London',
        brandName: 'Acme',
        logoUrl: 'https://acme.test/logo.png',
        replyTo: 'talent@acme.test',
      },
    });
    const first = await slot('2027-03-03T10:00:00Z');
    const second = await slot('2027-03-04T12:00:00Z');
    const { jobId, candidates } = await seedJobAndCandidates(call, 1, { email: () => 'layla@example.com' });
    const booked = await call('POST', '/v1/scheduling/bookings', {
      body: { slotId: first.id, candidateId: candidates[0]!.id, jobId, candidateTimezone: 'Asia/Dubai' },
    });
    expectStatus(booked, 201);
    expect(booked.body.emails.map((e: any) => [e.kind, e.status])).toEqual([
      ['invitation', 'pending'],
      ['reminder_1440m', 'pending'],
      ['reminder_15m', 'pending'],
    ]);

    expect(await worker.runOnce()).toBe(1);
    expect(inbox.messages).toHaveLength(1);
    const invite = inbox.messages[0]!;
    expect(invite.subject).toBe('Your interview for Backend Engineer at Acme');
    expect(invite.to && 'text' in invite.to ? invite.to.text : '').toBe('layla@example.com');
    expect(invite.replyTo?.text).toBe('talent@acme.test');
    const text = invite.text!;
    // Both timezones: 10:00 UTC is 14:00 in Dubai and 10:00 in London (GMT in early March).
    expect(text).toContain('Your time: Wednesday, 3 March 2027 at 14:00');
    expect(text).toContain('(Asia/Dubai)');
    expect(text).toContain("Company's time: Wednesday, 3 March 2027 at 10:00");
    expect(text).toContain('(Europe/London)');
    expect(text).toContain('Role: Backend Engineer — Acme');
    expect(text).toContain('It takes about 30 minutes.');
    // HR booked this one: moving it is HR's, so no self-scheduling page is offered.
    expect(text).not.toContain('Move or cancel');
    expect(text).toContain('quiet room, a microphone');
    expect(text).toMatch(/AI voice interviewer/);
    expect(text).toMatch(/reply to this e-mail and we will arrange an alternative/);
    const code = `${booked.body.roomCode.slice(0, 4)}-${booked.body.roomCode.slice(4)}`;
    expect(text).toContain(`Room code: ${code}`);
    expect(invite.html).toContain('https://acme.test/logo.png');
    expect(invite.html).toContain(code);
    const ics = calendarPart(invite);
    expect(icsField(ics, 'METHOD')).toBe('REQUEST');
    expect(icsField(ics, 'UID')).toBe(`${booked.body.interviewId}@ai-interviewer`);
    expect(icsField(ics, 'SEQUENCE')).toBe('0');
    expect(icsField(ics, 'DTSTART')).toBe('20270303T100000Z');

    // The link in the e-mail: refused before its window, admits the candidate inside it.
    const link = /Join link: (\S+)/.exec(text)![1]!;
    const token = new URL(link).searchParams.get('link')!;
    const join = () =>
      call('POST', `/v1/public/links/${encodeURIComponent(token)}/join`, {
        key: null,
        body: { phone: candidates[0]!.phone, firstName: 'Layla', lastName: 'Haddad' },
      });
    const early = await join();
    expectStatus(early, 409);
    expect(early.body.code).toBe('not_open_yet');

    // Reminders: 24 hours and 15 minutes before, sent by the queue when the clock reaches them.
    api.setNow(new Date('2027-03-02T10:00:00Z'));
    expect(await worker.runOnce()).toBe(1);
    expect(inbox.messages.at(-1)!.subject).toBe('Reminder: your interview for Backend Engineer starts in 24 hours');
    api.setNow(new Date('2027-03-03T09:45:00Z'));
    expect(await worker.runOnce()).toBe(1);
    expect(inbox.messages.at(-1)!.subject).toBe('Reminder: your interview for Backend Engineer starts in 15 minutes');
    expect(inbox.messages.at(-1)!.text).toContain(link);
    const admitted = await join();
    expectStatus(admitted, 200);
    expect(admitted.body.token).toBeTruthy();

    // Reschedule, inside the old window: same UID, SEQUENCE 1; the old link is dead at once, the new one is in the e-mail.
    api.setNow(new Date('2027-03-03T09:50:00Z'));
    const moved = await call('POST', `/v1/scheduling/bookings/${booked.body.id}/reschedule`, {
      body: { slotId: second.id },
    });
    expectStatus(moved, 200);
    expect(await worker.runOnce()).toBe(1);
    const update = inbox.messages.at(-1)!;
    expect(update.subject).toBe('Your interview for Backend Engineer at Acme has moved');
    const updateIcs = calendarPart(update);
    expect(icsField(updateIcs, 'UID')).toBe(`${booked.body.interviewId}@ai-interviewer`);
    expect(icsField(updateIcs, 'SEQUENCE')).toBe('1');
    expect(icsField(updateIcs, 'METHOD')).toBe('REQUEST');
    expect(icsField(updateIcs, 'DTSTART')).toBe('20270304T120000Z');
    expect((await join()).status).toBe(404);
    const newToken = new URL(/Join link: (\S+)/.exec(update.text!)![1]!).searchParams.get('link')!;
    expect(newToken).not.toBe(token);
    const newJoin = await call('POST', `/v1/public/links/${encodeURIComponent(newToken)}/join`, {
      key: null,
      body: { phone: candidates[0]!.phone, firstName: 'Layla', lastName: 'Haddad' },
    });
    expectStatus(newJoin, 409);
    expect(newJoin.body.code).toBe('not_open_yet');

    // Cancel: METHOD:CANCEL under the same UID, SEQUENCE 2; the reminders for the new time are withdrawn.
    api.setNow(new Date('2027-03-03T09:55:00Z'));
    await call('POST', `/v1/scheduling/bookings/${booked.body.id}/cancel`, { body: { reason: 'Role filled' } });
    expect(await worker.runOnce()).toBe(1);
    const cancel = inbox.messages.at(-1)!;
    expect(cancel.subject).toBe('Your interview for Backend Engineer at Acme is cancelled');
    // HR's reason is HR's: the candidate is told who cancelled, in words, and never HR's own text.
    expect(cancel.text).toContain('Reason: The company cancelled this interview.');
    for (const part of [cancel.subject, cancel.text, cancel.html, calendarPart(cancel)]) expect(part).not.toContain('Role filled');
    const cancelIcs = calendarPart(cancel);
    expect(icsField(cancelIcs, 'METHOD')).toBe('CANCEL');
    expect(icsField(cancelIcs, 'SEQUENCE')).toBe('2');
    expect(icsField(cancelIcs, 'UID')).toBe(`${booked.body.interviewId}@ai-interviewer`);
    api.setNow(new Date('2027-03-04T11:50:00Z'));
    expect(await worker.runOnce()).toBe(0);
    expect(inbox.messages).toHaveLength(5);

    // HR sees every message's delivery status on the interview.
    const statuses = await call('GET', `/v1/interviews/${booked.body.interviewId}/emails`);
    expectOk(statuses);
    expect(statuses.body.items.map((e: any) => [e.kind, e.status])).toEqual([
      ['invitation', 'sent'],
      ['reminder_1440m', 'sent'],
      ['reminder_15m', 'sent'],
      ['update', 'sent'],
      ['reminder_1440m', 'cancelled'],
      ['reminder_15m', 'cancelled'],
      ['cancellation', 'sent'],
    ]);
  });

  it("HR cancels the interview with its own words: the candidate's e-mail and session get the worded reason only", async () => {
    const { api, worker, call, slot } = await setup({ SMTP_URL: `smtp://127.0.0.1:${inbox.port}` });
    // Real time from here: the candidate joins through LiveKit, whose tokens live on the real clock.
    api.setNow(null);
    const startsAt = new Date(Math.ceil((Date.now() + 5 * 60_000) / 60_000) * 60_000).toISOString();
    const s = await slot(startsAt);
    const { jobId, candidates } = await seedJobAndCandidates(call, 1);
    const booked = await call('POST', '/v1/scheduling/bookings', {
      body: { slotId: s.id, candidateId: candidates[0]!.id, jobId },
    });
    expectStatus(booked, 201);
    const interview = okBody(await call('GET', `/v1/interviews/${booked.body.interviewId}`));
    const joined = await call('POST', `/v1/public/rooms/${interview.roomCode}/join`, {
      key: null,
      body: { phone: candidates[0]!.phone, firstName: 'Cand0', lastName: 'Test' },
    });
    expectStatus(joined, 200);
    const session = () =>
      call('GET', '/v1/public/session', { key: null, headers: { authorization: `Bearer ${joined.body.token}` } });
    expect((await session()).body).toEqual({ status: 'scheduled', endReason: null });

    const note = 'Internal: weak references, do not rebook';
    const cancelled = await call('POST', `/v1/interviews/${interview.id}/cancel`, { body: { reason: note } });
    expectStatus(cancelled, 200);
    await worker.runOnce();
    const mail = inbox.messages.find((m) => m.subject?.endsWith('is cancelled'))!;
    expect(mail.text).toContain('Reason: The company cancelled this interview.');
    for (const part of [mail.subject, mail.text, mail.html, calendarPart(mail)]) {
      expect(part).not.toContain(note);
      expect(part).not.toContain('cancelled_by_hr');
    }
    const status = await session();
    expectStatus(status, 200);
    expect(status.body).toEqual({ status: 'cancelled', endReason: 'cancelled_by_company' });
    // HR still reads its own words on the interview.
    expect(JSON.stringify((await call('GET', `/v1/interviews/${interview.id}`)).body)).toContain(note);
  });

  it('Arabic template: Arabic subject and text, right-to-left HTML, times in Arabic', async () => {
    const { worker, call, slot } = await setup({ SMTP_URL: `smtp://127.0.0.1:${inbox.port}` });
    await call('PUT', '/v1/scheduling/settings', { body: { timezone: 'Asia/Dubai', locale: 'ar' } });
    const s = await slot('2027-03-10T06:00:00Z');
    const { jobId, candidates } = await seedJobAndCandidates(call, 1);
    const booked = await call('POST', '/v1/scheduling/bookings', {
      body: { slotId: s.id, candidateId: candidates[0]!.id, jobId },
    });
    expectOk(booked);
    expect(booked.body.locale).toBe('ar');
    await worker.runOnce();
    const mail = inbox.messages[0]!;
    expect(mail.subject).toBe('مقابلتك لوظيفة Backend Engineer لدى Acme Payments');
    expect(mail.text).toContain('مرحباً Cand0،');
    expect(mail.text).toContain('بالذكاء الاصطناعي');
    expect(mail.text).toContain('(Asia/Dubai)');
    expect(mail.text).toMatch(/مارس/);
    expect(mail.html).toContain('dir="rtl"');
    expect(icsField(calendarPart(mail), 'METHOD')).toBe('REQUEST');
    await call('POST', `/v1/scheduling/bookings/${booked.body.id}/cancel`, { body: { reason: 'Budget frozen' } });
    await worker.runOnce();
    const cancel = inbox.messages.at(-1)!;
    expect(cancel.text).toContain('السبب: ألغت الشركة هذه المقابلة.');
    expect(cancel.text).not.toContain('Budget frozen');
  });
});

describe('delivery failures and the local outbox', () => {
  it('SMTP down at booking time: the booking succeeds, and the e-mail is delivered once when SMTP is back', async () => {
    const port = await freePort();
    const { api, worker, call, slot } = await setup({ SMTP_URL: `smtp://127.0.0.1:${port}` });
    const s = await slot('2027-03-02T09:00:00Z');
    const { jobId, candidates } = await seedJobAndCandidates(call, 1);
    const booked = await call('POST', '/v1/scheduling/bookings', {
      body: { slotId: s.id, candidateId: candidates[0]!.id, jobId },
    });
    expectStatus(booked, 201);

    expect(await worker.runOnce()).toBe(1);
    let detail = await call('GET', `/v1/scheduling/bookings/${booked.body.id}`);
    expectOk(detail);
    const invitation = () => okBody(detail).emails.find((e) => e.kind === 'invitation')!;
    expect(invitation()).toMatchObject({ status: 'pending', attempts: 1 });
    expect(invitation().lastError).toMatch(/ECONNREFUSED|connect/i);
    // Not due again until the backoff passes.
    expect(await worker.runOnce()).toBe(0);

    const late = await startInbox(port);
    try {
      api.setNow(new Date('2027-03-01T08:00:31Z'));
      expect(await worker.runOnce()).toBe(1);
      expect(await worker.runOnce()).toBe(0);
      expect(late.messages).toHaveLength(1);
      expect(late.messages[0]!.subject).toBe('Your interview for Backend Engineer at Acme Payments');
      detail = await call('GET', `/v1/scheduling/bookings/${booked.body.id}`);
      expect(invitation()).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
    } finally {
      await late.close();
    }
  });

  it("durable runner: two workers never send one message twice; a dead runner's message waits until its job is freed", async () => {
    const { api, worker, call, slot, companyId } = await setup({ SMTP_URL: `smtp://127.0.0.1:${inbox.port}` });
    const other = emailWorker(api);
    started.push({ api, worker: other });
    const s = await slot('2027-03-09T09:00:00Z');
    const s2 = await slot('2027-03-09T10:00:00Z');
    const { jobId, candidates } = await seedJobAndCandidates(call, 4, { email: (i) => `racer${i}@example.com` });
    for (const [i, c] of candidates.entries()) {
      const r = await call('POST', '/v1/scheduling/bookings', {
        body: { slotId: i < 2 ? s.id : s2.id, candidateId: c.id, jobId },
      });
      expectStatus(r, 201);
    }
    // A runner that took one message's job and died: the job stays locked by it, so nobody else may send it yet.
    const stuck = await api.db
      .updateTable('emailMessages')
      .set({ attempts: 1 })
      .where('companyId', '=', companyId)
      .where('kind', '=', 'invitation')
      .where('toAddress', '=', 'racer0@example.com')
      .returning('id')
      .executeTakeFirstOrThrow();
    await sql`update graphile_worker._private_jobs set locked_by = 'pool-dead-runner', locked_at = now() - interval '1 minute'
               where key = ${`email:${stuck.id}`}`.execute(api.db);
    const [a, b] = await Promise.all([worker.runOnce(), other.runOnce()]);
    expect(a + b).toBe(3);
    expect(inbox.messages.map((m) => (m.to && 'text' in m.to ? m.to.text : '')).sort()).toEqual([
      'racer1@example.com',
      'racer2@example.com',
      'racer3@example.com',
    ]);
    expect(await worker.runOnce()).toBe(0);
    // Any runner sees that no live session holds the dead runner's liveness lock and frees its job: the message
    // goes out, once.
    const admin = new pg.Client({ connectionString: api.deps.config.database.url });
    await admin.connect();
    try {
      expect(await releaseDeadRunners(admin, api.deps.log)).toEqual(['pool-dead-runner']);
    } finally {
      await admin.end();
    }
    expect(await other.runOnce()).toBe(1);
    expect(await worker.runOnce()).toBe(0);
    expect(inbox.messages).toHaveLength(4);
    const row = await api.db
      .selectFrom('emailMessages')
      .select(['status', 'attempts'])
      .where('id', '=', stuck.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'sent', attempts: 2 });
  });

  it('a rejected recipient is retried later and never puts the address in the logs', async () => {
    const rejecting = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _session, callback) {
        callback(Object.assign(new Error(`Mailbox <${address.address}> unavailable`), { responseCode: 450 }));
      },
    });
    await new Promise<void>((resolve) => rejecting.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (rejecting.server.address() as AddressInfo).port;
      const { api, call, slot } = await setup({ SMTP_URL: `smtp://127.0.0.1:${port}` });
      const lines: string[] = [];
      const log = createLogger(
        { level: 'debug' },
        new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }),
      );
      const worker = emailWorker(api, log);
      const s = await slot('2027-03-06T09:00:00Z');
      const { jobId, candidates } = await seedJobAndCandidates(call, 1, { email: () => 'private.person@example.com' });
      const booked = await call('POST', '/v1/scheduling/bookings', {
        body: { slotId: s.id, candidateId: candidates[0]!.id, jobId },
      });
      expectStatus(booked, 201);
      expect(await worker.runOnce()).toBe(1);
      const detail = await call('GET', `/v1/scheduling/bookings/${booked.body.id}`);
      expectOk(detail);
      const invitation = detail.body.emails.find((e: any) => e.kind === 'invitation')!;
      expect(invitation).toMatchObject({ status: 'pending', attempts: 1 });
      expect(invitation.lastError).toContain('<address>');
      expect(lines.some((l) => l.includes('e-mail not sent'))).toBe(true);
      const all = lines.join('\n') + JSON.stringify(detail.body.emails);
      expect(all).not.toContain('private.person@example.com');
      expect(all).not.toContain(candidates[0]!.phone);
    } finally {
      await new Promise<void>((resolve) => rejecting.close(() => resolve()));
    }
  });

  it('without SMTP_URL messages go to the local outbox, which the API lists', async () => {
    const { worker, call, slot, companyId } = await setup();
    const s = await slot('2027-03-05T09:00:00Z');
    const { jobId, candidates } = await seedJobAndCandidates(call, 1);
    const booked = await call('POST', '/v1/scheduling/bookings', {
      body: { slotId: s.id, candidateId: candidates[0]!.id, jobId },
    });
    expectOk(booked);
    expect(await worker.runOnce()).toBe(1);
    const outbox = await call('GET', '/v1/email/messages?status=local');
    expectStatus(outbox, 200);
    expect(outbox.body.items).toHaveLength(1);
    expect(outbox.body.items[0]).toMatchObject({
      companyId,
      interviewId: booked.body.interviewId,
      kind: 'invitation',
      toAddress: 'candidate0@example.com',
      subject: 'Your interview for Backend Engineer at Acme Payments',
    });
    expect(outbox.body.items[0]!.ics).toContain('METHOD:REQUEST');
    expect(inbox.messages).toHaveLength(0);
  });
});
