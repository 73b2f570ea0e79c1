import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import {
  loadScenario,
  runCandidate,
  spokenSegments,
  type CandidateResult,
  type Scenario,
} from './support/candidate-sim.ts';
import { client, createTestDatabase, okBody, seedCompany } from './support/harness.ts';
import { testLivekit } from './support/services.ts';
import {
  createTestNetwork,
  startLivekitNode,
  startRedis,
  waitForPort,
  type HostProcess,
  type TestNetwork,
} from './support/topology.ts';
import { startDeepgramEmulator, type DeepgramEmulator } from './emulators/deepgram.ts';
import { startGeminiEmulator, type GeminiEmulator } from './emulators/gemini.ts';
import {
  honestBrain,
  isPlanRequest,
  planBrain,
  startEvaluationEmulator,
} from './scoring/gemini-evaluation-emulator.ts';
import { startConsumer } from './webhooks/support.ts';

// Two of everything, as a company that outgrew one machine runs it: Redis, two LiveKit nodes in multi-node mode on
// it, two API processes and two agent workers, each on a test host of its own (network namespaces made here), one
// Postgres. Four voice interviews, two at a time (four at once with two LiveKit nodes and eight processes is more
// than a 2-core CI machine voices in real time), candidates spread over both APIs: rooms land on both nodes, jobs on
// both workers, and the work the APIs share (scoring, webhook delivery, the reconciler) is done once per interview.
// Then the failures a multi-node deployment exists for: a worker machine dies mid-interview (its worker and job
// processes killed outright) and the other worker takes the interview over where it stopped; an API process dies
// mid-interview and the interview, its scorecard and its webhook do not notice.

const full = loadScenario(new URL('../scenarios/backend-fintech-strong.json', import.meta.url));
// As in the single-node version (test/agent/e2e-worker-killed.test.ts): eight minutes make a two-question plan,
// answered with consent, two answers and no questions of their own.
const scenario: Scenario = {
  ...full,
  interview: { ...full.interview, maxDurationSeconds: 8 * 60 },
  answers: [full.answers[0]!, full.answers[1]!, full.answers[4]!, full.answers.at(-1)!],
};
const interviews = 4;

let network: TestNetwork;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let deepgram: DeepgramEmulator;
let gemini: GeminiEmulator;
let evaluation: Awaited<ReturnType<typeof startEvaluationEmulator>>;
let consumer: Awaited<ReturnType<typeof startConsumer>>;
const apis: Array<{ url: string; process: HostProcess }> = [];
const workers: HostProcess[] = [];
const nodes: Array<{ url: string; process: HostProcess }> = [];
let startWorker: (i: number) => HostProcess;
let startApi: (i: number) => HostProcess;
let redisAt = '';

