import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Files share one LiveKit server and one Postgres cluster; two at a time suits the 2-core machines we run on.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
