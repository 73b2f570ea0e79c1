import { defineConfig } from 'vitest/config';

// Runs bench/recording-cpu.bench.ts with the test services (Postgres, LiveKit) of test/support/global-setup.ts.
// It prints figures; it asserts no timing.
export default defineConfig({
  test: {
    include: ['bench/recording-cpu.bench.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 1_800_000,
    hookTimeout: 120_000,
    maxWorkers: 1,
    reporters: ['default'],
  },
});
