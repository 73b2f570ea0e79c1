import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvent } from '../../shared/events/outbox.ts';
import { oggOpusDurationMs } from '../../shared/recordings/ogg.ts';
import { beginRecordingPart, markPartStored, recordingExists } from '../../shared/recordings/repository.ts';
import { createRecordingStore, recordingKey, type RecordingStore } from '../../shared/recordings/store.ts';
import { deleteExpiredRecordings } from '../../api/recordings/retention.ts';
import { client, seedCompany, startTestApi, type TestApi } from '../support/harness.ts';
import { startS3Server, type S3Server } from '../support/services.ts';
import { seedUser, signIn } from '../auth/support.ts';
import { describeAudio, makeOggOpus } from './support.ts';

// The recording store (local filesystem and a real S3-compatible server, versitygw) and the playback API, with the
// same tests for both: bytes in and out, ranges, tenancy, the audit log, retention and the webhook's flag.

const fixtureSeconds = 6;
let fixture: string;
let s3: S3Server;
const bucket = 'interview-recordings';

beforeAll(async () => {
  fixture = makeOggOpus(fixtureSeconds);
  s3 = await startS3Server();
  const admin = new S3Client({
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(async () => {
  await s3?.stop();
  if (fixture) rmSync(path.dirname(fixture), { recursive: true, force: true });
});

function storeEnv(kind: 'local' | 's3', dir: string): Record<string, string> {
  return kind === 'local'
    ? { RECORDINGS_DIR: dir }
    : {
        RECORDINGS_S3_BUCKET: bucket,
        RECORDINGS_S3_ENDPOINT: s3.endpoint,
        RECORDINGS_S3_ACCESS_KEY_ID: s3.accessKeyId,
        RECORDINGS_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        RECORDINGS_S3_PREFIX: `t-${path.basename(dir)}/`,
        RECORDINGS_URL_TTL_SECONDS: '60',
      };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

describe.each(['local', 's3'] as const)('%s store', (kind) => {
  let api: TestApi;
  let store: RecordingStore;
  let dir: string;
  let hr: ReturnType<typeof client>;
  let other: ReturnType<typeof client>;
  let companyId: string;
  let interviewId: string;
  const bytes = () => readFileSync(fixture);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'recordings-'));
    api = await startTestApi({ env: storeEnv(kind, dir) });
    store = createRecordingStore(api.deps.config.recordings.store);
    const seeded = await seedCompany(api.db, 'Recorded Co');
    companyId = seeded.companyId;
    hr = client(api.url, seeded.key);
    other = client(api.url, (await seedCompany(api.db, 'Other Co')).key);
    const job = await hr('POST', '/v1/jobs', {
      body: { title: 'Engineer', description: 'Builds things.', competencies: [{ key: 'craft', name: 'Craft', description: 'Builds well' }] },
    });
    const candidate = await hr('POST', '/v1/candidates', { body: { firstName: 'Layla', lastName: 'Haddad', phone: '050 123 4567' } });
    const interview = await hr('POST', '/v1/interviews', {
      body: { candidateId: (candidate.body as { id: string }).id, jobId: (job.body as { id: string }).id, type: 'TECHNICAL' },
    });
    expect(interview.status).toBe(201);
    interviewId = (interview.body as { id: string }).id;
  });
  afterAll(async () => {
    await api?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores, reads whole and by range, and deletes', async () => {
    const key = recordingKey(companyId, interviewId, 99);
    // Ids only: a random uuid can hold any short digit run ("050"), so the key's whole shape is checked instead.
    expect(key).toMatch(/^[0-9a-f-]{36}\/[0-9a-f-]{36}\/part-99\.ogg$/);
    expect(() => recordingKey('../etc', interviewId, 1)).toThrow();
    expect(await store.head(key)).toBeUndefined();
    expect(await store.read(key)).toBeUndefined();
    const { sizeBytes } = await store.put(key, fixture, 'audio/ogg');
    expect(sizeBytes).toBe(statSync(fixture).size);
    expect(await store.head(key)).toEqual({ sizeBytes });
    expect((await readAll((await store.read(key))!)).equals(bytes())).toBe(true);
    expect((await readAll((await store.read(key, { start: 100, end: 199 }))!)).equals(bytes().subarray(100, 200))).toBe(true);
    await store.delete(key);
    expect(await store.head(key)).toBeUndefined();
    await store.delete(key); // deleting what is gone is not an error
  });

  // SSE: the store is asked for AES256 on every put; versitygw's posix backend accepts the header without applying it.
  it(kind === 's3' ? 'puts with the content type and an encryption request the store accepts' : 'keeps files to the owner', async () => {
    const key = recordingKey(companyId, interviewId, 98);
    await store.put(key, fixture, 'audio/ogg');
    if (kind === 's3') {
      const s3client = new S3Client({
        region: 'us-east-1',
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      });
      const head = await s3client.send(new HeadObjectCommand({ Bucket: bucket, Key: `t-${path.basename(dir)}/${key}` }));
      expect(head.ContentType).toBe('audio/ogg');
    } else {
      expect(statSync(path.join(dir, path.dirname(key))).mode & 0o077).toBe(0);
      expect(statSync(path.join(dir, key)).mode & 0o077).toBe(0);
    }
    await store.delete(key);
  });

  describe('playback API', () => {
    let size: number;
    beforeAll(async () => {
      const started = new Date(Date.now() - 60_000);
      const part = await beginRecordingPart(api.db, { interviewId, companyId, store: store.kind, startedAt: started });
      expect(part.part).toBe(1);
      ({ sizeBytes: size } = await store.put(part.objectKey, fixture, 'audio/ogg'));
      await markPartStored(api.db, part.id, { durationMs: (await oggOpusDurationMs(fixture))!, sizeBytes: size, recovered: false });
      await api.db
        .insertInto('transcriptTurns')
        .values([
          { interviewId, seq: 1, speaker: 'interviewer', text: 'Hello', stage: 'consent', startedAt: new Date(started.getTime() + 500), endedAt: new Date(started.getTime() + 2_000) },
          { interviewId, seq: 2, speaker: 'candidate', text: 'Yes', stage: 'consent', startedAt: new Date(started.getTime() + 3_250), endedAt: new Date(started.getTime() + 4_000) },
          // Said after the audio ends (a crash cut it short): in no part.
          { interviewId, seq: 3, speaker: 'interviewer', text: 'Bye', stage: 'closing', startedAt: new Date(started.getTime() + 30_000), endedAt: new Date(started.getTime() + 31_000) },
        ])
        .execute();
    });

    it('describes the parts and where each turn is in the audio', async () => {
      const info = await hr('GET', `/v1/interviews/${interviewId}/recording/info`);
      expect(info.status).toBe(200);
      expect(info.body).toMatchObject({
        interviewId,
        recorded: false, // the company has not turned recording on: this part was written directly
        available: true,
        retentionDays: 90,
        parts: [{ part: 1, status: 'stored', offsetMs: 0, sizeBytes: size, url: `/v1/interviews/${interviewId}/recording?part=1` }],
        turns: [
          { seq: 1, part: 1, startMs: 500, endMs: 2_000 },
          { seq: 2, part: 1, startMs: 3_250, endMs: 4_000 },
          { seq: 3, part: null, startMs: null },
        ],
      });
      const duration = (info.body as { parts: Array<{ durationMs: number }> }).parts[0]!.durationMs;
      expect(Math.abs(duration - fixtureSeconds * 1000)).toBeLessThan(50);
      expect(describeAudio(fixture)).toMatchObject({ codec: 'opus', sampleRate: 48000, channels: 'stereo' });
    });

    it('serves the audio, seekable by range (local) or by a presigned URL (S3), and audits every access', async () => {
      const url = `${api.url}/v1/interviews/${interviewId}/recording?part=1`;
      const auth = { authorization: `Bearer ${(await seedKey())}` };
      const get = async (headers: Record<string, string> = {}) => {
        const first = await fetch(url, { headers: { ...auth, ...headers }, redirect: 'manual' });
        if (kind === 'local') return first;
        // S3: a short-lived presigned URL of the store itself, which does the ranges.
        expect(first.status).toBe(302);
        const location = first.headers.get('location')!;
        expect(location).toMatch(/X-Amz-Expires=60/);
        expect(location).not.toMatch(/Layla|Haddad/);
        return fetch(location, { headers });
      };
      const whole = await get();
      expect(whole.status).toBe(200);
      expect(whole.headers.get('content-type')).toBe('audio/ogg');
      expect(Buffer.from(await whole.arrayBuffer()).equals(bytes())).toBe(true);

      const middle = await get({ range: 'bytes=1000-1999' });
      expect(middle.status).toBe(206);
      expect(middle.headers.get('content-range')).toBe(`bytes 1000-1999/${size}`);
      expect(Buffer.from(await middle.arrayBuffer()).equals(bytes().subarray(1000, 2000))).toBe(true);

      const tail = await get({ range: 'bytes=-500' });
      expect(tail.status).toBe(206);
      expect(Buffer.from(await tail.arrayBuffer()).equals(bytes().subarray(size - 500))).toBe(true);

      const open = await get({ range: `bytes=${size - 10}-` });
      expect(open.status).toBe(206);
      expect(Buffer.from(await open.arrayBuffer()).equals(bytes().subarray(size - 10))).toBe(true);

      const outside = await get({ range: `bytes=${size + 10}-` });
      expect(outside.status).toBe(416);
      if (kind === 'local') expect(outside.headers.get('content-range')).toBe(`bytes */${size}`);

      const audits = await api.db
        .selectFrom('auditLog')
        .select(['action', 'actorType', 'actorId', 'targetId', 'details'])
        .where('action', '=', 'recording.access')
        .where('targetId', '=', interviewId)
        .execute();
      // Every request to the API is an access; with S3 the ranges go to the store, behind one signed URL each.
      expect(audits.length).toBe(5);
      for (const a of audits) expect(a).toMatchObject({ actorType: 'api_key', details: expect.objectContaining({ part: 1 }) });
    });

    it("is a 404 to another company, and for a part that does not exist", async () => {
      expect((await other('GET', `/v1/interviews/${interviewId}/recording/info`)).status).toBe(404);
      expect((await other('GET', `/v1/interviews/${interviewId}/recording`)).status).toBe(404);
      expect((await hr('GET', `/v1/interviews/${interviewId}/recording?part=2`)).status).toBe(404);
      expect((await hr('GET', `/v1/interviews/${interviewId}/recording?part=zero`)).status).toBe(400);
    });

    it("a reviewer signed in to the workspace may listen, and their access is in the audit log; they cannot change the settings", async () => {
      const reviewer = await seedUser(api, companyId, 'reviewer');
      const session = await signIn(api, reviewer.email, reviewer.password);
      const res = await fetch(`${api.url}/v1/interviews/${interviewId}/recording?part=1`, {
        headers: { cookie: `hr_session=${session.state.token}`, range: 'bytes=0-99' },
        redirect: 'manual',
      });
      expect(res.status).toBe(kind === 'local' ? 206 : 302);
      expect((await session.call('GET', `/v1/interviews/${interviewId}/recording/info`)).status).toBe(200);
      expect((await session.call('PATCH', '/v1/company/recording', { body: { enabled: true } })).status).toBe(403);
      const audit = await api.db
        .selectFrom('auditLog')
        .select(['actorType', 'actorId', 'details'])
        .where('action', '=', 'recording.access')
        .where('actorId', '=', reviewer.id)
        .execute();
      expect(audit).toEqual([
        { actorType: 'user', actorId: reviewer.id, details: expect.objectContaining({ part: 1, via: kind === 'local' ? 'stream' : 'presigned_url' }) },
      ]);
    });

    it('says in interview.completed whether a recording exists, as an API path', async () => {
      expect(await recordingExists(api.db, interviewId)).toBe(true);
      const event = await api.db.transaction().execute((trx) =>
        recordEvent(trx, {
          companyId,
          type: 'interview.completed',
          payload: {
            interviewId,
            jobId: interviewId,
            candidateId: interviewId,
            status: 'completed',
            completedAt: new Date().toISOString(),
            scorecard: { overallScore: null, recommendation: null, summary: '', competencies: [] },
            recording: { exists: true, info: `/v1/interviews/${interviewId}/recording/info` },
            links: { interview: '/v1/interviews/x', transcript: '/v1/interviews/x/transcript', scorecard: '/v1/interviews/x/scorecard' },
          },
        }),
      );
      expect(event).toBeDefined();
    });

    it('deletes recordings past the company retention, and audits it', async () => {
      const patched = await hr('PATCH', '/v1/company/recording', { body: { retentionDays: 1 } });
      expect(patched).toMatchObject({ status: 200, body: { enabled: false, retentionDays: 1 } });
      expect((await hr('PATCH', '/v1/company/recording', { body: { retentionDays: 0 } })).status).toBe(400);
      const [part] = await api.db.selectFrom('interviewRecordings').selectAll().where('interviewId', '=', interviewId).execute();
      // Not yet due: started a minute ago.
      expect(await deleteExpiredRecordings(api.deps, store)).toBe(0);
      api.setNow(new Date(Date.now() + 25 * 3_600_000));
      try {
        expect(await deleteExpiredRecordings(api.deps, store)).toBe(1);
      } finally {
        api.setNow(null);
      }
      expect(await store.head(part!.objectKey)).toBeUndefined();
      const row = await api.db.selectFrom('interviewRecordings').selectAll().where('id', '=', part!.id).executeTakeFirstOrThrow();
      expect(row.status).toBe('deleted');
      const audit = await api.db
        .selectFrom('auditLog')
        .selectAll()
        .where('action', '=', 'recording.delete')
        .where('targetId', '=', interviewId)
        .executeTakeFirstOrThrow();
      expect(audit).toMatchObject({ actorType: 'system', details: expect.objectContaining({ part: 1, reason: 'retention', retentionDays: 1 }) });
      const gone = await hr('GET', `/v1/interviews/${interviewId}/recording`);
      expect(gone.status).toBe(404);
      expect(JSON.stringify(gone.body)).toMatch(/retention/);
    });
  });

  it('the company turns recording on; HR turns it off for one interview before it starts', async () => {
    expect((await hr('GET', '/v1/company/recording')).body).toMatchObject({ enabled: false });
    expect((await hr('PATCH', '/v1/company/recording', { body: { enabled: true } })).body).toMatchObject({ enabled: true });
    const off = await hr('PUT', `/v1/interviews/${interviewId}/recording/setting`, { body: { off: true } });
    expect(off).toMatchObject({ status: 200, body: { off: true, companyRecords: true, recorded: false } });
    const on = await hr('PUT', `/v1/interviews/${interviewId}/recording/setting`, { body: { off: false } });
    expect(on.body).toMatchObject({ recorded: true });
    expect((await other('PUT', `/v1/interviews/${interviewId}/recording/setting`, { body: { off: true } })).status).toBe(404);
    const actions = await api.db.selectFrom('auditLog').select('action').where('companyId', '=', companyId).execute();
    expect(actions.map((a) => a.action)).toEqual(expect.arrayContaining(['company.recording.update', 'interview.recording.setting']));
  });

  // The API key of the company that owns the interview (the typed client keeps its own).
  async function seedKey(): Promise<string> {
    return (await seedCompanyKey(api, companyId));
  }
});

async function seedCompanyKey(api: TestApi, companyId: string): Promise<string> {
  const { createApiKey } = await import('../../api/auth/api-keys.ts');
  return (await createApiKey(api.db, { companyId, isAdmin: false, name: 'player' })).key;
}