beforeAll(async () => {
  network = createTestNetwork(['redis', 'lk1', 'lk2', 'api1', 'api2', 'w1', 'w2']);
  const h = network.hosts;
  database = await createTestDatabase();
  deepgram = await startDeepgramEmulator({ ttsWordsPerMinute: 330, scriptPerStream: spokenSegments(scenario.answers) });
  gemini = await startGeminiEmulator();
  evaluation = await startEvaluationEmulator((r) => (isPlanRequest(r) ? planBrain(r) : honestBrain(r)));
  consumer = await startConsumer();

  // What the hosts reach in the root namespace: Postgres, the emulators, the webhook consumer.
  const gatewayUrl = async (url: string) => {
    const u = new URL(url);
    await network.expose(Number(u.port));
    u.hostname = network.gateway;
    return u.toString().replace(/\/$/, '');
  };
  const databaseUrl = await gatewayUrl(database.url);
  const deepgramUrl = await gatewayUrl(deepgram.url);
  const geminiUrl = await gatewayUrl(gemini.url);
  const evaluationUrl = await gatewayUrl(evaluation.url);
  await network.expose(consumer.port);

  const redis = await startRedis(network, h.redis!);
  redisAt = redis.url;
  const apiUrl = (host: string) => `http://${h[host]!.ip}:3000`;
  const regions = ['here', 'there'];
  for (const [i, host] of (['lk1', 'lk2'] as const).entries()) {
    nodes.push(
      await startLivekitNode(network, h[host]!, {
        redis: redis.url,
        apiKey: testLivekit.apiKey,
        apiSecret: testLivekit.apiSecret,
        // Each node tells the API in front of it; the room's own node sends a room's events.
        webhookUrls: [`${apiUrl(`api${i + 1}`)}/v1/livekit/webhook`],
        region: regions[i]!,
        regions,
      }),
    );
  }

  const agentName = `interviewer-${randomBytes(5).toString('hex')}`;
  const shared = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    LIVEKIT_API_KEY: testLivekit.apiKey,
    LIVEKIT_API_SECRET: testLivekit.apiSecret,
    AGENT_NAME: agentName,
  };
  // One room prefix for both: either one's reconciler looks after any interview's room.
  const roomPrefix = `so${randomBytes(3).toString('hex')}-`;
  const apiHosts = ['api1', 'api2'] as const;
  startApi = (i) =>
    network.run(h[apiHosts[i]!]!, process.execPath, ['api/main.ts'], {
      ...shared,
      LOG_LEVEL: 'warn',
      HOST: h[apiHosts[i]!]!.ip,
      PORT: '3000',
      LIVEKIT_URL: nodes[i]!.url,
      LINK_SIGNING_SECRET: 'scale-out-link-secret-that-is-long-enough',
      PUBLIC_BASE_URL: 'http://interviews.test',
      ROOM_PREFIX: roomPrefix,
      // A killed interviewer is noticed by the reconciler too, not only by LiveKit's participant_left.
      RECONCILE_INTERVAL_MS: '1000',
      // The interviewer has speech recognition (the page offers voice); plans and scores from the model emulator.
      DEEPGRAM_API_KEY: 'emulated',
      GOOGLE_API_KEY: 'emulated',
      GEMINI_BASE_URL: evaluationUrl,
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    });
  for (const [i, host] of apiHosts.entries()) apis.push({ url: apiUrl(host), process: startApi(i) });
  const workerHosts = ['w1', 'w2'] as const;
  startWorker = (i) =>
    network.run(h[workerHosts[i]!]!, process.execPath, ['agent/worker.ts', 'start'], {
      ...shared,
      LOG_LEVEL: 'info',
      LIVEKIT_URL: nodes[i]!.url,
      // One interview each: two at once use both workers, and a worker holding one is full (its own log says so
      // within 2.5 s, which the test waits for before the next interview starts).
      AGENT_MAX_JOBS: '1',
      // A job process started while the machine voices other interviews takes longer than the SDK's 10 s.
      AGENT_PROCESS_INIT_TIMEOUT_MS: '120000',
      DEEPGRAM_API_KEY: 'emulated',
      GOOGLE_API_KEY: 'emulated',
      DEEPGRAM_STT_URL: deepgramUrl.replace(/^http/, 'ws'),
      DEEPGRAM_TTS_URL: deepgramUrl,
      GEMINI_BASE_URL: geminiUrl,
      GOOGLE_GEMINI_BASE_URL: geminiUrl,
      SILENCE_PROMPT_SECONDS: '20',
      // The interviewer whose LiveKit node dies is told at once that the candidate left, and its connection is lost
      // for good 20–30 s later. A grace shorter than that: its end must not come from the candidate's absence (its
      // connection is down, not theirs) nor from a timer that outlives its job in the job host (both did, before
      // agent/run-interview.ts waited out the one and stopped the other), while the resumed interview goes on.
      REJOIN_GRACE_SECONDS: '10',
    });
  workers.push(startWorker(0), startWorker(1));
  await Promise.all([
    ...apis.map(async (a) => waitForPort(new URL(a.url).hostname, 3000, 60_000)),
    ...workers.map((w) => w.waitForLine(/registered worker/, 90_000)),
  ]);
}, 240_000);

