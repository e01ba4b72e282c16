import { defineConfig } from 'vitest/config';

// Browser tests: playwright-core driving Debian's /usr/bin/chromium against a real server. Run by .ci/run.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    globalSetup: ['e2e/global-setup.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 90_000,
  },
});
