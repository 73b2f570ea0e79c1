import { fileURLToPath } from 'node:url';
import type { RunningJobInfo } from '@livekit/agents';

// What the worker's main process and a job host (agent/hosts/main.ts) say to each other over the fork's IPC channel.

export type ToHost =
  | { case: 'init'; agentFile: string; loggerOptions: { pretty: boolean; level?: string }; sessionEndTimeout: number }
  | { case: 'startJob'; info: RunningJobInfo }
  | { case: 'shutdownJob'; jobId: string; reason: string }
  | { case: 'inferenceResponse'; requestId: string; data?: unknown; error?: string }
  | { case: 'ping' }
  /** Sent to a host with no job left that is to go (retired after its quota of jobs, or the worker closing). */
  | { case: 'exit' };

export type FromHost =
  | { case: 'ready' }
  | { case: 'pong' }
  | { case: 'jobDone'; jobId: string; crashed: boolean }
  | { case: 'inferenceRequest'; requestId: string; method: string; data: unknown };

/** The host's entry module, as the pool forks it. */
export const hostMain = fileURLToPath(new URL('./main.ts', import.meta.url));

/** Whether a process's command line is a job process: a host, or the SDK's process per job. For metrics and benches. */
export const isJobProcess = (cmdline: string) => cmdline.includes('job_proc_lazy_main') || cmdline.includes(hostMain);
