import { defineConfig } from 'vitest/config';

// Runs bench/voice*.bench.ts with the test services (Postgres, LiveKit) of test/support/global-setup.ts.
// It prints figures; it asserts no timing (timed assertions do not belong in tests).
export default defineConfig({
  test: {
    include: ['bench/voice*.bench.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 1_800_000,
    hookTimeout: 120_000,
    maxWorkers: 1,
    reporters: ['default'],
  },
});