afterAll(async () => {
  await network?.destroy();
  await Promise.all([deepgram?.close(), gemini?.close(), evaluation?.close(), consumer?.stop()]);
  await database?.destroy();
});

/** The LiveKit node a room is on, from the routing table in Redis. */
function nodeOfRoom(room: string): string {
  return execFileSync('redis-cli', ['-h', redisAt.split(':')[0]!, '-p', '6379', 'hget', 'room_node_map', room], {
    encoding: 'utf8',
  }).trim();
}

const nodeIdOf = (n: { process: HostProcess }) => /"nodeID": "([^"]+)"/.exec(n.process.log.join('\n'))?.[1];

/** The worker's own word on its capacity: its last "full"/"below capacity" line (the SDK logs each change). */
function reportsFull(worker: HostProcess): boolean {
  const last = worker.log.findLast((l) => /worker is (at full|below) capacity/.test(l));
  return last !== undefined && /at full capacity/.test(last);
}

/** A job process logs its interview's id when the interview ends (its output is its worker's). */
const ran = (worker: HostProcess, interviewId: string) => worker.log.some((line) => line.includes(interviewId));

/** Which worker accepted a job since `mark` (each worker's log length then); -1 if none did. */
const acceptedSince = (mark: number[]) =>
  workers.findIndex((w, i) => w.log.slice(mark[i]).some((line) => line.includes('received job request')));

interface Seeded {
  id: string;
  roomCode: string;
  roomName: string;
  phone: string;
  lastName: string;
}

let hr: ReturnType<typeof client>;
/** When API 2 was killed: whatever reaches the webhook consumer after it was sent by API 1. */
let apiKilledAt: number | undefined;
const seeded: Seeded[] = [];
const roomNodes = new Map<string, string>();
let jobId: string;

/** A candidate of the scenario and their interview for the test's job, as HR makes them. */
async function seedInterview(phone: string, lastName: string): Promise<Seeded> {
  const candidateRow = okBody(
    await hr('POST', '/v1/candidates', { body: { firstName: scenario.candidate.firstName, lastName, phone } }),
  );
  const interview = await hr('POST', '/v1/interviews', {
    body: {
      candidateId: candidateRow.id,
      jobId,
      type: scenario.interview.type,
      maxDurationMinutes: scenario.interview.maxDurationSeconds / 60,
      language: 'en',
      instructions: scenario.interview.instructions,
    },
  });
  expect(interview.status).toBe(201);
  return { ...(interview.body as { id: string; roomCode: string; roomName: string }), phone, lastName };
}

function candidate(interview: Seeded, apiUrl: string, onAnswer?: (n: number) => void): Promise<CandidateResult> {
  let answers = 0;
  return runCandidate({
    apiUrl,
    roomCode: interview.roomCode,
    phone: interview.phone,
    firstName: scenario.candidate.firstName,
    lastName: interview.lastName,
    answers: scenario.answers,
    timeoutMs: 400_000,
    onEvent: (event) => {
      if (event.type !== 'answer') return;
      if (!roomNodes.has(interview.roomName)) roomNodes.set(interview.roomName, nodeOfRoom(interview.roomName));
      onAnswer?.(++answers);
    },
  });
}

async function transcript(interviewId: string) {
  return database.db
    .selectFrom('transcriptTurns')
    .select(['seq', 'speaker', 'text'])
    .where('interviewId', '=', interviewId)
    .orderBy('seq')
    .execute();
}

