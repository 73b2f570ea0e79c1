import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidateExportSchema } from '../../api/data-rights/export.ts';
import { insertCodeEvents } from '../../api/coding/code-events.repository.ts';
import { erasureSteps } from '../../api/data-rights/erasure.ts';
import { createTranscriptWriter, recordConsent } from '../../agent/persistence.ts';
import { recoverSpooledRecordings } from '../../agent/recording.ts';
import { beginRecordingPart } from '../../shared/recordings/repository.ts';
import { createRecordingStore } from '../../shared/recordings/store.ts';
import { subscribableEventTypes } from '../../shared/events/catalog.ts';
import { client, expectStatus, okBody, seedCompany, startTestApi, testEnv, type TestApi } from '../support/harness.ts';
import { startS3Server, type S3Server } from '../support/services.ts';
import { makeOggOpus } from '../recordings/support.ts';
import { seedUser, signIn } from '../auth/support.ts';
import { isPlanRequest, planBrain, startEvaluationEmulator } from '../scoring/gemini-evaluation-emulator.ts';
import {
  everywhere,
  findNeedles,
  namingBrain,
  needles,
  person,
  s3Client,
  seedCandidate,
  startEchoConsumer,
  storeEnv,
  storedObjects,
  bucket,
  workers,
} from './support.ts';

// Erasure that leaves nothing, and the export that comes before it. A candidate is seeded through the whole product
// (see seedCandidate), erased, and then every row of the test database and every object in the recording bucket
// (a real S3 server, versitygw) is searched for their name, phone in every format, e-mail, a résumé phrase and a
// transcript phrase. Before the erasure the same search finds every one of them, so the search is known to work.

let s3: S3Server;
let api: TestApi;
let emulator: Awaited<ReturnType<typeof startEvaluationEmulator>>;
let consumer: Awaited<ReturnType<typeof startEchoConsumer>>;
let fixture: string;
let hr: ReturnType<typeof client>;
let key: string;
let companyId: string;
let other: ReturnType<typeof client>;
let env: Record<string, string>;

beforeAll(async () => {
  fixture = makeOggOpus(2);
  s3 = await startS3Server();
  await s3Client(s3).send(new CreateBucketCommand({ Bucket: bucket }));
  emulator = await startEvaluationEmulator((r) => (isPlanRequest(r) ? planBrain(r) : namingBrain(r)));
  consumer = await startEchoConsumer();
  const extra = { ...storeEnv(s3, 'erasure/'), GOOGLE_API_KEY: 'test-key-for-emulator', GEMINI_BASE_URL: emulator.url };
  api = await startTestApi({ env: extra });
  env = testEnv({ DATABASE_URL: api.deps.config.database.url, ...extra });
  const company = await seedCompany(api.db, 'Data Rights Co');
  key = company.key;
  companyId = company.companyId;
  hr = client(api.url, key);
  other = client(api.url, (await seedCompany(api.db, 'Other Co')).key);
  expectStatus(await hr('PATCH', '/v1/company/recording', { body: { enabled: true } }), 200);
  expectStatus(
    await hr('POST', '/v1/webhook-endpoints', { body: { url: consumer.url, eventTypes: subscribableEventTypes } }),
    201,
  );
}, 120_000);

afterAll(async () => {
  await api?.stop();
  await emulator?.close();
  await consumer?.close();
  await s3?.stop();
  if (fixture) rmSync(path.dirname(fixture), { recursive: true, force: true });
});

