// A process that runs a candidate's erasure and can be killed at a known point: after each step it prints
// `step:<name>`; after the step named by ERASE_STOP_AFTER it prints that line and then waits, so the test's SIGKILL
// always lands between two steps (that step's progress committed, the next one not begun). Run with Node directly.
import { loadApiConfig } from '../../api/config.ts';
import { runErasure } from '../../api/data-rights/erasure.ts';
import { createLiveKitGateway } from '../../api/livekit/gateway.ts';
import { connectDatabase } from '../../shared/db/connect.ts';
import { createLogger } from '../../shared/logger.ts';

const candidateId = process.argv[2]!;
const stopAfter = process.env.ERASE_STOP_AFTER;
const config = loadApiConfig(JSON.parse(process.env.ERASE_CHILD_ENV!) as Record<string, string>);
const database = await connectDatabase({ url: config.database.url, poolSize: 2 });
const deps = {
  db: database.db,
  config,
  log: createLogger({ level: 'silent', name: 'erase-child' }),
  livekit: createLiveKitGateway(config.livekit),
  now: () => new Date(),
};
await runErasure(deps, candidateId, {
  afterStep: async (step) => {
    process.stdout.write(`step:${step}\n`);
    if (step === stopAfter) {
      // Held here until killed: a timer keeps the process alive.
      setInterval(() => {}, 1 << 30);
      await new Promise(() => {});
    }
  },
});
process.stdout.write('done\n');
await database.destroy();