/** Completed, every turn numbered once, every answer of the script once and in order. */
async function expectCompletedAsScripted(interview: Seeded, result: CandidateResult) {
  expect(result.endedBy).not.toBe('timeout');
  expect(result.answers.map((a) => a.text)).toEqual(scenario.answers);
  expect(result.agentAttributes['interview.end_reason']).toEqual(['completed']);
  const row = await database.db
    .selectFrom('interviews')
    .select(['status', 'endReason', 'deadlineAt'])
    .where('id', '=', interview.id)
    .executeTakeFirstOrThrow();
  expect(row.status).toBe('completed');
  const turns = await transcript(interview.id);
  expect(turns.map((t) => t.seq)).toEqual(turns.map((_, i) => i + 1));
  expect(turns.filter((t) => t.speaker === 'candidate').map((t) => t.text)).toEqual(scenario.answers);
  return { row, turns };
}

describe('two of everything', () => {
  it('two interviews at once across two APIs, two LiveKit nodes and two workers: each completes, scored once, one webhook', async () => {
    const { key } = await seedCompany(database.db, 'Scale Co', 'EG');
    hr = client(apis[0]!.url, key);
    const endpoint = okBody(
      await hr('POST', '/v1/webhook-endpoints', {
        body: { url: `http://${network.gateway}:${consumer.port}/hooks`, eventTypes: ['interview.completed'] },
      }),
    );
    consumer.setSecrets([endpoint.secret]);
    const job = okBody(
      await hr('POST', '/v1/jobs', {
        body: {
          title: scenario.job.title,
          description: scenario.job.description,
          competencies: scenario.job.competencies,
        },
      }),
    );
    jobId = job.id;
    for (let i = 0; i < interviews; i++) {
      seeded.push(await seedInterview(`+2010012345${60 + i}`, `${scenario.candidate.lastName} ${i}`));
    }

    // The first through API 1; once a worker holds it (and says it is full), the second through API 2, which only
    // the other worker can take.
    const [a, b] = [seeded[0]!, seeded[1]!];
    const first = candidate(a, apis[0]!.url);
    await expect.poll(() => workers.filter(reportsFull).length, { timeout: 180_000 }).toBe(1);
    const second = candidate(b, apis[1]!.url);
    const results = await Promise.all([first, second]);
    for (const [i, interview] of [a, b].entries()) await expectCompletedAsScripted(interview, results[i]!);

    // Rooms on both nodes (each where the API that made it sent it), jobs on both workers.
    expect(roomNodes.get(a.roomName)).toBe(nodeIdOf(nodes[0]!));
    expect(roomNodes.get(b.roomName)).toBe(nodeIdOf(nodes[1]!));
    expect(workers.map((w) => [a, b].filter((s) => ran(w, s.id)).length)).toEqual([1, 1]);

    // Scoring and delivery are shared work: once per interview across the two APIs. Both done before anything is
    // killed below, so no delivery is in flight in a process that dies.
    await expect
      .poll(async () => (await database.db.selectFrom('scorecards').select('interviewId').execute()).length, {
        timeout: 120_000,
      })
      .toBe(2);
    await consumer.waitFor(2, 120_000);
  }, 600_000);

  it('a worker machine dies mid-interview: the other worker resumes it; an API dies mid-interview: nothing is lost', async () => {
    const [c, d] = [seeded[2]!, seeded[3]!];
    // Both workers free again before the next interview.
    await expect.poll(() => workers.filter(reportsFull).length, { timeout: 60_000 }).toBe(0);

    // C through API 1 (its room on node 1, whose events reach API 1). After consent, as the candidate starts
    // answering the first question, the worker holding it dies with its job processes.
    let killed: { worker: number; at: number } | undefined;
    let lostAt: number | undefined;
    let backAt: number | undefined;
    let answers = 0;
    const mark = workers.map((w) => w.log.length);
    const third = runCandidate({
      apiUrl: apis[0]!.url,
      roomCode: c.roomCode,
      phone: c.phone,
      firstName: scenario.candidate.firstName,
      lastName: c.lastName,
      answers: scenario.answers,
      timeoutMs: 400_000,
      onEvent: (event) => {
        if (event.type === 'interviewer_lost') lostAt ??= Date.now();
        if (event.type === 'interviewer_back') backAt ??= Date.now();
        if (event.type !== 'answer') return;
        if (!roomNodes.has(c.roomName)) roomNodes.set(c.roomName, nodeOfRoom(c.roomName));
        if (++answers !== 2 || killed) return;
        // Only C is in flight: the worker that accepted a job since it started holds it.
        const holder = acceptedSince(mark);
        if (holder < 0) throw new Error('no worker accepted the job of the interview');
        // The candidate will say this answer again to the new interviewer: its speech recognition hears it first.
        deepgram.nextStreamStartsAt(spokenSegments(scenario.answers.slice(0, 1)).length);
        killed = { worker: holder, at: Date.now() };
        workers[holder]!.kill();
      },
    });
    await expect.poll(() => backAt, { timeout: 180_000 }).toBeDefined();
    const dead = killed!.worker;
    const survivor = 1 - dead;
    console.log(
      `worker killed → interviewer gone from the room ${lostAt! - killed!.at} ms; gone → new interviewer ${backAt! - lostAt!} ms`,
    );

    // The dead worker's machine comes back (a new worker process on it). D through API 2, its room on node 2: the
    // survivor is full with C, so D goes to the new worker. When D's candidate has consented, API 2 dies.
    const before = workers[dead]!;
    workers[dead] = startWorker(dead);
    await workers[dead]!.waitForLine(/registered worker/, 120_000);
    await expect.poll(() => reportsFull(workers[survivor]!), { timeout: 60_000 }).toBe(true);
    const fourth = candidate(d, apis[1]!.url, (n) => {
      if (n !== 2 || apiKilledAt) return;
      apiKilledAt = Date.now();
      apis[1]!.process.kill();
    });
    const [resultC, resultD] = await Promise.all([third, fourth]);
    expect(apiKilledAt).toBeDefined();
    expect(apis[1]!.process.child.signalCode).toBe('SIGKILL');
    expect(before.child.signalCode).toBe('SIGKILL');

    // C: resumed where it stopped, by the other worker (the single-node version: test/agent/e2e-worker-killed.test.ts).
    const { row, turns } = await expectCompletedAsScripted(c, resultC);
    expect(ran(workers[survivor]!, c.id), 'the other worker took the interview over').toBe(true);
    expect(row.endReason).toBe('completed');
    expect(lostAt, 'the candidate saw the interviewer go').toBeDefined();
    expect(resultC.agentAttributes['interview.ends_at']).toHaveLength(1);
    expect(Date.parse(resultC.agentAttributes['interview.ends_at']![0]!)).toBe(
      Math.round(row.deadlineAt!.getTime() / 1000) * 1000,
    );
    const said = turns.filter((t) => t.speaker === 'interviewer').map((t) => t.text);
    expect(said.filter((t) => /I am the AI interviewer/.test(t))).toHaveLength(1);
    const apologies = said.filter((t) => t.startsWith('Sorry, I lost the connection for a moment.'));
    expect(apologies).toHaveLength(1);
    const plan = await database.db
      .selectFrom('interviewPlanQuestions')
      .select('text')
      .where('interviewId', '=', c.id)
      .orderBy('position')
      .execute();
    expect(apologies[0]).toContain(plan[0]!.text);
    const consents = await database.db
      .selectFrom('interviewConsents')
      .select('given')
      .where('interviewId', '=', c.id)
      .execute();
    expect(consents).toEqual([{ given: true }]);

    // D: the API that let its candidate in is gone; the interview never needed it.
    await expectCompletedAsScripted(d, resultD);
    expect(ran(workers[dead]!, d.id), 'the new worker took D').toBe(true);
    expect(roomNodes.get(c.roomName)).toBe(nodeIdOf(nodes[0]!));
    expect(roomNodes.get(d.roomName)).toBe(nodeIdOf(nodes[1]!));
    // HR reads it through the API that is left.
    const read = await hr('GET', `/v1/interviews/${d.id}`);
    expect(read.status).toBe(200);
    expect((read.body as { status: string }).status).toBe('completed');
  }, 600_000);

  it('four interviews, four scorecards and four interview.completed webhooks, each sent once', async () => {
    const db = database.db;
    await expect
      .poll(async () => (await db.selectFrom('scorecards').select('interviewId').execute()).length, {
        timeout: 180_000,
      })
      .toBe(interviews);
    const scorecards = await db.selectFrom('scorecards').select('interviewId').execute();
    expect(new Set(scorecards.map((s) => s.interviewId))).toEqual(new Set(seeded.map((s) => s.id)));
    await consumer.waitFor(interviews, 180_000);
    const completed = consumer.received.map((d) => {
      expect(d.verified.ok).toBe(true);
      return (d.verified as { payload: { data: { interviewId: string } } }).payload.data.interviewId;
    });
    expect(completed.sort()).toEqual(seeded.map((s) => s.id).sort());
    // D's was sent after the API that let its candidate in had died: by the other API's job runner.
    const ofD = consumer.received.find((d) => d.verified.ok && d.verified.payload.data.interviewId === seeded[3]!.id);
    expect(ofD!.receivedAt).toBeGreaterThan(apiKilledAt!);
    // One delivery each, succeeded at its first attempt: no second send from the other API's job runner. The consumer
    // has a webhook before its sender records the answer (successes are written in batches), so the deliveries are
    // read once none is in flight.
    await expect
      .poll(async () => (await db.selectFrom('webhookDeliveries').select('status').execute()).every((d) => d.status !== 'pending'), {
        timeout: 30_000,
      })
      .toBe(true);
    const deliveries = await db.selectFrom('webhookDeliveries').select(['id', 'status', 'attempts']).execute();
    expect(deliveries.map((d) => [d.status, d.attempts])).toEqual(deliveries.map(() => ['succeeded', 1]));
    expect(deliveries).toHaveLength(interviews);
    const attempts = await db.selectFrom('webhookAttempts').select('deliveryId').execute();
    expect(attempts.map((a) => a.deliveryId).sort()).toEqual(deliveries.map((d) => d.id).sort());
  }, 400_000);

  it('a LiveKit node dies mid-interview: the candidate rejoins through the other node and the interview resumes there', async () => {
    // API 2 died above: a new process on its host, in front of node 2.
    apis[1] = { url: apis[1]!.url, process: startApi(1) };
    await waitForPort(new URL(apis[1].url).hostname, 3000, 60_000);
    await expect.poll(() => workers.filter(reportsFull).length, { timeout: 60_000 }).toBe(0);
    // The interviewer must die with node 1 (a job on worker 2 would reconnect through node 2 and live on): worker 2
    // is away while E starts, so worker 1, connected to node 1 only, takes it; it comes back when node 1 dies.
    const lk2Mark = nodes[1]!.process.log.length;
    workers[1]!.kill();
    await expect
      .poll(() => nodes[1]!.process.log.slice(lk2Mark).some((l) => /closing worker|worker deregistered/.test(l)), {
        timeout: 30_000,
      })
      .toBe(true);

    const e = await seedInterview('+201001234570', `${scenario.candidate.lastName} E`);
    // Whatever fails below, the processes' lines about E and its row say who did what.
    onTestFailed(async () => {
      const mentions = (p: HostProcess) => p.log.filter((l) => l.includes(e.roomName) || l.includes(e.id));
      console.log(
        [
          ...apis[1]!.process.log.slice(-40),
          ...mentions(nodes[1]!.process).map((l) => l.slice(0, 400)),
          ...mentions(workers[0]!).map((l) => `w1 ${l.slice(0, 300)}`),
          ...mentions(workers[1]!).map((l) => `w2 ${l.slice(0, 300)}`),
          JSON.stringify(await database.db.selectFrom('interviews').selectAll().where('id', '=', e.id).execute()),
          JSON.stringify(await database.db.selectFrom('auditLog').selectAll().where('targetId', '=', e.id).execute()),
        ].join('\n'),
      );
    });

    // E through API 1: its room on node 1. As the candidate starts answering the first question, node 1 dies.
    let answers = 0;
    let killedAt: number | undefined;
    const before = await runCandidate({
      apiUrl: apis[0]!.url,
      roomCode: e.roomCode,
      phone: e.phone,
      firstName: scenario.candidate.firstName,
      lastName: e.lastName,
      answers: scenario.answers,
      timeoutMs: 200_000,
      onEvent: (event) => {
        if (event.type !== 'answer' || ++answers !== 2 || killedAt) return;
        roomNodes.set(e.roomName, nodeOfRoom(e.roomName));
        // The candidate says this answer again to the new interviewer: its speech recognition hears it first.
        deepgram.nextStreamStartsAt(spokenSegments(scenario.answers.slice(0, 1)).length);
        killedAt = Date.now();
        nodes[0]!.process.kill();
        workers[1] = startWorker(1);
      },
    });
    expect(roomNodes.get(e.roomName)).toBe(nodeIdOf(nodes[0]!));
    expect(before.endedBy).not.toBe('timeout');
    const droppedAfter = Date.now() - killedAt!;
    await workers[1]!.waitForLine(/registered worker/, 120_000);
    const w2Mark = workers[1]!.log.length;

    // The rejoin through API 2: node 1 never said the candidate left, so their seat looks taken; LiveKit, asked
    // through node 2, has no room with them in it, and the join opens the room again there.
    let resumedOn: string | undefined;
    const after = await runCandidate({
      apiUrl: apis[1].url,
      roomCode: e.roomCode,
      phone: e.phone,
      firstName: scenario.candidate.firstName,
      lastName: e.lastName,
      answers: scenario.answers.slice(1),
      timeoutMs: 400_000,
      onEvent: (event) => {
        if (event.type === 'answer') resumedOn ??= nodeOfRoom(e.roomName);
      },
    });
    console.log(
      `LiveKit node killed → candidate dropped ${droppedAfter} ms; rejoin to connected on node 2 ${after.connectedAt - after.joinStartedAt} ms`,
    );
    expect(after.endedBy).not.toBe('timeout');
    expect(after.agentAttributes['interview.end_reason']).toEqual(['completed']);
    expect(resumedOn).toBe(nodeIdOf(nodes[1]!));
    expect(
      workers[1]!.log.slice(w2Mark).some((l) => l.includes(e.id)),
      'worker 2, on node 2, ran the rest',
    ).toBe(true);

    const row = await database.db
      .selectFrom('interviews')
      .select(['status', 'endReason'])
      .where('id', '=', e.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'completed', endReason: 'completed' });
    const turns = await transcript(e.id);
    expect(turns.map((t) => t.seq)).toEqual(turns.map((_, i) => i + 1));
    expect(turns.filter((t) => t.speaker === 'candidate').map((t) => t.text)).toEqual(scenario.answers);
    const said = turns.filter((t) => t.speaker === 'interviewer').map((t) => t.text);
    expect(said.filter((t) => /I am the AI interviewer/.test(t))).toHaveLength(1);
    expect(said.filter((t) => t.startsWith('Sorry, I lost the connection for a moment.'))).toHaveLength(1);
    const rejoins = await database.db
      .selectFrom('auditLog')
      .select('details')
      .where('targetId', '=', e.id)
      .where('action', '=', 'candidate.join')
      .execute();
    expect(rejoins.filter((r) => (r.details as { roomReplaced?: boolean } | null)?.roomReplaced)).toHaveLength(1);

    await expect
      .poll(
        async () =>
          (await database.db.selectFrom('scorecards').select('id').where('interviewId', '=', e.id).execute()).length,
        {
          timeout: 180_000,
        },
      )
      .toBe(1);
    await consumer.waitFor(interviews + 1, 180_000);
    const ofE = consumer.received.filter((d) => d.verified.ok && d.verified.payload.data.interviewId === e.id);
    expect(ofE).toHaveLength(1);
  }, 600_000);
});
