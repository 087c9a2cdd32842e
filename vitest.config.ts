import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // Most unit tests wait on simulated devices, timers and child processes, not on the CPU: on a
    // 2-core machine two workers kept the CPU a third busy (7.8 min); four took 3.1 min.
    maxWorkers: 4,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
