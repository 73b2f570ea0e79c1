import { emailJobs } from '../../api/email/sender.ts';
import type { client, TestApi } from '../support/harness.ts';
import { testJobWorker } from '../support/jobs.ts';

type Call = ReturnType<typeof client>;

/** A job and `n` candidates with distinct phones and e-mail addresses. */
export async function seedJobAndCandidates(
  call: Call,
  n: number,
  options: { email?: (i: number) => string | undefined } = {},
) {
  const job = await call('POST', '/v1/jobs', {
    body: { title: 'Backend Engineer', description: 'Ledgers in TypeScript.', language: 'en' },
  });
  if (job.status !== 201) throw new Error(`job: ${job.status} ${JSON.stringify(job.body)}`);
  const candidates = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const phone = `+97150${String(1000000 + i).padStart(7, '0')}`;
      const email = options.email ? options.email(i) : `candidate${i}@example.com`;
      const c = await call('POST', '/v1/candidates', {
        body: { firstName: `Cand${i}`, lastName: 'Test', phone, ...(email ? { email } : {}) },
      });
      if (c.status !== 201) throw new Error(`candidate: ${c.status} ${JSON.stringify(c.body)}`);
      return { id: c.body.id as string, email, phone };
    }),
  );
  return { jobId: job.body.id as string, candidates };
}

export const weekly = (over: Record<string, unknown> = {}) => ({
  interviewType: 'TECHNICAL',
  weekday: 1,
  startTime: '09:00',
  endTime: '10:00',
  slotMinutes: 30,
  breakMinutes: 0,
  capacity: 2,
  validFrom: '2027-03-01',
  timezone: 'Europe/London',
  ...over,
});

/**
 * The e-mail task of the job runner on the test API's clock: `runOnce()` sends what is due (reminders a day ahead are
 * reached by moving the clock) and resolves with how many messages it handled.
 */
export function emailWorker(api: TestApi, log = api.deps.log) {
  let close = () => {};
  const worker = testJobWorker({
    db: api.db,
    databaseUrl: api.deps.config.database.url,
    log,
    now: api.deps.now,
    tasks: (onHandled) => {
      const jobs = emailJobs({ db: api.db, log, settings: api.deps.config.email, now: api.deps.now, onHandled });
      close = jobs.close;
      return jobs.tasks;
    },
  });
  return {
    ...worker,
    async stop() {
      await worker.stop();
      close();
    },
  };
}
