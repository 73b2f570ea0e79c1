import { createServer, type Server } from 'node:http';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { sql, type Kysely } from 'kysely';
import { expect } from 'vitest';
import { endInterview, candidateArrived } from '../../shared/interview-lifecycle.ts';
import type { Database } from '../../shared/db/schema.ts';
import { insertCodeEvents } from '../../api/coding/code-events.repository.ts';
import { beginRecordingPart, markPartStored } from '../../shared/recordings/repository.ts';
import { createRecordingStore } from '../../shared/recordings/store.ts';
import { createTranscriptWriter, recordConsent } from '../../agent/persistence.ts';
import { scoreInterviewTask } from '../../api/scoring/scoring-jobs.ts';
import { webhookJobs } from '../../api/webhooks/delivery.ts';
import { eraseCandidateTask } from '../../api/data-rights/erasure.ts';
import { client, expectStatus, okBody, type TestApi } from '../support/harness.ts';
import { testJobWorker } from '../support/jobs.ts';
import { honestBrain, promptTurns, type EvaluationRequest } from '../scoring/gemini-evaluation-emulator.ts';
import type { S3Server } from '../support/services.ts';

// What the data-rights tests share: a candidate seeded through the product (API calls and the repository functions
// the agent and job runner use), the job runner's tasks on the test clock, a text dump of every row of the test
// database, every object in the recording bucket, and a search of both for a person's identifying strings.

export const bucket = 'data-rights-recordings';

export interface Person {
  firstName: string;
  lastName: string;
  /** As typed, national format (the company's region is AE). */
  phoneNational: string;
  phoneE164: string;
  email: string;
  resumePhrase: string;
  transcriptPhrase: string;
}

export function person(tag: string, digits: string): Person {
  return {
    firstName: `Zenobia${tag}`,
    lastName: `Quillfeather${tag}`,
    phoneNational: `050 ${digits.slice(0, 3)} ${digits.slice(3)}`,
    phoneE164: `+97150${digits}`,
    email: `zenobia.${tag.toLowerCase()}@quill-${tag.toLowerCase()}.example.org`,
    resumePhrase: `Orchestrated the Kestrel${tag} Vantage ledger migration`,
    transcriptPhrase: `the marmalade${tag} reconciliation engine`,
  };
}

/** Every form the person can be found in: the phone as E.164, digits only, national with and without spaces. */
export function needles(p: Person): string[] {
  const digits = p.phoneE164.slice(1);
  const national = `0${digits.slice(3)}`;
  return [
    p.firstName,
    p.lastName,
    p.email,
    p.phoneE164,
    digits,
    national,
    national.slice(1),
    p.phoneNational,
    p.resumePhrase,
    p.transcriptPhrase,
  ];
}

export function storeEnv(s3: S3Server, prefix: string): Record<string, string> {
  return {
    RECORDINGS_S3_BUCKET: bucket,
    RECORDINGS_S3_ENDPOINT: s3.endpoint,
    RECORDINGS_S3_ACCESS_KEY_ID: s3.accessKeyId,
    RECORDINGS_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    RECORDINGS_S3_PREFIX: prefix,
    RECORDINGS_S3_SSE: 'none',
  };
}

export function s3Client(s3: S3Server): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
}

/** Every object in the bucket, with its bytes (as latin1 text, so any ASCII or UTF-8 needle is found in it). */
export async function storedObjects(s3: S3Server): Promise<{ key: string; text: string }[]> {
  const s3c = s3Client(s3);
  const out: { key: string; text: string }[] = [];
  let token: string | undefined;
  do {
    const page = await s3c.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      const body = await s3c.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }));
      out.push({ key: o.Key!, text: Buffer.from(await body.Body!.transformToByteArray()).toString('utf8') });
    }
    token = page.NextContinuationToken;
  } while (token);
  return out;
}

/**
 * A text dump of the whole database: every row of every table in every schema (ours, graphile_worker's), as
 * Postgres prints a row. pg_dump itself cannot be used here: the embedded Postgres package ships the server alone,
 * and this machine's pg_dump (15) refuses a newer server (17). Rows only, like a data-only pg_dump.
 */
export async function dumpDatabase(db: Kysely<Database>): Promise<string> {
  const tables = await sql<{ schema: string; name: string }>`
    select table_schema as schema, table_name as name from information_schema.tables
     where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')
     order by 1, 2`.execute(db);
  expect(tables.rows.length).toBeGreaterThan(30);
  const parts: string[] = [];
  for (const t of tables.rows) {
    const rows = await sql<{ row: string }>`select t::text as row from ${sql.table(`${t.schema}.${t.name}`)} t`.execute(
      db,
    );
    parts.push(`-- ${t.schema}.${t.name}\n${rows.rows.map((r) => r.row).join('\n')}`);
  }
  return parts.join('\n');
}

/** Where each needle occurs (case-insensitive): an empty list is the proof. */
export function findNeedles(haystacks: { where: string; text: string }[], p: Person): string[] {
  const found: string[] = [];
  for (const needle of needles(p)) {
    for (const h of haystacks) {
      const i = h.text.toLowerCase().indexOf(needle.toLowerCase());
      if (i >= 0)
        found.push(
          `${JSON.stringify(needle)} in ${h.where}: …${h.text.slice(Math.max(0, i - 80), i + needle.length + 40)}…`,
        );
    }
  }
  return found;
}

