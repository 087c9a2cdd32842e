import { defineConfig } from 'vitest/config';

/** End-to-end tests: the built app in the browser host, driven by Playwright in the system Chromium. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
    // A screen that follows the core within a second on a quiet machine can take several on a loaded CI runner.
    expect: { poll: { timeout: 10_000 } },
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
