// The API's operations endpoints against the real servers: GET /metrics scraped and parsed as Prometheus reads it
// (figures that follow what the database holds and the joins answered), and GET /health naming the dependency that
// is down. LiveKit and SMTP are reached through TCP proxies this file cuts, so the shared servers stay up.
import { sql } from 'kysely';
import { runMigrations } from 'graphile-worker';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, seedCompany, seedInterview, startTestApi, testEnv, type TestApi } from '../support/harness.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

const token = 'metrics-token-for-the-test-0123456789';
let api: TestApi;
let livekit: TcpProxy;
let smtp: TcpProxy;
let smtpServer: SMTPServer;
let hr: ReturnType<typeof client>;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format, as a scraper reads it: one sample per line, after its # HELP and # TYPE. */
function parsePrometheus(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name!, type!);
      continue;
    }
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { samples, types };
}

async function scrape() {
  const res = await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const parsed = parsePrometheus(await res.text());
  const value = (name: string, labels: Record<string, string> = {}) =>
    parsed.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
  return { ...parsed, value };
}

async function health() {
  const res = await fetch(`${api.url}/health`);
  return {
    status: res.status,
    body: (await res.json()) as { status: string; dependencies: Record<string, { state: string }> },
  };
}

beforeAll(async () => {
  smtpServer = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false });
  await new Promise<void>((resolve) => smtpServer.listen(0, '127.0.0.1', () => resolve()));
  smtp = await startTcpProxy('127.0.0.1', (smtpServer.server.address() as { port: number }).port);
  const real = new URL(testEnv().LIVEKIT_URL!);
  livekit = await startTcpProxy(real.hostname, Number(real.port));
  api = await startTestApi({
    env: {
      METRICS_TOKEN: token,
      LIVEKIT_URL: `ws://127.0.0.1:${livekit.port}`,
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      AGENT_NAME: `nobody-${process.pid}`,
    },
  });
  const { key } = await seedCompany(api.db, 'Metrics Co');
  hr = client(api.url, key);
});

afterAll(async () => {
  await api?.stop();
  await livekit?.close();
  await smtp?.close();
  await new Promise<void>((resolve) => (smtpServer ? smtpServer.close(() => resolve()) : resolve()));
});

