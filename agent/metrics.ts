import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import client from 'prom-client';
import { isJobProcess } from './hosts/protocol.ts';

// The worker's Prometheus metrics, on a port of its own (AGENT_METRICS_PORT; GET /metrics), served by the main
// process: the interviews it holds, the load it reports to LiveKit and what it is made of, and the memory and CPU of
// its processes (the main one, one per job, the SDK's inference process when the turn detector needs it), read from
// /proc at scrape time. Bind it to a private address (AGENT_METRICS_HOST): it has no authentication.

export interface WorkerLoadState {
  activeJobs: number;
  maxJobs: number;
  cpu: number;
  load: number;
}

type Role = 'main' | 'job' | 'inference';

function processesOf(mainPid: number): { role: Role; rssBytes: number; cpuSeconds: number }[] {
  const tick = 100; // USER_HZ: 100 on every Linux the product runs on
  const found: { role: Role; rssBytes: number; cpuSeconds: number }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const fields = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]!.split(' ');
      const pid = Number(name);
      if (pid !== mainPid && Number(fields[1]) !== mainPid) continue;
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      const role: Role | undefined =
        pid === mainPid
          ? 'main'
          : cmd.includes('inference_proc')
            ? 'inference'
            : isJobProcess(cmd)
              ? 'job'
              : undefined;
      if (!role) continue;
      // stat's rss (field 24) is in pages of 4 KiB.
      found.push({
        role,
        rssBytes: Number(fields[21]) * 4096,
        cpuSeconds: (Number(fields[11]) + Number(fields[12])) / tick,
      });
    } catch {
      // Gone between the listing and the read.
    }
  }
  return found;
}

export function workerMetrics(state: () => WorkerLoadState | undefined) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'interviewer_worker_main_' });
  const gauge = (name: string, help: string, read: (g: client.Gauge) => void, labelNames: string[] = []) =>
    new client.Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        read(this);
      },
    });
  gauge('interviewer_worker_active_jobs', 'Interviews this worker holds', (g) => {
    const s = state();
    if (s) g.set(s.activeJobs);
  });
  gauge('interviewer_worker_max_jobs', 'AGENT_MAX_JOBS: interviews at which the worker reports itself full', (g) => {
    const s = state();
    if (s) g.set(s.maxJobs);
  });
  gauge(
    'interviewer_worker_machine_cpu_ratio',
    "The machine's busy CPU fraction, smoothed, as the load function reads it",
    (g) => {
      const s = state();
      if (s) g.set(s.cpu);
    },
  );
  gauge('interviewer_worker_load', 'The load reported to LiveKit (1 or more: full, no new interviews)', (g) => {
    const s = state();
    if (s) g.set(s.load);
  });
  const byRole = (pick: (p: ReturnType<typeof processesOf>[number]) => number) => (g: client.Gauge) => {
    g.reset();
    const sums = new Map<Role, number>();
    for (const p of processesOf(process.pid)) sums.set(p.role, (sums.get(p.role) ?? 0) + pick(p));
    for (const [role, v] of sums) g.set({ role }, v);
  };
  gauge(
    'interviewer_worker_processes',
    'Processes of this worker by role (job: one per interview plus the idle, warm ones)',
    byRole(() => 1),
    ['role'],
  );
  gauge(
    'interviewer_worker_rss_bytes',
    'Resident memory of this worker’s processes, summed by role',
    byRole((p) => p.rssBytes),
    ['role'],
  );
  gauge(
    'interviewer_worker_cpu_seconds',
    'CPU time of the living processes of this worker, summed by role (a job process’s ends with it: use rate() over short windows)',
    byRole((p) => p.cpuSeconds),
    ['role'],
  );

  return {
    registry,
    /** Serves GET /metrics; resolves once listening. */
    async listen(port: number, host: string): Promise<Server> {
      const server = createServer((req, res) => {
        if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
          res.writeHead(404).end();
          return;
        }
        registry.metrics().then(
          (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
          (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error)),
        );
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      return server;
    },
  };
}