describe('export', () => {
  it('is one archive whose candidate.json validates against its schema and holds every item seeded', async () => {
    const p = person('Ex', '1112233');
    const seeded = await seedCandidate(api, key, p, fixture);
    const response = await fetch(`${api.url}/v1/candidates/${seeded.candidateId}/export`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    const zip = await JSZip.loadAsync(Buffer.from(await response.arrayBuffer()));
    const data = candidateExportSchema.parse(JSON.parse(await zip.file('candidate.json')!.async('string')));

    expect(data.candidate).toMatchObject({
      id: seeded.candidateId,
      firstName: p.firstName,
      lastName: p.lastName,
      email: p.email,
      phone: p.phoneE164,
    });
    expect(data.candidate.resumeText).toContain(p.resumePhrase);
    expect(data.interviews.map((i) => i.id).sort()).toEqual(
      [seeded.bookedInterviewId, seeded.completedInterviewId, seeded.liveInterviewId].sort(),
    );
    const done = data.interviews.find((i) => i.id === seeded.completedInterviewId)!;
    const live = data.interviews.find((i) => i.id === seeded.liveInterviewId)!;
    for (const interview of [done, live]) {
      expect(interview.transcript.map((t) => t.speaker)).toEqual(['interviewer', 'candidate']);
      expect(interview.transcript[1]!.text).toContain(p.transcriptPhrase);
      expect(interview.consents).toHaveLength(1);
      expect(interview.consents[0]!.candidateStatement).toContain(p.lastName);
      expect(interview.codeEvents.map((e) => e.type)).toEqual(['snapshot', 'change']);
      expect(interview.recordings).toHaveLength(1);
      const file = zip.file(interview.recordings[0]!.file!);
      expect(file, 'the recording is in the archive').not.toBeNull();
      expect(Buffer.from(await file!.async('uint8array')).equals(readFileSync(fixture))).toBe(true);
      expect(interview.timeline.length).toBeGreaterThan(0);
    }
    expect(done.scorecards).toHaveLength(1);
    expect(JSON.stringify(done.scorecards[0]!.result)).toContain(p.transcriptPhrase);
    expect(done.alternativeRequest).toBeNull();
    expect(live.alternativeRequest).toMatchObject({ handledAt: null });
    expect(live.alternativeRequest!.reason).toContain(p.firstName);
    expect(live.alternativeRequest!.contact).toContain(p.email);
    expect(done.decisions.map((d) => d.decision)).toEqual(['advance', 'hold']);
    expect(done.decisions[0]!.note).toContain(p.lastName);
    expect(data.bookings).toEqual([expect.objectContaining({ interviewId: seeded.bookedInterviewId })]);
    const kinds = data.emails.map((e) => e.kind);
    expect(kinds).toContain('invitation');
    expect(data.emails.every((e) => e.toAddress === p.email)).toBe(true);
    expect(
      data.emails.filter(
        (e) => e.interviewId === seeded.completedInterviewId || e.interviewId === seeded.liveInterviewId,
      ),
    ).toHaveLength(2);

    // The JSON alone, as documented in the OpenAPI document, is the same data.
    const json = okBody(await hr('GET', `/v1/candidates/${seeded.candidateId}/export/data`));
    expect({ ...json, exportedAt: data.exportedAt }).toEqual(data);
    const document = (await (await fetch(`${api.url}/openapi.json`)).json()) as {
      components: { schemas: Record<string, unknown> };
    };
    expect(document.components.schemas).toHaveProperty('CandidateExport');
    const paths = (document as unknown as { paths: Record<string, Record<string, { description?: string }>> }).paths;
    expect(paths['/v1/interviews/{id}/decision']!.post!.description).toContain('GDPR Art. 22');
  }, 120_000);

  it("answers 404 for another company's candidate, for export and erasure alike", async () => {
    const mine = okBody(
      await hr('POST', '/v1/candidates', { body: { firstName: 'Tenancy', lastName: 'Probe', phone: '050 700 0001' } }),
    );
    for (const [method, suffix] of [
      ['GET', 'export'],
      ['GET', 'export/data'],
      ['POST', 'erase'],
      ['GET', 'erasure'],
    ] as const) {
      const answer = await other(method, `/v1/candidates/${mine.id}/${suffix}`);
      expect(answer.status, `${method} ${suffix}`).toBe(404);
    }
    // Nothing was started by the refused erase.
    expect(okBody(await hr('GET', `/v1/candidates/${mine.id}/erasure`)).status).toBe('not_requested');
  });
});

describe('erasure', () => {
  it('is for admins: a recruiter may neither erase nor export, any role may see where an erasure stands', async () => {
    const probe = okBody(
      await hr('POST', '/v1/candidates', { body: { firstName: 'Roles', lastName: 'Probe', phone: '050 700 0002' } }),
    );
    const recruiter = await seedUser(api, companyId, 'recruiter');
    const asRecruiter = await signIn(api, recruiter.email, recruiter.password);
    expect((await asRecruiter.call('POST', `/v1/candidates/${probe.id}/erase`)).status).toBe(403);
    expect((await asRecruiter.call('GET', `/v1/candidates/${probe.id}/export`)).status).toBe(403);
    const reviewer = await seedUser(api, companyId, 'reviewer');
    const asReviewer = await signIn(api, reviewer.email, reviewer.password);
    expect(okBody(await asReviewer.call('GET', `/v1/candidates/${probe.id}/erasure`)).status).toBe('not_requested');
    const admin = await seedUser(api, companyId, 'admin');
    const asAdmin = await signIn(api, admin.email, admin.password);
    const erased = await asAdmin.call('POST', `/v1/candidates/${probe.id}/erase`);
    expectStatus(erased, 202);
    expect(erased.body.status).toBe('pending');
    // The request is audited with the user who made it.
    const audit = okBody(await hr('GET', `/v1/audit-events?candidateId=${probe.id}&action=candidate.erase.request`));
    expect(audit.items.map((e) => [e.actorType, e.actorId])).toEqual([['user', admin.id]]);
  });

  it('leaves nothing of the person in any table or stored object, ends the live interview and closes its room', async () => {
    const p = person('Er', '2223344');
    const seeded = await seedCandidate(api, key, p, fixture);
    const run = workers(api);

    // The search works: before the erasure every needle is found.
    const before = findNeedles(await everywhere(api.db, s3), p);
    for (const needle of needles(p))
      expect(
        before.some((f) => f.startsWith(JSON.stringify(needle))),
        needle,
      ).toBe(true);
    expect(await api.deps.livekit.listRoomNames()).toEqual(expect.arrayContaining(seeded.roomNames));

    const first = await hr('POST', `/v1/candidates/${seeded.candidateId}/erase`);
    expectStatus(first, 202);
    expect(first.body).toMatchObject({ status: 'pending', reason: 'request', stepsDone: [] });
    // Idempotent: the same erasure, not a second one.
    const again = await hr('POST', `/v1/candidates/${seeded.candidateId}/erase`);
    expectStatus(again, 202);
    expect(again.body.requestedAt).toBe(first.body.requestedAt);

    await run.jobs.runOnce();
    const status = okBody(await hr('GET', `/v1/candidates/${seeded.candidateId}/erasure`));
    expect(status).toMatchObject({ status: 'completed', stepsDone: [...erasureSteps] });
    expect(status.counts).toMatchObject({
      interviewsEnded: 2,
      recordings: 2,
      transcriptTurns: 4,
      codeEvents: 4,
      bookings: 1,
    });
    const candidate = okBody(await hr('GET', `/v1/candidates/${seeded.candidateId}`));
    expect(candidate).toMatchObject({ firstName: 'Erased', lastName: 'candidate', email: null, resumeText: null });
    expect(candidate.erasedAt).not.toBeNull();
    const patched = await hr('PATCH', `/v1/candidates/${seeded.candidateId}`, { body: { email: p.email } });
    expectStatus(patched, 409);
    const again2 = await hr('POST', '/v1/interviews', {
      body: { candidateId: seeded.candidateId, jobId: seeded.jobId, type: 'TECHNICAL' },
    });
    expectStatus(again2, 409);

    // The live interview was ended through the lifecycle, and its room is gone from LiveKit.
    const live = okBody(await hr('GET', `/v1/interviews/${seeded.liveInterviewId}`));
    expect(live).toMatchObject({ status: 'cancelled', endReason: 'cancelled_by_hr' });
    const rooms = await api.deps.livekit.listRoomNames();
    for (const room of seeded.roomNames) expect(rooms).not.toContain(room);

    // The customer's systems are told, with ids only; the fact stays in the audit log, with who asked.
    expect(await run.deliver()).toBeGreaterThan(0);
    const erased = consumer.received
      .map((b) => JSON.parse(b) as { type: string; data: Record<string, unknown> })
      .find((e) => e.type === 'candidate.erased' && e.data.candidateId === seeded.candidateId);
    expect(erased?.data).toMatchObject({ candidateId: seeded.candidateId, reason: 'request' });
    expect((erased!.data.interviewIds as string[]).sort()).toEqual(
      [seeded.bookedInterviewId, seeded.completedInterviewId, seeded.liveInterviewId].sort(),
    );
    const audit = okBody(
      await hr(
        'GET',
        `/v1/audit-events?candidateId=${seeded.candidateId}&action=candidate.erase.request,candidate.erase.complete`,
      ),
    );
    expect(audit.items.map((e) => [e.action, e.actorType])).toEqual([
      ['candidate.erase.complete', 'system'],
      ['candidate.erase.request', 'api_key'],
    ]);

    // And then: nothing, anywhere (the delivered candidate.erased event and its echoed response included).
    expect(findNeedles(await everywhere(api.db, s3), p)).toEqual([]);
    // The scorecard keeps its scores without a word of prose, and every reader still works.
    const card = okBody(await hr('GET', `/v1/interviews/${seeded.completedInterviewId}/scorecard`));
    expect(card.overallScore).not.toBeNull();
    expect(card.result.overall?.summary).toBe('');
  }, 180_000);

  it('stores nothing that arrives after it: a closing interviewer, its recording on its way, a scoring', async () => {
    const p = person('Lt', '4445566');
    const seeded = await seedCandidate(api, key, p, fixture);
    const { db } = api.deps;
    const interviewId = seeded.liveInterviewId;
    const { questionId } = await db
      .selectFrom('interviewPlanQuestions')
      .select('questionId')
      .where('interviewId', '=', interviewId)
      .orderBy('position')
      .executeTakeFirstOrThrow();
    // The interviewer is recording a second part when the erasure comes: its row says so, its file is in the spool.
    const company = await db.selectFrom('interviews').select('companyId').where('id', '=', interviewId).executeTakeFirstOrThrow();
    const part = await beginRecordingPart(db, { interviewId, companyId: company.companyId, store: 's3', startedAt: new Date() });
    const spoolDir = mkdtempSync(path.join(tmpdir(), 'erasure-spool-'));
    const dir = path.join(spoolDir, 'part');
    mkdirSync(dir);
    copyFileSync(fixture, path.join(dir, 'audio.ogg'));
    writeFileSync(
      path.join(dir, 'recording.json'),
      JSON.stringify({ recordingId: part.id, interviewId, companyId: company.companyId, part: part.part, objectKey: part.objectKey, startedAt: Date.now(), pid: process.pid }),
    );
    const scorecards = async () =>
      (await db.selectFrom('scorecards').select('id').where('interviewId', '=', seeded.completedInterviewId).execute()).length;
    const cardsBefore = await scorecards();

    expectStatus(await hr('POST', `/v1/candidates/${seeded.candidateId}/erase`), 202);
    await workers(api).jobs.runOnce();
    expect(okBody(await hr('GET', `/v1/candidates/${seeded.candidateId}/erasure`))).toMatchObject({ status: 'completed' });

    // The interviewer, still closing, stores its last turn, the consent it heard and the editor's last batch; a
    // server re-run of the code lands: each call succeeds as before, and none of it is kept.
    const writer = createTranscriptWriter(db, interviewId);
    await writer.append({
      speaker: 'candidate',
      text: `Thanks, this is ${p.firstName} ${p.lastName}; ${p.transcriptPhrase} again.`,
      stage: 'closing',
      questionId: null,
      startedAt: new Date(),
      endedAt: new Date(),
      input: 'voice',
      interrupted: false,
    });
    await recordConsent(db, {
      interviewId,
      given: true,
      noticeVersion: 'ai-notice-v3+recording',
      noticeLanguage: 'en',
      noticeText: 'This interview is conducted by an AI and recorded.',
      candidateStatement: `Yes. ${p.firstName} ${p.lastName} agrees.`,
    });
    expect(
      await insertCodeEvents(db, interviewId, questionId, 100, [{ type: 'snapshot', at: 9_000, code: `# ${p.resumePhrase}\n` }]),
    ).toBe(0);
    await db
      .insertInto('codeReruns')
      .values({ interviewId, questionId, kind: 'final', seq: 100, code: `# ${p.email}\n`, error: null })
      .execute();
    for (const table of ['transcriptTurns', 'interviewConsents', 'codeEvents', 'codeReruns'] as const) {
      const rows = await db.selectFrom(table).select('interviewId').where('interviewId', '=', interviewId).execute();
      // The erasure keeps the consent's fact (time, version, answer) with its words emptied: the earlier row only.
      expect(rows, table).toHaveLength(table === 'interviewConsents' ? 1 : 0);
    }

    // The recording reaches the store after the erasure deleted its part: the interviewer removes what it put.
    const store = createRecordingStore(api.deps.config.recordings.store);
    const outcome = await recoverSpooledRecordings({ db, store, log: api.deps.log, spoolDir }, { quietMs: 0 });
    expect(outcome).toEqual([{ recordingId: part.id, outcome: 'discarded' }]);
    const keys = (await storedObjects(s3)).map((o) => o.key);
    expect(keys.filter((k) => k.endsWith(part.objectKey))).toEqual([]);
    rmSync(spoolDir, { recursive: true, force: true });

    // Scoring again is refused (409) where a scoring job would write too: under the interview's lock, which the
    // erasure's scorecard step takes as well.
    const rescore = await hr('POST', `/v1/interviews/${seeded.completedInterviewId}/scorecard/rescore`, { body: {} });
    expectStatus(rescore, 409);
    expect(rescore.body.detail).toMatch(/erased/);
    expect(await scorecards()).toBe(cardsBefore);

    expect(findNeedles(await everywhere(api.db, s3), p)).toEqual([]);
  }, 180_000);

  it('survives being killed midway: a new run resumes after the last step done and leaves nothing', async () => {
    const p = person('Kx', '3334455');
    const seeded = await seedCandidate(api, key, p, fixture);
    expectStatus(await hr('POST', `/v1/candidates/${seeded.candidateId}/erase`), 202);

    // The erasure in a process of its own, which stops after the transcripts step and is SIGKILLed there: the kill
    // is deterministic because the process announces the step and then waits (erase-child.ts).
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL('./erase-child.ts', import.meta.url)), seeded.candidateId],
      {
        env: { ...process.env, ERASE_CHILD_ENV: JSON.stringify(env), ERASE_STOP_AFTER: 'transcripts' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.once('exit', (code, signal) => resolve(signal ?? code)),
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('step:transcripts\n')) resolve();
      });
      child.once('exit', () => reject(new Error(`the erasure process exited early:\n${out}\n${err}`)));
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(out.trim().split('\n')).toEqual(['step:interviews', 'step:rooms', 'step:recordings', 'step:transcripts']);

    const midway = okBody(await hr('GET', `/v1/candidates/${seeded.candidateId}/erasure`));
    expect(midway).toMatchObject({
      status: 'running',
      stepsDone: ['interviews', 'rooms', 'recordings', 'transcripts'],
    });
    // Killed with the person still there: the e-mail address is in their row and the outbox.
    expect(findNeedles(await everywhere(api.db, s3), p).some((f) => f.startsWith(JSON.stringify(p.email)))).toBe(true);

    // The job (queued with the request) runs and resumes from the next step.
    await workers(api).jobs.runOnce();
    const done = okBody(await hr('GET', `/v1/candidates/${seeded.candidateId}/erasure`));
    expect(done).toMatchObject({ status: 'completed', stepsDone: [...erasureSteps] });
    expect(findNeedles(await everywhere(api.db, s3), p)).toEqual([]);
  }, 180_000);
});
