// The worker as operators see it: its Prometheus metrics on a port of its own, scraped and parsed, and the processes
// it runs. With the text end-of-turn cues (the default) there is no SDK inference process: only the audio model
// (TURN_DETECTION=model) would ask it anything.
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startAgentStack, type AgentStack } from './support/stack.ts';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

let stack: AgentStack;
let metricsPort: number;

beforeAll(async () => {
  metricsPort = await freePort();
  stack = await startAgentStack({
    workerEnv: {
      AGENT_METRICS_PORT: String(metricsPort),
      AGENT_MAX_JOBS: '5',
      AGENT_MAX_CPU: '0.85',
      TURN_DETECTION: 'text',
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

async function scrape(): Promise<Map<string, number>> {
  const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  expect(res.status).toBe(200);
  const samples = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

it('serves its load, its limits and its processes; starts no inference process for the text turn detector', async () => {
  // The idle job process appears once forked; the load is first computed 2.5 s after registration.
  await expect
    .poll(async () => (await scrape()).get('interviewer_worker_processes{role="job"}'), { timeout: 60_000 })
    .toBeGreaterThanOrEqual(1);
  // The load's figures appear with its first computation (max_jobs is 0 until then).
  await expect.poll(async () => (await scrape()).get('interviewer_worker_max_jobs'), { timeout: 30_000 }).toBe(5);
  const samples = await scrape();
  expect(samples.get('interviewer_worker_max_jobs')).toBe(5);
  expect(samples.get('interviewer_worker_active_jobs')).toBe(0);
  const cpu = samples.get('interviewer_worker_machine_cpu_ratio')!;
  expect(cpu).toBeGreaterThanOrEqual(0);
  expect(cpu).toBeLessThanOrEqual(1);
  expect(samples.get('interviewer_worker_load')).toBeCloseTo(Math.max(0 / 5, cpu / 0.85));
  expect(samples.get('interviewer_worker_processes{role="main"}')).toBe(1);
  expect(samples.get('interviewer_worker_rss_bytes{role="main"}')).toBeGreaterThan(20 * 1024 * 1024);
  expect(samples.get('interviewer_worker_rss_bytes{role="job"}')).toBeGreaterThan(20 * 1024 * 1024);
  expect(samples.has('interviewer_worker_processes{role="inference"}')).toBe(false);
  expect(samples.get('interviewer_worker_main_process_resident_memory_bytes')).toBeGreaterThan(0);
  // The SDK's own health endpoint agrees: connected, and no inference process it would wait for.
  const health = await fetch(`http://127.0.0.1:${stack.workerHttpPort}/`);
  expect(health.status).toBe(200);
});
