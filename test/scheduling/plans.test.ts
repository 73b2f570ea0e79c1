import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plansOnlyBrain, startEvaluationEmulator } from '../scoring/gemini-evaluation-emulator.ts';
import { sql } from 'kysely';
import { startJobRunner, type JobRunner } from '../../api/jobs/runner.ts';
import { generatePlanTask } from '../../api/interviews/create-interview.ts';
import { client, expectOk, expectStatus, okBody, seedCompany, startTestApi, type TestApi } from '../support/harness.ts';
import { seedJobAndCandidates } from './support.ts';

// An interview created by a booking (HR's or the candidate's own) gets its question plan like one created with
// POST /v1/interviews, but from a job the booking adds in its transaction: the model is never called while the
// slot's seat is held (nor while the booking request waits), and a plan that cannot be written leaves the booking as
// it is.

type Call = ReturnType<typeof client>;

let plain: TestApi;
let withModel: TestApi;
let emulator: Awaited<ReturnType<typeof startEvaluationEmulator>>;
const runners: JobRunner[] = [];
let brokenPlans = false;

/** Holds each model request until released, then forwards it to the emulator: a slow model, on demand. */
function startGate(target: string) {
  let held: (() => void)[] = [];
  let closed = true;
  const arrivals: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      if (closed) await new Promise<void>((resolve) => (held.push(resolve), arrivals.shift()?.()));
      const upstream = await fetch(`${target}${req.url}`, {
        method: req.method,
        headers: { 'content-type': 'application/json' },
        body: Buffer.concat(chunks),
      });
      res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
    });
  });
  return {
    server,
    /** Resolves once a request is being held. */
    arrival: () => new Promise<void>((resolve) => (held.length ? resolve() : arrivals.push(resolve))),
    release() {
      const waiting = held;
      held = [];
      for (const go of waiting) go();
    },
    open() {
      closed = false;
      this.release();
    },
    close() {
      closed = true;
    },
  };
}
let gate: ReturnType<typeof startGate>;

beforeAll(async () => {
  emulator = await startEvaluationEmulator(plansOnlyBrain(() => brokenPlans));
  gate = startGate(emulator.url);
  await new Promise<void>((resolve) => gate.server.listen(0, '127.0.0.1', resolve));
  const gateUrl = `http://127.0.0.1:${(gate.server.address() as AddressInfo).port}`;
  plain = await startTestApi();
  withModel = await startTestApi({ env: { GOOGLE_API_KEY: 'test-key-for-emulator', GEMINI_BASE_URL: gateUrl } });
  for (const api of [plain, withModel]) {
    api.setNow(new Date('2027-03-01T00:00:00Z'));
    // The API's job runner, with the plan task.
    runners.push(
      await startJobRunner({
        databaseUrl: api.deps.config.database.url,
        log: api.deps.log,
        name: 'plans test',
        concurrency: 2,
        tasks: { 'generate-plan': generatePlanTask(api.deps) },
      }),
    );
  }
  gate.open();
});
afterAll(async () => {
  for (const r of runners) await r.stop();
  await plain?.stop();
  await withModel?.stop();
  gate?.server.closeAllConnections();
  await new Promise<void>((resolve) => gate?.server.close(() => resolve()));
  await emulator?.close();
});

async function company(api: TestApi, name: string) {
  const call = client(api.url, (await seedCompany(api.db, name)).key);
  const job = await call('POST', '/v1/jobs', {
    body: {
      title: 'Backend Engineer',
      description: 'Build payment ledgers in TypeScript and Postgres.',
      competencies: [
        { key: 'system_design', name: 'System design', description: 'Designs robust services.' },
        { key: 'ownership', name: 'Ownership', description: 'Drives work to done.' },
      ],
    },
  });
  expectStatus(job, 201);
  const { candidates } = await seedJobAndCandidates(call, 4);
  return { call, jobId: job.body.id as string, candidates };
}

async function slot(call: Call, startsAt: string, capacity = 1) {
  const endsAt = new Date(Date.parse(startsAt) + 30 * 60_000).toISOString();
  const r = await call('POST', '/v1/scheduling/slots', {
    body: { interviewType: 'TECHNICAL', startsAt, endsAt, capacity },
  });
  expectStatus(r, 201);
  return r.body.id as string;
}

const planOf = async (call: Call, interviewId: string) => okBody(await call('GET', `/v1/interviews/${interviewId}/plan`));
/** The plan once its job has written it. */
async function writtenPlan(call: Call, interviewId: string) {
  await expect.poll(async () => (await planOf(call, interviewId)).questionCount).toBeGreaterThan(0);
  return planOf(call, interviewId);
}
/** Resolves once the interview's plan job is done (whatever it wrote). */
async function planJobDone(api: TestApi, interviewId: string) {
  await expect
    .poll(async () => (await sql`select 1 from graphile_worker.jobs where key = ${`generate-plan:${interviewId}`}`.execute(api.db)).rows.length)
    .toBe(0);
}

