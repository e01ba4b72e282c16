import { defineConfig } from 'vitest/config';

// One suite for `npm test`. Store contract tests run on SQLite always and on PostgreSQL too whenever
// NTG_TEST_DATABASE_URL is set (.ci/run always sets it). Browser tests have their own config under e2e/.
export default defineConfig({
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'apps/*/src/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'bench/lib/**/*.test.ts',
      // The console's component tests (jsdom, chosen per file).
      'apps/web/src/**/*.test.tsx',
    ],
    exclude: ['**/node_modules/**', 'e2e/**'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // A test that forgets to await a promise must fail, not pass quietly.
    dangerouslyIgnoreUnhandledErrors: false,
  },
});
