import { fileURLToPath } from 'node:url';
import { ipc, type RunningJobInfo } from '@livekit/agents';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { jobHosts } from '../../agent/hosts/pool.ts';
import { processAlive } from '../../shared/process-guards.ts';
import { createLogger } from '../../shared/logger.ts';

// Job hosts (agent/hosts) driven as the SDK's process pool drives its executors, on real forked hosts running a test
// agent (support/host-test-agent.ts): slots packed into hosts, a job's end and its status, a crashed entry, a host
// that stops answering pings (killed, its jobs ended as failed), a warm place moved off a dead host, and a host
// retired after its quota. The voice path
// through hosts is test/agent/e2e-hosts.test.ts.

vi.setConfig({ testTimeout: 120_000 });

const agentFile = fileURLToPath(new URL('./support/host-test-agent.ts', import.meta.url));
const log = createLogger({ level: 'silent', name: 'hosts-test' });
const executorOptions = {
  agent: agentFile,
  initializeTimeout: 60_000,
  closeTimeout: 10_000,
  memoryWarnMB: 0,
  memoryLimitMB: 0,
  pingInterval: 200,
  pingTimeout: 3_000,
  highPingThreshold: 500,
};
const started: { pid?: number }[] = [];
afterAll(() => {
  for (const { pid } of started) if (pid && processAlive(pid)) process.kill(pid, 'SIGKILL');
});

let jobs = 0;
const info = (metadata = ''): RunningJobInfo =>
  ({
    acceptArguments: { name: 'agent', identity: 'agent', metadata: '' },
    job: { id: `job-${++jobs}`, metadata, room: { name: 'room', sid: 'RM_test' } },
    url: 'ws://127.0.0.1:1',
    token: 'unused',
    workerId: 'worker',
  }) as unknown as RunningJobInfo;

/** An executor warmed and launched as the SDK's pool does (start, initialize, launchJob). */
async function launch(factory: ipc.JobExecutorFactory, metadata?: string) {
  const executor = factory(executorOptions) as ipc.JobExecutor & { pid?: number };
  await executor.start();
  await executor.initialize({ sessionEndTimeout: 1_000 });
  started.push(executor);
  await executor.launchJob(info(metadata));
  return executor;
}

const ended = async (executor: ipc.JobExecutor) => {
  await executor.join();
  return executor.status;
};

describe('job hosts', () => {
  it('pack jobs into a host up to its slots, end each job on its own, and a crashed entry ends as failed', async () => {
    const { factory } = jobHosts({ agentFile, jobsPerHost: 2, retireAfterJobs: 100, sessionEndTimeout: 1_000, log });
    const [a, b, c] = [await launch(factory), await launch(factory), await launch(factory)];
    expect(a.pid).toBe(b.pid);
    expect(c.pid).not.toBe(a.pid);
    await a.close();
    expect(await ended(a)).toBe(ipc.JobStatus.SUCCESS);
    // The other job in that host runs on; its place is free again and the next job takes it.
    expect(processAlive(a.pid!)).toBe(true);
    const d = await launch(factory, 'crash');
    expect(d.pid).toBe(a.pid);
    expect(await ended(d)).toBe(ipc.JobStatus.FAILED);
    for (const executor of [b, c]) {
      await executor.close();
      expect(await ended(executor)).toBe(ipc.JobStatus.SUCCESS);
    }
  });

  it('kill a host that stops answering pings; its jobs end as failed', async () => {
    const { factory } = jobHosts({ agentFile, jobsPerHost: 2, retireAfterJobs: 100, sessionEndTimeout: 1_000, log });
    const calm = await launch(factory);
    const stuck = await launch(factory, 'hang');
    expect(stuck.pid).toBe(calm.pid);
    // No answer for pingTimeout (3 s here, 60 s in the worker): the host is killed and both jobs end.
    expect(await ended(stuck)).toBe(ipc.JobStatus.FAILED);
    expect(await ended(calm)).toBe(ipc.JobStatus.FAILED);
    await expect.poll(() => processAlive(calm.pid!)).toBe(false);
  });

  it('move a warm place whose host died to another host, where its job runs', async () => {
    const { factory } = jobHosts({ agentFile, jobsPerHost: 2, retireAfterJobs: 100, sessionEndTimeout: 1_000, log });
    const running = await launch(factory);
    // Warmed as the SDK's pool warms its next executor, in the same host.
    const warm = factory(executorOptions) as ipc.JobExecutor & { pid?: number };
    await warm.start();
    await warm.initialize({ sessionEndTimeout: 1_000 });
    started.push(warm);
    const dead = running.pid!;
    expect(warm.pid).toBe(dead);
    process.kill(dead, 'SIGKILL');
    expect(await ended(running)).toBe(ipc.JobStatus.FAILED);
    // The pool would hand the warm executor the next job: it starts in a new host.
    await warm.launchJob(info());
    expect(warm.pid).not.toBe(dead);
    expect(processAlive(warm.pid!)).toBe(true);
    await warm.close();
    expect(await ended(warm)).toBe(ipc.JobStatus.SUCCESS);
  });

  it('retire a host once it has run its quota and its last job has ended', async () => {
    const { factory } = jobHosts({ agentFile, jobsPerHost: 4, retireAfterJobs: 2, sessionEndTimeout: 1_000, log });
    const [a, b] = [await launch(factory), await launch(factory)];
    expect(a.pid).toBe(b.pid);
    // Its quota launched, it takes no new job: the next goes to a new host.
    const c = await launch(factory);
    expect(c.pid).not.toBe(a.pid);
    await a.close();
    expect(processAlive(a.pid!)).toBe(true);
    await b.close();
    await expect.poll(() => processAlive(a.pid!)).toBe(false);
    await c.close();
    expect(await ended(c)).toBe(ipc.JobStatus.SUCCESS);
  });
});