describe('question plans for booked interviews', () => {
  it('an HR booking and a candidate self-booking both get the plan (template bank without a model)', async () => {
    const { call, jobId, candidates } = await company(plain, 'Plain Co');
    const hrBooking = await call('POST', '/v1/scheduling/bookings', {
      body: { slotId: await slot(call, '2027-03-10T09:00:00Z'), candidateId: candidates[0]!.id, jobId },
    });
    expectStatus(hrBooking, 201);
    const hrPlan = await writtenPlan(call, hrBooking.body.interviewId);
    expect(hrPlan).toMatchObject({ source: 'template-bank:v3', fitsDuration: true, frozen: false });
    expect(hrPlan.questionCount).toBeGreaterThanOrEqual(2);
    expect(hrPlan.questions.map((q) => q.competencyKey)).toContain('system_design');

    const slotId = await slot(call, '2027-03-11T09:00:00Z');
    const invited = await call('POST', '/v1/scheduling/invitations', {
      body: { candidateId: candidates[1]!.id, jobId, interviewType: 'TECHNICAL' },
    });
    expectOk(invited);
    const booked = await client(plain.url)('POST', `/v1/public/scheduling/${invited.body.token}/book`, {
      body: { slotId },
    });
    expectStatus(booked, 201);
    const interviewId = okBody(await call('GET', `/v1/scheduling/bookings?candidateId=${candidates[1]!.id}`)).items[0]!
      .interviewId;
    const selfPlan = await writtenPlan(call, interviewId);
    expect(selfPlan).toMatchObject({ source: 'template-bank:v3', fitsDuration: true });
    expect(selfPlan.questionCount).toBeGreaterThanOrEqual(2);

    // Attaching an existing interview keeps its plan: nothing is generated again.
    const created = await call('POST', '/v1/interviews', {
      body: { candidateId: candidates[2]!.id, jobId, type: 'TECHNICAL', maxDurationMinutes: 30 },
    });
    expectOk(created);
    await call('PUT', `/v1/interviews/${created.body.id}/plan`, {
      body: { questions: [{ text: 'Walk me through the ledger you rebuilt, step by step.', timeBudgetSeconds: 300 }] },
    });
    const attached = await call('POST', '/v1/scheduling/bookings', {
      body: {
        slotId: await slot(call, '2027-03-12T09:00:00Z'),
        candidateId: candidates[2]!.id,
        jobId,
        interviewId: created.body.id,
      },
    });
    expectStatus(attached, 201);
    const kept = await planOf(call, created.body.id);
    expect(kept.questions.map((q: { text: string }) => q.text)).toEqual([
      'Walk me through the ledger you rebuilt, step by step.',
    ]);
  });

  it('with a model: generated after the seat is committed (a second booking of the slot is not held up)', async () => {
    const { call, jobId, candidates } = await company(withModel, 'Model Co');
    const slotId = await slot(call, '2027-03-10T09:00:00Z', 2);
    gate.close();
    try {
      // The booking answers at once: its plan is a job, and the model has not answered yet.
      const a = await call('POST', '/v1/scheduling/bookings', { body: { slotId, candidateId: candidates[0]!.id, jobId } });
      expectStatus(a, 201);
      await gate.arrival();
      // The model is answering the first booking's plan; its seat is committed and the slot's row is free.
      const seat = await withModel.db
        .selectFrom('slots')
        .select('bookedCount')
        .where('id', '=', slotId)
        .executeTakeFirstOrThrow();
      expect(seat.bookedCount).toBe(1);
      expect((await planOf(call, a.body.interviewId)).questionCount).toBe(0);
      // A second booking of the same slot takes the other seat while the first plan is still being written.
      const b = await call('POST', '/v1/scheduling/bookings', { body: { slotId, candidateId: candidates[1]!.id, jobId } });
      expectStatus(b, 201);
      expect(
        (await withModel.db.selectFrom('slots').select('bookedCount').where('id', '=', slotId).executeTakeFirstOrThrow())
          .bookedCount,
      ).toBe(2);
      gate.open();
      for (const booking of [a, b]) {
        const plan = await writtenPlan(call, booking.body.interviewId);
        expect(plan.source).toMatch(/plan-prompt:v1$/);
        expect(plan.questionCount).toBeGreaterThanOrEqual(2);
        expect(plan.questions.every((q: { kind: string }) => q.kind === 'generated')).toBe(true);
      }
    } finally {
      gate.open();
    }
  });

  it('a model that fails gives the template bank; an interview cancelled meanwhile gets no plan; bookings stand', async () => {
    const { call, jobId, candidates } = await company(withModel, 'Fail Co');
    brokenPlans = true;
    try {
      const r = await call('POST', '/v1/scheduling/bookings', {
        body: { slotId: await slot(call, '2027-03-10T10:00:00Z'), candidateId: candidates[0]!.id, jobId },
      });
      expectStatus(r, 201);
      const plan = await writtenPlan(call, r.body.interviewId);
      expect(plan.source).toBe('template-bank:v3');
      expect(plan.questionCount).toBeGreaterThanOrEqual(2);
    } finally {
      brokenPlans = false;
    }

    // HR cancels the interview while its plan is being generated: the plan is not written; the booking request
    // still succeeds (HR's cancellation then releases its seat).
    gate.close();
    try {
      const booking = await call('POST', '/v1/scheduling/bookings', {
        body: { slotId: await slot(call, '2027-03-11T10:00:00Z'), candidateId: candidates[1]!.id, jobId },
      });
      expectStatus(booking, 201);
      await gate.arrival();
      const interviewId = okBody(await call('GET', `/v1/scheduling/bookings?candidateId=${candidates[1]!.id}`)).items[0]!
        .interviewId;
      expect((await call('POST', `/v1/interviews/${interviewId}/cancel`, { body: {} })).status).toBe(200);
      gate.open();
      await planJobDone(withModel, interviewId);
      expect(await planOf(call, interviewId)).toMatchObject({ questionCount: 0, frozen: true });
    } finally {
      gate.open();
    }
  });
});
