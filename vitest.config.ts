import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // expect.poll waits on a condition (a page's first render, a webhook arriving); its 1 s default fails whenever
    // the machine is busy, e.g. Chromium rendering while another test file runs on the other core. A poll ends as
    // soon as its condition holds, so a long limit costs nothing when things are quick.
    expect: { poll: { timeout: 20_000 } },
    // Files share one LiveKit server and one Postgres cluster; two at a time suits the 2-core machines we run on.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
