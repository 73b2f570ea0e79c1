import { defineAgent, type JobContext } from '@livekit/agents';

// An agent for test/agent/hosts.test.ts: what a job does is its job's metadata. By default the entry returns and the
// job lasts until it is shut down (as the SDK's do), `crash` throws, `hang` blocks its process's event loop for good
// (a job in an endless loop).
export default defineAgent({
  prewarm: async (proc) => {
    proc.userData.prewarms = ((proc.userData.prewarms as number | undefined) ?? 0) + 1;
  },
  entry: async (job: JobContext) => {
    switch (job.job.metadata) {
      case 'crash':
        throw new Error('the entry failed');
      case 'hang':
        for (;;);
      default:
        return;
    }
  },
});