export async function everywhere(db: Kysely<Database>, s3: S3Server) {
  const dump = await dumpDatabase(db);
  const objects = await storedObjects(s3);
  return [{ where: 'database', text: dump }, ...objects.map((o) => ({ where: `object ${o.key}`, text: o.text }))];
}

/** A webhook consumer that answers 200 with what it received (so the stored response excerpt holds the payload). */
export async function startEchoConsumer(): Promise<{ url: string; received: string[]; close(): Promise<void> }> {
  const received: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      received.push(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A model that scores like honestBrain and writes the candidate's name into its summary, as a real one might. */
export function namingBrain(request: EvaluationRequest) {
  const answer = honestBrain(request);
  const first = promptTurns(request.prompt).find((t) => t.speaker === 'candidate');
  return {
    ...answer,
    overall: {
      ...answer.overall,
      summary: `${first?.text.split(' ').slice(0, 8).join(' ') ?? ''}: a strong answer.`,
      strengths: ['Concrete examples with numbers'],
    },
  };
}

/** The tasks the seeding and the erasure need, run on the test API's clock. */
export function workers(api: TestApi) {
  const { db, log, now, config } = api.deps;
  let webhooks: ReturnType<typeof webhookJobs> | undefined;
  const jobs = testJobWorker({
    db,
    databaseUrl: config.database.url,
    log,
    now,
    tasks: () => ({
      'score-interview': scoreInterviewTask({ db, log, now, scoring: config.scoring }),
      'erase-candidate': eraseCandidateTask(api.deps),
    }),
  });
  const delivery = testJobWorker({
    db,
    databaseUrl: config.database.url,
    log,
    now,
    tasks: (count) => (webhooks = webhookJobs({ db, log, settings: config.webhooks, now, onAttempt: count })).tasks,
  });
  return {
    jobs,
    /** Delivers what is due now (nothing listens for the outbox's notification here: a drain is asked for). */
    async deliver() {
      await webhooks!.kick();
      return delivery.runOnce();
    },
  };
}

export interface Seeded {
  candidateId: string;
  jobId: string;
  /** Booked through scheduling; scheduled in the future. */
  bookedInterviewId: string;
  /** Joined, transcribed, recorded, coded, completed, scored and decided. */
  completedInterviewId: string;
  /** Joined and in progress, its room open in LiveKit. */
  liveInterviewId: string;
  roomNames: string[];
}

/**
 * A candidate through the whole product: created with a résumé, booked into a slot (invitation and reminder
 * e-mails), invited to an interview they join by room code (rate-limit counters, audit entry, a LiveKit room), give
 * consent, answer (transcript), code (editor events), are recorded (S3), complete, are scored by the model (quotes
 * and summary) and decided on with a note naming them; a third interview is left in progress in its room. Webhook
 * deliveries go to `consumer`: the first batch delivered (stored response bodies), the rest pending.
 */
export async function seedCandidate(api: TestApi, key: string, p: Person, fixture: string): Promise<Seeded> {
  const hr = client(api.url, key);
  const { db } = api;
  const run = workers(api);
  const job = okBody(
    await hr('POST', '/v1/jobs', {
      body: {
        title: 'Ledger Engineer',
        description: 'Build payment ledgers in TypeScript and Postgres.',
        competencies: [{ key: 'system_design', name: 'System design', description: 'Designs robust services' }],
      },
    }),
  );
  const candidate = await hr('POST', '/v1/candidates', {
    body: {
      firstName: p.firstName,
      lastName: p.lastName,
      phone: p.phoneNational,
      email: p.email,
      resumeText: `${p.firstName} ${p.lastName}. ${p.resumePhrase} at Fintech Co, 2019–2024.`,
    },
  });
  expectStatus(candidate, 201);
  expect(candidate.body.phone).toBe(p.phoneE164);
  const candidateId = candidate.body.id;

  // A booking: a one-off slot three days ahead, booked by HR (the invitation and its reminders are queued).
  const start = new Date(api.deps.now().getTime() + 3 * 86_400_000);
  const slot = await hr('POST', '/v1/scheduling/slots', {
    body: {
      interviewType: 'TECHNICAL',
      startsAt: start.toISOString(),
      endsAt: new Date(start.getTime() + 30 * 60_000).toISOString(),
      capacity: 1,
    },
  });
  expectStatus(slot, 201);
  const booking = await hr('POST', '/v1/scheduling/bookings', {
    body: { slotId: slot.body.id, candidateId, jobId: job.id },
  });
  expectStatus(booking, 201);
  const bookedInterviewId = booking.body.interviewId;

  // Two interviews starting now: the invitation e-mail goes out (queued), and the candidate joins each by code.
  const interviews: { id: string; roomName: string; roomCode: string }[] = [];
  for (let i = 0; i < 2; i++) {
    const created = await hr('POST', '/v1/interviews', {
      body: {
        candidateId,
        jobId: job.id,
        type: 'CODING',
        scheduledStart: new Date(api.deps.now().getTime() + 60_000).toISOString(),
      },
    });
    expectStatus(created, 201);
    const joined = await client(api.url)('POST', `/v1/public/rooms/${created.body.roomCode}/join`, {
      body: { phone: p.phoneNational, phoneRegion: 'AE', firstName: p.firstName, lastName: p.lastName },
    });
    expectStatus(joined, 200);
    await candidateArrived(db, created.body.id, { actor: 'test' });
    interviews.push({ id: created.body.id, roomName: created.body.roomName, roomCode: created.body.roomCode });
  }
  const [done, live] = interviews as [(typeof interviews)[number], (typeof interviews)[number]];
  // The candidate asks for another way to be interviewed, in their own words (HR is e-mailed about it).
  const alternative = await client(api.url)('POST', `/v1/public/rooms/${live.roomCode}/alternative`, {
    body: { reason: `${p.firstName} would rather talk to a person`, contact: `${p.email} or ${p.phoneNational}` },
  });
  expect(alternative.status, JSON.stringify(alternative.body)).toBeLessThan(300);

  for (const interview of interviews) {
    await recordConsent(db, {
      interviewId: interview.id,
      given: true,
      noticeVersion: 'ai-notice-v3+recording',
      noticeLanguage: 'en',
      noticeText: 'This interview is conducted by an AI and recorded.',
      candidateStatement: `Yes, I agree. I am ${p.firstName} ${p.lastName}.`,
    });
    const question = await db
      .selectFrom('interviewPlanQuestions')
      .select('questionId')
      .where('interviewId', '=', interview.id)
      .orderBy('position')
      .executeTakeFirstOrThrow();
    const writer = createTranscriptWriter(db, interview.id);
    const t0 = api.deps.now().getTime();
    const at = (s: number) => new Date(t0 + s * 1000);
    await writer.append({
      speaker: 'interviewer',
      text: `Hello ${p.firstName}, tell me about a system you built.`,
      stage: 'question',
      questionId: question.questionId,
      startedAt: at(0),
      endedAt: at(4),
      input: 'voice',
      interrupted: false,
    });
    await writer.append({
      speaker: 'candidate',
      // Every form of the phone is said somewhere, so the search before the erasure finds each of them.
      text: `I built ${p.transcriptPhrase} in TypeScript and Postgres; call me on ${p.phoneNational} (${p.phoneNational.replace(/\s/g, '')}) or write to ${p.email}.`,
      stage: 'question',
      questionId: question.questionId,
      startedAt: at(5),
      endedAt: at(15),
      input: 'voice',
      interrupted: false,
    });
    await writer.flush();
    await insertCodeEvents(db, interview.id, question.questionId, 1, [
      {
        type: 'snapshot',
        at: 1_000,
        code: `# ${p.firstName} ${p.lastName}\ndef reconcile(ledger):\n    return ledger\n`,
      },
      { type: 'change', at: 2_000, changes: [[0, 0, `# ${p.resumePhrase}\n`]] },
    ]);
    const part = await beginRecordingPart(db, {
      interviewId: interview.id,
      companyId: job.companyId,
      store: 's3',
      startedAt: at(0),
    });
    const store = createRecordingStore(api.deps.config.recordings.store);
    const { sizeBytes } = await store.put(part.objectKey, fixture, 'audio/ogg');
    await markPartStored(db, part.id, { durationMs: 2_000, sizeBytes, recovered: false });
  }

  // The first interview ends; its scoring job asks the model (the emulator), whose scorecard quotes the candidate.
  await endInterview(db, done.id, 'completed', { actor: 'agent' });
  await run.jobs.runOnce();
  const card = await db
    .selectFrom('scorecards')
    .select(['status', 'result'])
    .where('interviewId', '=', done.id)
    .executeTakeFirstOrThrow();
  expect(card.status).toBe('complete');
  expect(JSON.stringify(card.result)).toContain(p.transcriptPhrase);
  const decision = await hr('POST', `/v1/interviews/${done.id}/decision`, {
    body: { decision: 'advance', note: `Advance ${p.firstName} ${p.lastName}; call ${p.phoneE164}.` },
  });
  expectStatus(decision, 201);
  // What was written so far is delivered (the consumer's echo is kept as the response excerpt) ...
  expect(await run.deliver()).toBeGreaterThan(0);
  expect(
    await db.selectFrom('webhookAttempts').select('id').where('responseExcerpt', 'is not', null).execute(),
  ).not.toHaveLength(0);
  // ... and a second decision's event waits, undelivered.
  expectStatus(
    await hr('POST', `/v1/interviews/${done.id}/decision`, { body: { decision: 'hold', note: `Hold ${p.lastName}` } }),
    201,
  );
  expect(
    await db.selectFrom('webhookDeliveries').select('id').where('status', '=', 'pending').execute(),
  ).not.toHaveLength(0);
  return {
    candidateId,
    jobId: job.id,
    bookedInterviewId,
    completedInterviewId: done.id,
    liveInterviewId: live.id,
    roomNames: interviews.map((i) => i.roomName),
  };
}
