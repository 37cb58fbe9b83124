import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // One PostgreSQL for the run (embedded, or DATABASE_URL); each test file gets its own database.
    globalSetup: ['test/global-setup.ts'],
    // Fails a test file in which a route answered a problem it does not declare (src/server/problems.ts).
    setupFiles: ['test/undeclared-problems.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