describe('GET /metrics', () => {
  it('answers 401 without the token and with a wrong one', async () => {
    expect((await fetch(`${api.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${api.url}/metrics`, { headers: { authorization: 'Bearer not-the-token-0123456789' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('content-type')).toMatch(/problem\+json/);
  });

  it('reports joins, interviews in progress, the stored turn metrics, the job queue and webhook lag', async () => {
    const before = await scrape();
    expect(before.value('interviewer_database_up')).toBe(1);
    expect(before.types.get('interviewer_voice_to_voice_seconds')).toBe('histogram');
    expect(before.types.get('interviewer_join_duration_seconds')).toBe('histogram');
    expect(before.value('interviewer_api_process_resident_memory_bytes')).toBeGreaterThan(0);

    // A join the API admits (LiveKit is real; no agent serves the name) and one it refuses (unknown room).
    const { interview } = await seedInterview(hr);
    const person = { phone: '+971501234567', firstName: 'Layla', lastName: 'Haddad' };
    const admitted = await fetch(`${api.url}/v1/public/rooms/${interview.roomCode}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(person),
    });
    expect(admitted.status).toBe(200);
    const refused = await fetch(`${api.url}/v1/public/rooms/NOSUCHROOM1/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(person),
    });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);

    // What the agent stores per turn (seconds), and what the job runner and webhook delivery leave in the database.
    await sql`update interviews set status = 'in_progress', started_at = now() where id = ${interview.id}`.execute(
      api.db,
    );
    await api.db
      .insertInto('turnMetrics')
      .values(
        [0.6, 0.9, 1.2, 3.5].map((e2e, i) => ({
          interviewId: interview.id,
          turnSeq: i + 1,
          e2eLatency: e2e,
          endOfTurnDelay: e2e / 2,
        })),
      )
      .execute();
    await runMigrations({ connectionString: api.deps.config.database.url });
    await sql`select graphile_worker.add_job('metrics-test-task', '{}'::json)`.execute(api.db);
    const company = await api.db
      .selectFrom('companies')
      .select('id')
      .where('name', '=', 'Metrics Co')
      .executeTakeFirstOrThrow();
    const endpoint = await api.db
      .insertInto('webhookEndpoints')
      .values({
        companyId: company.id,
        url: 'https://hooks.example/x',
        secret: 'unused',
        eventTypes: ['interview.completed'],
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const event = await api.db
      .insertInto('webhookEvents')
      .values({ companyId: company.id, type: 'interview.completed', version: 1, payload: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await sql`insert into webhook_deliveries (company_id, endpoint_id, event_id, created_at, next_attempt_at)
              values (${company.id}, ${endpoint.id}, ${event.id}, now() - interval '90 seconds', now())`.execute(
      api.db,
    );

    const after = await scrape();
    const joins = (outcome: string) =>
      (after.value('interviewer_joins_total', { outcome }) ?? 0) -
      (before.value('interviewer_joins_total', { outcome }) ?? 0);
    expect(joins('admitted')).toBe(1);
    expect(joins('refused')).toBe(1);
    expect(after.value('interviewer_join_duration_seconds_count', { outcome: 'admitted' })).toBeGreaterThanOrEqual(1);
    expect(after.value('interviewer_interviews_in_progress')).toBe(1);
    // Cumulative buckets: 0.6 and 0.9 are within 1 s, 1.2 within 1.25 s, 3.5 only within 4 s.
    expect(after.value('interviewer_voice_to_voice_seconds_bucket', { le: '1' })).toBe(2);
    expect(after.value('interviewer_voice_to_voice_seconds_bucket', { le: '1.25' })).toBe(3);
    expect(after.value('interviewer_voice_to_voice_seconds_bucket', { le: '4' })).toBe(4);
    expect(after.value('interviewer_voice_to_voice_seconds_bucket', { le: '+Inf' })).toBe(4);
    expect(after.value('interviewer_voice_to_voice_seconds_count')).toBe(4);
    expect(after.value('interviewer_voice_to_voice_seconds_sum')).toBeCloseTo(6.2);
    expect(after.value('interviewer_end_of_turn_seconds_bucket', { le: '0.5' })).toBe(2);
    expect(after.value('interviewer_job_queue_depth', { task: 'metrics-test-task' })).toBe(1);
    expect(after.value('interviewer_webhook_deliveries_pending')).toBe(1);
    expect(after.value('interviewer_webhook_delivery_lag_seconds')).toBeGreaterThanOrEqual(90);
  });
});

describe('GET /health', () => {
  it('says every dependency is up, and which one is down: 503 for LiveKit, 200 (degraded) for SMTP', async () => {
    const up = await health();
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({
      status: 'ok',
      dependencies: {
        postgres: { state: 'up' },
        livekit: { state: 'up' },
        s3: { state: 'not_configured' },
        smtp: { state: 'up' },
      },
    });

    livekit.cut();
    const noLivekit = await health();
    expect(noLivekit.status).toBe(503);
    expect(noLivekit.body).toMatchObject({
      status: 'down',
      dependencies: { postgres: { state: 'up' }, livekit: { state: 'down' } },
    });
    livekit.restore();

    smtp.cut();
    const noSmtp = await health();
    expect(noSmtp.status).toBe(200);
    expect(noSmtp.body).toMatchObject({
      status: 'degraded',
      dependencies: { livekit: { state: 'up' }, smtp: { state: 'down' } },
    });
    smtp.restore();

    await expect.poll(async () => (await health()).body.status, { timeout: 30_000 }).toBe('ok');
  });
});
